"""/healthz: are the database, the Celery broker and the cache reachable, and do beat
and the workers run?

A dependency down answers 503 naming it, even where the service degrades on purpose
(intake and planning are recorded without a broker, public pages count rate limits
per process without the cache): the operator must hear of it either way.

Beat sends `heartbeat_task` every minute and a worker runs it, so a fresh heartbeat
shows both alive. A heartbeat older than HEARTBEAT_STALE_S answers 503; then the
workers are pinged (Redis broker) to tell which of the two stopped. A new
installation whose beat has not run yet says "waiting", not 503.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu import Connection

from delivery.models import Heartbeat

logger = logging.getLogger(__name__)
BEAT = "beat"


def heartbeat_record() -> Heartbeat:
    """Note that the periodic heartbeat ran now (twice: the later time)."""
    beat, _ = Heartbeat.objects.update_or_create(
        name=BEAT, defaults={"at": timezone.now()}
    )
    return beat


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


def _heartbeat_age_s() -> int | None:
    try:
        at = Heartbeat.objects.filter(name=BEAT).values_list("at", flat=True).first()
    except Exception:  # the database check reports it
        return None
    return None if at is None else int((timezone.now() - at).total_seconds())


def _workers_replying() -> str:
    """'ok' if a worker answers a ping within a second, 'none', or 'unknown'."""
    if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        return "unknown"  # the embedded filesystem broker cannot broadcast
    from celery import current_app

    try:
        return "ok" if current_app.control.ping(timeout=1.0, limit=1) else "none"
    except Exception:
        return "unknown"


def _periodic(age_s: int | None) -> tuple[dict[str, Any], bool]:
    """The beat and worker part of the body, and whether it is healthy."""
    if age_s is None:
        return {"beat": "waiting", "worker": "unknown"}, True
    if age_s <= settings.HEARTBEAT_STALE_S:
        return {"beat": "ok", "worker": "ok", "heartbeat_age_s": age_s}, True
    workers = _workers_replying()
    beat = "stale" if workers != "none" else "unknown"
    return {"beat": beat, "worker": workers, "heartbeat_age_s": age_s}, False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when everything is well, or 503 naming what failed."""
    checks = {
        "database": _database_ok(),
        "broker": _broker_ok(),
        "cache": _cache_ok(),
    }
    body: dict[str, Any] = {name: "ok" if ok else "fail" for name, ok in checks.items()}
    periodic, periodic_ok = _periodic(
        _heartbeat_age_s() if checks["database"] else None
    )
    body |= periodic
    healthy = all(checks.values()) and periodic_ok
    return JsonResponse(body, status=200 if healthy else 503)
