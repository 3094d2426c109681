"""Readers and writers: Solomon text, exact costs and checks, our JSON."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from routing.core.instances import (
    plan_to_json,
    problem_from_json,
    problem_to_json,
    read_solomon,
    solomon_cost,
    solomon_problem,
    solomon_violations,
)
from routing.core.problem import PlanningProblem, Stop, Vehicle
from routing.core.solver import solve

R101 = Path(__file__).parent / "data" / "R101.txt"
# The best-known R101 routes (distance objective, CVRPLIB).
R101_BEST_FIRST_ROUTE = [2, 21, 73, 41, 56, 4]


def test_reads_solomon_fleet_and_customers():
    inst = read_solomon(R101)

    assert (inst.name, inst.fleet, inst.capacity) == ("R101", 25, 200)
    assert len(inst.numbers) == 101
    assert (inst.x[1], inst.y[1], inst.demand[1]) == (41, 49, 10)
    assert (inst.ready[0], inst.due[0]) == (0, 230)


def test_problem_scales_to_integers_and_rounds_travel_time_up():
    inst = read_solomon(R101)

    problem = solomon_problem(inst, scale=1000)

    assert len(problem.stops) == 100
    assert problem.vehicles[0].shift_end_s == 230_000
    exact = inst.distance(0, 1) * 1000
    assert problem.duration_s[0][1] >= exact
    assert abs(problem.distance_m[0][1] - exact) <= 0.5


def test_exact_cost_of_a_route():
    inst = read_solomon(R101)

    cost = solomon_cost(inst, [[1]])

    assert cost == pytest.approx(2 * inst.distance(0, 1))


def test_violations_name_missing_and_late_customers():
    inst = read_solomon(R101)
    everyone_in_one_route = [list(range(1, 101))]

    errors = solomon_violations(inst, everyone_in_one_route)

    assert any("over capacity" in e for e in errors)
    assert any("late" in e for e in errors)
    assert solomon_violations(inst, [R101_BEST_FIRST_ROUTE]) == [
        "customers not visited exactly once"
    ]


def test_json_round_trip_keeps_the_problem():
    problem = PlanningProblem(
        stops=(Stop("a", 1, 2, 60, 10, 500, 3),),
        vehicles=(
            Vehicle("v", 0, 0, 0, 1000, 5, 1.5, ((0, 7), (7, 0)), 900, 4, ("a",)),
        ),
        distance_m=((0, 70), (70, 0)),
        duration_s=((0, 7), (7, 0)),
        objective="duration",
    )

    assert problem_from_json(problem_to_json(problem)) == problem


def test_plan_json_lists_routes_and_dropped():
    problem = PlanningProblem(
        (Stop("a", 1),),
        (Vehicle("v", 0, 0, 0, 100, 1),),
        ((0, 5), (5, 0)),
        ((0, 5), (5, 0)),
    )

    data = json.loads(plan_to_json(solve(problem, time_limit_s=0.5)))

    assert data["routes"][0]["stops"][0]["stop_id"] == "a"
    assert data["dropped"] == []


def test_cli_solves_a_solomon_file():
    command = [sys.executable, "-m", "routing", "solve", str(R101), "--time-limit", "2"]

    result = subprocess.run(command, capture_output=True, text=True, check=True)

    report = json.loads(result.stdout)
    assert report["violations"] == []
    assert report["dropped"] == []
    assert sorted(c for r in report["routes"] for c in r) == list(range(1, 101))
    assert report["cost"] > 1642.8
