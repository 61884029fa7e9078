"""Django settings, read from environment variables through the typed helpers of `msoko.core.env`.

Every variable is documented in `msoko.core.env.VARIABLES` and in docs/developer-guide.md.
SQLite in the workspace by default; PostgreSQL when MSOKO_DATABASE_URL is set.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from msoko.core.env import SettingError, env_bool, env_choice, env_int, env_list, env_str
from msoko.core.workspace import Workspace
from msoko.engine import ENGINES

WORKSPACE = Workspace.resolve().ensure()
PACKAGE_DIR = Path(__file__).resolve().parent

SECRET_KEY = WORKSPACE.secret_key()
DEBUG = env_bool("MSOKO_DEBUG", False)
ALLOWED_HOSTS = env_list("MSOKO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "auditlog",
    "msoko.web.accounts",
    "msoko.web.registry",
    "msoko.web.jobs",
    "msoko.web.imports",
    "msoko.web.home",
    "msoko.web.dashboards",
    "msoko.web.reports",
    "msoko.web.cycle",
    "msoko.web.collection",
    "msoko.web.evaluation",
    "ninja",  # the HTTP API's browsable docs, served from its own static files (no CDN)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes requires: it answers a locked-out login with its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "msoko.web.urls"
WSGI_APPLICATION = "msoko.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "msoko.web.accounts.context.scope",
            ],
        },
    }
]


def _database() -> dict:
    url = env_str("MSOKO_DATABASE_URL")
    if url is None:
        # Server threads and the job worker write concurrently: WAL lets readers go on during a write,
        # IMMEDIATE takes the write lock up front and the timeout waits for it instead of failing.
        # Tests use a file too (not shared-cache memory, whose table locks are not retried).
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": WORKSPACE.database,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": str(WORKSPACE.root / "test-msoko.sqlite3")},
        }
    if not url.startswith(("postgres://", "postgresql://")):
        raise SettingError("MSOKO_DATABASE_URL: поддерживается только PostgreSQL (postgres://…)")
    return dj_database_url.parse(url, conn_max_age=60)


DATABASES = {"default": _database()}
# what computes the indicators when the web or the API recomputes
COMPUTE_ENGINE = env_choice("MSOKO_ENGINE", "duckdb", ENGINES)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Throttled login: after N failures for the same username from the same address, a lock-out.
AXES_FAILURE_LIMIT = env_int("MSOKO_LOGIN_ATTEMPTS", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("MSOKO_LOGIN_LOCKOUT_SECONDS", 900, minimum=1) / 3600  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# Sessions and cookies.
SECURE = env_bool("MSOKO_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads: never held whole in memory; larger than the limit is refused.
MAX_UPLOAD_BYTES = env_int("MSOKO_MAX_UPLOAD_MB", 200, minimum=1) * 1024 * 1024
# Long work (imports, recomputes, reports) runs in a background thread; tests set JOBS_INLINE = True.
JOBS_INLINE = False
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = WORKSPACE.static
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": WORKSPACE.uploads}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}

# Collection reminders (web/collection/reminders.py) go through Django's email backend: printed to the console
# unless a deployment configures a real backend here.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "msoko@localhost"
# Expected refusals (4xx) are logged as one line, without a traceback; the CSRF refusal is a Russian page.
LOGGING["filters"] = {"quiet_refusals": {"()": "msoko.web.home.errors.QuietRefusals"}}
LOGGING["loggers"]["django.request"] = {"level": "WARNING", "filters": ["quiet_refusals"]}
CSRF_FAILURE_VIEW = "msoko.web.home.errors.csrf_failure"
