"""Concord settings: one file, read from the environment (and `.env` for development)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Fill os.environ from a KEY=VALUE file without overriding what is already set."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


_load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_secret(name: str) -> str:
    """A required secret, from NAME or from the file named by NAME_FILE."""
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} is not set (run `make` to generate a development .env)")
    return value


DEBUG = env_bool("CONCORD_DEBUG")
SECRET_KEY = env_secret("CONCORD_SECRET_KEY")
ALLOWED_HOSTS = os.environ.get("CONCORD_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

# Personal information (PIPL): Fernet keys, newest first, so old ciphertext stays readable
# while a rotation runs; a separate key for the keyed hashes used for exact-match lookups.
FIELD_ENCRYPTION_KEYS = env_secret("CONCORD_FIELD_KEYS").split(",")
FIELD_HASH_KEY = env_secret("CONCORD_HASH_KEY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "concord.core",
    "concord.geo",
    "concord.orgs",
    "concord.accounts",
    "concord.audit",
    "concord.cases",
    "concord.deadlines",
    "concord.notifications",
    "concord.demo",
    "concord.routing",
    "concord.mediation",
    "concord.summons",
    "concord.courts",
    "concord.consultations",
    "concord.agency",
    "concord.linkage",
    "concord.appointments",
    "concord.evaluation",
    "concord.dashboard",
    "concord.integrations",
    "concord.imports",
    "concord.open311",
    "concord.portal",
    "concord.triage",
    "concord.risk",
    "concord.duplicates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "concord.urls"
WSGI_APPLICATION = "concord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "concord" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "concord.notifications.context.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONCORD_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:inbox"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = env_int("CONCORD_SESSION_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "concord" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [
    # Front-end libraries come from npm (package-lock.json) and are served by Concord itself.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Request bodies: large enough for a case with attachments' metadata, small enough to refuse abuse.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("CONCORD_MAX_BODY_BYTES", 2 * 1024 * 1024)

# Background work (concord.core.jobs): Celery when a broker is set, else in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Who sends the outbox's messages (concord.notifications.senders): a dotted class path per
# channel. The console sender only logs; production names its SMS gateway's sender here.
CONCORD_SENDERS = {
    "sms": os.environ.get("CONCORD_SMS_SENDER") or "concord.notifications.senders.ConsoleSender",
    "email": os.environ.get("CONCORD_EMAIL_SENDER")
    or "concord.notifications.senders.ConsoleSender",
}

CONCORD = {
    # Tracking codes read over the phone: prefix + yymmdd + daily sequence (SY2611230042).
    "TRACKING_PREFIX": os.environ.get("CONCORD_TRACKING_PREFIX", "SY"),
    "COUNTY_CODE": os.environ.get("CONCORD_COUNTY_CODE", "330604"),
    # A case bouncing between organisations more often than this is flagged (ping-pong).
    "PING_PONG_HOPS": env_int("CONCORD_PING_PONG_HOPS", 2),
    # Default time to sign for a task (SPEC §6: 1 working day) until SLA policies take over.
    "SIGN_DUE_HOURS": env_int("CONCORD_SIGN_DUE_HOURS", 24),
    "GROUP_MATTER_PEOPLE": env_int("CONCORD_GROUP_MATTER_PEOPLE", 5),
    "PAGE_SIZE": env_int("CONCORD_PAGE_SIZE", 25),
    "API_TOKEN_DAYS": env_int("CONCORD_API_TOKEN_DAYS", 30),
    # A rate over fewer cases than this is shown as 样本不足 (SPEC §8).
    "KPI_MIN_SAMPLE": env_int("CONCORD_KPI_MIN_SAMPLE", 10),
    # The citizen portal's limits per IP address (requests, seconds); "code": wrong lookups of
    # one tracking code from anywhere.
    "PORTAL_RATE_LIMITS": {
        "submit": (env_int("CONCORD_PORTAL_SUBMITS_PER_HOUR", 5), 3600),
        "track": (env_int("CONCORD_PORTAL_LOOKUPS_PER_10_MIN", 20), 600),
        "code": (env_int("CONCORD_PORTAL_CODE_FAILURES_PER_HOUR", 10), 3600),
    },
    # Earlier and later cases within this many days are compared for duplicates.
    "DUPLICATE_WINDOW_DAYS": env_int("CONCORD_DUPLICATE_WINDOW_DAYS", 90),
    # Case imports (CSV/XLSX): the largest file and the most rows one file may hold.
    "IMPORT_MAX_BYTES": env_int("CONCORD_IMPORT_MAX_BYTES", 50 * 1024 * 1024),
    "IMPORT_ROWS_MAX": env_int("CONCORD_IMPORT_ROWS_MAX", 200_000),
    # Reverse proxies in front whose X-Forwarded-For entries are believed (0: ignore the header).
    "TRUSTED_PROXIES": env_int("CONCORD_TRUSTED_PROXIES", 0),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CONCORD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
