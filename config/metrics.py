"""Prometheus metrics for the operator, at /metrics behind METRICS_KEY.

What an operator watches: the SMS outbox (queued, the oldest one's age, messages by
status), plans by state and the oldest one still solving, the age of the audit chain's
last signed checkpoint, Celery queue depths, and request latency. The gauges are read
from the database when Prometheus scrapes; latency is observed by a middleware. Under
gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR so that every worker's
observations are summed (deploy/gunicorn.conf.py cleans up after dead workers).

No metric carries personal data: labels are statuses, queue names and URL names.
"""

import hmac
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from delivery.models import AuditCheckpoint
from notifications.models import SmsMessage, SmsStatus
from routing.models import PlanStatus, RoutePlan

REQUEST_LATENCY = Histogram(
    "antar_http_request_duration_seconds",
    "Time to answer a request, by URL name and status class.",
    ["view", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PENDING_SMS = (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.UNKNOWN)


class RequestLatencyMiddleware:
    """Observe each request's duration under its URL name (never its path)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match else "unmatched"
        status = f"{response.status_code // 100}xx"
        REQUEST_LATENCY.labels(view, status).observe(time.perf_counter() - started)
        return response


def _age_s(oldest) -> float:
    return (timezone.now() - oldest).total_seconds() if oldest else 0.0


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _by_label(name: str, doc: str, label: str, counts: dict[str, int]) -> Metric:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, count in sorted(counts.items()):
        family.add_metric([key], count)
    return family


class AntarCollector:
    """Reads the operator's gauges from the database at scrape time."""

    def collect(self) -> Iterator[Metric]:
        pending = SmsMessage.objects.filter(status__in=PENDING_SMS)
        yield _gauge(
            "antar_sms_outbox_pending", "SMS not yet handed over.", pending.count()
        )
        oldest = pending.aggregate(at=Min("created_at"))["at"]
        yield _gauge(
            "antar_sms_outbox_oldest_age_seconds",
            "Age of the oldest SMS not yet handed over.",
            _age_s(oldest),
        )
        yield _by_label(
            "antar_sms_messages", "SMS by status.", "status", _counts(SmsMessage)
        )
        yield _by_label(
            "antar_plans", "Route plans by status.", "status", _counts(RoutePlan)
        )
        solving = RoutePlan.objects.filter(status=PlanStatus.SOLVING)
        yield _gauge(
            "antar_plan_oldest_solving_age_seconds",
            "Age of the oldest plan still solving.",
            _age_s(solving.aggregate(at=Min("created_at"))["at"]),
        )
        last = AuditCheckpoint.objects.order_by("-id").values_list(
            "created_at", flat=True
        )
        yield _gauge(
            "antar_audit_checkpoint_age_seconds",
            "Age of the audit chain's last signed checkpoint (-1: none yet).",
            _age_s(last.first()) if last.exists() else -1.0,
        )
        yield _by_label(
            "antar_celery_queue_length",
            "Tasks waiting in each Celery queue.",
            "queue",
            celery_queue_lengths(),
        )


def _counts(model) -> dict[str, int]:
    rows = model.objects.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def celery_queue_lengths() -> dict[str, int]:
    """Waiting tasks per queue, for a Redis broker; nothing for other brokers."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {}
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        return {
            queue: int(client.llen(queue)) for queue in settings.CELERY_QUEUES_WATCHED
        }
    except redis.RedisError:
        return {}
    finally:
        client.close()


def _exposition() -> bytes:
    """This process's (or all gunicorn workers') metrics, then the database gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process = CollectorRegistry()
        MultiProcessCollector(process)
    else:
        process = REGISTRY
    gauges = CollectorRegistry()
    gauges.register(AntarCollector())
    return generate_latest(process) + generate_latest(gauges)


def _authorised(request: HttpRequest) -> bool:
    key = settings.METRICS_KEY
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(key) and hmac.compare_digest(given.encode(), key.encode())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus' text format; 404 without the right bearer key."""
    if not _authorised(request):
        raise Http404
    return HttpResponse(_exposition(), content_type=CONTENT_TYPE_LATEST)
