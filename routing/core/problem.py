"""Plain data for route planning: integer seconds and metres, no Django.

Locations are indices into the problem's travel matrices; stops, vehicle starts and
vehicle ends all refer to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Matrix = tuple[tuple[int, ...], ...]
Objective = Literal["distance", "duration"]
DropReason = Literal[
    "capacity",
    "time_window",
    "shift_too_short",
    "not_reachable_in_time",
    "no_vehicle",
    "not_planned",
]


@dataclass(frozen=True)
class Stop:
    """One place to visit: deliveries to one address already merged.

    Parameters
    ----------
    stop_id : str
        Caller's identifier, echoed in the plan.
    location : int
        Index into the problem's matrices.
    demand : int
        Capacity units used (e.g. passports).
    service_s : int
        Time spent at the stop; the caller makes it longer for a first visit.
    window_start_s, window_end_s : int or None
        Service must start within this window; ``None`` means no bound.
    priority : int
        Weight of the drop penalty; a stop of priority 2 is kept before two of 1.
    """

    stop_id: str
    location: int
    demand: int = 1
    service_s: int = 0
    window_start_s: int | None = None
    window_end_s: int | None = None
    priority: int = 1


@dataclass(frozen=True)
class Vehicle:
    """A courier on shift with a vehicle.

    Parameters
    ----------
    vehicle_id : str
        Caller's identifier, echoed in the plan.
    start_location, end_location : int
        Matrix indices; for a re-plan mid-day, the start is where the courier is.
    shift_start_s, shift_end_s : int
        Earliest departure and latest return.
    capacity : int
        Capacity in the units of ``Stop.demand``.
    speed_factor : float
        Multiplies travel times (e.g. 1.0 motorbike, 1.2 car in town).
    duration_s : Matrix or None
        Own travel-time matrix, instead of the problem's, before ``speed_factor``.
    max_duration_s : int or None
        Longest route from departure to return.
    fixed_cost : int
        Added to the objective when the vehicle is used.
    locked_stop_ids : tuple of str
        Stops already done or started: the fixed first stops of the route, in order.
    """

    vehicle_id: str
    start_location: int
    end_location: int
    shift_start_s: int
    shift_end_s: int
    capacity: int
    speed_factor: float = 1.0
    duration_s: Matrix | None = None
    max_duration_s: int | None = None
    fixed_cost: int = 0
    locked_stop_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanningProblem:
    """Stops, vehicles and travel matrices of one planning run.

    Parameters
    ----------
    stops : tuple of Stop
        Places to visit; ``stop_id`` must be unique.
    vehicles : tuple of Vehicle
        Available couriers.
    distance_m : Matrix
        Distances between locations.
    duration_s : Matrix
        Travel times between locations (before each vehicle's ``speed_factor``).
    objective : {"distance", "duration"}
        What the routes minimise after the number (and priority) of stops served.
    """

    stops: tuple[Stop, ...]
    vehicles: tuple[Vehicle, ...]
    distance_m: Matrix
    duration_s: Matrix
    objective: Objective = "distance"


@dataclass(frozen=True)
class PlannedStop:
    """A stop in a route with its estimated times.

    Parameters
    ----------
    stop_id : str
        The stop.
    arrival_s : int
        Arrival time.
    service_start_s : int
        Arrival plus any wait for the window to open.
    departure_s : int
        Service start plus service time.
    distance_from_previous_m : int
        Distance of the leg that ends here.
    load_after : int
        Capacity used on the route up to and including this stop.
    locked : bool
        Whether the stop was part of a locked prefix.
    """

    stop_id: str
    arrival_s: int
    service_start_s: int
    departure_s: int
    distance_from_previous_m: int
    load_after: int
    locked: bool = False


@dataclass(frozen=True)
class Route:
    """One vehicle's route; an unused vehicle has no stops.

    Parameters
    ----------
    vehicle_id : str
        The vehicle.
    stops : tuple of PlannedStop
        Visits in order.
    start_s, end_s : int
        Departure from the start and arrival at the end location.
    distance_m : int
        Total distance, including the way back.
    duration_s : int
        ``end_s - start_s``.
    load : int
        Total demand carried.
    late_stop_ids : tuple of str
        Stops served after their window closes or after the shift ends (only a
        locked prefix can make them: free stops keep their windows).
    overtime_s : int
        Time past the shift end at which the vehicle is back.
    """

    vehicle_id: str
    stops: tuple[PlannedStop, ...]
    start_s: int
    end_s: int
    distance_m: int
    duration_s: int
    load: int
    late_stop_ids: tuple[str, ...] = ()
    overtime_s: int = 0


@dataclass(frozen=True)
class DroppedStop:
    """A stop left out of the plan, and why.

    Parameters
    ----------
    stop_id : str
        The stop.
    reason : DropReason
        ``capacity``: no room left (or demand above every capacity);
        ``time_window``: its window cannot be fitted into any route;
        ``shift_too_short``: no courier has time left in the shift;
        ``not_reachable_in_time``: no courier could serve it even alone;
        ``no_vehicle``: no vehicle at all; ``not_planned``: the search ran out of time.
    """

    stop_id: str
    reason: DropReason


@dataclass(frozen=True)
class RoutePlan:
    """The planner's answer.

    Parameters
    ----------
    routes : tuple of Route
        One per vehicle, in the problem's vehicle order.
    dropped : tuple of DroppedStop
        Stops not served.
    objective : int
        Search objective: travel cost, fixed costs and drop penalties.
    distance_m, duration_s : int
        Totals over all routes.
    solve_time_s : float
        Wall time spent.
    first_solution_s : float or None
        Wall time until the search had its first plan.
    first_complete_s : float or None
        Wall time until the first plan serving every stop that any vehicle could
        serve alone; ``None`` if no such plan was found (e.g. an overloaded day).
    strategy : str
        Name of the search configuration that produced the plan.
    found : bool
        False when there were stops to place and the search found no plan at all.
    search_configurations, search_processes : int
        How many search configurations ran, in how many processes (0 when the
        search ran in the calling process, or did not run).
    """

    routes: tuple[Route, ...]
    dropped: tuple[DroppedStop, ...]
    objective: int
    distance_m: int
    duration_s: int
    solve_time_s: float
    first_solution_s: float | None = None
    first_complete_s: float | None = None
    strategy: str = ""
    found: bool = True
    search_configurations: int = 0
    search_processes: int = 0


def merge_same_location(stops: Sequence[Stop], *, sep: str = "+") -> tuple[Stop, ...]:
    """Merge stops at one location into one stop.

    Demand and priority are summed, service time is the longest plus one minute per
    extra delivery, and the window is the intersection (stops whose windows do not
    overlap are kept apart). ``stop_id`` joins the merged ids with ``sep``.

    Parameters
    ----------
    stops : sequence of Stop
        Stops, possibly several at one location.
    sep : str
        Separator of merged ids.

    Returns
    -------
    tuple of Stop
        The merged stops, in order of first appearance.
    """
    merged: list[Stop] = []
    for stop in stops:
        for i, other in enumerate(merged):
            if other.location == stop.location and _overlap(other, stop):
                merged[i] = _merge_two(other, stop, sep)
                break
        else:
            merged.append(stop)
    return tuple(merged)


def _overlap(a: Stop, b: Stop) -> bool:
    start = max(a.window_start_s or 0, b.window_start_s or 0)
    ends = [e for e in (a.window_end_s, b.window_end_s) if e is not None]
    return not ends or start <= min(ends)


def _merge_two(a: Stop, b: Stop, sep: str) -> Stop:
    starts = [s for s in (a.window_start_s, b.window_start_s) if s is not None]
    ends = [e for e in (a.window_end_s, b.window_end_s) if e is not None]
    return Stop(
        stop_id=f"{a.stop_id}{sep}{b.stop_id}",
        location=a.location,
        demand=a.demand + b.demand,
        service_s=max(a.service_s, b.service_s) + 60,
        window_start_s=max(starts) if starts else None,
        window_end_s=min(ends) if ends else None,
        priority=a.priority + b.priority,
    )
