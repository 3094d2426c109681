"""Readers and writers of routing problems: Solomon/Homberger text and our JSON."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.core.problem import PlanningProblem, RoutePlan, Stop, Vehicle

_EPS = 1e-6


@dataclass(frozen=True)
class SolomonInstance:
    """A Solomon or Gehring-Homberger VRPTW instance; row 0 is the depot.

    Parameters
    ----------
    name : str
        First line of the file.
    fleet : int
        Number of vehicles available.
    capacity : int
        Capacity of every vehicle.
    numbers : tuple of int
        Customer numbers as in the file (0 is the depot).
    x, y : tuple of float
        Coordinates.
    demand, ready, due, service : tuple of float
        Demand, window and service time of each row.
    """

    name: str
    fleet: int
    capacity: int
    numbers: tuple[int, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]
    demand: tuple[int, ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]

    def distance(self, a: int, b: int) -> float:
        """Exact Euclidean distance between rows a and b."""
        return math.hypot(self.x[a] - self.x[b], self.y[a] - self.y[b])


def read_solomon(path: str | Path) -> SolomonInstance:
    """Read a Solomon or Homberger text file."""
    lines = [line.split() for line in Path(path).read_text().splitlines()]
    name = lines[0][0] if lines and lines[0] else Path(path).stem
    at = next(i for i, f in enumerate(lines) if f and f[0].upper() == "VEHICLE")
    fleet_row = next(f for f in lines[at + 1 :] if f and f[0].isdigit())
    rows = [
        [float(v) for v in f] for f in lines[at + 2 :] if len(f) == 7 and f[0].isdigit()
    ]
    columns = list(zip(*rows, strict=True))
    return SolomonInstance(
        name=name,
        fleet=int(fleet_row[0]),
        capacity=int(fleet_row[1]),
        numbers=tuple(int(v) for v in columns[0]),
        x=columns[1],
        y=columns[2],
        demand=tuple(int(v) for v in columns[3]),
        ready=columns[4],
        due=columns[5],
        service=columns[6],
    )


def solomon_problem(
    inst: SolomonInstance, *, scale: int = 1000, fleet: int | None = None
) -> PlanningProblem:
    """Integer problem of ``inst``: distances and times times ``scale``.

    Travel times are rounded up, so a plan feasible in integers is feasible with
    exact times; distances are rounded to nearest for the objective.
    """
    n = len(inst.numbers)
    exact = [[inst.distance(a, b) * scale for b in range(n)] for a in range(n)]
    distance = tuple(tuple(round(d) for d in row) for row in exact)
    duration = tuple(tuple(math.ceil(d - _EPS) for d in row) for row in exact)
    stops = tuple(
        Stop(
            stop_id=str(inst.numbers[i]),
            location=i,
            demand=inst.demand[i],
            service_s=math.ceil(inst.service[i] * scale - _EPS),
            window_start_s=math.ceil(inst.ready[i] * scale - _EPS),
            window_end_s=math.floor(inst.due[i] * scale + _EPS),
        )
        for i in range(1, n)
    )
    shift = (round(inst.ready[0] * scale), math.floor(inst.due[0] * scale + _EPS))
    vehicles = tuple(
        Vehicle(f"v{k + 1}", 0, 0, shift[0], shift[1], inst.capacity)
        for k in range(fleet or inst.fleet)
    )
    return PlanningProblem(stops, vehicles, distance, duration, "distance")


def solomon_routes(plan: RoutePlan) -> list[list[int]]:
    """Non-empty routes of a plan as customer numbers."""
    return [[int(s.stop_id) for s in r.stops] for r in plan.routes if r.stops]


def solomon_cost(inst: SolomonInstance, routes: Sequence[Sequence[int]]) -> float:
    """Exact Euclidean length of routes given as customer numbers."""
    row = {number: i for i, number in enumerate(inst.numbers)}
    total = 0.0
    for route in routes:
        path = [0, *(row[c] for c in route), 0]
        total += sum(inst.distance(a, b) for a, b in zip(path, path[1:], strict=False))
    return total


def solomon_violations(
    inst: SolomonInstance, routes: Sequence[Sequence[int]]
) -> list[str]:
    """Broken rules of routes with exact times: visits, capacity, windows, fleet."""
    row = {number: i for i, number in enumerate(inst.numbers)}
    seen = [c for route in routes for c in route]
    errors = []
    if sorted(seen) != sorted(inst.numbers[1:]):
        errors.append("customers not visited exactly once")
    if len(routes) > inst.fleet:
        errors.append(f"{len(routes)} routes for a fleet of {inst.fleet}")
    for k, route in enumerate(routes):
        if sum(inst.demand[row[c]] for c in route) > inst.capacity:
            errors.append(f"route {k}: over capacity")
        errors += [f"route {k}: {e}" for e in _late(inst, [row[c] for c in route])]
    return errors


def _late(inst: SolomonInstance, path: Sequence[int]) -> list[str]:
    t, at, errors = inst.ready[0], 0, []
    for i in [*path, 0]:
        t = max(t + inst.service[at] + inst.distance(at, i), inst.ready[i])
        if t > inst.due[i] + _EPS:
            errors.append(f"customer {inst.numbers[i]} late by {t - inst.due[i]:.4f}")
        at = i
    return errors


def problem_to_json(problem: PlanningProblem) -> str:
    """Our JSON format: the dataclass fields as they are."""
    return json.dumps(dataclasses.asdict(problem), separators=(",", ":"))


def problem_from_json(text: str) -> PlanningProblem:
    """Read our JSON format back."""
    data: dict[str, Any] = json.loads(text)
    vehicles = []
    for v in data["vehicles"]:
        v = {**v, "locked_stop_ids": tuple(v.get("locked_stop_ids", ()))}
        if v.get("duration_s") is not None:
            v["duration_s"] = _matrix(v["duration_s"])
        vehicles.append(Vehicle(**v))
    return PlanningProblem(
        stops=tuple(Stop(**s) for s in data["stops"]),
        vehicles=tuple(vehicles),
        distance_m=_matrix(data["distance_m"]),
        duration_s=_matrix(data["duration_s"]),
        objective=data.get("objective", "distance"),
    )


def plan_to_json(plan: RoutePlan) -> str:
    """A plan as JSON."""
    return json.dumps(dataclasses.asdict(plan), indent=1)


def _matrix(rows: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(v) for v in row) for row in rows)
