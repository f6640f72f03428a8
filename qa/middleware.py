from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# What a visitor needs to get an account working; the admin asks for its own sign-in.
OPEN_VIEWS = {
    "account_login",
    "admin-sign-in",
    "account_logout",
    "account_signup",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "github_login",
    "github_callback",
    "socialaccount_signup",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "qa:invitation-accept",
    "qa:language",
    "qa:healthz",
    "qa:favicon",
    # The editor's endpoints answer visitors with a 403 the widget can show.
    "qa:answer-preview",
    "qa:answer-upload",
}


class BoardAccessMiddleware:
    """With BOARD_PUBLIC off, visitors must sign in before they see anything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if settings.BOARD_PUBLIC or request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match.view_name in OPEN_VIEWS or "admin" in match.namespaces:
            return None
        return redirect_to_login(request.get_full_path())


# Powerful browser features StudyBoard never uses, refused for its pages and anything they
# embed: a script that got in still cannot reach a camera or a position.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "hid",
        "magnetometer", "microphone", "midi", "payment", "serial", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
