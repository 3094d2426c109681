"""The one settings module of Antar. Every deployment value comes from the environment.

Defaults are the safe ones and need no external service: an embedded SQLite database,
a filesystem Celery broker under var/, SMS to the console. See .env.example.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ANTAR_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL of the service, used for the tracking links in SMS.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "delivery",
    "routing",
    "notifications",
    "courier_app",
    "console",
    "public",
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
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: embedded SQLite unless DATABASE_URL names another (PostgreSQL).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker) share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "id"
# Each language is named in itself, as a language switch shows it.
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

SESSION_COOKIE_SECURE = env_bool(
    "SECURE_COOKIES", not DEBUG and "https" in PUBLIC_BASE_URL
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "delivery.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Antar API",
    "DESCRIPTION": "Passport delivery of the immigration office in Sijunjung.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Docs assets come from drf-spectacular-sidecar: no CDN needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Cache (rate limits of public pages): Redis when CACHE_URL is set, else in-process.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A cache that does not answer must not hold a page: fail fast, degrade.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Public look-ups (tracking page, survey, complaints) per client and window.
TRACKING_RATE_LIMIT = env_int("TRACKING_RATE_LIMIT", 30)
TRACKING_RATE_WINDOW_S = env_int("TRACKING_RATE_WINDOW_S", 600)

# Celery. The embedded default is kombu's filesystem transport, so the demo runs tasks
# in a real worker process without any server; production sets a redis:// URL.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        # The transport polls its folder; the default 1 s would crawl through a backlog.
        "polling_interval": 0.1,
        "store_processed": False,
    }
else:
    # Redis re-delivers an unacknowledged task after the visibility timeout; keep it
    # well above the longest task time limit so a slow task is never run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
# One task at a time per worker process: tasks are short and some are long (planning).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sms-sweep": {
        "task": "notifications.tasks.sms_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "cancel-uncollected": {
        "task": "delivery.tasks.deliveries_cancel_uncollected_task",
        "schedule": timedelta(hours=1),
    },
    "imports-sweep": {
        "task": "delivery.tasks.import_jobs_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "plans-sweep": {
        "task": "routing.tasks.route_plans_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "audit-checkpoint": {
        "task": "delivery.tasks.audit_checkpoint_task",
        "schedule": timedelta(minutes=env_int("AUDIT_CHECKPOINT_MINUTES", 15)),
    },
}

# SMS. Twilio when TWILIO_ACCOUNT_SID is set, else the console (the demo's phone).
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_secret("TWILIO_AUTH_TOKEN")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
# Only for a Twilio test double or staging stub; unset in production.
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL")
TWILIO_TIMEOUT_S = env_int("TWILIO_TIMEOUT_S", 10)
# The public base URL Twilio calls our webhooks on (their signature covers it).
TWILIO_WEBHOOK_BASE_URL = env_str("TWILIO_WEBHOOK_BASE_URL", PUBLIC_BASE_URL)
SMS_BACKEND = env_str("SMS_BACKEND", "twilio" if TWILIO_ACCOUNT_SID else "console")
if SMS_BACKEND not in {"twilio", "console", "memory"}:
    raise ImproperlyConfigured("SMS_BACKEND must be twilio, console or memory")
if SMS_BACKEND == "twilio" and not (TWILIO_AUTH_TOKEN and TWILIO_ACCOUNT_SID):
    raise ImproperlyConfigured(
        "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
    )
SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 10)
# A message claimed longer ago than this, with no outcome, is reconciled by the sweep.
SMS_STUCK_AFTER_S = env_int("SMS_STUCK_AFTER_S", 60)
# The tracking page's short link, carried by every SMS.
SHORT_LINK_BASE_URL = env_str("SHORT_LINK_BASE_URL", PUBLIC_BASE_URL)

# Routing: an OSRM server's base URL for road travel times; unset: geodesic estimate.
OSRM_URL = env_str("OSRM_URL")
# A solving plan with no heartbeat for this long lost its worker: run again or failed.
PLAN_STALE_AFTER_S = env_int("PLAN_STALE_AFTER_S", 120)
# Nominatim for street-level geocoding; unset: the shipped gazetteer only.
NOMINATIM_DOMAIN = env_str("NOMINATIM_DOMAIN")
# Map tiles of the dispatcher console ({z}/{x}/{y} template). Without internet the
# console draws routes over the district points of the gazetteer instead.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# Domain settings.
ANTAR_BRAND = env_str("ANTAR_BRAND", "IMIGRASI SIJUNJUNG")
COLLECTION_DEADLINE_DAYS = env_int("COLLECTION_DEADLINE_DAYS", 30)
MAX_DELIVERY_ATTEMPTS = env_int("MAX_DELIVERY_ATTEMPTS", 3)
# CSV imports run in a worker, this many rows per task: a few seconds each, so no
# task nears its time limit and no other writer waits long behind one.
IMPORT_BATCH_ROWS = env_int("IMPORT_BATCH_ROWS", 100)
# Public trust. The audit checkpoint key signs the chain's head; it must live outside
# the database (a file or the environment), or an attacker who rewrites the chain could
# re-sign it. Without it the checkpoint task refuses to run (DEBUG has a dev key).
AUDIT_CHECKPOINT_KEY = env_secret("AUDIT_CHECKPOINT_KEY") or (
    "insecure-development-audit-key" if DEBUG else ""
)
# Calendar days (not working days, for simplicity) to answer a complaint.
COMPLAINT_RESPONSE_DAYS = env_int("COMPLAINT_RESPONSE_DAYS", 5)
# A public figure computed from fewer cases than this is not shown (anonymity).
MIN_CASES_PUBLIC = env_int("MIN_CASES_PUBLIC", 10)
# Handover codes (DESIGN.md "Handover"). The pepper keys the codes' HMAC and lives
# outside the database; without it (DEBUG off) no code can be issued or checked.
HANDOVER_CODE_PEPPER = env_secret("HANDOVER_CODE_PEPPER")
if not HANDOVER_CODE_PEPPER and DEBUG:
    HANDOVER_CODE_PEPPER = "insecure-development-pepper-do-not-use-in-production"
HANDOVER_CODE_VALIDITY_S = env_int("HANDOVER_CODE_VALIDITY_S", 600)
HANDOVER_MAX_WRONG = env_int("HANDOVER_MAX_WRONG", 5)
HANDOVER_RESEND_AFTER_S = env_int("HANDOVER_RESEND_AFTER_S", 60)
HANDOVER_MAX_CODES_PER_DAY = env_int("HANDOVER_MAX_CODES_PER_DAY", 3)
COURIER_MAX_FAILURES_PER_HOUR = env_int("COURIER_MAX_FAILURES_PER_HOUR", 10)
# A mistaken tap in the courier app can be undone within this many seconds.
UNDO_GRACE_S = env_int("UNDO_GRACE_S", 120)
# Largest proof photo accepted (the phone compresses to about 200 KB first).
PROOF_PHOTO_MAX_BYTES = env_int("PROOF_PHOTO_MAX_BYTES", 3 * 1024 * 1024)
# Where tests that need services are made to fail rather than skip (CI).
ANTAR_REQUIRE_SERVICES = env_bool("ANTAR_REQUIRE_SERVICES", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The SDK logs every request at INFO, phone numbers included: no PII in logs.
        "twilio.http_client": {"level": "WARNING"},
        # 4xx lines carry request paths, and tracking codes are secrets: keep 5xx only.
        "django.request": {"level": "ERROR"},
    },
}
