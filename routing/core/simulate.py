"""Times of a route driven in a given order: no solver, just the matrix and the windows.

Pure Python, no Django. Used when a dispatcher changes a draft plan by hand (moves or
drops a stop): the route is driven again in its new order from the depot at shift
start, waiting where a window has not opened yet, and stops that can no longer be
served in their window (or before the shift ends) are flagged late, not refused.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from routing.core.lateness import is_late

Matrix = Sequence[Sequence[int]]


@dataclass(frozen=True, slots=True)
class SimStop:
    """A stop to drive to.

    Parameters
    ----------
    location
        Index into the matrices (0 is the depot).
    service_s
        Time spent at the stop.
    window_start_s, window_end_s
        The applicant's window in seconds since midnight; None when not given.
    """

    location: int
    service_s: int
    window_start_s: int | None = None
    window_end_s: int | None = None


@dataclass(frozen=True, slots=True)
class SimVisit:
    """When a stop is reached and served, and whether that breaks its window."""

    arrival_s: int
    service_start_s: int
    departure_s: int
    distance_from_previous_m: int
    late: bool


@dataclass(frozen=True, slots=True)
class SimRoute:
    """A driven route: its visits in order and its totals (way back included)."""

    visits: tuple[SimVisit, ...]
    start_s: int
    end_s: int
    distance_m: int
    duration_s: int
    over_shift: bool


def simulate_route(
    stops: Sequence[SimStop],
    *,
    start_s: int,
    shift_end_s: int,
    duration_s: Matrix,
    distance_m: Matrix,
    depot: int = 0,
) -> SimRoute:
    """Drive `stops` in order from `depot` at `start_s` and back.

    Parameters
    ----------
    stops
        The visits in order.
    start_s, shift_end_s
        Departure from the depot and the end of the courier's shift.
    duration_s, distance_m
        Square travel matrices over the same locations.
    depot
        Location index of the depot.

    Returns
    -------
    SimRoute
        A visit is late when its service starts after its window closes or after
        the shift ends; the route is over shift when it returns after the shift.
    """
    now, here, total_m = start_s, depot, 0
    visits = []
    for stop in stops:
        leg_m = int(distance_m[here][stop.location])
        arrival = now + int(duration_s[here][stop.location])
        service_start = max(arrival, stop.window_start_s or arrival)
        visits.append(
            SimVisit(
                arrival_s=arrival,
                service_start_s=service_start,
                departure_s=service_start + stop.service_s,
                distance_from_previous_m=leg_m,
                late=is_late(service_start, stop.window_end_s, shift_end_s),
            )
        )
        now, here, total_m = (
            service_start + stop.service_s,
            stop.location,
            total_m + leg_m,
        )
    end = now + int(duration_s[here][depot])
    total_m += int(distance_m[here][depot])
    return SimRoute(
        visits=tuple(visits),
        start_s=start_s,
        end_s=end,
        distance_m=total_m,
        duration_s=end - start_s,
        over_shift=end > shift_end_s,
    )
