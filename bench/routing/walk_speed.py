"""Iterations per CPU second of the ruin-and-recreate walk alone, on a Sijunjung day.

.venv/bin/python -m bench.routing.walk_speed day250 500 [--profile]

CPU time (not wall time) of this process, so other load on the machine matters less.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from dataclasses import replace

from bench.routing.days import DAYS, make_day
from routing.core.insertion import State
from routing.core.ortools_model import Search
from routing.core.preparation import prepare, split_servable
from routing.core.ruin_recreate import improve


def main() -> None:
    """Run the walk for a fixed number of iterations; print the rate."""
    name, iterations = sys.argv[1], int(sys.argv[2])
    model = prepare(make_day(DAYS[name]), 0)
    model = replace(model, free=split_servable(model)[0])
    inst = Search(model).lns_instance()
    profile = cProfile.Profile() if "--profile" in sys.argv else None
    began = time.process_time()
    if profile:
        profile.enable()
    routes = improve(
        inst, [[] for _ in model.starts], deadline=float("inf"), iterations=iterations
    )
    if profile:
        profile.disable()
    took = time.process_time() - began
    print(
        f"{name}: {iterations} iterations in {took:.2f} CPU s = "
        f"{iterations / took:.0f}/s; served {sum(map(len, routes))}, "
        f"cost {State(inst, routes).cost()}"
    )
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(10)


if __name__ == "__main__":
    main()
