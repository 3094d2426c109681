"""Preparing a planning problem for the search: checks, locked prefixes, reach.

Locked stops leave the search: each vehicle starts where and when its locked prefix
ends. Stops that no vehicle could serve even alone are dropped before the search.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from routing.core.problem import (
    DroppedStop,
    DropReason,
    PlannedStop,
    PlanningProblem,
    Stop,
    Vehicle,
)

DAY_S = 24 * 3600


@dataclass(frozen=True)
class Start:
    """Where and when a vehicle becomes free once its locked prefix is done."""

    location: int
    time_s: int
    flexible: bool
    capacity: int
    max_duration_s: int | None
    prefix: tuple[PlannedStop, ...]
    prefix_distance_m: int


@dataclass(frozen=True)
class Model:
    """The problem as the search sees it: locked stops removed, starts moved."""

    problem: PlanningProblem
    starts: tuple[Start, ...]
    free: tuple[int, ...]  # indices into problem.stops, in search order
    horizon_s: int
    seed: int = 0


def validate(problem: PlanningProblem) -> None:
    size = len(problem.distance_m)
    if len(problem.duration_s) != size:
        raise ValueError("distance and duration matrices differ in size")
    ids = [s.stop_id for s in problem.stops]
    if len(set(ids)) != len(ids):
        raise ValueError("stop ids must be unique")
    locations = [s.location for s in problem.stops]
    for v in problem.vehicles:
        locations += [v.start_location, v.end_location]
        if v.duration_s is not None and len(v.duration_s) != size:
            raise ValueError(f"vehicle {v.vehicle_id}: matrix size differs")
    if any(not 0 <= loc < size for loc in locations):
        raise ValueError("a location is outside the matrices")
    locked = [s for v in problem.vehicles for s in v.locked_stop_ids]
    if len(set(locked)) != len(locked) or not set(locked) <= set(ids):
        raise ValueError("locked stops must be known stops, each locked once")


def travel(problem: PlanningProblem, vehicle: Vehicle, a: int, b: int) -> int:
    """Travel time of ``vehicle`` from location a to b, rounded up."""
    matrix = vehicle.duration_s or problem.duration_s
    if vehicle.speed_factor == 1.0:
        return matrix[a][b]
    return math.ceil(matrix[a][b] * vehicle.speed_factor)


def prepare(problem: PlanningProblem, seed: int) -> Model:
    by_id = {s.stop_id: i for i, s in enumerate(problem.stops)}
    starts = tuple(vehicle_start(problem, v, by_id) for v in problem.vehicles)
    locked = {by_id[s] for v in problem.vehicles for s in v.locked_stop_ids}
    free = [i for i in range(len(problem.stops)) if i not in locked]
    # The seed only changes the order the search sees the stops in (its tie-breaks).
    if seed:
        random.Random(seed).shuffle(free)
    # A locked prefix may end past the shift: the way home must still fit in the
    # horizon, or the model is infeasible and the search finds nothing at all.
    ends = [v.shift_end_s for v in problem.vehicles]
    ends += [
        s.time_s + travel(problem, v, s.location, v.end_location)
        for s, v in zip(starts, problem.vehicles, strict=True)
    ]
    ends += [s.window_end_s or 0 for s in problem.stops]
    # Room past every shift: after a locked prefix the shift end is a soft bound,
    # so the horizon, not the shift, is what the search may not cross.
    horizon = max(max(ends, default=0) + 1, DAY_S)
    return Model(problem, starts, tuple(free), horizon, seed)


def vehicle_start(problem: PlanningProblem, v: Vehicle, by_id: dict[str, int]) -> Start:
    t, loc, load, dist = v.shift_start_s, v.start_location, 0, 0
    prefix: list[PlannedStop] = []
    for stop_id in v.locked_stop_ids:
        s = problem.stops[by_id[stop_id]]
        leg = problem.distance_m[loc][s.location]
        arrival = t + travel(problem, v, loc, s.location)
        begin = max(arrival, s.window_start_s or 0)
        t, loc, load, dist = (
            begin + s.service_s,
            s.location,
            load + s.demand,
            dist + leg,
        )
        prefix.append(PlannedStop(stop_id, arrival, begin, t, leg, load, locked=True))
    used = t - v.shift_start_s
    max_duration = None if v.max_duration_s is None else v.max_duration_s - used
    flexible = not prefix
    return Start(loc, t, flexible, v.capacity - load, max_duration, tuple(prefix), dist)


def alone_fails(model: Model, stop: Stop, v: int) -> str | None:
    """Why vehicle ``v`` could not serve ``stop`` even on its own, if it could not."""
    problem, start = model.problem, model.starts[v]
    vehicle = problem.vehicles[v]
    if stop.demand > start.capacity:
        return "capacity"
    travel_in = travel(problem, vehicle, start.location, stop.location)
    leave = start.time_s
    if start.flexible:
        leave = max(leave, (stop.window_start_s or 0) - travel_in)
    begin = max(leave + travel_in, stop.window_start_s or 0)
    if stop.window_end_s is not None and begin > stop.window_end_s:
        return "time"
    back = (
        begin
        + stop.service_s
        + travel(problem, vehicle, stop.location, vehicle.end_location)
    )
    too_long = start.max_duration_s is not None and back - leave > start.max_duration_s
    return "time" if back > vehicle.shift_end_s or too_long else None


def split_servable(model: Model) -> tuple[tuple[int, ...], list[DroppedStop]]:
    servable: list[int] = []
    dropped: list[DroppedStop] = []
    for i in model.free:
        stop = model.problem.stops[i]
        fails = {alone_fails(model, stop, v) for v in range(len(model.starts))}
        if None in fails:
            servable.append(i)
            continue
        reason: DropReason = "not_reachable_in_time"
        if not fails:
            reason = "no_vehicle"
        elif fails == {"capacity"}:
            reason = "capacity"
        dropped.append(DroppedStop(stop.stop_id, reason))
    return tuple(servable), dropped
