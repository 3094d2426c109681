"""Running the search configurations: in parallel processes, or here on one core."""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import queue
import time
from collections.abc import Callable, Sequence
from typing import Any

from routing.core.ortools_model import CONFIGS, SISR_MIN_STOPS, Search
from routing.core.plan_reading import Outcome
from routing.core.preparation import Model
from routing.core.ruin_recreate import Settings, improve

ProgressCallback = Callable[[float, "int | None"], None]


def _worker(model: Model, k: int, deadline: float, channel: Any) -> None:
    """Process entry point: one configuration, results over ``channel``."""
    try:
        outcome = _run_config(
            model, k, deadline, lambda cost: channel.put(("cost", k, cost))
        )
        channel.put(("done", k, outcome))
    except Exception as error:  # noqa: BLE001 - reported to the parent
        channel.put(("done", k, None))
        raise error


def cores_free() -> int:
    """How many cores this process may run on (its affinity, e.g. under taskset)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def search_context() -> Any:
    """Processes start from a fork server that imported this module, not by forking
    the caller: a caller with threads (a web server, a test runner) may hold a lock
    at the moment of a fork, which its child then waits on for ever."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def start_search_server() -> None:
    """Start the fork server now, so that the first search does not wait for it."""
    search_context()
    multiprocessing.forkserver.ensure_running()


def search_all(
    model: Model,
    deadline: float,
    began: float,
    budget_s: float,
    on_progress: ProgressCallback | None,
) -> tuple[Outcome | None, tuple[int, int]]:
    """The best outcome, and how many configurations and processes searched."""
    if not model.free:
        return None, (0, 0)
    configs = list(range(len(CONFIGS)))
    if cores_free() < 2:
        # Two searches on one core would each get half of it: the one search gets
        # it all (measured on the Sijunjung days, bench/routing/README.md).
        alone = _search_here(model, configs[0], deadline, began, budget_s, on_progress)
        return alone, (1, 0)
    try:
        found = _search_processes(
            model, configs, deadline, began, budget_s, on_progress
        )
    except (AssertionError, OSError):
        # Daemonic workers (e.g. Celery's prefork pool) may not start processes;
        # the plan records that only one configuration ran.
        alone = _search_here(model, configs[0], deadline, began, budget_s, on_progress)
        return alone, (1, 0)
    return found, (len(configs), len(configs))


def _search_here(
    model: Model,
    k: int,
    deadline: float,
    began: float,
    budget_s: float,
    on_progress: ProgressCallback | None,
) -> Outcome | None:
    def report(cost: int) -> None:
        if on_progress is not None:
            on_progress(min(1.0, (time.monotonic() - began) / budget_s), cost)

    return _run_config(model, k, deadline, report)


def _run_config(
    model: Model, k: int, deadline: float, report: Callable[[int], None]
) -> Outcome | None:
    """Configuration ``k``: ruin and recreate first if it has a share, then GLS."""
    config, began = CONFIGS[k], time.monotonic()
    search = Search(model)
    # GLS alone settles tiny problems at once, with OR-Tools' tie-breaks.
    if config.sisr_share <= 0 or len(model.free) < SISR_MIN_STOPS:
        return search.run(config, deadline, report)
    found: dict[str, float] = {}
    total = len(model.free)

    def on_best(cost: int, routes: list[list[int]]) -> None:
        now = time.monotonic() - began
        found.setdefault("first", now)
        if "complete" not in found and sum(map(len, routes)) == total:
            found["complete"] = now
        report(cost)

    routes = improve(
        search.lns_instance(),
        [[] for _ in model.starts],
        deadline=began + config.sisr_share * (deadline - began),
        seed=2 * model.seed + k,
        on_best=on_best,
        settings=Settings(start_temperature=config.sisr_temperature),
    )
    return search.run(config, deadline, report, routes, found)


def _search_processes(
    model: Model,
    configs: Sequence[int],
    deadline: float,
    began: float,
    budget_s: float,
    on_progress: ProgressCallback | None,
) -> Outcome | None:
    context = search_context()
    channel = context.Queue()
    workers = [
        context.Process(target=_worker, args=(model, k, deadline, channel), daemon=True)
        for k in configs
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = _collect(
            channel, len(workers), deadline, began, budget_s, on_progress
        )
    finally:
        for worker in workers:
            worker.join(timeout=1)
            if worker.is_alive():
                worker.kill()
    found = [o for o in outcomes if o is not None]
    # Ties go to the first configuration, so equal runs give equal plans.
    return min(found, key=lambda o: o.objective) if found else None


def _collect(
    channel: Any,
    count: int,
    deadline: float,
    began: float,
    budget_s: float,
    on_progress: ProgressCallback | None,
) -> list[Outcome | None]:
    outcomes: dict[int, Outcome | None] = {}
    best: int | None = None
    # A large model may take a while to build and read back after the deadline.
    give_up = deadline + max(3.0, 0.2 * budget_s)
    while len(outcomes) < count and time.monotonic() < give_up:
        try:
            kind, k, value = channel.get(timeout=0.2)
        except queue.Empty:
            kind, k, value = "tick", -1, None
        if kind == "done":
            outcomes[k] = value
        elif kind == "cost" and (best is None or value < best):
            best = value
        if on_progress is not None and kind != "done":
            # Also without a better plan: the caller's heartbeat rides on these calls.
            on_progress(min(1.0, (time.monotonic() - began) / budget_s), best)
    return [outcomes[k] for k in sorted(outcomes)]
