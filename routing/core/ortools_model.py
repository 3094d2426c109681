"""The OR-Tools model of a planning problem, and the two search configurations."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.core.insertion import Fleet, Instance
from routing.core.plan_reading import Outcome
from routing.core.preparation import Model, travel
from routing.core.problem import Matrix

_FSS = routing_enums_pb2.FirstSolutionStrategy
_LSM = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True)
class SearchConfig:
    name: str
    first_solution: int
    neighbors_ratio: float = 1.0
    gls_lambda: float = 0.1
    sisr_share: float = 0.0
    sisr_temperature: float = 0.5


# Both searches anneal with ruin and recreate for most of the budget (it beat GLS
# alone on every tuning instance), then GLS polishes the plan inside OR-Tools. They
# differ in temperature and seed; OR-Tools' own start is the fallback.
SISR_MIN_STOPS = 20
CONFIGS = (
    SearchConfig("sisr-gls-hot", _FSS.PARALLEL_CHEAPEST_INSERTION, sisr_share=0.75),
    SearchConfig(
        "sisr-gls-cool",
        _FSS.LOCAL_CHEAPEST_INSERTION,
        sisr_share=0.75,
        sisr_temperature=0.2,
    ),
)


class Search:
    """One OR-Tools routing model over the free stops of ``model``."""

    def __init__(self, model: Model) -> None:
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
        self.matrices: dict[tuple[str, bool], list[list[list[int]]]] = {}
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
        kept: dict[tuple[int, float], list[list[int]]] = {}
        self.matrices[kind, service] = per_vehicle = []
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
                kept[key] = matrix
            out.append(cache[key])
            per_vehicle.append(kept[key])
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
        back = start.time_s + travel(
            self.model.problem, vehicle, start.location, vehicle.end_location
        )
        latest_end = max(vehicle.shift_end_s, back)
        first = self.time.CumulVar(self.routing.Start(v))
        if start.flexible:
            first.SetRange(start.time_s, latest_end)
            self.time.CumulVar(self.routing.End(v)).SetRange(start.time_s, latest_end)
            if start.max_duration_s is not None:
                self.time.SetSpanUpperBoundForVehicle(start.max_duration_s, v)
        else:
            self._relax_locked(v, back)
        # Come back as early as possible, then leave as late as that allows: the
        # earliest finish without idle waiting.
        self.routing.AddVariableMinimizedByFinalizer(
            self.time.CumulVar(self.routing.End(v))
        )
        self.routing.AddVariableMaximizedByFinalizer(first)

    def _relax_locked(self, v: int, back: int) -> None:
        """After a locked prefix the shift end is soft: overtime is priced, not refused.

        A prefix may already run past the shift (a stop put back late, a window that
        opens late); a hard bound would make the whole model infeasible. Overtime
        costs more than dropping any stop, so the search never buys a stop with it.
        """
        start, vehicle = self.model.starts[v], self.model.problem.vehicles[v]
        self.time.CumulVar(self.routing.Start(v)).SetValue(start.time_s)
        end = self.time.CumulVar(self.routing.End(v))
        end.SetRange(back, self.model.horizon_s)
        self.time.SetCumulVarSoftUpperBound(
            self.routing.End(v), vehicle.shift_end_s, self._overtime_cost()
        )
        if start.max_duration_s is not None:
            bound = max(start.max_duration_s, back - start.time_s)
            self.time.SetSpanUpperBoundForVehicle(bound, v)

    def _overtime_cost(self) -> int:
        """Cost of one second past the shift: more than dropping any stop."""
        stops = self.model.problem.stops
        top = max((s.priority for s in stops), default=1)
        return self._unit_penalty() * max(1, top) + 1

    def _unit_penalty(self) -> int:
        fixed = max((v.fixed_cost for v in self.model.problem.vehicles), default=0)
        # Any one stop is worth more than the largest detour it can cause, so the
        # search serves as many (priority-weighted) stops as it can.
        return 2 * self._max_arc + fixed + 1

    def _add_disjunctions(self) -> None:
        problem = self.model.problem
        self.unit_penalty = self._unit_penalty()
        for node, i in enumerate(self.model.free):
            penalty = self.unit_penalty * max(1, problem.stops[i].priority)
            self.routing.AddDisjunction([self.manager.NodeToIndex(node)], penalty)

    def parameters(self, config: SearchConfig, limit_s: float) -> Any:
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

    def lns_instance(self) -> Instance:
        """The model as plain arrays for the ruin-and-recreate walk."""
        model, problem = self.model, self.model.problem
        stops, horizon, depots = problem.stops, model.horizon_s, len(self.locations)
        depots -= len(model.free)
        ends = [stops[i].window_end_s for i in model.free]
        fleet = [self._fleet(v) for v in range(len(model.starts))]
        return Instance(
            demand=[stops[i].demand for i in model.free],
            window_start=[stops[i].window_start_s or 0 for i in model.free]
            + [0] * depots,
            window_end=[horizon if e is None else e for e in ends] + [horizon] * depots,
            penalty=[self.unit_penalty * max(1, stops[i].priority) for i in model.free],
            fleet=fleet,
        )

    def _fleet(self, v: int) -> Fleet:
        start, vehicle = self.model.starts[v], self.model.problem.vehicles[v]
        back = start.time_s + travel(
            self.model.problem, vehicle, start.location, vehicle.end_location
        )
        span = start.max_duration_s
        return Fleet(
            start_node=self.manager.IndexToNode(self.routing.Start(v)),
            end_node=self.manager.IndexToNode(self.routing.End(v)),
            depart_s=start.time_s,
            flexible=start.flexible,
            latest_end_s=max(vehicle.shift_end_s, back),
            capacity=max(0, start.capacity),
            max_span_s=None if span is None else max(span, back - start.time_s),
            time=self.matrices["duration", True][v],
            cost=self.matrices[self.model.problem.objective, False][v],
            fixed_cost=vehicle.fixed_cost,
        )

    def run(
        self,
        config: SearchConfig,
        deadline: float,
        report: Callable[[int], None],
        initial: list[list[int]] | None = None,
        found: dict[str, float] | None = None,
    ) -> Outcome | None:
        """Search until ``deadline`` (monotonic); report each new best cost.

        With ``initial`` routes (search nodes per vehicle) the search starts from
        them; if OR-Tools rejects them, it builds its own first plan.
        """
        began = time.monotonic()
        found = {} if found is None else found
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
        self.routing.CloseModelWithParameters(params)
        start = self._read_routes(initial) if initial is not None else None
        # Closing a large model takes seconds: the search gets only what is left.
        left_ms = int((deadline - time.monotonic()) * 1000)
        params.time_limit.FromMilliseconds(max(100, left_ms))
        if start is None:
            solution = self.routing.SolveWithParameters(params)
        else:
            solution = self.routing.SolveFromAssignmentWithParameters(start, params)
        if solution is None:
            return None
        return self._outcome(solution, config.name, found)

    def _read_routes(self, routes: list[list[int]]) -> Any:
        indices = [[self.manager.NodeToIndex(n) for n in r] for r in routes]
        return self.routing.ReadAssignmentFromRoutes(indices, True)

    def _all_active(self) -> bool:
        return all(
            self.routing.NextVar(self.manager.NodeToIndex(n)).Value()
            != self.manager.NodeToIndex(n)
            for n in range(len(self.model.free))
        )

    def _outcome(self, solution: Any, name: str, found: dict[str, float]) -> Outcome:
        routes, start_times = [], []
        for v in range(len(self.model.starts)):
            index, route = self.routing.Start(v), []
            start_times.append(solution.Value(self.time.CumulVar(index)))
            index = solution.Value(self.routing.NextVar(index))
            while not self.routing.IsEnd(index):
                route.append(self.model.free[self.manager.IndexToNode(index)])
                index = solution.Value(self.routing.NextVar(index))
            routes.append(route)
        return Outcome(
            routes,
            start_times,
            solution.ObjectiveValue(),
            found.get("first"),
            found.get("complete"),
            name,
        )
