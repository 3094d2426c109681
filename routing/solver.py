"""Vehicle routing with OR-Tools: plain data in, plain data out (no Django).

Two differently configured searches run in two processes and the better plan wins;
every stop is optional with a drop penalty, so a plan always exists.
"""

from __future__ import annotations

import math
import multiprocessing
import queue
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.problem import (
    DroppedStop,
    DropReason,
    Matrix,
    PlannedStop,
    PlanningProblem,
    Route,
    RoutePlan,
    Stop,
    Vehicle,
)

ProgressCallback = Callable[[float, "int | None"], None]
_FSS = routing_enums_pb2.FirstSolutionStrategy
_LSM = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True)
class _Config:
    name: str
    first_solution: int
    neighbors_ratio: float = 1.0
    gls_lambda: float = 0.1


# Two searches that differ in their start; on Solomon each wins about half the time.
_CONFIGS = (
    _Config("gls-parallel-insertion", _FSS.PARALLEL_CHEAPEST_INSERTION),
    _Config("gls-local-insertion", _FSS.LOCAL_CHEAPEST_INSERTION),
)


@dataclass(frozen=True)
class _Start:
    """Where and when a vehicle becomes free once its locked prefix is done."""

    location: int
    time_s: int
    flexible: bool
    capacity: int
    max_duration_s: int | None
    prefix: tuple[PlannedStop, ...]
    prefix_distance_m: int


@dataclass(frozen=True)
class _Model:
    """The problem as the search sees it: locked stops removed, starts moved."""

    problem: PlanningProblem
    starts: tuple[_Start, ...]
    free: tuple[int, ...]  # indices into problem.stops, in search order
    horizon_s: int


@dataclass
class _Outcome:
    routes: list[list[int]]  # indices into problem.stops, per vehicle
    start_times: list[int]
    objective: int
    first_s: float | None
    complete_s: float | None
    name: str


def solve(
    problem: PlanningProblem,
    *,
    time_limit_s: float = 10,
    seed: int = 0,
    on_progress: ProgressCallback | None = None,
) -> RoutePlan:
    """Plan routes for ``problem`` within ``time_limit_s`` seconds.

    Parameters
    ----------
    problem : PlanningProblem
        Stops, vehicles and matrices.
    time_limit_s : float
        Wall-time budget of the whole call.
    seed : int
        Varies the search order; a seed and a time limit give the same plan
        whenever the search converges within the limit.
    on_progress : callable, optional
        Called as ``on_progress(fraction_of_budget, best_cost_or_None)``.

    Returns
    -------
    RoutePlan
        Routes with times, and the dropped stops with reasons.
    """
    began = time.monotonic()
    _validate(problem)
    model = _prepare(problem, seed)
    servable, unservable = _split_servable(model)
    model = replace(model, free=servable)
    deadline = began + max(0.2, time_limit_s - 0.1)
    outcome = _search_all(model, deadline, began, time_limit_s, on_progress)
    plan = _build_plan(model, outcome, unservable, time.monotonic() - began)
    if on_progress is not None:
        on_progress(1.0, plan.objective)
    return plan


# --- validation and preparation ---------------------------------------------


def _validate(problem: PlanningProblem) -> None:
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


def _travel(problem: PlanningProblem, vehicle: Vehicle, a: int, b: int) -> int:
    """Travel time of ``vehicle`` from location a to b, rounded up."""
    matrix = vehicle.duration_s or problem.duration_s
    if vehicle.speed_factor == 1.0:
        return matrix[a][b]
    return math.ceil(matrix[a][b] * vehicle.speed_factor)


def _prepare(problem: PlanningProblem, seed: int) -> _Model:
    by_id = {s.stop_id: i for i, s in enumerate(problem.stops)}
    starts = tuple(_vehicle_start(problem, v, by_id) for v in problem.vehicles)
    locked = {by_id[s] for v in problem.vehicles for s in v.locked_stop_ids}
    free = [i for i in range(len(problem.stops)) if i not in locked]
    # The seed only changes the order the search sees the stops in (its tie-breaks).
    if seed:
        random.Random(seed).shuffle(free)
    ends = [v.shift_end_s for v in problem.vehicles] + [s.time_s for s in starts]
    ends += [s.window_end_s or 0 for s in problem.stops]
    return _Model(problem, starts, tuple(free), max(ends, default=0) + 1)


def _vehicle_start(
    problem: PlanningProblem, v: Vehicle, by_id: dict[str, int]
) -> _Start:
    t, loc, load, dist = v.shift_start_s, v.start_location, 0, 0
    prefix: list[PlannedStop] = []
    for stop_id in v.locked_stop_ids:
        s = problem.stops[by_id[stop_id]]
        leg = problem.distance_m[loc][s.location]
        arrival = t + _travel(problem, v, loc, s.location)
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
    return _Start(
        loc, t, flexible, v.capacity - load, max_duration, tuple(prefix), dist
    )


def _alone_fails(model: _Model, stop: Stop, v: int) -> str | None:
    """Why vehicle ``v`` could not serve ``stop`` even on its own, if it could not."""
    problem, start = model.problem, model.starts[v]
    vehicle = problem.vehicles[v]
    if stop.demand > start.capacity:
        return "capacity"
    travel_in = _travel(problem, vehicle, start.location, stop.location)
    leave = start.time_s
    if start.flexible:
        leave = max(leave, (stop.window_start_s or 0) - travel_in)
    begin = max(leave + travel_in, stop.window_start_s or 0)
    if stop.window_end_s is not None and begin > stop.window_end_s:
        return "time"
    back = (
        begin
        + stop.service_s
        + _travel(problem, vehicle, stop.location, vehicle.end_location)
    )
    too_long = start.max_duration_s is not None and back - leave > start.max_duration_s
    return "time" if back > vehicle.shift_end_s or too_long else None


def _split_servable(model: _Model) -> tuple[tuple[int, ...], list[DroppedStop]]:
    servable: list[int] = []
    dropped: list[DroppedStop] = []
    for i in model.free:
        stop = model.problem.stops[i]
        fails = {_alone_fails(model, stop, v) for v in range(len(model.starts))}
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


# --- the OR-Tools model ------------------------------------------------------


class _Search:
    """One OR-Tools routing model over the free stops of ``model``."""

    def __init__(self, model: _Model) -> None:
        self.model = model
        problem = model.problem
        depots = sorted(
            {s.location for s in model.starts}
            | {v.end_location for v in problem.vehicles}
        )
        self.locations = [problem.stops[i].location for i in model.free] + depots
        depot_node = {loc: len(model.free) + k for k, loc in enumerate(depots)}
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.locations),
            len(problem.vehicles),
            [depot_node[s.location] for s in model.starts],
            [depot_node[v.end_location] for v in problem.vehicles],
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._add_costs()
        self._add_capacity()
        self._add_time()
        self._add_disjunctions()

    def _node_matrix(
        self, rows: Matrix, factor: float, service: bool
    ) -> list[list[int]]:
        """Matrix over search nodes (OR-Tools maps indices to nodes itself)."""
        locs, stops, free = self.locations, self.model.problem.stops, self.model.free
        out = []
        for node, loc in enumerate(locs):
            row = rows[loc]
            extra = stops[free[node]].service_s if service and node < len(free) else 0
            if factor == 1.0:
                out.append([row[m] + extra for m in locs])
            else:
                out.append([math.ceil(row[m] * factor) + extra for m in locs])
        return out

    def _evaluators(self, service: bool, kind: str) -> list[int]:
        """One registered transit matrix per distinct (matrix, speed) class."""
        problem, cache, out = self.model.problem, {}, []
        for v in problem.vehicles:
            if kind == "distance":
                key: tuple[int, float] = (id(problem.distance_m), 1.0)
                rows = problem.distance_m
            else:
                rows = v.duration_s or problem.duration_s
                key = (id(rows), v.speed_factor)
            if key not in cache:
                matrix = self._node_matrix(rows, key[1], service)
                self._max_arc = max(getattr(self, "_max_arc", 0), max(map(max, matrix)))
                cache[key] = self.routing.RegisterTransitMatrix(matrix)
            out.append(cache[key])
        return out

    def _add_costs(self) -> None:
        problem = self.model.problem
        for v, callback in enumerate(self._evaluators(False, problem.objective)):
            self.routing.SetArcCostEvaluatorOfVehicle(callback, v)
            self.routing.SetFixedCostOfVehicle(problem.vehicles[v].fixed_cost, v)

    def _add_capacity(self) -> None:
        stops, free = self.model.problem.stops, self.model.free
        demands = [stops[i].demand for i in free]
        demands += [0] * (len(self.locations) - len(free))
        callback = self.routing.RegisterUnaryTransitVector(demands)
        capacities = [max(0, s.capacity) for s in self.model.starts]
        self.routing.AddDimensionWithVehicleCapacity(
            callback, 0, capacities, True, "load"
        )

    def _add_time(self) -> None:
        horizon = self.model.horizon_s
        callbacks = self._evaluators(True, "duration")
        self.routing.AddDimensionWithVehicleTransits(
            callbacks, horizon, horizon, False, "time"
        )
        self.time = self.routing.GetDimensionOrDie("time")
        stops = self.model.problem.stops
        for node, i in enumerate(self.model.free):
            begin, end = stops[i].window_start_s or 0, stops[i].window_end_s
            self.time.CumulVar(self.manager.NodeToIndex(node)).SetRange(
                begin, horizon if end is None else end
            )
        for v in range(len(self.model.starts)):
            self._bound_vehicle(v)

    def _bound_vehicle(self, v: int) -> None:
        start, vehicle = self.model.starts[v], self.model.problem.vehicles[v]
        back = start.time_s + _travel(
            self.model.problem, vehicle, start.location, vehicle.end_location
        )
        # A vehicle past its shift after its locked prefix must still be able to
        # go home, or the whole model would be infeasible.
        latest_end = max(vehicle.shift_end_s, back)
        first = self.time.CumulVar(self.routing.Start(v))
        first.SetRange(start.time_s, latest_end if start.flexible else start.time_s)
        self.time.CumulVar(self.routing.End(v)).SetRange(start.time_s, latest_end)
        if start.max_duration_s is not None:
            bound = max(start.max_duration_s, back - start.time_s)
            self.time.SetSpanUpperBoundForVehicle(bound, v)
        # Come back as early as possible, then leave as late as that allows: the
        # earliest finish without idle waiting.
        self.routing.AddVariableMinimizedByFinalizer(
            self.time.CumulVar(self.routing.End(v))
        )
        self.routing.AddVariableMaximizedByFinalizer(first)

    def _add_disjunctions(self) -> None:
        problem = self.model.problem
        fixed = max((v.fixed_cost for v in problem.vehicles), default=0)
        # Any one stop is worth more than the largest detour it can cause, so the
        # search serves as many (priority-weighted) stops as it can.
        self.unit_penalty = 2 * self._max_arc + fixed + 1
        for node, i in enumerate(self.model.free):
            penalty = self.unit_penalty * max(1, problem.stops[i].priority)
            self.routing.AddDisjunction([self.manager.NodeToIndex(node)], penalty)

    def parameters(self, config: _Config, limit_s: float) -> Any:
        """Search parameters of ``config`` with a time limit."""
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = config.first_solution
        params.ls_operator_neighbors_ratio = config.neighbors_ratio
        params.ls_operator_min_neighbors = 10
        # use_iterated_local_search (SISR ruin-and-recreate) stopped at the first
        # local optimum in our trials with OR-Tools 9.15, so both searches use GLS.
        params.local_search_metaheuristic = _LSM.GUIDED_LOCAL_SEARCH
        params.guided_local_search_lambda_coefficient = config.gls_lambda
        params.time_limit.FromMilliseconds(max(100, int(limit_s * 1000)))
        return params

    def run(
        self, config: _Config, deadline: float, report: Callable[[int], None]
    ) -> _Outcome | None:
        """Search until ``deadline`` (monotonic); report each new best cost."""
        began = time.monotonic()
        found: dict[str, float] = {}
        best = [-1]

        def at_solution() -> None:
            cost = self.routing.CostVar().Value()
            now = time.monotonic() - began
            found.setdefault("first", now)
            if "complete" not in found and self._all_active():
                found["complete"] = now
            if best[0] < 0 or cost < best[0]:
                best[0] = cost
                report(cost)

        self.routing.AddAtSolutionCallback(at_solution)
        params = self.parameters(config, deadline - time.monotonic())
        solution = self.routing.SolveWithParameters(params)
        if solution is None:
            return None
        return self._outcome(solution, config.name, found)

    def _all_active(self) -> bool:
        return all(
            self.routing.NextVar(self.manager.NodeToIndex(n)).Value()
            != self.manager.NodeToIndex(n)
            for n in range(len(self.model.free))
        )

    def _outcome(self, solution: Any, name: str, found: dict[str, float]) -> _Outcome:
        routes, start_times = [], []
        for v in range(len(self.model.starts)):
            index, route = self.routing.Start(v), []
            start_times.append(solution.Value(self.time.CumulVar(index)))
            index = solution.Value(self.routing.NextVar(index))
            while not self.routing.IsEnd(index):
                route.append(self.model.free[self.manager.IndexToNode(index)])
                index = solution.Value(self.routing.NextVar(index))
            routes.append(route)
        return _Outcome(
            routes,
            start_times,
            solution.ObjectiveValue(),
            found.get("first"),
            found.get("complete"),
            name,
        )


# --- running searches in parallel --------------------------------------------


def _worker(model: _Model, k: int, deadline: float, channel: Any) -> None:
    """Process entry point: one configuration, results over ``channel``."""
    try:
        search = _Search(model)
        outcome = search.run(
            _CONFIGS[k], deadline, lambda cost: channel.put(("cost", k, cost))
        )
        channel.put(("done", k, outcome))
    except Exception as error:  # noqa: BLE001 - reported to the parent
        channel.put(("done", k, None))
        raise error


def _search_all(
    model: _Model,
    deadline: float,
    began: float,
    budget_s: float,
    on_progress: ProgressCallback | None,
) -> _Outcome | None:
    if not model.free:
        return None
    configs = list(range(len(_CONFIGS)))
    try:
        return _search_processes(model, configs, deadline, began, budget_s, on_progress)
    except (AssertionError, OSError):
        # Daemonic workers (e.g. Celery's prefork pool) may not start processes.
        return _search_here(model, configs[0], deadline, began, budget_s, on_progress)


def _search_here(
    model: _Model,
    k: int,
    deadline: float,
    began: float,
    budget_s: float,
    on_progress: ProgressCallback | None,
) -> _Outcome | None:
    def report(cost: int) -> None:
        if on_progress is not None:
            on_progress(min(1.0, (time.monotonic() - began) / budget_s), cost)

    return _Search(model).run(_CONFIGS[k], deadline, report)


def _search_processes(
    model: _Model,
    configs: Sequence[int],
    deadline: float,
    began: float,
    budget_s: float,
    on_progress: ProgressCallback | None,
) -> _Outcome | None:
    context = multiprocessing.get_context("fork")
    channel = context.Queue()
    workers = [
        context.Process(target=_worker, args=(model, k, deadline, channel), daemon=True)
        for k in configs
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = _collect(
            channel, len(workers), deadline, began, budget_s, on_progress
        )
    finally:
        for worker in workers:
            worker.join(timeout=1)
            if worker.is_alive():
                worker.kill()
    found = [o for o in outcomes if o is not None]
    # Ties go to the first configuration, so equal runs give equal plans.
    return min(found, key=lambda o: o.objective) if found else None


def _collect(
    channel: Any,
    count: int,
    deadline: float,
    began: float,
    budget_s: float,
    on_progress: ProgressCallback | None,
) -> list[_Outcome | None]:
    outcomes: dict[int, _Outcome | None] = {}
    best: int | None = None
    # A large model may take a while to build and read back after the deadline.
    give_up = deadline + max(3.0, 0.2 * budget_s)
    while len(outcomes) < count and time.monotonic() < give_up:
        try:
            kind, k, value = channel.get(timeout=0.2)
        except queue.Empty:
            continue
        if kind == "done":
            outcomes[k] = value
        elif best is None or value < best:
            best = value
            if on_progress is not None:
                on_progress(min(1.0, (time.monotonic() - began) / budget_s), best)
    return [outcomes[k] for k in sorted(outcomes)]


# --- reading the plan back ---------------------------------------------------


def _build_plan(
    model: _Model,
    outcome: _Outcome | None,
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


def _route(model: _Model, v: int, order: list[int], leave: int) -> Route:
    """Times along one route: earliest service from the chosen departure."""
    problem, start = model.problem, model.starts[v]
    vehicle = problem.vehicles[v]
    stops = list(start.prefix)
    t, loc, dist = leave, start.location, start.prefix_distance_m
    load = stops[-1].load_after if stops else 0
    for i in order:
        s = problem.stops[i]
        leg = problem.distance_m[loc][s.location]
        arrival = t + _travel(problem, vehicle, loc, s.location)
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
    end = t + _travel(problem, vehicle, loc, vehicle.end_location)
    dist += problem.distance_m[loc][vehicle.end_location]
    first = vehicle.shift_start_s if start.prefix else leave
    return Route(vehicle.vehicle_id, tuple(stops), first, end, dist, end - first, load)


def _reason(
    model: _Model, routes: tuple[Route, ...], i: int, failed: bool
) -> DroppedStop:
    """Why a stop that some vehicle could serve alone was left out."""
    stop = model.problem.stops[i]
    if failed:
        return DroppedStop(stop.stop_id, "not_planned")
    able = [v for v in range(len(routes)) if _alone_fails(model, stop, v) is None]
    room = [model.problem.vehicles[v].capacity - routes[v].load for v in able]
    if all(r < stop.demand for r in room):
        return DroppedStop(stop.stop_id, "capacity")
    if stop.window_start_s is not None or stop.window_end_s is not None:
        return DroppedStop(stop.stop_id, "time_window")
    return DroppedStop(stop.stop_id, "shift_too_short")
