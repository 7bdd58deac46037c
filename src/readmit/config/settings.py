"""Readmit settings, read from the environment.

Development defaults need nothing: SQLite under ``var/``, a generated-per-checkout secret,
two-factor authentication relaxed for the demo (and flagged on every page).
``READMIT_ENV=production`` turns every default into a refusal: the process does not start
without a real secret, and ``readmit check --deploy`` reports no issues.
"""

from __future__ import annotations

import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from readmit.config.env import env_bool, env_int, env_list, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# The working directory of a deployment: var/ holds the SQLite database, uploaded files and
# collected static files. Defaults to the checkout (src/readmit/config → ../../..).
HOME_DIR = Path(env_str("READMIT_HOME", str(PACKAGE_DIR.parent.parent))).resolve()
VAR_DIR = Path(env_str("READMIT_VAR_DIR", str(HOME_DIR / "var"))).resolve()

# The test suite runs with READMIT_ENV=test unless told otherwise (tasks run immediately).
READMIT_ENV = (
    env_str("READMIT_ENV", "test" if "pytest" in sys.modules else "development").strip().lower()
)
if READMIT_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"READMIT_ENV must be development, production or test, not {READMIT_ENV!r}."
    )
PRODUCTION = READMIT_ENV == "production"

# --- Secret key -------------------------------------------------------------------------------
DEV_SECRET_PREFIX = "readmit-development-only-"  # noqa: S105 - a marker, not a secret
SECRET_KEY = env_secret("SECRET_KEY")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "Readmit refuses to start in production without a secret key. "
            "Set SECRET_KEY (at least 50 random characters) or SECRET_KEY_FILE."
        )
    if SECRET_KEY.startswith(DEV_SECRET_PREFIX) or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "Readmit refuses to start in production with a default or weak secret key. "
            "Use at least 50 random characters, e.g. from "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
elif not SECRET_KEY:
    # A development secret that stays the same for this checkout, so sessions survive restarts,
    # and is never a value shared between installations.
    _secret_file = VAR_DIR / "dev-secret-key"
    try:
        SECRET_KEY = _secret_file.read_text(encoding="utf-8").strip()
    except OSError:
        SECRET_KEY = DEV_SECRET_PREFIX + secrets.token_urlsafe(48)
        try:
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            _secret_file.write_text(SECRET_KEY, encoding="utf-8")
            _secret_file.chmod(0o600)
        except OSError:
            pass  # read-only checkout: a per-process secret is fine for development

DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on in production.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names Readmit is served under.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Applications -----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "readmit.core",
    "readmit.accounts",
    "readmit.audit",
    "readmit.notifications",
    "readmit.readmission",
    "readmit.agreements",
    "readmit.persons",
    "readmit.returns",
    "readmit.webhooks",
    "readmit.imports",
    "readmit.web",
    "readmit.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication: the signed-in user's language overrides the browser's.
    "readmit.accounts.middleware.UserLanguageMiddleware",
    "readmit.accounts.middleware.LoginRequiredMiddleware",  # Django's, asking the view first
    "readmit.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "readmit.web.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "readmit.web.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, built once
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "readmit.config.urls"
WSGI_APPLICATION = "readmit.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "readmit.web.context_processors.readmit",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'readmit.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", DEFAULT_DATABASE_URL)
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database address Readmit knows: {exc}"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
        # start of a transaction so two writers queue instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The test database is a file too (per test worker), so that tests with real concurrent
    # connections see SQLite's own locking (WAL, busy timeout) rather than shared-cache memory.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# PostgreSQL keeps Django's client-side parameter binding for the ORM: server-side binding with
# prepared statements for every query made the application read faster (no planning of its
# joins), but after five runs PostgreSQL may switch a prepared statement to a generic plan, and
# the generic plans of the queue counts were several times slower than their custom plans
# (docs/benchmarks.md). Only the reads compiled once (core.compiled: the application, the
# token) prepare theirs, on a cursor of their own; psycopg prepares nothing unless a threshold
# is set, and this one is never reached by a client-side cursor's queries (it cannot prepare).
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if READMIT_ENV == "test":
    # Argon2 is slow on purpose; the suite creates many accounts. Production never takes this.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Two-factor: production requires TOTP for every user. The local demo may relax it, and every
# page then says so.
READMIT_REQUIRE_2FA = env_bool("READMIT_REQUIRE_2FA", default=PRODUCTION)
if PRODUCTION and not READMIT_REQUIRE_2FA:
    raise ImproperlyConfigured("Two-factor authentication cannot be switched off in production.")
OTP_TOTP_ISSUER = env_str("READMIT_OTP_ISSUER", "Readmit")

# Lockout after repeated failures (django-axes).
AXES_FAILURE_LIMIT = env_int("READMIT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("READMIT_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "token", "otp_token"]
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions: an idle timeout (every request renews the expiry) and secure cookies in production.
SESSION_COOKIE_AGE = env_int("READMIT_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
# Confirmations ("Done: … Accepted. Transfer due by …") may repeat what an officer typed: kept
# in the server-side session, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-readmit-session" if PRODUCTION else "readmit-session"
CSRF_COOKIE_NAME = "__Host-readmit-csrf" if PRODUCTION else "readmit-csrf"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("READMIT_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("READMIT_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
    }
}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ru", _("Russian")), ("ar", _("Arabic"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
# Dates and numbers follow the active language: Django's own locale formats, with Readmit's
# adjustments in readmit/formats/ (English as written in EU documents: 6 December 2026).
FORMAT_MODULE_PATH = ["readmit.formats"]
LANGUAGE_COOKIE_NAME = "__Host-readmit-language" if PRODUCTION else "readmit-language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env_str("READMIT_TIME_ZONE", "Europe/Brussels")
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env_str("READMIT_MEDIA_ROOT", str(VAR_DIR / "files")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "readmit@localhost")
# Links in e-mails point here.
READMIT_BASE_URL = env_str("READMIT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Background tasks (django-tasks, database backend: no broker) -----------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if READMIT_ENV == "test"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- API tokens -------------------------------------------------------------------------------
READMIT_TOKEN_DEFAULT_DAYS = env_int("READMIT_TOKEN_DEFAULT_DAYS", 90)
READMIT_TOKEN_MAX_DAYS = env_int("READMIT_TOKEN_MAX_DAYS", 365)

# --- Webhooks and bulk import (docs/webhooks.md, docs/import.md) -------------------------------
# The key that derives each endpoint's signing secret (defaults to SECRET_KEY).
READMIT_WEBHOOK_KEY = env_str("READMIT_WEBHOOK_KEY", "")
READMIT_WEBHOOK_TIMEOUT = env_int("READMIT_WEBHOOK_TIMEOUT", 10)
READMIT_WEBHOOK_MAX_ATTEMPTS = env_int("READMIT_WEBHOOK_MAX_ATTEMPTS", 8)
READMIT_WEBHOOK_BACKOFF_SECONDS = env_int("READMIT_WEBHOOK_BACKOFF_SECONDS", 30)
# Plain http:// endpoints only outside production (a local receiver while integrating).
READMIT_WEBHOOK_ALLOW_HTTP = not PRODUCTION
# Endpoints on loopback, private or link-local addresses only outside production, or where the
# operator says so (a national system inside a government network): in production an authority
# administrator must not make the platform's worker call into the platform's own network.
READMIT_WEBHOOK_ALLOW_PRIVATE = env_bool("READMIT_WEBHOOK_ALLOW_PRIVATE", default=not PRODUCTION)
READMIT_IMPORT_MAX_BYTES = env_int("READMIT_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
READMIT_IMPORT_MAX_ROWS = env_int("READMIT_IMPORT_MAX_ROWS", 200_000)

# --- Deadlines ----------------------------------------------------------------------------------
# Reminders to the requested state this many days before a reply is due.
READMIT_REMINDER_DAYS = [int(d) for d in env_list("READMIT_REMINDER_DAYS", ["3", "1"])]

# --- Logging: structured enough to operate, never personal data --------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Tracebacks with each exception's type and frames, not its message (core/logs.py).
    "formatters": {
        "plain": {
            "()": "readmit.core.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("READMIT_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG) would print exception messages: ours instead.
        "django": {"handlers": ["console"], "propagate": False},
        "django.server": {"handlers": ["console"], "propagate": False},
        # Django logs the request path with 4xx/5xx: our URLs carry no personal data by design.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

SILENCED_SYSTEM_CHECKS: list[str] = []
