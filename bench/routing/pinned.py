"""Run one solver in a child process pinned to given cores; medians over seeds."""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Run:
    """One solver on one instance with one seed, as the benchmark checked it."""

    solver: str
    seed: int
    cost: float
    vehicles: int
    planned: int
    first: float | None
    took: float
    errors: list[str]
    cores: str


def run_pinned(
    fn: Callable[..., Any], args: tuple, cores: set[int] | None
) -> tuple[Any, float, str]:
    """``fn(*args)`` in a forked child restricted to ``cores`` (None: all).

    The child is not a daemon, so a solver may start processes of its own; they
    inherit its affinity. Returns the result, the wall time and the cores used.
    """
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(fn, args, cores, child))
    process.start()
    child.close()
    result, took, used = parent.recv()
    process.join()
    return result, took, used


def _child(fn: Callable[..., Any], args: tuple, cores: set[int] | None, out) -> None:  # noqa: ANN001
    if cores is not None:
        os.sched_setaffinity(0, cores)
    used = ",".join(map(str, sorted(os.sched_getaffinity(0))))
    began = time.monotonic()
    result = fn(*args)
    out.send((result, time.monotonic() - began, used))
    out.close()


def medians(runs: list[Run]) -> dict[str, float]:
    """Median cost, vehicles, planned stops and wall time of ``runs``."""
    return {
        "cost": statistics.median(r.cost for r in runs),
        "vehicles": statistics.median(r.vehicles for r in runs),
        "planned": statistics.median(r.planned for r in runs),
        "took": statistics.median(r.took for r in runs),
    }


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as text."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
