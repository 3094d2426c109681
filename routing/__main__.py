"""Command line: ``python -m routing solve FILE --time-limit S [--seed N]``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from routing.core.instances import (
    problem_from_json,
    read_solomon,
    solomon_cost,
    solomon_problem,
    solomon_routes,
    solomon_violations,
)
from routing.core.problem import RoutePlan
from routing.core.solver import solve


def main(argv: list[str] | None = None) -> int:
    """Solve a Solomon/Homberger text file or a JSON problem; print JSON."""
    parser = argparse.ArgumentParser(prog="python -m routing")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("solve", help="solve one problem file")
    command.add_argument("file", type=Path)
    command.add_argument("--time-limit", type=float, default=10.0)
    command.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    began = time.monotonic()
    if args.file.suffix == ".json":
        report = _solve_json(args.file, args.time_limit, args.seed)
    else:
        report = _solve_solomon(args.file, args.time_limit, args.seed)
    report["time_s"] = round(time.monotonic() - began, 3)
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


def _solve_solomon(path: Path, limit: float, seed: int) -> dict[str, Any]:
    inst = read_solomon(path)
    plan = solve(solomon_problem(inst), time_limit_s=limit, seed=seed)
    routes = solomon_routes(plan)
    return {
        "instance": inst.name,
        "routes": routes,
        "cost": solomon_cost(inst, routes),
        "violations": solomon_violations(inst, routes),
        **_common(plan),
    }


def _solve_json(path: Path, limit: float, seed: int) -> dict[str, Any]:
    plan = solve(problem_from_json(path.read_text()), time_limit_s=limit, seed=seed)
    routes = [[s.stop_id for s in r.stops] for r in plan.routes if r.stops]
    return {"routes": routes, "cost": plan.distance_m, **_common(plan)}


def _common(plan: RoutePlan) -> dict[str, Any]:
    return {
        "vehicles": sum(1 for r in plan.routes if r.stops),
        "solve_time_s": plan.solve_time_s,
        "first_feasible_s": plan.first_complete_s,
        "first_solution_s": plan.first_solution_s,
        "strategy": plan.strategy,
        "dropped": [{"stop": d.stop_id, "reason": d.reason} for d in plan.dropped],
    }


if __name__ == "__main__":
    sys.exit(main())
