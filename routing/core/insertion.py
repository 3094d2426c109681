"""Routes with their time slack, and cheapest feasible insertion into them.

The plain-array side of ruin and recreate (routing/core/ruin_recreate.py): stops
``0..n-1`` of the OR-Tools model, depots after them, the same node matrices.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
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
    # For each stop w, the stops that have w among their GRANULAR nearest.
    near_of: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.neighbours and self.fleet:
            n = len(self.demand)
            cost = np.asarray(self.fleet[0].cost, dtype=np.int64)[:n, :n]
            order = np.argsort(cost, axis=1, kind="stable")
            for i in range(n):
                row = order[i]
                self.neighbours.append(row[row != i].tolist())
        if not self.near_of:
            self.near_of.extend([] for _ in self.demand)
            for u, near in enumerate(self.neighbours):
                for w in near[:GRANULAR]:
                    self.near_of[w].append(u)


class State:
    """Routes with earliest and latest service starts along each."""

    def __init__(self, inst: Instance, routes: Routes) -> None:
        self.inst = inst
        self.routes = [list(r) for r in routes]
        self.ready: list[list[int]] = [[] for _ in routes]
        self.latest: list[list[int]] = [[] for _ in routes]
        self.load = [0] * len(routes)
        self.route_cost = [0] * len(routes)  # arcs and fixed cost, per route
        self.where = [-1] * len(inst.demand)  # vehicle of each stop, -1 if out
        self.pos = [0] * len(inst.demand)  # its position on that route
        for v in range(len(routes)):
            self.refresh(v)
        served = {i for r in self.routes for i in r}
        self.unserved = [i for i in range(len(inst.demand)) if i not in served]

    def copy(self) -> State:
        """An independent copy."""
        other = object.__new__(State)
        other.inst, other.load = self.inst, list(self.load)
        other.routes = [list(r) for r in self.routes]
        other.ready = [list(r) for r in self.ready]
        other.latest = [list(r) for r in self.latest]
        other.route_cost = list(self.route_cost)
        other.unserved = list(self.unserved)
        other.where, other.pos = list(self.where), list(self.pos)
        return other

    def refresh(self, v: int) -> None:
        """Recompute the times, load and cost of route ``v``: [start, stops..., end]."""
        inst, f = self.inst, self.inst.fleet[v]
        path = [f.start_node, *self.routes[v], f.end_node]
        time, cost, window_start = f.time, f.cost, inst.window_start
        ready, t, arcs = [f.depart_s], f.depart_s, 0
        for a, b in zip(path, path[1:], strict=False):
            t = max(t + time[a][b], window_start[b])
            ready.append(t)
            arcs += cost[a][b]
        latest, t = [0] * len(path), f.latest_end_s
        latest[-1] = t
        for k in range(len(path) - 2, -1, -1):
            node = path[k]
            t = t - time[node][path[k + 1]]
            if k:
                t = min(t, inst.window_end[node])
            latest[k] = t
        self.ready[v], self.latest[v] = ready, latest
        self.load[v] = sum(inst.demand[i] for i in self.routes[v])
        self.route_cost[v] = arcs + f.fixed_cost if self.routes[v] else 0
        where, pos = self.where, self.pos
        for k, i in enumerate(self.routes[v]):
            where[i] = v
            pos[i] = k

    def cost(self) -> int:
        """Arc costs, fixed costs and drop penalties."""
        penalty = self.inst.penalty
        return sum(self.route_cost) + sum(penalty[i] for i in self.unserved)

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

    def candidates(self, u: int) -> list[tuple[int, int]]:
        """(vehicle, position) pairs worth trying for ``u``, possibly repeated.

        A granular neighbourhood (Toth and Vigo 2003): the insertion is tried before
        and after each of the ``GRANULAR`` stops nearest to ``u`` that are on a
        route, and first and last on every route (the arcs from and to the depot
        are long here, so a stop on the way out or back is cheap to serve there).
        """
        where, pos, routes = self.where, self.pos, self.routes
        out: list[tuple[int, int]] = []
        for w in self.inst.neighbours[u][:GRANULAR]:
            v = where[w]
            if v >= 0:
                p = pos[w]
                out += ((v, p), (v, p + 1))
        for v, route in enumerate(routes):
            out += ((v, 0), (v, len(route)))
        return out

    def on_route(self, u: int, v: int) -> list[tuple[int, int]]:
        """The pairs of ``candidates(u)`` on route ``v`` alone."""
        where, pos = self.where, self.pos
        out = [(v, 0), (v, len(self.routes[v]))]
        for w in self.inst.neighbours[u][:GRANULAR]:
            if where[w] == v:
                p = pos[w]
                out += ((v, p), (v, p + 1))
        return out

    def route_bests(
        self, u: int, pairs: list[tuple[int, int]], rng: random.Random
    ) -> dict[int, tuple[int, int]]:
        """Per vehicle among ``pairs``, (cost delta, position) of the cheapest
        feasible insertion of ``u``; vehicles where it fits nowhere are left out."""
        inst = self.inst
        demand, ws, we = inst.demand[u], inst.window_start[u], inst.window_end[u]
        fleet, routes, load = inst.fleet, self.routes, self.load
        ready, latest = self.ready, self.latest
        bests: dict[int, tuple[int, int]] = {}
        seen = set()
        for v, p in pairs:
            key = v * 100_000 + p
            if key in seen:
                continue
            seen.add(key)
            f = fleet[v]
            if load[v] + demand > f.capacity:
                continue
            route, time, cost = routes[v], f.time, f.cost
            prev = route[p - 1] if p else f.start_node
            nxt = route[p] if p < len(route) else f.end_node
            begin = ready[v][p] + time[prev][u]
            if begin < ws:
                begin = ws
            if begin > we or begin + time[u][nxt] > latest[v][p + 1]:
                continue
            delta = cost[prev][u] + cost[u][nxt] - cost[prev][nxt]
            if not route:
                delta += f.fixed_cost
            # Blinks (SISR): skip 1% of improving positions at random.
            if (
                (v not in bests or delta < bests[v][0])
                and rng.random() >= 0.01
                and self._fits_span(v, route, p, u)
            ):
                bests[v] = (delta, p)
        return bests

    def best_insertion(self, u: int, rng: random.Random) -> tuple[int, int, int]:
        """(cost delta, vehicle, position) of the cheapest insertion of ``u``."""
        bests = self.route_bests(u, self.candidates(u), rng)
        if not bests:
            return (0, -1, -1)
        v = min(bests, key=lambda k: bests[k][0])
        return (bests[v][0], v, bests[v][1])

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
            self._put(u, v, p)
        self.unserved = left

    def insert_regret(self, pending: list[int], rng: random.Random) -> None:
        """Insert ``pending`` largest regret first; what fits nowhere stays out.

        Regret-2 (Potvin and Rousseau 1993): the stop whose cheapest route beats its
        second cheapest by the most goes first, and a stop that fits on one route
        only goes before any that fits on two. On days where not every stop fits,
        this serves the stops with few options before others take their room.
        ``pending`` must not be in ``unserved``; what stays out is added to it.
        """
        options = {u: self.route_bests(u, self.candidates(u), rng) for u in pending}
        while options:
            u = max(options, key=lambda k: _regret(options[k]))
            bests = options.pop(u)
            if not bests:
                # No stop left fits anywhere (fits only shrink as stops go in).
                self.unserved += [u, *options]
                return
            v = min(bests, key=lambda k: bests[k][0])
            self._put(u, v, bests[v][1])
            for w, other in options.items():
                other.pop(v, None)
                other.update(self.route_bests(w, self.on_route(w, v), rng))

    def _put(self, u: int, v: int, p: int) -> None:
        self.routes[v].insert(p, u)
        self.refresh(v)


def _regret(bests: dict[int, tuple[int, int]]) -> tuple[float, float]:
    """(regret, minus the cheapest cost): larger is more urgent; none fits: least."""
    if not bests:
        return (-math.inf, 0.0)
    first = second = math.inf
    for delta, _ in bests.values():
        if delta < first:
            first, second = delta, first
        elif delta < second:
            second = delta
    return (second - first, -first)
