"""Concord settings: one file, read from the environment (and `.env` for development)."""

import os
from datetime import timedelta
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
    "django.contrib.staticfiles",  # trimmed by concord.core.staticfiles
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
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
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "concord.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "concord.core.middleware.RefuseNulMiddleware",  # a NUL PostgreSQL refuses: 400, not 500
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "concord.core.ratelimit.APIRateLimitMiddleware",  # after the session's user is known
    "django_otp.middleware.OTPMiddleware",
    "concord.accounts.middleware.SecondFactorMiddleware",
    "concord.accounts.middleware.RoleAreaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout answer
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
else:
    # Short queries over a million cases: compiling them (JIT) costs more than it saves, tens
    # of milliseconds on a keyword list; a keyword's 100,000 matches fit in an exact bitmap
    # with 16 MB, where 4 MB made it lossy and the list took seconds (bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c work_mem=16MB"

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
    {
        "NAME": "concord.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("CONCORD_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保 2.0 身份鉴别 a): complexity, at least 3 of upper case, lower case, digits, symbols.
    {"NAME": "concord.accounts.passwords.CharacterClassesValidator"},
]

# Login failures (django-axes): the account name is locked after AXES_FAILURE_LIMIT failures,
# wherever they come from (login page, API token, second factor), for CONCORD_LOCKOUT_MINUTES
# (0: until the security administrator unlocks it).
AUTHENTICATION_BACKENDS = [
    "concord.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("CONCORD_LOGIN_FAILURES", 5)
# The account name, from any address: a center's staff share one office address, which must
# not be locked for everyone by one person's typos (axes.W006 asks for the address too).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
_LOCKOUT_MINUTES = env_int("CONCORD_LOCKOUT_MINUTES", 30)
AXES_COOLOFF_TIME = timedelta(minutes=_LOCKOUT_MINUTES) if _LOCKOUT_MINUTES > 0 else None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "concord.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "concord.portal.throttle.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit log
AXES_ENABLE_ADMIN = False  # accounts.admin registers the lockouts for the security admin only
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AXES_VERBOSE = False
# Second factor (django-otp): TOTP, mandatory for the roles of accounts.permissions.
OTP_TOTP_ISSUER = os.environ.get("CONCORD_OTP_ISSUER", "Concord")

# An idle timeout: IdleSessionMiddleware pushes the end back as the user works.
SESSION_COOKIE_AGE = env_int("CONCORD_SESSION_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
# Behind HTTPS (production): cookies never travel in clear.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("CONCORD_HTTPS")
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
# `manage.py backup` writes here unless given --output (concord.core.backups).
BACKUP_DIR = Path(os.environ.get("CONCORD_BACKUP_DIR") or BASE_DIR / "var" / "backups")

# The cache: shared by every app process (rate limits must count across them) when Redis is
# configured, else each process's memory (development, tests).
CACHE_URL = os.environ.get("CONCORD_CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "concord",
            # A Redis that is down must not take the pages down with it (concord.core.ratelimit
            # lets requests through when the cache fails).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Request bodies: large enough for a case with attachments' metadata, small enough to refuse abuse.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("CONCORD_MAX_BODY_BYTES", 2 * 1024 * 1024)

# Background work (concord.core.jobs): Celery when a broker is set, else in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that is down must not hold a request up: connect within 1 s, publish without
# kombu's retries (concord.core.jobs.publish keeps the job in its outbox row instead), and
# after a failure do not try again for CONCORD_BROKER_BACKOFF seconds in this process.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CONCORD_BROKER_TIMEOUT", 1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": 5 * CELERY_BROKER_CONNECTION_TIMEOUT,
    # One connection attempt when publishing (workers reconnect by their own retry policy).
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # workers and beat wait for the broker,
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # however long it is down
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING (JSON in production)
CONCORD_BROKER_BACKOFF = env_int("CONCORD_BROKER_BACKOFF", 30)

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
    # Case lists count up to this many rows, then show "more than" (core.pagination).
    "LIST_COUNT_LIMIT": env_int("CONCORD_LIST_COUNT_LIMIT", 10000),
    # The county's and the towns' KPIs are kept this long for every screen that asks.
    "KPI_CACHE_SECONDS": env_int("CONCORD_KPI_CACHE_SECONDS", 30),
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
    # The JSON API's limits (requests, seconds): per signed-in user or system key, and per
    # address for requests without credentials (concord.core.ratelimit).
    "API_RATE_LIMITS": {
        "user": (env_int("CONCORD_API_REQUESTS_PER_MINUTE", 600), 60),
        "anonymous": (env_int("CONCORD_API_ANONYMOUS_PER_MINUTE", 60), 60),
    },
    # Reverse proxies in front whose X-Forwarded-For entries are believed (0: ignore the header).
    "TRUSTED_PROXIES": env_int("CONCORD_TRUSTED_PROXIES", 0),
    # Audit entries are kept at least this long; purge_audit never goes below 180 days
    # (网络安全法: network logs kept no less than six months).
    "AUDIT_RETENTION_DAYS": env_int("CONCORD_AUDIT_RETENTION_DAYS", 180),
    # anonymise_cases: closed cases older than this lose their parties' personal data.
    "ANONYMISE_AFTER_DAYS": env_int("CONCORD_ANONYMISE_AFTER_DAYS", 3 * 365),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # ID numbers and mobile numbers are masked in every line (concord.core.logfilters).
    "filters": {"mask_pii": {"()": "concord.core.logfilters.MaskPIIFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_pii"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("CONCORD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Production (docs/deploy.md): on unless CONCORD_DEBUG is, or CONCORD_PRODUCTION=0 says not.
PRODUCTION = env_bool("CONCORD_PRODUCTION", not DEBUG)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("CONCORD_DEBUG must be off when CONCORD_PRODUCTION is on")
if PRODUCTION:
    # Static files from the app processes themselves, with hashed names cached for a year and
    # pre-compressed copies (`collectstatic` builds them): no separate file server needed.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    WHITENOISE_KEEP_ONLY_HASHED_FILES = True  # pages name them through {% static %}
    # Source maps are for developers' tools: not worth compressing (brotli takes minutes).
    from whitenoise.compress import Compressor

    WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
    # One JSON object per line, for the log collector (the PII mask above still applies).
    from concord.core.logfilters import JSON_FORMATTER

    LOGGING["formatters"] = {"json": JSON_FORMATTER}
    LOGGING["handlers"]["console"]["formatter"] = "json"
# Content Security Policy (django-csp 4): scripts, styles and everything else from Concord
# itself only. No inline script or style, no eval: the pages' code is in static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# Security headers (Django's SecurityMiddleware); the CSP (django-csp) is configured apart.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("CONCORD_HTTPS"):
    # Browsers keep to HTTPS for a year once they have seen the site over it.
    SECURE_HSTS_SECONDS = env_int("CONCORD_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_SSL_REDIRECT = env_bool("CONCORD_SSL_REDIRECT")  # usually the proxy redirects
if CONCORD["TRUSTED_PROXIES"] > 0:
    # The trusted proxy terminates TLS and says so; it must overwrite a client's own header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
