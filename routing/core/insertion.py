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

    def __post_init__(self) -> None:
        if not self.neighbours and self.fleet:
            n = len(self.demand)
            cost = np.asarray(self.fleet[0].cost, dtype=np.int64)[:n, :n]
            order = np.argsort(cost, axis=1, kind="stable")
            for i in range(n):
                row = order[i]
                self.neighbours.append(row[row != i].tolist())


class State:
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

    def copy(self) -> State:
        """An independent copy."""
        other = object.__new__(State)
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
            cost, time = f.cost, f.time
            time_row, cost_row = time[u], cost[u]
            path = [f.start_node, *route, f.end_node]
            extra = 0 if route else f.fixed_cost
            for p in sorted(positions):
                prev, nxt = path[p], path[p + 1]
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
