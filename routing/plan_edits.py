"""Hand edits of a draft plan (dispatcher console): move or drop a stop, put back a
delivery the planner left out. Each edit re-drives the routes it changed."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.models import Delivery, Status
from routing.core.matrix import CAR, MOTORBIKE, travel_matrix
from routing.core.simulate import SimRoute, SimStop, simulate_route
from routing.models import PlannedDelivery, PlanStatus, Route, RoutePlan, Stop
from routing.plan_saving import promise_window
from routing.problem_builder import _service_s as service_seconds
from routing.problem_builder import local_midnight, seconds_of

DROPPED_BY_DISPATCHER = "dispatcher"
_TEMP_SEQUENCE = 30000  # above any real sequence, so re-numbering never collides


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
        start, end = promise_window(
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
