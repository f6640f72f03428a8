from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

# allauth's rate limits answer with StudyBoard's 429 page, as qa.limits' do.
handler429 = "qa.limits.too_many_requests"


def moved(name):
    """Django's own account pages before allauth: bookmarks and old mails keep working."""
    return RedirectView.as_view(pattern_name=name, permanent=True, query_string=True)


urlpatterns = [
    # The admin's own sign-in form would be a way around allauth's limits on guessing.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin-sign-in",
    ),
    path("admin/", admin.site.urls),
    path("accounts/password_change/", moved("account_change_password")),
    path("accounts/password_change/done/", moved("account_change_password")),
    path("accounts/password_reset/", moved("account_reset_password")),
    path("accounts/password_reset/done/", moved("account_reset_password_done")),
    path("accounts/reset/done/", moved("account_reset_password_from_key_done")),
    # A reset link mailed before allauth cannot be checked any more: ask for a new one.
    re_path(
        r"^accounts/reset/[0-9A-Za-z_\-]+/[0-9A-Za-z]+-[0-9A-Za-z]+/$",
        moved("account_reset_password"),
    ),
    path("accounts/", include("allauth.urls")),
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
