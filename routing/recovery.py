"""Plans whose work was lost: never handed to a planner, or whose planner died.

A plan is the record of the work. If the broker was down when it was created, it is
pending without a task; if its worker was killed mid-solve (a deploy, the OOM killer),
it stays "solving" with no heartbeat, and a redelivered task would find it claimed. The
sweep (beat, every minute) sends the first kind again and gives the second one more run,
then fails it with a reason the dispatcher sees on the plan page and in the API.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from routing.models import PlanStatus, RoutePlan
from routing.services import route_plan_enqueue

logger = logging.getLogger(__name__)
# A plan that never reached the broker is sent again after this grace period.
ENQUEUE_GRACE = timedelta(seconds=30)
# A plan whose planner died is run this many times in all, then failed.
MAX_SOLVE_ATTEMPTS = 2
BATCH = 100


def route_plans_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Send pending plans that have no task; restart or fail plans with no heartbeat."""
    now = now or timezone.now()
    unsent = RoutePlan.objects.filter(
        status=PlanStatus.PENDING,
        enqueued_at__isnull=True,
        created_at__lt=now - ENQUEUE_GRACE,
    )
    sent = sum(
        route_plan_enqueue(plan_id=pk)
        for pk in unsent.values_list("pk", flat=True)[:BATCH]
    )
    stale_before = now - timedelta(seconds=settings.PLAN_STALE_AFTER_S)
    silent = Q(heartbeat_at__lt=stale_before) | Q(  # null: claimed before beats
        heartbeat_at__isnull=True, created_at__lt=stale_before
    )
    stale = RoutePlan.objects.filter(silent, status=PlanStatus.SOLVING)
    rows = stale.values_list("pk", "solve_attempts", "heartbeat_at")[:BATCH]
    restarted = failed = 0
    for pk, attempts, beat in rows:
        if attempts < MAX_SOLVE_ATTEMPTS:
            restarted += _restart(pk, attempts, beat)
        else:
            failed += _fail(pk, attempts, beat)
    return {"sent": sent, "restarted": restarted, "failed": failed}


def _claim(pk: int, attempts: int, beat: datetime | None) -> QuerySet[RoutePlan]:
    # The same run still silent: a beat or a new claim since the read means it lives.
    return RoutePlan.objects.filter(
        pk=pk, status=PlanStatus.SOLVING, solve_attempts=attempts, heartbeat_at=beat
    )


def _restart(pk: int, attempts: int, beat: datetime | None) -> bool:
    reset = _claim(pk, attempts, beat).update(
        status=PlanStatus.PENDING, progress=0.0, best_cost=None, enqueued_at=None
    )
    if reset:
        logger.warning("plan %s: planner silent in run %s, restarting", pk, attempts)
        route_plan_enqueue(plan_id=pk)
    return bool(reset)


def _fail(pk: int, attempts: int, beat: datetime | None) -> bool:
    error = _(
        "The planning worker stopped during run %(n)s and gave no sign of life for "
        "%(s)s seconds. Start the plan again."
    ) % {"n": attempts, "s": settings.PLAN_STALE_AFTER_S}
    failed = _claim(pk, attempts, beat).update(status=PlanStatus.FAILED, error=error)
    if failed:
        logger.warning("plan %s: planner silent in run %s, failed", pk, attempts)
    return bool(failed)
