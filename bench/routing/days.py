"""Realistic Sijunjung delivery days from the gazetteer (seeded)."""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

from routing.core.problem import PlanningProblem, Stop, Vehicle

# The gazetteer the service itself ships (delivery/data), so the days need no download.
DATA = Path(__file__).resolve().parents[2] / "delivery" / "data"
DEPOT = (-0.6645, 100.9420)  # Muaro Sijunjung office, approximate
ROAD_FACTOR = 1.4
SPEED_MPS = 30 / 3.6  # motorbike
SHIFT = (8 * 3600, 16 * 3600)


@dataclass(frozen=True)
class DaySpec:
    """Size of one generated day."""

    name: str
    deliveries: int
    couriers: int
    capacity: int
    seed: int


DAYS = {
    "day60": DaySpec("day60", 60, 3, 30, 1),
    "day150": DaySpec("day150", 150, 6, 30, 2),
    "day250": DaySpec("day250", 250, 9, 40, 5),
    "day400": DaySpec("day400", 400, 12, 40, 3),
    "day1000": DaySpec("day1000", 1000, 30, 40, 6),
    # 150 deliveries for 6 motorbikes of 20 passports: some must wait for tomorrow.
    "overloaded150": DaySpec("overloaded150", 150, 6, 20, 4),
}


def villages() -> list[tuple[float, float, float]]:
    """(lat, lon, weight) of each village; QC interior points where given."""
    qc = {}
    with (DATA / "sijunjung_gazetteer_qc.csv").open() as f:
        for row in csv.DictReader(f):
            if row["interior_lat"]:
                qc[row["code"]] = (
                    float(row["interior_lat"]),
                    float(row["interior_lon"]),
                )
    out = []
    with (DATA / "sijunjung_gazetteer.csv").open() as f:
        for row in csv.DictReader(f):
            if row["level"] == "village":
                lat, lon = qc.get(row["code"], (float(row["lat"]), float(row["lon"])))
                out.append((lat, lon, float(row["population"] or 2000)))
    return out


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres on a 6,371 km sphere."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2
    h += math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def make_day(spec: DaySpec) -> PlanningProblem:
    """A seeded day: deliveries around villages, 30% with 2-hour windows."""
    rng = random.Random(spec.seed)
    places = villages()
    chosen = rng.choices(places, weights=[w for *_, w in places], k=spec.deliveries)
    # About 1 km of scatter around the village point.
    points = [DEPOT] + [
        (lat + rng.uniform(-0.008, 0.008), lon + rng.uniform(-0.008, 0.008))
        for lat, lon, _ in chosen
    ]
    dist = tuple(
        tuple(round(haversine_m(a, b) * ROAD_FACTOR) for b in points) for a in points
    )
    dur = tuple(tuple(math.ceil(d / SPEED_MPS) for d in row) for row in dist)
    stops = tuple(_stop(rng, i) for i in range(1, len(points)))
    vehicles = tuple(
        Vehicle(f"moto{k + 1}", 0, 0, SHIFT[0], SHIFT[1], spec.capacity)
        for k in range(spec.couriers)
    )
    return PlanningProblem(stops, vehicles, dist, dur, "distance")


def _stop(rng: random.Random, i: int) -> Stop:
    first_visit = rng.random() < 0.3
    start = end = None
    if rng.random() < 0.3:
        start = SHIFT[0] + 1800 * rng.randrange(0, 13)  # 08:00 .. 14:00
        end = start + 7200
    return Stop(f"d{i}", i, 1, 600 if first_visit else 300, start, end)
