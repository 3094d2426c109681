"""Vehicle routing with OR-Tools: plain data in, plain data out (no Django).

Two differently configured searches run in two processes where two cores are free
to this process, and the better plan wins; on one core, one search runs here. Every
stop is optional with a drop penalty, so a plan always exists. The processes come from
a fork server (search_runs.py), which imports the main module again: a script that
calls `solve` does so under `if __name__ == "__main__":`, as multiprocessing requires.
"""

from __future__ import annotations

import time
from dataclasses import replace

from routing.core.plan_reading import build_plan
from routing.core.preparation import prepare, split_servable, validate
from routing.core.problem import PlanningProblem, RoutePlan
from routing.core.search_runs import ProgressCallback, search_all


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
    validate(problem)
    model = prepare(problem, seed)
    servable, unservable = split_servable(model)
    model = replace(model, free=servable)
    deadline = began + max(0.2, time_limit_s - 0.1)
    outcome, ran = search_all(model, deadline, began, time_limit_s, on_progress)
    plan = build_plan(model, outcome, unservable, time.monotonic() - began)
    plan = replace(
        plan,
        found=outcome is not None or not model.free,
        search_configurations=ran[0],
        search_processes=ran[1],
    )
    if on_progress is not None:
        on_progress(1.0, plan.objective)
    return plan
