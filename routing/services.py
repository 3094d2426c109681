"""The Django side of planning: queue -> problem -> solve -> saved plan.

A plan is made by a Celery task that reports progress on the RoutePlan row and saves
the solution as a draft (routing.plan_saving). The dispatcher may edit the draft
(routing.plan_edits) and publishes it (routing.publishing), which schedules every
planned delivery (and tells each applicant) in one transaction.
"""

import functools
import logging
import time as clock
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery import selectors as delivery_selectors
from delivery.errors import DomainError
from delivery.models import Delivery, Office, Status
from routing.core import solver
from routing.models import PlannedDelivery, PlanStatus, RoutePlan
from routing.plan_saving import route_plan_save_solution
from routing.problem_builder import BuiltProblem, build_problem

logger = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5
# Deliveries a courier has done or carries: they stay on that courier's route.
ON_THE_ROAD = (Status.OUT_FOR_DELIVERY, Status.DELIVERED)


def route_plan_date_check(on_date: date) -> None:
    """Refuse a plan for a past day or further ahead than PLAN_MAX_DAYS_AHEAD."""
    today = timezone.localdate()
    if on_date < today:
        raise DomainError(_("A plan cannot be made for a day that has passed."))
    if on_date > today + timedelta(days=settings.PLAN_MAX_DAYS_AHEAD):
        raise DomainError(
            _("A plan can be made at most %(days)d days ahead.")
            % {"days": settings.PLAN_MAX_DAYS_AHEAD}
        )


def route_plan_start(
    *,
    office: Office,
    on_date: date,
    actor: User | None,
    courier_ids: list[int] | None = None,
    time_limit_s: int = 10,
    replan_of: RoutePlan | None = None,
    horizon_days: int = 1,
) -> RoutePlan:
    """Create a pending plan and hand it to a planning worker after commit.

    With `horizon_days` > 1 the worker also forecasts that many working days."""
    if not 1 <= time_limit_s <= 300:
        raise DomainError(_("The time limit must be between 1 and 300 seconds."))
    if not 1 <= horizon_days <= 10:
        raise DomainError(_("The forecast must cover 1 to 10 working days."))
    route_plan_date_check(on_date)
    plan = RoutePlan.objects.create(
        office=office,
        date=on_date,
        created_by=actor,
        replan_of=replan_of,
        parameters={
            "courier_ids": courier_ids or [],
            "time_limit_s": time_limit_s,
            "horizon_days": horizon_days,
        },
    )
    transaction.on_commit(functools.partial(route_plan_enqueue, plan_id=plan.pk))
    return plan


def route_plan_enqueue(*, plan_id: int) -> bool:
    """Send the plan to the planning queue; record when it got there (False: not)."""
    from routing.tasks import route_plan_solve_task

    if not route_plan_solve_task.enqueue(plan_id):
        return False  # still pending without a task: the sweep sends it later
    RoutePlan.objects.filter(pk=plan_id).update(enqueued_at=timezone.now())
    return True


def route_plan_replan(
    *,
    office: Office,
    on_date: date,
    actor: User | None,
    time_limit_s: int = 10,
) -> RoutePlan:
    """Plan the rest of a day again, keeping what couriers have done or carry."""
    published = RoutePlan.objects.filter(
        office=office, date=on_date, status=PlanStatus.PUBLISHED
    ).first()
    if published is None:
        raise DomainError(_("There is no published plan for this day to re-plan."))
    courier_ids = list(published.routes.values_list("courier_id", flat=True))
    return route_plan_start(
        office=office,
        on_date=on_date,
        actor=actor,
        courier_ids=courier_ids,
        time_limit_s=time_limit_s,
        replan_of=published,
    )


def route_plan_solve(*, plan_id: int) -> RoutePlan | None:
    """Solve a pending plan once (claimed, so a second run does nothing)."""
    claimed = RoutePlan.objects.filter(pk=plan_id, status=PlanStatus.PENDING).update(
        status=PlanStatus.SOLVING,
        heartbeat_at=timezone.now(),
        solve_attempts=F("solve_attempts") + 1,
    )
    if not claimed:
        return None
    plan = RoutePlan.objects.select_related("office", "replan_of").get(pk=plan_id)
    # This run's claim: if the sweep gave the plan up as stale, our writes miss it.
    mine = RoutePlan.objects.filter(
        pk=plan.pk, status=PlanStatus.SOLVING, solve_attempts=plan.solve_attempts
    )
    try:
        built = _build(plan)
        solved = solver.solve(
            built.problem,
            time_limit_s=plan.parameters.get("time_limit_s", 10),
            on_progress=_progress_reporter(mine),
        )
        if not solved.found:
            return _nothing_found(mine, plan)
        route_plan_save_solution(plan=plan, built=built, solved=solved, mine=mine)
    except Exception as exc:
        logger.exception("planning failed for plan %s", plan.pk)
        mine.update(status=PlanStatus.FAILED, error=str(exc)[:2000])
        raise
    return RoutePlan.objects.get(pk=plan.pk)


def _nothing_found(mine: QuerySet[RoutePlan], plan: RoutePlan) -> RoutePlan:
    """A search that found no plan says so: a failed plan can never be published."""
    logger.warning("planning found no plan for plan %s", plan.pk)
    mine.update(
        status=PlanStatus.FAILED,
        progress=1.0,
        error=_("The planner found no plan in time; the current plan stays."),
    )
    return RoutePlan.objects.get(pk=plan.pk)


def _progress_reporter(mine: QuerySet[RoutePlan]):
    last = [0.0]

    def report(fraction: float, best_cost: int | None) -> None:
        now = clock.monotonic()
        if now - last[0] < PROGRESS_EVERY_S:
            return
        last[0] = now
        # Each report is also the heartbeat the stale-plan sweep looks for.
        mine.update(
            progress=round(min(fraction, 1.0), 3),
            best_cost=best_cost,
            heartbeat_at=timezone.now(),
        )

    return report


def _build(plan: RoutePlan) -> BuiltProblem:
    courier_ids = plan.parameters.get("courier_ids") or None
    couriers = list(
        delivery_selectors.couriers_available(
            office_id=plan.office_id, courier_ids=courier_ids
        )
    )
    locked, carried_ids = (
        _locked_stops(plan.replan_of) if plan.replan_of else ({}, set())
    )
    failed_today = delivery_selectors.delivery_ids_failed_on(
        office_id=plan.office_id, day=plan.date
    )
    free = list(
        delivery_selectors.deliveries_to_plan(
            office_id=plan.office_id,
            exclude_ids=failed_today | carried_ids,
            on_date=plan.date,
        )
    )
    if plan.replan_of:
        free += _still_at_office(plan.replan_of)
    return build_problem(
        office=plan.office,
        on_date=plan.date,
        couriers=couriers,
        free=free,
        locked=locked,
        osrm_url=settings.OSRM_URL or None,
    )


def _locked_stops(
    published: RoutePlan,
) -> tuple[dict[int, list[list[Delivery]]], set[int]]:
    """Per courier, the published stops whose passports left the office, in order."""
    locked: dict[int, list[list[Delivery]]] = {}
    carried: set[int] = set()
    for route in published.routes.prefetch_related("stops__items__delivery__document"):
        for stop in route.stops.all():
            group = [item.delivery for item in stop.items.all()]
            if any(d.status in ON_THE_ROAD for d in group):
                locked.setdefault(route.courier_id, []).append(group)
                carried.update(d.pk for d in group)
    return locked, carried


def _still_at_office(published: RoutePlan) -> list[Delivery]:
    items = PlannedDelivery.objects.filter(
        plan=published, stop__isnull=False, delivery__status=Status.SCHEDULED
    ).select_related("delivery__document")
    return [item.delivery for item in items]
