"""How often each costly or guessable action may be done, per account and per address.

Counters live in the default cache (Redis in production), so every worker and every node
counts the same requests. Past a limit the request gets StudyBoard's 429 page (rate_limited),
or a JSON error for the editor's own requests.
"""

from functools import wraps

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

# action: (methods counted, [(key, rate), ...]); django-ratelimit's keys and rates.
# Signing in, signing up, password reset mails and invitation links are allauth's
# (ACCOUNT_RATE_LIMITS in settings), answered with the same page (too_many_requests).
RATES = {
    "search": ("GET", [("user_or_ip", "30/m")]),
    # The question form asks for similar questions at each pause in typing.
    "similar": ("GET", [("user_or_ip", "60/m")]),
    # The editor previews at each pause in typing.
    "preview": ("POST", [("user_or_ip", "120/m")]),
    "upload": ("POST", [("user_or_ip", "60/h")]),
}
JSON_ACTIONS = {"preview", "upload"}
RETRY_AFTER_SECONDS = 60


def limited(action):
    """Refuse `action` past its RATES; every key is counted on every request."""
    methods, limits = RATES[action]

    def decorate(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            # Each counter is raised even once another is over, so a blocked client keeps
            # paying on every key it uses.
            over = [
                is_ratelimited(
                    request,
                    group=f"qa.{action}",
                    key=key,
                    rate=rate,
                    method=methods,
                    increment=True,
                )
                for key, rate in limits
            ]
            if any(over):
                request.limited_action = action
                raise Ratelimited
            return view(request, *args, **kwargs)

        return limited_view

    return decorate


def rate_limited(request, exception):
    """The answer past a limit (RATELIMIT_VIEW): 429, with when to try again."""
    message = _("Too many requests in a short time. Please wait a minute and try again.")
    if getattr(request, "limited_action", None) in JSON_ACTIONS:
        response = JsonResponse({"error": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def too_many_requests(request, exception=None):
    """allauth's answer past its limits (handler429): the same page as ours."""
    return rate_limited(request, exception)


def client_address(request):
    """The client's address for the limits: behind our proxy, the address the proxy saw (the
    last X-Forwarded-For entry, which a client cannot forge)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.META["REMOTE_ADDR"]
