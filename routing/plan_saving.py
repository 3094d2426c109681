"""A solved plan saved as a draft: routes, stops, promised windows, left-out ones."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from routing.core.problem import PlannedStop
from routing.core.problem import Route as SolvedRoute
from routing.core.problem import RoutePlan as SolvedPlan
from routing.models import PlannedDelivery, PlanStatus, Route, RoutePlan, Stop
from routing.problem_builder import BuiltProblem

# The window promised to the applicant around the planned arrival.
PROMISE_BEFORE = timedelta(minutes=45)
PROMISE_LENGTH = timedelta(hours=2)
Window = tuple[int | None, int | None]


@transaction.atomic
def route_plan_save_solution(
    *,
    plan: RoutePlan,
    built: BuiltProblem,
    solved: SolvedPlan,
    mine: QuerySet[RoutePlan],
) -> None:
    """Save a solution's routes and left-out deliveries; the plan becomes a draft.

    `mine` is this run's claim on the plan: if the sweep gave the plan up as stale
    meanwhile, nothing is saved."""
    windows = {
        s.stop_id: (s.window_start_s, s.window_end_s) for s in built.problem.stops
    }
    for planned_route in solved.routes:
        if planned_route.stops:
            _save_route(plan, built, planned_route, windows)
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


def _save_route(
    plan: RoutePlan,
    built: BuiltProblem,
    planned_route: SolvedRoute,
    windows: dict[str, Window],
) -> None:
    def at(seconds: int) -> datetime:
        return built.day_start + timedelta(seconds=seconds)

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
    departure = at(planned_route.start_s)
    for sequence, visit in enumerate(planned_route.stops, start=1):
        promise = promise_window(
            at(visit.service_start_s), windows[visit.stop_id], at, departure=departure
        )
        stop = _save_stop(route, sequence, visit, promise, built, at)
        PlannedDelivery.objects.bulk_create(
            PlannedDelivery(plan=plan, stop=stop, delivery_id=pk)
            for pk in built.stop_deliveries[visit.stop_id]
        )


def _save_stop(
    route: Route,
    sequence: int,
    visit: PlannedStop,
    promise: tuple[datetime, datetime],
    built: BuiltProblem,
    at: Callable[[int], datetime],
) -> Stop:
    lat, lon = _point(built, visit.stop_id)
    return Stop.objects.create(
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


def _point(built: BuiltProblem, stop_id: str) -> tuple[float, float]:
    location = next(s.location for s in built.problem.stops if s.stop_id == stop_id)
    return built.points[location]


def promise_window(
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
