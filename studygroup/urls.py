from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qa.limits import limited

urlpatterns = [
    path("admin/", admin.site.urls),
    # Ahead of django.contrib.auth's own, which they replace: the same views, rate-limited.
    path(
        "accounts/login/", limited("sign-in")(auth_views.LoginView.as_view()), name="login"
    ),
    path(
        "accounts/password_reset/",
        limited("password-reset")(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("qa.urls")),
    # Uploaded images in debug (qa's upload-file answers for editor images first); in
    # production the web server serves MEDIA_ROOT and static() gives an empty list.
    # Protected media go through qa's view alone.
    *(
        []
        if settings.MEDIA_PROTECTED
        else static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    ),
]
