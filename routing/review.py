"""How a plan's routes stand against their promises: late stops and overtime.

Every page and the API count lateness here, with the core's one rule, from the saved
stops: a route's figures, its table and the banner can never disagree.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from routing.core.lateness import is_late
from routing.models import Route, RoutePlan, Stop
from routing.problem_builder import local_midnight, seconds_of


@dataclass(frozen=True)
class RouteLateness:
    """A route's late stops (by id), its overtime and its courier's shift end."""

    late_stop_ids: tuple[int, ...]
    overtime_s: int
    shift_end_at: datetime


def stop_window(stop: Stop) -> tuple[time | None, time | None]:
    """The narrowest window the applicants of a stop were promised, if any."""
    deliveries = [item.delivery for item in stop.items.all()]
    starts = [d.window_start for d in deliveries if d.window_start]
    ends = [d.window_end for d in deliveries if d.window_end]
    return (max(starts) if starts else None, min(ends) if ends else None)


def route_lateness(route: Route, on_date) -> RouteLateness:
    """Late stops and overtime of one route of a plan for `on_date`."""
    midnight = local_midnight(on_date)
    shift_end_s = seconds_of(route.courier.shift_end)

    def seconds(at: datetime) -> int:
        return int((timezone.localtime(at) - midnight).total_seconds())

    late = []
    for stop in route.stops.all():
        window_end = stop_window(stop)[1]
        end_s = seconds_of(window_end) if window_end else None
        if is_late(seconds(stop.service_start_at), end_s, shift_end_s):
            late.append(stop.pk)
    overtime = max(0, seconds(route.end_at) - shift_end_s) if route.end_at else 0
    return RouteLateness(
        tuple(late), overtime, midnight + timedelta(seconds=shift_end_s)
    )


def plan_lateness(plan: RoutePlan, routes: list[Route]) -> dict[int, RouteLateness]:
    """Lateness of each of `routes` (prefetched with stops and deliveries)."""
    return {route.pk: route_lateness(route, plan.date) for route in routes}
