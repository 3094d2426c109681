"""/healthz: are the database, the Celery broker and the cache reachable.

Any of them down answers 503 naming it, even where the service degrades on purpose
(intake and planning are recorded without a broker, public pages count rate limits
per process without the cache): the operator must hear of it either way."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health check: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        with Connection(settings.CELERY_BROKER_URL, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("health check: broker unreachable")
        return False


def _cache_ok() -> bool:
    try:
        cache.set("healthz", "ok", timeout=10)
        return bool(cache.get("healthz") == "ok")
    except Exception:
        logger.exception("health check: cache unreachable")
        return False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with each check 'ok', or 503 naming what failed."""
    checks = {
        "database": _database_ok(),
        "broker": _broker_ok(),
        "cache": _cache_ok(),
    }
    body = {name: "ok" if ok else "fail" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
