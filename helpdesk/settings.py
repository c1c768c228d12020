"""Settings, read from the environment with safe development defaults (see .env.example)."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from helpdesk.env import env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = secret_key(debug=DEBUG, keep_in=VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Before the admin: translated policy texts (sla/translation.py), edited side by side.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_tasks_db",
    "sla",
    "tickets",
    "communications",
    "feature_requests",
    "accounts",
    "reports",
    "oncall",
    "search",
    "automation",
    "workspace",
    "notices",
    "satisfaction",
    "help_center",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Before anything reads a value into a query: PostgreSQL refuses NUL characters.
    "helpdesk.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Dates and times in the customer's own zone (after authentication: it reads the user).
    "tickets.middleware.CustomerTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MemberBackend",
]
# Five failed logins for a user from one address lock them out for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every command (sla_preview prints pure JSON)
# The portal's lock-out page: how long, and a password-reset link.
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# The portal's page for an expired form (the API keeps its JSON shape).
CSRF_FAILURE_VIEW = "helpdesk.api_errors.csrf_failure"

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"
ASGI_APPLICATION = "helpdesk.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'helpdesk.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under concurrent users: readers never wait for the writer (WAL),
    # a writer takes its lock when its transaction begins (IMMEDIATE) and waits for another
    # writer for up to SQLITE_BUSY_TIMEOUT seconds instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
            # Pages read through a memory map (no system call per page) and a larger page
            # cache than SQLite's 2 MB: at a million tickets a query jumping between tickets
            # and clocks otherwise re-reads the same pages from the OS thousands of times.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=ON; "
                f"PRAGMA mmap_size={env_int('SQLITE_MMAP_BYTES', 2**30)}; "
                f"PRAGMA cache_size=-{env_int('SQLITE_CACHE_KIB', 32768)};"
            ),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The desk's queries are short; PostgreSQL's JIT compiles those its planner misjudges as
    # costly, which at a million tickets spent 40-120 ms compiling queries that then ran in a
    # few (bench/tickets.py). Off unless the URL's options say otherwise.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Language and time: Brazilian Portuguese first; every clock stored in UTC.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "pt-br")
LANGUAGES = [("pt-br", _("Brazilian Portuguese")), ("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/Sao_Paulo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
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

# E-mail (Django 6.1 mailers). The SMTP options apply only to the SMTP backend.
# In development without a mail server, e-mail is printed on the console.
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not env_str("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
        "timeout": env_int("EMAIL_TIMEOUT", 30),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "suporte@helpdesk.localhost")
EMAIL_MESSAGE_ID_DOMAIN = env_str("EMAIL_MESSAGE_ID_DOMAIN", "helpdesk.localhost")
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5)
# Analysts in this group (Django admin, Groups) are told of every SLA breach.
SLA_TEAM_LEADS_GROUP = env_str("SLA_TEAM_LEADS_GROUP", "Team leads")

# History is evidence: the admin's "revert to this version" would rewrite a ticket behind the
# services' back (no clock effects, no reason), so it is off.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Inbound e-mail: what our own receiving mail server vouches for (README, "Receiving e-mail").
# Authentication-Results headers (RFC 8601) are read only from these authserv-ids; empty:
# no e-mail is verified (members may still open tickets for their own address).
EMAIL_TRUSTED_AUTHSERV_IDS = env_list("EMAIL_TRUSTED_AUTHSERV_IDS", [])
# The arrival time is the topmost Received line's date, when one of these hosts wrote it;
# otherwise when we read the message (IMAP internal date, Maildir file date, or now).
EMAIL_TRUSTED_RECEIVED_BY = env_list("EMAIL_TRUSTED_RECEIVED_BY", [])
# An arrival older than this is clamped to it (and the clamp noted on the ticket).
EMAIL_ARRIVAL_MAX_AGE_HOURS = env_int("EMAIL_ARRIVAL_MAX_AGE_HOURS", 120)
# Analysts answer from the back office; true: an analyst's *verified* e-mail is a reply too.
EMAIL_ACCEPT_STAFF_REPLIES = env_bool("EMAIL_ACCEPT_STAFF_REPLIES", default=False)

# Inbound e-mail from an IMAP mailbox, polled by communications.tasks.poll_imap_mailbox.
IMAP_HOST = env_str("IMAP_HOST")
IMAP_PORT = env_int("IMAP_PORT", 993)
IMAP_USE_SSL = env_bool("IMAP_USE_SSL", default=True)
IMAP_USER = env_str("IMAP_USER")
IMAP_PASSWORD = env_str("IMAP_PASSWORD")
IMAP_FOLDER = env_str("IMAP_FOLDER", "INBOX")

# Attachments: limits for uploads and e-mail parts (larger ones stay in the raw e-mail).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_ALLOWED_TYPES = env_list(
    "ATTACHMENT_ALLOWED_TYPES",
    [
        "image/*",
        "text/*",
        "audio/*",
        "video/*",
        "application/pdf",
        "application/zip",
        "application/json",
        "application/xml",
        "message/rfc822",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.*",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.*",
        "application/octet-stream",
    ],
)
# Refused whatever type the sender declares (the declared type is the client's word):
# programs, scripts, and pages a browser would run. The content is also sniffed for programs.
ATTACHMENT_BLOCKED_EXTENSIONS = env_list(
    "ATTACHMENT_BLOCKED_EXTENSIONS",
    [
        *[".exe", ".com", ".scr", ".pif", ".msi", ".msp", ".dll", ".cpl", ".sys", ".lnk"],
        *[".bat", ".cmd", ".ps1", ".psm1", ".psd1", ".sh", ".bash", ".reg", ".hta"],
        *[".js", ".jse", ".mjs", ".vbs", ".vbe", ".wsf", ".wsh", ".jar", ".class"],
        *[".apk", ".app", ".dmg", ".html", ".htm", ".xhtml", ".shtml", ".svg", ".svgz"],
    ],
)
ATTACHMENT_BLOCKED_TYPES = env_list(
    "ATTACHMENT_BLOCKED_TYPES",
    [
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-msi",
        "application/vnd.microsoft.portable-executable",
        "application/x-executable",
        "application/x-sh",
        "application/java-archive",
    ],
)
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Feature requests: e-mail sent to this address becomes a request (empty: off), and the
# portal's public address, for the links in notices (one-click unsubscribe).
FEATURE_REQUESTS_EMAIL = env_str("FEATURE_REQUESTS_EMAIL")
# A level or policy created with one text has it in pt-BR too, the language others fall back to.
MODELTRANSLATION_AUTO_POPULATE = "default"
PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000")

# Background work: Django's tasks framework with the database-backed worker.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its challenge makes a bad or revoked token a 401, not a 403.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "helpdesk.api.Pagination",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "helpdesk.api_errors.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Tickets, SLA deadlines and feature requests of the support agreement.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tickets and feature requests both have a "status": each keeps its own enum name.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tickets.models.Ticket.Status",
        "TicketChannelEnum": "tickets.models.Ticket.Channel",
        "MessageChannelEnum": "communications.models.Message.Channel",
        "FeatureRequestStatusEnum": "feature_requests.models.FeatureRequest.Status",
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
