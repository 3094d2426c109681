"""PyVRP and VROOM on the same integer PlanningProblem, for comparison."""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np

from routing.core.problem import PlanningProblem

Routes = list[list[int]]  # stop indices per used vehicle
PRIZE = 10_000_000  # value of serving an optional stop (overloaded days)


def pyvrp_solve(
    problem: PlanningProblem, budget_s: float, optional: bool, seed: int = 0
) -> tuple[Routes, float | None]:
    """PyVRP's ``solve`` with a MaxRuntime; returns routes and first-feasible time."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    size = len(problem.distance_m)
    v0 = problem.vehicles[0]
    clients = [
        pyvrp.Client(
            location=s.location,
            delivery=[s.demand],
            service_duration=s.service_s,
            tw_early=s.window_start_s or 0,
            tw_late=s.window_end_s if s.window_end_s is not None else v0.shift_end_s,
            prize=PRIZE * s.priority if optional else 0,
            required=not optional,
        )
        for s in problem.stops
    ]
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(0, 0) for _ in range(size)],
        clients=clients,
        depots=[pyvrp.Depot(0, tw_early=v0.shift_start_s, tw_late=v0.shift_end_s)],
        vehicle_types=[
            pyvrp.VehicleType(
                len(problem.vehicles),
                capacity=[v0.capacity],
                tw_early=v0.shift_start_s,
                tw_late=v0.shift_end_s,
            )
        ],
        distance_matrices=[np.array(problem.distance_m, dtype=np.int64)],
        duration_matrices=[np.array(problem.duration_s, dtype=np.int64)],
    )
    result = pyvrp.solve(data, stop=MaxRuntime(budget_s), seed=seed)
    routes = [[a.idx for a in r if a.is_client()] for r in result.best.routes()]
    return routes, _first_feasible(result)


def _first_feasible(result) -> float | None:  # noqa: ANN001 - PyVRP's Result
    elapsed = 0.0
    for runtime, datum in zip(result.stats.runtimes, result.stats.data, strict=False):
        elapsed += runtime
        if datum.best_feas:
            return elapsed
    return None


def vroom_solve(problem: PlanningProblem, budget_s: float) -> tuple[Routes, None]:
    """VROOM (pyvroom) at exploration level 5, 2 threads, with a timeout."""
    import vroom

    dur = np.array(problem.duration_s, dtype=np.uint32)
    cost = np.array(problem.distance_m, dtype=np.uint32)
    inp = vroom.Input()
    inp.set_durations_matrix("car", dur)
    inp.set_costs_matrix("car", cost)
    for v, vehicle in enumerate(problem.vehicles):
        inp.add_vehicle(
            vroom.Vehicle(
                v + 1,
                start=vehicle.start_location,
                end=vehicle.end_location,
                capacity=[vehicle.capacity],
                time_window=vroom.TimeWindow(
                    vehicle.shift_start_s, vehicle.shift_end_s
                ),
            )
        )
    for k, s in enumerate(problem.stops):
        windows = ()
        if s.window_start_s is not None or s.window_end_s is not None:
            end = (
                s.window_end_s
                if s.window_end_s is not None
                else problem.vehicles[0].shift_end_s
            )
            windows = (vroom.TimeWindow(s.window_start_s or 0, end),)
        inp.add_job(
            vroom.Job(
                k + 1,
                s.location,
                default_service=s.service_s,
                delivery=[s.demand],
                time_windows=windows,
            )
        )
    solution = inp.solve(
        exploration_level=5, nb_threads=2, timeout=timedelta(seconds=budget_s)
    )
    frame = solution.routes
    jobs = frame[frame["type"] == "job"]
    routes = [
        [int(j) - 1 for j in group["id"]]
        for _, group in jobs.groupby("vehicle_id", sort=True)
    ]
    return routes, None


def timed(fn, *args):  # noqa: ANN001, ANN201
    """Call ``fn`` and return its result with the wall time."""
    began = time.monotonic()
    out = fn(*args)
    return out, time.monotonic() - began
