"""Ruin and recreate on plain arrays: SISR strings out, best insertion back.

A simulated-annealing walk after Christiaens and Vanden Berghe (2020), "Slack
induction by string removals". It works on the search nodes of the OR-Tools model
(stops ``0..n-1``, depots after them) with the same node matrices, so its routes
can warm-start that model, which checks them again.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from routing.core.insertion import RETRY_SHARE, Instance, Routes, State
from routing.core.insertion import Fleet as Fleet


def _ruin(
    state: State, rng: random.Random, avg_removed: int, max_string: int
) -> list[int]:
    """Remove strings of stops near a random seed stop (SISR); returns them."""
    routes, where = state.routes, state.where
    sizes = [len(r) for r in routes if r]
    if not sizes:
        return []
    l_max = min(max_string, sum(sizes) / len(sizes))
    k_max = 4 * avg_removed / (1 + l_max) - 1
    k_routes = int(rng.uniform(1, k_max + 1))
    seed = _random_served(routes, rng.randrange(sum(sizes)))
    removed: list[int] = []
    touched: set[int] = set()
    for c in [seed, *state.inst.neighbours[seed]]:
        if len(touched) >= k_routes:
            break
        v = where[c]
        if v < 0 or v in touched:
            continue
        touched.add(v)
        removed += _cut_string(routes[v], c, rng, l_max)
    for i in removed:
        state.where[i] = -1
    for v in touched:
        state.refresh(v)
    return removed


def _random_served(routes: Routes, k: int) -> int:
    """The ``k``-th served stop, counting along the routes."""
    for route in routes:
        if k < len(route):
            return route[k]
        k -= len(route)
    raise IndexError(k)


def _cut_string(
    route: list[int], c: int, rng: random.Random, l_max: float
) -> list[int]:
    """Cut a random string containing ``c`` out of ``route``."""
    length = int(rng.uniform(1, min(len(route), l_max) + 1))
    at = route.index(c)
    first = rng.randint(max(0, at - length + 1), min(at, len(route) - length))
    cut = route[first : first + length]
    del route[first : first + length]
    return cut


def _order(inst: Instance, pending: list[int], rng: random.Random) -> list[int]:
    """SISR's insertion orders: random, by demand, far first, by window."""
    how = rng.random()
    if how < 0.4:
        rng.shuffle(pending)
    elif how < 0.6:
        pending.sort(key=lambda i: -inst.demand[i])
    elif how < 0.8:
        f = inst.fleet[0]
        pending.sort(key=lambda i: -f.cost[f.start_node][i])
    else:
        pending.sort(key=lambda i: inst.window_end[i] - inst.window_start[i])
    return pending


@dataclass(frozen=True)
class Settings:
    """Knobs of the walk.

    Parameters
    ----------
    avg_removed : int
        Average number of stops removed per iteration while every stop is served.
    avg_removed_short : int
        The same while some stop is left out. Serving one more far stop there often
        takes two routes merged into one, so that a courier is free to go further:
        larger ruins find that, while SISR's ten served 1-3 stops fewer on the
        Sijunjung days (bench/routing/README.md, sixth session).
    max_string : int
        Longest string removed from one route.
    start_temperature, end_temperature : float
        Annealing temperatures as fractions of the mean arc cost.
    regret_share : float
        Share of iterations that put the removed stops back by regret-2 insertion
        while some stop is left out (the others insert greedily in one of SISR's
        orders). Regret served more stops on the Sijunjung days at equal CPU
        (bench/routing/README.md).
    """

    avg_removed: int = 10
    avg_removed_short: int = 25
    max_string: int = 10
    start_temperature: float = 0.5
    end_temperature: float = 0.01
    regret_share: float = 1.0


def improve(
    inst: Instance,
    routes: Routes,
    *,
    deadline: float,
    seed: int = 0,
    iterations: int | None = None,
    on_best: Callable[[int, Routes], None] | None = None,
    settings: Settings = Settings(),
) -> Routes:
    """Anneal from ``routes`` until ``deadline``.

    The stops not on ``routes`` go in first (``_first_plan``).

    Parameters
    ----------
    inst : Instance
        The data.
    routes : list of list of int
        Start routes per vehicle (may be empty).
    deadline : float
        ``time.monotonic()`` at which to stop.
    seed : int
        Seed of the walk; with ``iterations`` the result depends on nothing else.
    iterations : int, optional
        Fixed number of iterations; the temperature then falls per iteration.
    on_best : callable, optional
        Called with the cost and routes of each new best plan.
    settings : Settings
        Knobs.

    Returns
    -------
    list of list of int
        The best routes found, per vehicle.
    """
    rng = random.Random(seed)
    current = _first_plan(inst, routes, rng)
    best, best_cost = current.copy(), current.cost()
    if on_best is not None:
        on_best(best_cost, best.routes)
    scale = _mean_arc(current)
    hot, cold = settings.start_temperature * scale, settings.end_temperature * scale
    began, cur_cost, k = time.monotonic(), best_cost, 0
    while _going(k, iterations, deadline):
        done = _progress(k, iterations, began, deadline)
        temperature = hot * (cold / hot) ** done if hot > 0 else 0.0
        trial = current.copy()
        short = bool(current.unserved)
        removed = _ruin(trial, rng, ruin_size(settings, short), settings.max_string)
        retry = _retried(trial, removed, rng)
        # Regret where stops compete for room; once all fit, SISR's greedy orders
        # (regret made the Solomon plans, where every stop fits, longer).
        if short and rng.random() < settings.regret_share:
            trial.insert_regret(removed + retry, rng)
        else:
            trial.insert_all(_order(inst, removed + retry, rng), rng)
        cost = trial.cost()
        if cost < cur_cost - temperature * math.log(1.0 - rng.random()):
            current, cur_cost = trial, cost
            if cost < best_cost:
                best, best_cost = trial.copy(), cost
                if on_best is not None:
                    on_best(best_cost, best.routes)
        k += 1
    return best.routes


def _first_plan(inst: Instance, routes: Routes, rng: random.Random) -> State:
    """``routes`` with the other stops put in: greedily in one of SISR's orders, or,
    if that leaves some stop out, by regret insertion where it serves more.

    On the Sijunjung days greedy insertion from empty routes left far stops out
    whenever near ones took their couriers first, and the walk found its way back
    to the better plans in about half of the seeds only (bench/routing/README.md,
    sixth session). Where every stop fits (Solomon) the start is as before.
    """
    greedy = State(inst, routes)
    pending, greedy.unserved = greedy.unserved, []
    greedy.insert_all(_order(inst, list(pending), rng), rng)
    if not greedy.unserved:
        return greedy
    regret = State(inst, routes)
    regret.unserved = []
    regret.insert_regret(pending, rng)
    return regret if regret.cost() <= greedy.cost() else greedy


def ruin_size(settings: Settings, short: bool) -> int:
    """Average stops removed per iteration; ``short``: some stop is left out."""
    return settings.avg_removed_short if short else settings.avg_removed


def _retried(state: State, removed: list[int], rng: random.Random) -> list[int]:
    """Take out of ``unserved`` the stops worth retrying now, and return them.

    Those near a removed stop (room was made next to them), and a tenth of the
    others at random: retrying every left-out stop in every iteration cost most of
    the walk's time on days where a third of the stops fit nowhere.
    """
    near_of, near = state.inst.near_of, set()
    for w in removed:
        near.update(near_of[w])
    retry, keep = [], []
    for u in state.unserved:
        if rng.random() < RETRY_SHARE or u in near:
            retry.append(u)
        else:
            keep.append(u)
    state.unserved = keep
    return retry


def _going(k: int, iterations: int | None, deadline: float) -> bool:
    if iterations is not None:
        return k < iterations
    return time.monotonic() < deadline


def _progress(k: int, iterations: int | None, began: float, deadline: float) -> float:
    if iterations is not None:
        return k / max(1, iterations)
    return min(1.0, (time.monotonic() - began) / max(1e-6, deadline - began))


def _mean_arc(state: State) -> float:
    arcs, total = 0, 0
    for v, route in enumerate(state.routes):
        if route:
            f = state.inst.fleet[v]
            path = [f.start_node, *route, f.end_node]
            arcs += len(path) - 1
            total += sum(f.cost[a][b] for a, b in zip(path, path[1:], strict=False))
    return total / arcs if arcs else 0.0
