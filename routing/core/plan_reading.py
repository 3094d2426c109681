"""Reading a search result back into a RoutePlan with times and drop reasons."""

from __future__ import annotations

from dataclasses import dataclass

from routing.core.lateness import is_late
from routing.core.preparation import Model, alone_fails, travel
from routing.core.problem import (
    DroppedStop,
    PlannedStop,
    PlanningProblem,
    Route,
    RoutePlan,
)


@dataclass
class Outcome:
    routes: list[list[int]]  # indices into problem.stops, per vehicle
    start_times: list[int]
    objective: int
    first_s: float | None
    complete_s: float | None
    name: str


def build_plan(
    model: Model,
    outcome: Outcome | None,
    unservable: list[DroppedStop],
    elapsed_s: float,
) -> RoutePlan:
    problem = model.problem
    n = len(problem.vehicles)
    routes_idx = outcome.routes if outcome else [[] for _ in range(n)]
    starts = outcome.start_times if outcome else [s.time_s for s in model.starts]
    routes = tuple(_route(model, v, routes_idx[v], starts[v]) for v in range(n))
    planned = {i for r in routes_idx for i in r}
    left = [i for i in model.free if i not in planned]
    dropped = unservable + [_reason(model, routes, i, outcome is None) for i in left]
    return RoutePlan(
        routes=routes,
        dropped=tuple(sorted(dropped, key=lambda d: d.stop_id)),
        objective=outcome.objective if outcome else 0,
        distance_m=sum(r.distance_m for r in routes),
        duration_s=sum(r.duration_s for r in routes),
        solve_time_s=round(elapsed_s, 3),
        first_solution_s=outcome.first_s if outcome else None,
        first_complete_s=outcome.complete_s if outcome else None,
        strategy=outcome.name if outcome else "",
    )


def _route(model: Model, v: int, order: list[int], leave: int) -> Route:
    """Times along one route: earliest service from the chosen departure."""
    problem, start = model.problem, model.starts[v]
    vehicle = problem.vehicles[v]
    stops = list(start.prefix)
    t, loc, dist = leave, start.location, start.prefix_distance_m
    load = stops[-1].load_after if stops else 0
    for i in order:
        s = problem.stops[i]
        leg = problem.distance_m[loc][s.location]
        arrival = t + travel(problem, vehicle, loc, s.location)
        begin = max(arrival, s.window_start_s or 0)
        t, loc, dist, load = (
            begin + s.service_s,
            s.location,
            dist + leg,
            load + s.demand,
        )
        stops.append(PlannedStop(s.stop_id, arrival, begin, t, leg, load))
    if not stops:
        return Route(vehicle.vehicle_id, (), leave, leave, 0, 0, 0)
    end = t + travel(problem, vehicle, loc, vehicle.end_location)
    dist += problem.distance_m[loc][vehicle.end_location]
    first = vehicle.shift_start_s if start.prefix else leave
    late = _late(problem, stops, vehicle.shift_end_s)
    overtime = max(0, end - vehicle.shift_end_s)
    return Route(
        vehicle.vehicle_id,
        tuple(stops),
        first,
        end,
        dist,
        end - first,
        load,
        late,
        overtime,
    )


def _late(
    problem: PlanningProblem, stops: list[PlannedStop], shift_end_s: int
) -> tuple[str, ...]:
    """Stops served after their window closes or after the shift ends."""
    closes = {s.stop_id: s.window_end_s for s in problem.stops}
    return tuple(
        s.stop_id
        for s in stops
        if is_late(s.service_start_s, closes[s.stop_id], shift_end_s)
    )


def _reason(
    model: Model, routes: tuple[Route, ...], i: int, failed: bool
) -> DroppedStop:
    """Why a stop that some vehicle could serve alone was left out."""
    stop = model.problem.stops[i]
    if failed:
        return DroppedStop(stop.stop_id, "not_planned")
    able = [v for v in range(len(routes)) if alone_fails(model, stop, v) is None]
    room = [model.problem.vehicles[v].capacity - routes[v].load for v in able]
    if all(r < stop.demand for r in room):
        return DroppedStop(stop.stop_id, "capacity")
    if stop.window_start_s is not None or stop.window_end_s is not None:
        return DroppedStop(stop.stop_id, "time_window")
    return DroppedStop(stop.stop_id, "shift_too_short")
