"""The one settings module of Antar. Every deployment value comes from the environment.

Defaults are the safe ones and need no external service: an embedded SQLite database,
a filesystem Celery broker under var/, SMS to the console. See .env.example.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_dates, env_int, env_list, env_secret, env_str

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
    "axes",
    "csp",
    "delivery",
    "routing",
    "notifications",
    "courier_app",
    "console",
    "public",
]

MIDDLEWARE = [
    "config.metrics.RequestLatencyMiddleware",
    "config.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from gunicorn itself (compressed, cached): no separate file server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.RequestBodyLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "delivery.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a refused sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# The TLS proxy (nginx) in front of gunicorn: its X-Forwarded-For is believed, nobody
# else's (config/proxy.py). Addresses or networks, e.g. 127.0.0.1,10.0.0.0/24.
TRUSTED_PROXY_NETWORKS = [
    ipaddress.ip_network(item, strict=False) for item in env_list("TRUSTED_PROXIES")
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
        # Reused by web and worker processes (between tasks, see config/celery.py);
        # SQLite opens files, not connections: 0 there.
        conn_max_age=env_int(
            "DATABASE_CONN_MAX_AGE",
            0 if env_str("DATABASE_URL", "sqlite").startswith("sqlite") else 60,
        ),
        conn_health_checks=True,
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
# Sign-in throttle (django-axes). Its backend comes first and refuses a locked account
# or address before any password is checked, on every login path: console, courier
# app, admin and the API token all call authenticate() with the request.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures are kept in the database, not the cache: the cache is per process unless
# CACHE_URL is set, and a lock must hold across all web processes and restarts.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Locked when either the account or the client address reaches the limit within the
# cool-off window; the lock lifts when the window has passed since the last failure.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The address as config/proxy.py decides it (X-Forwarded-For of our proxy only).
AXES_CLIENT_IP_CALLABLE = "config.proxy.request_client_address"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
# The first lock lasts this long; each further lock of the same account or address
# within a day doubles it (backoff, at most a day): delivery.login_guard.
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_COOLOFF_TIME = "delivery.login_guard.lockout_cool_off"
# A success must not wipe the failures: it would clear the address's count too, so
# one valid account would reset the guessing of another from the same address.
AXES_RESET_ON_SUCCESS = False
# Attempts during a lock are refused but not counted, so a lock ends on time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "delivery.login_guard.lockout_response"
# Logins are in the audit chain already; axes keeps only the failures.
AXES_DISABLE_ACCESS_LOG = True

LANGUAGE_CODE = "id"
# Each language is named in itself, as a language switch shows it.
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collectstatic (tests, runserver) WhiteNoise finds files in the apps; it
# still wants the folder to exist.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# HTTPS. Served under an https:// PUBLIC_BASE_URL (and DEBUG off), every protection is
# on by default; each can be turned off by its own variable (e.g. a staging stub).
_HTTPS = PUBLIC_BASE_URL.startswith("https://") and not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading commits the whole domain in browsers' lists: the operator's decision,
# so its reminder is silenced until they make it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a proxy that terminates TLS, the header it sets (e.g. X-Forwarded-Proto) tells
# Django the request was https. Only set it if the proxy overwrites a client's header.
_PROXY_SSL_HEADER = env_str("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
    if _PROXY_SSL_HEADER
    else None
)

# Request bodies. Larger ones are refused with 413 before anything reads them
# (config.middleware); the default is above the largest upload (a 5 MB CSV import,
# a 3 MB proof photo) plus the form around it.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 8 * 1024 * 1024)
# Form fields and JSON bodies (an intake batch is well below this).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# Uploads beyond this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Deep nesting and lone surrogates are a 400 (delivery/api_parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "delivery.api_parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Each operation's refusals (400/403/404/409), not only its success.
        "config.openapi.document_error_responses",
    ],
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
# Seconds a public tracking summary stays cached (delivery.tracking_cache); only with
# a shared cache, which hears of every change: 0 (off) without CACHE_URL.
TRACKING_CACHE_TTL_S = env_int("TRACKING_CACHE_TTL_S", 300 if CACHE_URL else 0)

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
# Celery closes the database connection around every task unless this is set; with it,
# config/celery.py closes only connections that are broken or older than
# DATABASE_CONN_MAX_AGE, as Django does between requests (one connection, not one per
# task: the SMS outbox benchmark spent most of its time connecting).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Planning runs in its own queue whose worker uses the solo pool, so the search can
# start its processes (deploy/systemd/antar-planner.service); unset: the default queue.
CELERY_PLANNING_QUEUE = env_str("CELERY_PLANNING_QUEUE")
if CELERY_PLANNING_QUEUE:
    CELERY_TASK_ROUTES = {
        "routing.tasks.route_plan_solve_task": {"queue": CELERY_PLANNING_QUEUE}
    }
CELERY_QUEUES_WATCHED = [CELERY_TASK_DEFAULT_QUEUE, CELERY_PLANNING_QUEUE or "planning"]
CELERY_BEAT_SCHEDULE = {
    "sms-sweep": {
        "task": "notifications.tasks.sms_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "cancel-uncollected": {
        "task": "delivery.tasks.deliveries_cancel_uncollected_task",
        "schedule": timedelta(hours=1),
    },
    "proof-photos-purge": {
        "task": "delivery.tasks.photos_purge_expired_task",
        "schedule": timedelta(hours=6),
    },
    "imports-sweep": {
        "task": "delivery.tasks.import_jobs_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "heartbeat": {
        "task": "delivery.tasks.heartbeat_task",
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
# The console backend prints every message, handover codes and tracking links included,
# to the worker's log: the demo's phone, a leak anywhere else. Allowed with DEBUG or
# this explicit switch (manage.py demo sets it); otherwise a system check error.
SMS_CONSOLE_ALLOWED = env_bool("SMS_CONSOLE_ALLOWED", DEBUG)
# A provider outage delays SMS, never drops them: a failed send waits out a back-off
# (doubling, at most SMS_RETRY_MAX_DELAY_S) and is given up only when it has no use
# any more: past its validity (a handover code) or older than SMS_GIVE_UP_AFTER_S.
SMS_RETRY_MAX_DELAY_S = env_int("SMS_RETRY_MAX_DELAY_S", 600)
SMS_GIVE_UP_AFTER_S = env_int("SMS_GIVE_UP_AFTER_S", 2 * 24 * 3600)
# Caps on non-critical SMS (see notifications/limits.py); over a cap a message is
# recorded as suppressed, with the reason, and not sent.
SMS_MAX_PER_NUMBER_PER_HOUR = env_int("SMS_MAX_PER_NUMBER_PER_HOUR", 10)
SMS_MAX_PER_NUMBER_PER_DAY = env_int("SMS_MAX_PER_NUMBER_PER_DAY", 30)
SMS_MAX_PER_SUBJECT_PER_DAY = env_int("SMS_MAX_PER_SUBJECT_PER_DAY", 10)
# Above the largest CSV import (5,000 rows, one SMS each), so office work is never
# held back; the per-number caps stop floods of one phone.
SMS_MAX_PER_HOUR = env_int("SMS_MAX_PER_HOUR", 10000)
# A message claimed longer ago than this, with no outcome, is reconciled by the sweep.
SMS_STUCK_AFTER_S = env_int("SMS_STUCK_AFTER_S", 60)
# Quiet hours in office time (WIB): SMS that can wait are held until the end; the
# handover code goes at once. Either empty: no quiet hours.
SMS_QUIET_START = env_str("SMS_QUIET_START", "21:00")
SMS_QUIET_END = env_str("SMS_QUIET_END", "07:00")
# The tracking page's short link, carried by every SMS.
SHORT_LINK_BASE_URL = env_str("SHORT_LINK_BASE_URL", PUBLIC_BASE_URL)

# Routing: an OSRM server's base URL for road travel times; unset: geodesic estimate.
OSRM_URL = env_str("OSRM_URL")
# A plan may be made and published for today up to this many days ahead, no further:
# its date is promised to applicants by SMS.
PLAN_MAX_DAYS_AHEAD = env_int("PLAN_MAX_DAYS_AHEAD", 30)
# Each plan also forecasts this many working days (its own day first); 1: no forecast.
PLAN_HORIZON_DAYS = env_int("PLAN_HORIZON_DAYS", 5)
# The forecast solves each further day within this many seconds at most.
PLAN_HORIZON_DAY_BUDGET_S = env_int("PLAN_HORIZON_DAY_BUDGET_S", 3)
# A solving plan with no heartbeat for this long lost its worker: run again or failed.
PLAN_STALE_AFTER_S = env_int("PLAN_STALE_AFTER_S", 120)
# Nominatim for street-level geocoding; unset: the shipped gazetteer only.
NOMINATIM_DOMAIN = env_str("NOMINATIM_DOMAIN")
# Map tiles of the dispatcher console ({z}/{x}/{y} template). Without internet the
# console draws routes over the district points of the gazetteer instead.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# Content-Security-Policy (django-csp): scripts only from our own static files, never
# inline. Styles allow inline attributes (a route's colour swatch, Leaflet's markers).
# Map tiles come from MAP_TILE_URL's host ({s} subdomains as a wildcard).
_tile_url = urlsplit(MAP_TILE_URL)
_TILE_ORIGIN = (
    f"{_tile_url.scheme}://{_tile_url.netloc.replace('{s}', '*')}"
    if _tile_url.netloc
    else ""
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        # blob: and data: are the courier app's photo previews and compression.
        "img-src": [SELF, "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Domain settings.
ANTAR_BRAND = env_str("ANTAR_BRAND", "IMIGRASI SIJUNJUNG")
COLLECTION_DEADLINE_DAYS = env_int("COLLECTION_DEADLINE_DAYS", 30)
MAX_DELIVERY_ATTEMPTS = env_int("MAX_DELIVERY_ATTEMPTS", 3)
# Working days (delivery/workdays.py): Monday=0 .. Friday=4, without Indonesia's
# national holidays; the office's own closed days (cuti bersama) as ISO dates.
OFFICE_WORKING_WEEKDAYS = frozenset(
    int(day) for day in env_list("OFFICE_WORKING_WEEKDAYS", "0,1,2,3,4")
)
OFFICE_CLOSED_DAYS = env_dates("OFFICE_CLOSED_DAYS")
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
# The same complaint text from the same number within this window gets its first
# ticket back, and no new SMS.
COMPLAINT_REPEAT_WINDOW_S = env_int("COMPLAINT_REPEAT_WINDOW_S", 24 * 3600)
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
# Every photo is decoded and re-encoded as JPEG (README "Proof photos"): a declared
# size above this many pixels is refused before decoding (decompression bombs), and
# the stored copy is scaled down to this long side.
PROOF_PHOTO_MAX_PIXELS = env_int("PROOF_PHOTO_MAX_PIXELS", 40_000_000)
PROOF_PHOTO_MAX_SIDE_PX = env_int("PROOF_PHOTO_MAX_SIDE_PX", 1600)
# Photos are deleted this many days after they were taken (README "Proof photos").
PROOF_PHOTO_RETENTION_DAYS = env_int("PROOF_PHOTO_RETENTION_DAYS", 90)
# Personal data at rest (passport numbers, photos) is encrypted with this Fernet key,
# kept outside the database. DEBUG has a development key; tests set their own; a
# deploy check fails without it.
DATA_ENCRYPTION_KEY = env_secret("DATA_ENCRYPTION_KEY") or (
    "aW5zZWN1cmUtZGV2LWRhdGEta2V5LW5vdC1wcm9kISE=" if DEBUG else ""
)
# Where tests that need services are made to fail rather than skip (CI).
ANTAR_REQUIRE_SERVICES = env_bool("ANTAR_REQUIRE_SERVICES", False)
# bench/load.py's bare JSON view at /bench/bare/ (config/bench.py); never in production.
BENCH_BARE_VIEW = env_bool("BENCH_BARE_VIEW", False)

# Operations: /metrics for Prometheus (404 without this bearer key), error reports to
# Sentry when a DSN is set (personal data scrubbed), JSON log lines for a log shipper.
METRICS_KEY = env_secret("METRICS_KEY")
# /healthz answers 503 when beat's heartbeat (sent every minute) is older than this:
# beat or every worker has stopped.
HEARTBEAT_STALE_S = env_int("HEARTBEAT_STALE_S", 300)
SENTRY_DSN = env_secret("SENTRY_DSN")
if SENTRY_DSN:
    from config.observability import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The SDK logs every request at INFO, phone numbers included: no PII in logs.
        "twilio.http_client": {"level": "WARNING"},
        # At DEBUG urllib3 logs each request line, and Twilio's message-log look-up
        # carries the applicant's number in its query (?To=+62...): never below INFO.
        "urllib3": {"level": "INFO"},
        # 4xx lines carry request paths, and tracking codes are secrets: keep 5xx only.
        "django.request": {"level": "ERROR"},
        # axes notes every attempt at INFO; failures and locks (names masked) suffice.
        "axes": {"level": "WARNING"},
    },
}
