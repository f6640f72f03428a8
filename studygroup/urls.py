from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("qa.urls")),
    # Uploaded images; in production the web server serves MEDIA_ROOT (empty list then).
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
