"""Benchmark: our planner, PyVRP and VROOM on Solomon, Homberger and Sijunjung days.

.venv/bin/python -m bench.routing.run --instances day150,day250,day400 --budgets 10

Each solver runs in a child process pinned to --cores (default: core 0, the same one
for both), once per seed, the solvers interleaved; the table gives medians over seeds.

Solomon and Homberger files and bks.csv are read from --benchmarks-dir (default: the
`shared/benchmarks` folder beside this checkout); the Sijunjung days need none of them.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from bench.routing.baselines import pyvrp_solve, vroom_solve
from bench.routing.days import DAYS, make_day
from bench.routing.pinned import Run, load_average, medians, run_pinned
from routing.core.instances import (
    read_solomon,
    solomon_cost,
    solomon_problem,
    solomon_violations,
)
from routing.core.problem import PlanningProblem
from routing.core.solver import solve

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
GROUPS = {
    # Not the instances the two search configurations were tuned on.
    "solomon-subset": "C102 C107 C203 C207 R102 R107 R111 R205 R210 RC103 RC106 "
    "RC204 RC208",
    "homberger": "C1_2_1 R1_2_1 RC1_2_1 R2_2_1 R1_4_1 R1_10_1",
    "scaling": "R1_2_1 R1_4_1 R1_10_1",
    "days": "day150 day250 day400",
}


def instance_names(spec: str, benchmarks: Path) -> list[str]:
    """Names of the instances in ``spec``: names and groups, comma-separated."""
    groups = GROUPS | {
        "solomon": " ".join(
            sorted(p.stem for p in (benchmarks / "solomon").glob("*.txt"))
        )
    }
    return [n for g in spec.split(",") for n in groups.get(g, g).split()]


def best_known(benchmarks: Path) -> dict[str, float]:
    """Exact distance of the best-known solutions; distance objective preferred."""
    out: dict[str, float] = {}
    bks = benchmarks / "bks.csv"
    if not bks.exists():
        return out  # only the Sijunjung days, which have no best-known solutions
    with bks.open() as f:
        for row in csv.DictReader(f):
            if row["objective"] == "distance" or row["instance"] not in out:
                out[row["instance"]] = float(row["distance_exact"])
    return out


def load(name: str, benchmarks: Path):  # noqa: ANN201
    """(problem, exact cost and check of routes given as stop indices)."""
    if name in DAYS:
        problem = make_day(DAYS[name])
        return problem, lambda routes: check_day(problem, routes)
    folder = "solomon" if "_" not in name else "homberger"
    inst = read_solomon(benchmarks / folder / f"{name}.txt")
    problem = solomon_problem(inst)

    def check(routes: list[list[int]]) -> tuple[float, list[str]]:
        numbers = [[int(problem.stops[i].stop_id) for i in r] for r in routes if r]
        return solomon_cost(inst, numbers), solomon_violations(inst, numbers)

    return problem, check


def check_day(problem: PlanningProblem, routes: list[list[int]]):  # noqa: ANN201
    """Distance in km and broken rules, in the problem's integer units."""
    errors, total, seen = [], 0, [i for r in routes for i in r]
    if len(seen) != len(set(seen)):
        errors.append("a stop visited twice")
    for r, vehicle in zip(routes, problem.vehicles, strict=False):
        t, at, load = vehicle.shift_start_s, vehicle.start_location, 0
        for i in r:
            s = problem.stops[i]
            total += problem.distance_m[at][s.location]
            t = max(t + problem.duration_s[at][s.location], s.window_start_s or 0)
            if s.window_end_s is not None and t > s.window_end_s:
                errors.append(f"{s.stop_id} late")
            t, at, load = t + s.service_s, s.location, load + s.demand
        total += problem.distance_m[at][vehicle.end_location]
        t += problem.duration_s[at][vehicle.end_location]
        if t > vehicle.shift_end_s or load > vehicle.capacity:
            errors.append("shift or capacity exceeded")
    return total / 1000, errors


def run_ours(problem: PlanningProblem, budget: float, seed: int):  # noqa: ANN201
    plan = solve(problem, time_limit_s=budget, seed=seed)
    index = {s.stop_id: i for i, s in enumerate(problem.stops)}
    routes = [[index[s.stop_id] for s in r.stops] for r in plan.routes if r.stops]
    return routes, plan.first_complete_s or plan.first_solution_s


SOLVERS = {
    "antar": run_ours,
    "pyvrp": lambda p, b, seed: pyvrp_solve(
        p, b, optional=p.stops[0].stop_id[0] == "d", seed=seed
    ),
    "vroom": lambda p, b, seed: vroom_solve(p, b),
}
HEADER = (
    "| instance | n | budget s | solver | seeds | cost (median) | vehicles | "
    "gap to BKS % | ratio to PyVRP | planned | time s | check |"
)


def main() -> None:
    """Run the selected instances and budgets; print a markdown table of medians."""
    args = parse_args()
    names = instance_names(args.instances, args.benchmarks_dir)
    budgets = [float(b) for b in args.budgets.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    cores = None if args.cores == "all" else {int(c) for c in args.cores.split(",")}
    bks = best_known(args.benchmarks_dir)
    print(f"load average before: {load_average()}", flush=True)
    print(HEADER)
    print("|" + "---|" * 12, flush=True)
    for name in names:
        problem, check = load(name, args.benchmarks_dir)
        for budget in budgets:
            runs = run_instance(
                problem, check, budget, args.solvers.split(","), seeds, cores
            )
            print_medians(name, len(problem.stops), budget, runs, bks)
    print(f"load average after: {load_average()}", flush=True)


def parse_args() -> argparse.Namespace:
    """The command line; refuses a benchmarks folder that does not exist."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="solomon-subset,days")
    parser.add_argument("--budgets", default="10,30")
    parser.add_argument("--solvers", default="antar,pyvrp")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument(
        "--cores",
        default="0",
        help="cores each solver run is pinned to, comma-separated, or 'all' "
        "(default: %(default)s, one core each)",
    )
    parser.add_argument(
        "--benchmarks-dir",
        type=Path,
        default=BENCHMARKS,
        help="folder with solomon/, homberger/ and bks.csv (default: %(default)s)",
    )
    args = parser.parse_args()
    wants_files = any(g not in {*DAYS, "days"} for g in args.instances.split(","))
    if wants_files and not args.benchmarks_dir.is_dir():
        parser.error(f"no benchmarks folder at {args.benchmarks_dir}")
    return args


def run_instance(problem, check, budget, solvers, seeds, cores) -> list[Run]:  # noqa: ANN001
    """Each seed, each solver in turn (interleaved), in a pinned child process."""
    runs = []
    for seed in seeds:
        for solver in solvers:
            (routes, first), took, used = run_pinned(
                SOLVERS[solver], (problem, budget, seed), cores
            )
            cost, errors = check(routes)
            runs.append(
                Run(
                    solver,
                    seed,
                    cost,
                    sum(1 for r in routes if r),
                    sum(len(r) for r in routes),
                    first,
                    took,
                    errors,
                    used,
                )
            )
            print(
                f"<!-- {solver} seed {seed} cores {used}: {cost:.2f}, "
                f"{runs[-1].vehicles} routes, {runs[-1].planned} planned, "
                f"{took:.1f} s, {'ok' if not errors else errors[0]} -->",
                flush=True,
            )
    return runs


def print_medians(name, n, budget, runs, bks) -> None:  # noqa: ANN001
    """One row per solver: medians over the seeds, ratio of median costs."""
    by_solver: dict[str, list[Run]] = {}
    for run in runs:
        by_solver.setdefault(run.solver, []).append(run)
    summary = {solver: medians(rs) for solver, rs in by_solver.items()}
    base = summary.get("pyvrp", {}).get("cost")
    for solver, m in summary.items():
        gap = f"{100 * (m['cost'] / bks[name] - 1):+.2f}" if name in bks else "-"
        ratio = f"{m['cost'] / base:.4f}" if base else "-"
        errors = [e for r in by_solver[solver] for e in r.errors]
        print(
            f"| {name} | {n} | {budget:g} | {solver} | {len(by_solver[solver])} | "
            f"{m['cost']:.2f} | {m['vehicles']:g} | {gap} | {ratio} | "
            f"{m['planned']:g} | {m['took']:.1f} | "
            f"{'ok' if not errors else errors[0]} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
