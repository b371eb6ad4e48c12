"""Écoute settings: one file, every value read from the environment with a safe default."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from ecoute.lib.email_url import parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ECOUTE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("ECOUTE_TESTING", False)

# Without SECRET_KEY (and DEBUG off) the server refuses to start: see ecoute.lib.checks. Commands that
# work on files alone (`ecoute btyd`) still run.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "insecure-development-key-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "ecoute.lib.error_views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_countries",
    "ecoute.lib",
    "ecoute.accounts",
    "ecoute.customers",
    "ecoute.retention",
    "ecoute.listening",
    "ecoute.messaging",
    # After ecoute.lib, whose `db_worker` command extends this one's.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ecoute.lib.request_limits.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ecoute.lib.cache_control.NoStoreMiddleware",
    # Inside NoStoreMiddleware: the page it puts in place of a bare 405 is kept from caches too.
    "ecoute.lib.method_not_allowed.MethodNotAllowedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ecoute.accounts.middleware.CurrentOrganizationMiddleware",
]

ROOT_URLCONF = "ecoute.urls"
WSGI_APPLICATION = "ecoute.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ecoute" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ecoute.accounts.context_processors.organization",
            ],
        },
    },
]

# Database: SQLite under var/ by default, PostgreSQL (or another) through DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ecoute.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
        ),
    }
    # On disk, so that a command run by a test in a subprocess sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The ORM binds its values client-side and is never prepared; the few statements run through
    # ecoute.lib.prepared's cursor (an answer's lookup) are prepared on their first run.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["ecoute.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "customers:overview"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]
)

# Failed logins in the window (seconds): so many per account and address, so many per address; past
# the account's limit, a new address needs a link e-mailed to the account (see accounts/login_limits.py).
LOGIN_FAILURES_LIMIT = int(os.environ.get("LOGIN_FAILURES_LIMIT", "5"))
LOGIN_ADDRESS_FAILURES_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURES_LIMIT", "20"))
LOGIN_ACCOUNT_FAILURES_LIMIT = int(os.environ.get("LOGIN_ACCOUNT_FAILURES_LIMIT", "10"))
LOGIN_FAILURES_WINDOW = int(os.environ.get("LOGIN_FAILURES_WINDOW", "900"))

# Password reset e-mails: at most so many per account and per address in the window (seconds).
PASSWORD_RESET_ACCOUNT_LIMIT = int(os.environ.get("PASSWORD_RESET_ACCOUNT_LIMIT", "3"))
PASSWORD_RESET_ADDRESS_LIMIT = int(os.environ.get("PASSWORD_RESET_ADDRESS_LIMIT", "10"))
PASSWORD_RESET_WINDOW = int(os.environ.get("PASSWORD_RESET_WINDOW", "3600"))
# A reset link works for an hour.
PASSWORD_RESET_TIMEOUT = 3600
# API: at most API_RATE_LIMIT requests per key in each window of API_RATE_LIMIT_WINDOW seconds.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "600"))
API_RATE_LIMIT_WINDOW = int(os.environ.get("API_RATE_LIMIT_WINDOW", "60"))
# Public survey links: at most so many responses started from one address in the window (seconds).
PUBLIC_RESPONSE_RATE_LIMIT = int(os.environ.get("PUBLIC_RESPONSE_RATE_LIMIT", "20"))
PUBLIC_RESPONSE_RATE_WINDOW = int(os.environ.get("PUBLIC_RESPONSE_RATE_WINDOW", "3600"))

# An invitation to join an organization works for so many days after it was (last) sent.
INVITATION_MAX_AGE_DAYS = int(os.environ.get("INVITATION_MAX_AGE_DAYS", "7"))

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "ecoute" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "ecoute" / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(10 * 1024 * 1024)))
IMPORT_MAX_FILE_SIZE = int(os.environ.get("IMPORT_MAX_FILE_SIZE", str(500 * 1024 * 1024)))
# Seconds an API write holds its Idempotency-Key before a retry may take it over (a request killed
# mid-way never answers); longer than any write takes, shorter than a client waits to retry.
API_IDEMPOTENCY_LEASE = int(os.environ.get("API_IDEMPOTENCY_LEASE", "60"))

# Background work: django.tasks stored in the database, run by `ecoute db_worker`.
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env_bool("TASKS_IMMEDIATE", TESTING)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# A running import renews its lease with every step it reports; one whose lease has run out was
# interrupted (its process died) and is resumed. Longer than the slowest step that reports nothing.
IMPORT_LEASE_SECONDS = max(1, int(os.environ.get("IMPORT_LEASE_SECONDS", "60")))
# What every worker does from time to time: pick up the work of workers that died.
WORKER_HOUSEKEEPING = [
    "ecoute.customers.tasks.resume_interrupted_imports",
    "ecoute.customers.tasks.resume_interrupted_exports",
    "ecoute.customers.tasks.purge_exports_when_due",
    "ecoute.messaging.tasks.send_when_due",
    "ecoute.listening.invitation_sending.remind_when_due",
    "ecoute.retention.tasks.recompute_statuses_when_due",
    "ecoute.retention.tasks.score_when_due",
]
# Customers' activity statuses are recomputed by the workers once they are older than this.
RETENTION_STATUS_HOURS = max(0.1, float(os.environ.get("RETENTION_STATUS_HOURS", "24")))
# And customers are scored with the lifetime models (statuses recomputed after) once scores are older.
RETENTION_SCORE_HOURS = max(0.1, float(os.environ.get("RETENTION_SCORE_HOURS", "24")))
# Exports: a list of more rows than EXPORT_STREAM_MAX_ROWS is not streamed in the answer (the web
# server's timeout would cut it off) but prepared by a worker into EXPORT_FILES_DIR, private storage
# served only to the person who asked (and owners and administrators), and deleted EXPORT_FILE_DAYS
# after it is ready. A worker preparing one renews its lease at least every EXPORT_LEASE_SECONDS / 3.
EXPORT_STREAM_MAX_ROWS = max(0, int(os.environ.get("EXPORT_STREAM_MAX_ROWS", "100000")))
EXPORT_FILE_DAYS = max(1, int(os.environ.get("EXPORT_FILE_DAYS", "7")))
EXPORT_FILES_DIR = Path(os.environ.get("EXPORT_FILES_DIR", VAR_DIR / "exports"))
EXPORT_LEASE_SECONDS = max(1, int(os.environ.get("EXPORT_LEASE_SECONDS", "60")))
WORKER_HOUSEKEEPING_SECONDS = min(30.0, max(1.0, min(IMPORT_LEASE_SECONDS, EXPORT_LEASE_SECONDS) / 2))

# E-mail: EMAIL_URL such as smtp://user:pass@host:587/?tls=1, or console:// for development.
EMAIL_URL = os.environ.get("EMAIL_URL", "console://" if DEBUG else "smtp://127.0.0.1:25")
MAILERS = {"default": parse_email_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Écoute <ecoute@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address of the site as customers reach it, for the links of e-mails sent in the background
# (unsubscribe links among them).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# The outbox: a sender holds the messages it claimed this many seconds (renewed as it goes); those of
# a sender that died are taken over once the lease has run out, or at once when its process is known
# to have ended. A temporary SMTP error is retried after OUTBOX_RETRY_SECONDS, doubled at each attempt,
# OUTBOX_MAX_ATTEMPTS times in all.
# Unsubscribe links: at most so many requests per link, and so many of unknown links per address, in
# each window (seconds).
UNSUBSCRIBE_RATE_LIMIT = int(os.environ.get("UNSUBSCRIBE_RATE_LIMIT", "30"))
UNSUBSCRIBE_RATE_WINDOW = int(os.environ.get("UNSUBSCRIBE_RATE_WINDOW", "60"))
OUTBOX_LEASE_SECONDS = max(1, int(os.environ.get("OUTBOX_LEASE_SECONDS", "120")))
OUTBOX_BATCH_SIZE = max(1, int(os.environ.get("OUTBOX_BATCH_SIZE", "100")))
OUTBOX_RETRY_SECONDS = max(1, int(os.environ.get("OUTBOX_RETRY_SECONDS", "60")))
OUTBOX_MAX_ATTEMPTS = max(1, int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8")))

# Security. The defaults suit production; `make demo` serves on plain HTTP locally.
SECURE_HTTPS = env_bool("SECURE_HTTPS", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_HTTPS else "0"))
# On by default for the deployment checklist; a domain whose subdomains are not all on HTTPS opts out.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
