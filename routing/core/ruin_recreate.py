"""Ruin and recreate on plain arrays: SISR strings out, greedy best insertion back.

A simulated-annealing walk after Christiaens and Vanden Berghe (2020), "Slack
induction by string removals". It works on the search nodes of the OR-Tools model
(stops ``0..n-1``, depots after them) with the same node matrices, so its routes
can warm-start that model, which checks them again.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

NodeMatrix = Sequence[Sequence[int]]
GRANULAR = 30  # nearest stops next to which an insertion is tried
RETRY_SHARE = 0.1  # left-out stops retried at random in each iteration
Routes = list[list[int]]


@dataclass(frozen=True)
class Fleet:
    """One vehicle as the search sees it.

    Parameters
    ----------
    start_node, end_node : int
        Depot nodes.
    depart_s : int
        Earliest departure.
    flexible : bool
        Whether the departure may be later than ``depart_s``.
    latest_end_s : int
        Latest arrival at the end node.
    capacity : int
        Room left.
    max_span_s : int or None
        Longest time from departure to return.
    time : NodeMatrix
        Travel time plus service at the origin node.
    cost : NodeMatrix
        Arc cost.
    fixed_cost : int
        Cost of using the vehicle.
    """

    start_node: int
    end_node: int
    depart_s: int
    flexible: bool
    latest_end_s: int
    capacity: int
    max_span_s: int | None
    time: NodeMatrix
    cost: NodeMatrix
    fixed_cost: int


@dataclass(frozen=True)
class Instance:
    """Stops ``0..n-1`` with their data, the fleet and drop penalties.

    Parameters
    ----------
    demand, penalty : sequence of int
        Per stop; ``penalty`` is the cost of leaving the stop out.
    window_start, window_end : sequence of int
        Per node, depots included.
    fleet : sequence of Fleet
        One per vehicle.
    """

    demand: Sequence[int]
    window_start: Sequence[int]
    window_end: Sequence[int]
    penalty: Sequence[int]
    fleet: Sequence[Fleet]
    neighbours: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.neighbours and self.fleet:
            n = len(self.demand)
            cost = np.asarray(self.fleet[0].cost, dtype=np.int64)[:n, :n]
            order = np.argsort(cost, axis=1, kind="stable")
            for i in range(n):
                row = order[i]
                self.neighbours.append(row[row != i].tolist())


class _State:
    """Routes with earliest and latest service starts along each."""

    def __init__(self, inst: Instance, routes: Routes) -> None:
        self.inst = inst
        self.routes = [list(r) for r in routes]
        self.ready: list[list[int]] = [[] for _ in routes]
        self.latest: list[list[int]] = [[] for _ in routes]
        self.load = [0] * len(routes)
        self.where = [-1] * len(inst.demand)  # vehicle of each stop, -1 if out
        self.pos = [0] * len(inst.demand)  # its position on that route
        for v in range(len(routes)):
            self.refresh(v)
        served = {i for r in self.routes for i in r}
        self.unserved = [i for i in range(len(inst.demand)) if i not in served]

    def copy(self) -> _State:
        """An independent copy."""
        other = object.__new__(_State)
        other.inst, other.load = self.inst, list(self.load)
        other.routes = [list(r) for r in self.routes]
        other.ready = [list(r) for r in self.ready]
        other.latest = [list(r) for r in self.latest]
        other.unserved = list(self.unserved)
        other.where, other.pos = list(self.where), list(self.pos)
        return other

    def refresh(self, v: int) -> None:
        """Recompute the times of route ``v``: [start, stops..., end]."""
        inst, f = self.inst, self.inst.fleet[v]
        path = [f.start_node, *self.routes[v], f.end_node]
        ready, t = [f.depart_s], f.depart_s
        for a, b in zip(path, path[1:], strict=False):
            t = max(t + f.time[a][b], inst.window_start[b])
            ready.append(t)
        latest, t = [0] * len(path), f.latest_end_s
        latest[-1] = t
        for k in range(len(path) - 2, -1, -1):
            node = path[k]
            t = t - f.time[node][path[k + 1]]
            if k:
                t = min(t, inst.window_end[node])
            latest[k] = t
        self.ready[v], self.latest[v] = ready, latest
        self.load[v] = sum(inst.demand[i] for i in self.routes[v])
        where, pos = self.where, self.pos
        for k, i in enumerate(self.routes[v]):
            where[i] = v
            pos[i] = k

    def cost(self) -> int:
        """Arc costs, fixed costs and drop penalties."""
        total = sum(self.inst.penalty[i] for i in self.unserved)
        for v, route in enumerate(self.routes):
            if route:
                f = self.inst.fleet[v]
                path = [f.start_node, *route, f.end_node]
                total += f.fixed_cost
                total += sum(f.cost[a][b] for a, b in zip(path, path[1:], strict=False))
        return total

    def span_ok(self, v: int, route: Sequence[int]) -> bool:
        """Whether ``route`` fits vehicle ``v``'s longest span, leaving late."""
        inst, f = self.inst, self.inst.fleet[v]
        if f.max_span_s is None or not route:
            return True
        path = [f.start_node, *route, f.end_node]
        t = f.depart_s
        for a, b in zip(path, path[1:], strict=False):
            t = max(t + f.time[a][b], inst.window_start[b])
        end = t
        if f.flexible:
            for k in range(len(path) - 2, -1, -1):
                t = t - f.time[path[k]][path[k + 1]]
                if k:
                    t = min(t, inst.window_end[path[k]])
        else:
            t = f.depart_s
        return end - t <= f.max_span_s

    def _fits_span(self, v: int, route: list[int], p: int, u: int) -> bool:
        if self.inst.fleet[v].max_span_s is None:
            return True
        return self.span_ok(v, route[:p] + [u] + route[p:])

    def candidates(self, u: int) -> dict[int, set[int]]:
        """Positions worth trying for ``u``: next to its near neighbours, at depots.

        A granular neighbourhood (Toth and Vigo 2003): the insertion is tried before
        and after each of the ``GRANULAR`` stops nearest to ``u`` that are on a
        route, and first and last on every route.
        """
        where, pos, routes = self.where, self.pos, self.routes
        out: dict[int, set[int]] = {v: {0, len(r)} for v, r in enumerate(routes)}
        for w in self.inst.neighbours[u][:GRANULAR]:
            v = where[w]
            if v >= 0:
                out[v].update((pos[w], pos[w] + 1))
        return out

    def best_insertion(self, u: int, rng: random.Random) -> tuple[int, int, int]:
        """(cost delta, vehicle, position) of the cheapest insertion of ``u``."""
        inst = self.inst
        demand, ws, we = inst.demand[u], inst.window_start[u], inst.window_end[u]
        best, best_v, best_p = math.inf, -1, -1
        for v, positions in self.candidates(u).items():
            f = inst.fleet[v]
            if self.load[v] + demand > f.capacity:
                continue
            route, ready, latest = self.routes[v], self.ready[v], self.latest[v]
            last, cost, time = len(route), f.cost, f.time
            time_row, cost_row = time[u], cost[u]
            extra = 0 if route else f.fixed_cost
            for p in sorted(positions):
                prev = route[p - 1] if p else f.start_node
                nxt = route[p] if p < last else f.end_node
                begin = ready[p] + time[prev][u]
                if begin < ws:
                    begin = ws
                if begin > we or begin + time_row[nxt] > latest[p + 1]:
                    continue
                delta = cost[prev][u] + cost_row[nxt] - cost[prev][nxt] + extra
                # Blinks (SISR): skip 1% of improving positions at random.
                if (
                    delta < best
                    and rng.random() >= 0.01
                    and self._fits_span(v, route, p, u)
                ):
                    best, best_v, best_p = delta, v, p
        return (int(best) if best_v >= 0 else 0, best_v, best_p)

    def insert_all(self, pending: list[int], rng: random.Random) -> None:
        """Insert ``pending`` one by one where cheapest; what fits nowhere stays out.

        ``pending`` must not be in ``unserved``; what stays out is added to it.
        """
        left = self.unserved
        for u in pending:
            _, v, p = self.best_insertion(u, rng)
            if v < 0:
                left.append(u)
                continue
            self.routes[v].insert(p, u)
            self.refresh(v)
        self.unserved = left


def _ruin(
    state: _State, rng: random.Random, avg_removed: int, max_string: int
) -> list[int]:
    """Remove strings of stops near a random seed stop (SISR); returns them."""
    routes = state.routes
    served = [i for r in routes for i in r]
    if not served:
        return []
    where = {i: v for v, r in enumerate(routes) for i in r}
    sizes = [len(r) for r in routes if r]
    l_max = min(max_string, sum(sizes) / len(sizes))
    k_max = 4 * avg_removed / (1 + l_max) - 1
    k_routes = int(rng.uniform(1, k_max + 1))
    seed = rng.choice(served)
    removed: list[int] = []
    touched: set[int] = set()
    for c in [seed, *state.inst.neighbours[seed]]:
        if len(touched) >= k_routes:
            break
        v = where.get(c)
        if v is None or v in touched:
            continue
        touched.add(v)
        removed += _cut_string(routes[v], c, rng, l_max)
    for i in removed:
        state.where[i] = -1
    for v in touched:
        state.refresh(v)
    return removed


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
        Average number of stops removed per iteration.
    max_string : int
        Longest string removed from one route.
    start_temperature, end_temperature : float
        Annealing temperatures as fractions of the mean arc cost.
    """

    avg_removed: int = 10
    max_string: int = 10
    start_temperature: float = 0.5
    end_temperature: float = 0.01


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
    """Anneal from ``routes`` (unserved stops inserted first) until ``deadline``.

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
    current = _State(inst, routes)
    pending, current.unserved = current.unserved, []
    current.insert_all(_order(inst, pending, rng), rng)
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
        removed = _ruin(trial, rng, settings.avg_removed, settings.max_string)
        retry = _retried(trial, removed, rng)
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


def _retried(state: _State, removed: list[int], rng: random.Random) -> list[int]:
    """Take out of ``unserved`` the stops worth retrying now, and return them.

    Those near a removed stop (room was made next to them), and a tenth of the
    others at random: retrying every left-out stop in every iteration cost most of
    the walk's time on days where a third of the stops fit nowhere.
    """
    near = set(removed)
    neighbours, retry, keep = state.inst.neighbours, [], []
    for u in state.unserved:
        if rng.random() < RETRY_SHARE or not near.isdisjoint(neighbours[u][:GRANULAR]):
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


def _mean_arc(state: _State) -> float:
    arcs, total = 0, 0
    for v, route in enumerate(state.routes):
        if route:
            f = state.inst.fleet[v]
            path = [f.start_node, *route, f.end_node]
            arcs += len(path) - 1
            total += sum(f.cost[a][b] for a, b in zip(path, path[1:], strict=False))
    return total / arcs if arcs else 0.0
