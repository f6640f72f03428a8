"""StudyBoard settings, all read from the environment.

Development needs nothing: with DJANGO_DEBUG=1 (what `make run` sets) a local
secret key and SQLite are used. Production sets DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS and DATABASE_URL; see README.md for every variable.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .release import code_release

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY, or DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-in-production"
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    # What `check --deploy` warns about, refused outright: sessions and password reset links
    # are only as safe as this key.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use 50 or more random characters, for example from "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "markdownx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "django_ratelimit",
    "csp",
    "qa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "qa.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qa.middleware.BoardAccessMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "studygroup.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qa.pagecache.csrf_stand_in",
            ],
        },
    },
]

WSGI_APPLICATION = "studygroup.wsgi.application"

# SQLite when DATABASE_URL is unset, so a fresh clone runs with nothing installed;
# PostgreSQL (psycopg 3) for real use.
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.config(
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Korean text needs UTF-8, whatever the server's default encoding is.
        DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
        # psycopg prepares the few statements nearly every request runs (qa.compiled) once they
        # have run this many times on a connection; Django's own cursors never prepare. Off
        # for a pooler in transaction mode that cannot keep prepared statements.
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"),
        }
    }

# Shared by every worker with REDIS_URL; otherwise each worker's own memory.
CACHES = {
    "default": (
        {"BACKEND": "qa.pagecache.RedisCache", "LOCATION": REDIS_URL}
        if (REDIS_URL := os.environ.get("REDIS_URL"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
    ),
    # The latest whole pages for visitors, and the shared parts of members' pages
    # (qa.pagecache), in each worker's memory in front of the default cache: served without
    # fetching 100-200 KB from Redis, or unpickling, each time.
    "pages": {
        "BACKEND": "qa.pagecache.InProcessCache",
        "LOCATION": "pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 64},
    },
}

# Part of every cached page's key, so that a deploy never serves pages rendered by the
# previous templates. Without the variable, a digest of the code and templates themselves.
STUDYBOARD_RELEASE = os.environ.get("STUDYBOARD_RELEASE") or code_release(BASE_DIR)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Each account's editor images, all told; `remove_unused_uploads` frees what no answer shows.
UPLOAD_QUOTA_MB = int(os.environ.get("UPLOAD_QUOTA_MB", 100))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# More than one node: every node must see every upload, so they go to a bucket (qa.storage).
# Credentials come from the environment as boto3 reads them (AWS_ACCESS_KEY_ID, ...).
if MEDIA_BUCKET := os.environ.get("MEDIA_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "qa.storage.MediaBucket",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": os.environ.get("MEDIA_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MEDIA_REGION") or None,
            "custom_domain": os.environ.get("MEDIA_CUSTOM_DOMAIN") or None,
            # Names are random and never reused; a public link must not expire.
            "file_overwrite": False,
            "querystring_auth": False,
        },
    }

# In development whitenoise looks files up on each request instead of scanning a
# collected STATIC_ROOT that does not exist yet.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

# The editor preview must match what is stored, so markdownx renders through our
# one sanitizing function. Its own views are never mounted (see qa/urls.py); the
# widget posts to ours, which sanitize and check uploads.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "qa.markdown.render_markdown"
MARKDOWNX_URLS_PATH = "/answers/preview/"
MARKDOWNX_UPLOAD_URLS_PATH = "/answers/upload/"

# Off: every page except signing in asks for an account (qa.middleware).
BOARD_PUBLIC = env_bool("BOARD_PUBLIC", True)
# Editor images for signed-in accounts only, like the board when it is not public: Django
# checks the account (qa.views.upload_file) and, with MEDIA_ACCEL_PREFIX, has nginx send the
# file from that internal location (X-Accel-Redirect); without it Django sends it itself.
MEDIA_PROTECTED = env_bool("MEDIA_PROTECTED", not BOARD_PUBLIC)
MEDIA_ACCEL_PREFIX = os.environ.get("MEDIA_ACCEL_PREFIX", "")

# Accounts: django-allauth (sign-in by user name or e-mail, sign-up by invitation, GitHub);
# both backends load each account's member in the same query.
AUTHENTICATION_BACKENDS = ["qa.backends.MemberBackend", "qa.backends.AccountBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "qa:home"
ACCOUNT_ADAPTER = "qa.accounts.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "qa.accounts.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "qa.accounts.SignupForm"}
SOCIALACCOUNT_FORMS = {"signup": "qa.accounts.SocialSignupForm"}
# Addresses are confirmed by mail but not required to be, so that a member who mistyped
# theirs can still sign in and fix it on the profile page.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGOUT_REDIRECT_URL = "qa:home"
# The sign-in form stays open to someone signed in, to change accounts (and for the admin,
# whose sign-in is this one: a member sent there must not loop back to the admin).
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
# Password reset answers alike whether an account has the address or not, and sends nothing
# to an address without an account: the form must not become a way to mail strangers.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[StudyBoard] "
# Closed unless a curator's invitation is followed (qa.accounts); SIGNUP=open opens it.
SIGNUP_OPEN = os.environ.get("SIGNUP", "").strip().lower() == "open"
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "14"))
# Who signs up with GitHub still confirms a user name and a display name.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_QUERY_EMAIL = True
# The GitHub OAuth app lives in the environment, never only in the database (README).
SOCIALACCOUNT_PROVIDERS = {
    "github": {
        "SCOPE": ["read:user", "user:email"],
        "APPS": (
            [
                {
                    "client_id": os.environ["GITHUB_CLIENT_ID"],
                    "secret": os.environ["GITHUB_CLIENT_SECRET"],
                }
            ]
            if os.environ.get("GITHUB_CLIENT_ID") and os.environ.get("GITHUB_CLIENT_SECRET")
            else []
        ),
    }
}
# Counted in the default cache (Redis in production), so every worker and node shares them;
# stricter than allauth's defaults. Past a limit: StudyBoard's 429 page (studygroup.urls).
ACCOUNT_RATE_LIMITS = env_bool("RATELIMIT_ENABLE", True) and {
    # Every sign-in try per address; failed ones per address and per account name, and a
    # sign-in past those is refused even with the right password until the window passes.
    "login": "30/15m/ip",
    "login_failed": "10/15m/ip,5/15m/key",
    "signup": "10/h/ip",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/h/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    # Links that name no invitation (qa.views.invitation): guessing tokens.
    "invitation": "10/h/ip",
}

# Password reset mail goes to the console until an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "StudyBoard <studyboard@localhost>")
# Seconds before an unanswering SMTP server fails a send, rather than hanging a command.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))

# The site's own address, for links in mail and chat messages (remind_round), which no
# request names: for example https://board.example.com.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# A Discord or Slack incoming webhook that remind_round posts the week's summary to; which of
# the two is told by the URL's host, or by REMINDER_WEBHOOK_KIND ("discord" or "slack").
REMINDER_WEBHOOK_URL = os.environ.get("REMINDER_WEBHOOK_URL", "")
REMINDER_WEBHOOK_KIND = os.environ.get("REMINDER_WEBHOOK_KIND", "")
REMINDER_WEBHOOK_TIMEOUT = float(os.environ.get("REMINDER_WEBHOOK_TIMEOUT", "10"))

# Production hardening; each can be relaxed from the environment (for example
# behind a proxy that already redirects to HTTPS).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)

# Templates hold no inline script or style and Markdown keeps no style attribute, so the
# policy can be strict. Answers may show images from any HTTPS address, as on GitHub.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Rate limits (qa.limits) count in the default cache, shared by every worker and node.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_VIEW = "qa.limits.rate_limited"
RATELIMIT_IP_META_KEY = "qa.limits.client_address" if env_bool("DJANGO_BEHIND_PROXY") else None
# django-ratelimit 4.1 predates Django's own RedisCache, whose incr() is Redis' atomic INCR.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    # Each process then counts on its own: right for runserver and the tests, while several
    # gunicorn workers would each allow the full rate. Production sets REDIS_URL (README).
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# Sessions are read on every signed-in page: from Redis, with the database behind it, when
# every worker and node shares it. Never from each worker's own memory: a session ended
# through one worker would live on in another's.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
