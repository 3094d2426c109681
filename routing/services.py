"""The Django side of planning: queue -> problem -> solve -> saved plan -> schedules.

A plan is made by a Celery task that reports progress on the RoutePlan row; the
dispatcher reviews the draft and publishes it, which schedules every planned delivery
(and tells each applicant) in one transaction.
"""

import functools
import logging
import time as clock
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery import selectors as delivery_selectors
from delivery import services as delivery_services
from delivery.errors import DomainError
from delivery.models import Delivery, Office, Status
from delivery.services.audit import audit_append
from routing.core import solver
from routing.core.matrix import CAR, MOTORBIKE, travel_matrix
from routing.core.problem import RoutePlan as SolvedPlan
from routing.core.simulate import SimRoute, SimStop, simulate_route
from routing.models import PlannedDelivery, PlanStatus, Route, RoutePlan, Stop
from routing.problem_builder import (
    BuiltProblem,
    build_problem,
    local_midnight,
    seconds_of,
)
from routing.problem_builder import _service_s as service_seconds

logger = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5
# The window promised to the applicant around the planned arrival.
PROMISE_BEFORE = timedelta(minutes=45)
PROMISE_LENGTH = timedelta(hours=2)
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
        _save(plan, built, solved, mine)
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


@transaction.atomic
def _save(
    plan: RoutePlan, built: BuiltProblem, solved: SolvedPlan, mine: QuerySet[RoutePlan]
) -> None:
    def at(seconds: int) -> datetime:
        return built.day_start + timedelta(seconds=seconds)

    windows = {
        s.stop_id: (s.window_start_s, s.window_end_s) for s in built.problem.stops
    }
    for planned_route in solved.routes:
        if not planned_route.stops:
            continue
        courier = built.couriers[planned_route.vehicle_id]
        base = courier.base()
        route = Route.objects.create(
            plan=plan,
            courier=courier,
            base_label=base.label[:200],
            base_lat=base.lat,
            base_lon=base.lon,
            distance_m=planned_route.distance_m,
            duration_s=planned_route.duration_s,
            load=planned_route.load,
            start_at=at(planned_route.start_s),
            end_at=at(planned_route.end_s),
        )
        for sequence, visit in enumerate(planned_route.stops, start=1):
            lat, lon = _point(built, visit.stop_id)
            promise = _promise(
                at(visit.service_start_s),
                windows[visit.stop_id],
                at,
                departure=at(planned_route.start_s),
            )
            stop = Stop.objects.create(
                route=route,
                sequence=sequence,
                lat=lat,
                lon=lon,
                arrival_at=at(visit.arrival_s),
                service_start_at=at(visit.service_start_s),
                eta_start_at=promise[0],
                eta_end_at=promise[1],
                distance_from_previous_m=visit.distance_from_previous_m,
                locked=visit.locked,
            )
            PlannedDelivery.objects.bulk_create(
                PlannedDelivery(plan=plan, stop=stop, delivery_id=pk)
                for pk in built.stop_deliveries[visit.stop_id]
            )
    PlannedDelivery.objects.bulk_create(
        PlannedDelivery(plan=plan, delivery_id=pk, dropped_reason=dropped.reason)
        for dropped in solved.dropped
        for pk in built.stop_deliveries[dropped.stop_id]
    )
    saved = mine.update(
        status=PlanStatus.DRAFT,
        progress=1.0,
        best_cost=solved.objective,
        solved_at=timezone.now(),
        figures=_figures(solved),
    )
    if not saved:  # given up as stale meanwhile: roll back the routes written above
        raise DomainError(_("This planning run was given up as stale."))


def _point(built: BuiltProblem, stop_id: str) -> tuple[float, float]:
    location = next(s.location for s in built.problem.stops if s.stop_id == stop_id)
    return built.points[location]


def _promise(
    service_start: datetime, window, at, *, departure: datetime
) -> tuple[datetime, datetime]:
    """Two hours around the arrival, on the half hour, inside the applicant's window.

    Never earlier than the courier leaves the office: nobody should wait at home for
    a passport that is still on the shelf."""
    start = service_start - PROMISE_BEFORE
    start = start.replace(
        minute=0 if start.minute < 30 else 30, second=0, microsecond=0
    )
    start = max(start, departure)
    end = start + PROMISE_LENGTH
    if window[0] is not None:
        start, end = max(start, at(window[0])), min(end, at(window[1]))
    return start, end


def _figures(solved: SolvedPlan) -> dict:
    return {
        "objective": solved.objective,
        "distance_m": solved.distance_m,
        "duration_s": solved.duration_s,
        "solve_time_s": round(solved.solve_time_s, 2),
        "first_solution_s": solved.first_solution_s,
        "strategy": solved.strategy,
        "routes": sum(1 for r in solved.routes if r.stops),
        "dropped": len(solved.dropped),
        "late_stops": sum(len(r.late_stop_ids) for r in solved.routes),
        "overtime_s": sum(r.overtime_s for r in solved.routes),
        "search": {
            "configurations": solved.search_configurations,
            "processes": solved.search_processes,
        },
    }


@transaction.atomic
def route_plan_publish(*, plan: RoutePlan, actor: User, reason: str = "") -> RoutePlan:
    """Schedule every planned delivery, tell each applicant, supersede the old plan."""
    route_plan_date_check(plan.date)
    published = RoutePlan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
        status=PlanStatus.PUBLISHED, published_at=timezone.now(), published_by=actor
    )
    if not published:
        raise DomainError(_("Only a draft plan can be published."))
    who = delivery_services.Actor.staff(actor)
    previous = RoutePlan.objects.filter(
        office=plan.office, date=plan.date, status=PlanStatus.PUBLISHED
    ).exclude(pk=plan.pk)
    kept = set()
    for item in _planned_items(plan):
        kept.add(item.delivery_id)
        _schedule(item, plan, who)
    for old in previous:
        _unschedule_dropped(old, kept, who, reason)
    previous.update(status=PlanStatus.SUPERSEDED)
    audit_append(
        action="plan.published",
        subject=f"plan:{plan.pk}",
        actor=actor,
        actor_kind=who.kind,
        data={
            "office_id": plan.office_id,
            "date": plan.date,
            "deliveries": len(kept),
            "reason": reason,
        },
    )
    plan.refresh_from_db()
    return plan


def _planned_items(plan: RoutePlan):
    return PlannedDelivery.objects.filter(plan=plan, stop__isnull=False).select_related(
        "delivery", "stop__route__courier"
    )


def _schedule(item: PlannedDelivery, plan: RoutePlan, who) -> None:
    delivery, stop = item.delivery, item.stop
    if stop is None:  # _planned_items takes only deliveries placed on a stop
        raise ValueError(f"planned delivery {item.pk} has no stop")
    courier = stop.route.courier
    if delivery.status == Status.QUEUED:
        delivery_services.delivery_schedule(
            delivery=delivery,
            actor=who,
            courier=courier,
            on_date=plan.date,
            eta_start_at=stop.eta_start_at,
            eta_end_at=stop.eta_end_at,
        )
    elif delivery.status == Status.SCHEDULED and _changed(delivery, stop):
        delivery_services.delivery_reschedule(
            delivery=delivery,
            actor=who,
            courier=courier,
            eta_start_at=stop.eta_start_at,
            eta_end_at=stop.eta_end_at,
        )


def _changed(delivery: Delivery, stop: Stop) -> bool:
    return (delivery.courier_id, delivery.eta_start_at, delivery.eta_end_at) != (
        stop.route.courier_id,
        stop.eta_start_at,
        stop.eta_end_at,
    )


def _unschedule_dropped(old: RoutePlan, kept: set[int], who, reason: str) -> None:
    note = f"re-planned (plan {old.pk})" + (f": {reason}" if reason else "")
    for item in _planned_items(old).exclude(delivery_id__in=kept):
        if item.delivery.status == Status.SCHEDULED:
            delivery_services.delivery_unschedule(
                delivery=item.delivery, actor=who, note=note[:500]
            )


# --- Hand edits of a draft plan (dispatcher console) -------------------------------

DROPPED_BY_DISPATCHER = "dispatcher"


@transaction.atomic
def route_plan_move_stop(
    *, plan: RoutePlan, stop: Stop, to_route_or_None: Route | None, position: int
) -> list[int]:
    """Move a draft's stop to a route at `position` (1-based), or drop it (None).

    Returns the ids of the stops now late in the routes that changed.
    """
    _lock_draft(plan)
    stop = Stop.objects.select_related("route").get(pk=stop.pk, route__plan=plan)
    source = stop.route
    if to_route_or_None is None:
        PlannedDelivery.objects.filter(stop=stop).update(
            stop=None, dropped_reason=DROPPED_BY_DISPATCHER
        )
        stop.delete()
        return _resimulate(plan, source, _ordered_stops(source))
    target = Route.objects.get(pk=to_route_or_None.pk, plan=plan)
    others = [s for s in _ordered_stops(target) if s.pk != stop.pk]
    others.insert(max(0, min(position - 1, len(others))), stop)
    late = _resimulate(plan, target, others)
    if source.pk != target.pk:
        late += _resimulate(plan, source, _ordered_stops(source))
    return late


@transaction.atomic
def route_plan_restore_delivery(
    *, plan: RoutePlan, item: PlannedDelivery, route: Route, position: int
) -> list[int]:
    """Put a delivery the draft left out back on a route, as its own stop."""
    _lock_draft(plan)
    item = PlannedDelivery.objects.select_related("delivery").get(
        pk=item.pk, plan=plan, stop__isnull=True
    )
    route = Route.objects.get(pk=route.pk, plan=plan)
    delivery = item.delivery
    lat, lon = delivery.lat, delivery.lon
    plannable = delivery.status in (Status.QUEUED, Status.SCHEDULED)
    if not plannable or lat is None or lon is None:
        raise DomainError(_("This delivery can no longer be planned."))
    when = local_midnight(plan.date)
    stop = Stop.objects.create(
        route=route,
        sequence=_TEMP_SEQUENCE - 1,
        lat=lat,
        lon=lon,
        arrival_at=when,
        service_start_at=when,
        eta_start_at=when,
        eta_end_at=when,
    )
    PlannedDelivery.objects.filter(pk=item.pk).update(stop=stop, dropped_reason="")
    stops = [s for s in _ordered_stops(route) if s.pk != stop.pk]
    stops.insert(max(0, min(position - 1, len(stops))), stop)
    return _resimulate(plan, route, stops)


_TEMP_SEQUENCE = 30000  # above any real sequence, so re-numbering never collides


def _lock_draft(plan: RoutePlan) -> None:
    status = (
        RoutePlan.objects.select_for_update()
        .filter(pk=plan.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != PlanStatus.DRAFT:
        raise DomainError(_("Only a draft plan can be changed."))


def _ordered_stops(route: Route) -> list[Stop]:
    return list(route.stops.order_by("sequence"))


def _resimulate(plan: RoutePlan, route: Route, stops: list[Stop]) -> list[int]:
    """Re-number `stops` on `route`, drive them, save their times and the totals."""
    groups = _stop_deliveries(stops)
    driven = _drive(route, stops, groups)
    midnight = local_midnight(plan.date)

    def at(seconds: int) -> datetime:
        return midnight + timedelta(seconds=seconds)

    for offset, stop in enumerate(stops):  # two passes: (route, sequence) is unique
        Stop.objects.filter(pk=stop.pk).update(
            route=route, sequence=_TEMP_SEQUENCE + offset
        )
    visits = list(zip(stops, driven.visits, strict=True))
    for sequence, (stop, visit) in enumerate(visits, start=1):
        window = (None, None) if visit.late else _window_s(groups[stop.pk])
        start, end = _promise(
            at(visit.service_start_s), window, at, departure=at(driven.start_s)
        )
        Stop.objects.filter(pk=stop.pk).update(
            sequence=sequence,
            arrival_at=at(visit.arrival_s),
            service_start_at=at(visit.service_start_s),
            eta_start_at=start,
            eta_end_at=end,
            distance_from_previous_m=visit.distance_from_previous_m,
        )
    Route.objects.filter(pk=route.pk).update(
        distance_m=driven.distance_m if stops else 0,
        duration_s=driven.duration_s if stops else 0,
        load=sum(len(g) for g in groups.values()),
        start_at=at(driven.start_s) if stops else None,
        end_at=at(driven.end_s) if stops else None,
    )
    return [stop.pk for stop, visit in visits if visit.late]


def _drive(route: Route, stops: list[Stop], groups) -> SimRoute:
    courier = route.courier
    profile = CAR if courier.vehicle_kind == "car" else MOTORBIKE
    _, lat, lon = route.base()  # from and back to where the plan started it
    points = [(lat, lon)] + [(s.lat, s.lon) for s in stops]
    matrix = travel_matrix(points, profile=profile, osrm_url=settings.OSRM_URL or None)
    return simulate_route(
        [_sim_stop(i, groups[s.pk]) for i, s in enumerate(stops, start=1)],
        start_s=seconds_of(courier.shift_start),
        shift_end_s=seconds_of(courier.shift_end),
        duration_s=matrix.duration_lists(),
        distance_m=matrix.distance_lists(),
    )


def _stop_deliveries(stops: list[Stop]) -> dict[int, list[Delivery]]:
    groups: dict[int, list[Delivery]] = {s.pk: [] for s in stops}
    items = PlannedDelivery.objects.filter(stop__in=stops).select_related("delivery")
    for item in items.order_by("delivery_id"):
        if item.stop_id is not None:  # always: the filter asks for these stops
            groups[item.stop_id].append(item.delivery)
    return groups


def _window_s(group: list[Delivery]) -> tuple[int | None, int | None]:
    first = group[0] if group else None
    if first is None or first.window_start is None or first.window_end is None:
        return (None, None)
    return (seconds_of(first.window_start), seconds_of(first.window_end))


def _sim_stop(location: int, group: list[Delivery]) -> SimStop:
    window = _window_s(group)
    return SimStop(
        location=location,
        service_s=service_seconds(group) if group else 0,
        window_start_s=window[0],
        window_end_s=window[1],
    )
