"""The planning horizon: which working day each queued delivery will likely get.

A plan's own day is the day planner's answer (routing/services.py). The forecast takes
what that day leaves, and solves the next working days in sequence with the same
solver at a short budget per day, the deliveries with fewer days left before their
collection deadline weighing more. What no day takes is either beyond the horizon
(its deadline is later) or at risk, with the reason (routing/core/horizon.py). The
forecast is stored with the plan (PlanForecast) and made again with every plan.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from django.conf import settings

from delivery import selectors as delivery_selectors
from delivery.models import Delivery, Office, Status
from delivery.workdays import is_working_day, next_working_day
from routing.core import horizon, solver
from routing.models import PlanForecast, RoutePlan
from routing.problem_builder import build_problem

logger = logging.getLogger(__name__)
MAX_DAYS = 10
# Reasons that waiting past the horizon does not cure: at risk whatever the deadline.
NEVER = ("deadline_passed", "too_far", "no_location")


def horizon_days(start: date, count: int) -> list[date]:
    """`count` days: the plan's day (working or not), then the next working days."""
    days = [start]
    while len(days) < count:
        days.append(next_working_day(days[-1]))
    return days


@dataclass
class _State:
    """What the forecast knows so far: the days given, and each day's drop reasons."""

    days: list[date]
    open: dict[int, Delivery]
    placed: dict[int, tuple[date, int]] = field(default_factory=dict)
    drops: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    courier_days: int = 0


def forecast_compute(
    *,
    office: Office,
    days: list[date],
    deliveries: list[Delivery],
    first_day: dict[int, int] | None = None,
    first_day_drops: dict[int, str] | None = None,
    day_budget_s: float = 2.0,
) -> dict:
    """Give each delivery a day of `days`, or the reason it misses its deadline.

    `first_day` (delivery id -> courier id) is the plan's own answer for `days[0]`,
    with `first_day_drops` the reasons of what it left out; without it the first day
    is solved like the others.
    """
    state = _State(days=days, open={d.pk: d for d in deliveries})
    couriers = list(delivery_selectors.couriers_available(office_id=office.pk))
    todo = days
    if first_day is not None:
        _take_first_day(state, first_day, first_day_drops or {})
        todo = days[1:]
    for day in todo:
        _solve_day(state, office, day, couriers, day_budget_s)
    return _result(state)


def _take_first_day(state: _State, placed: dict[int, int], drops: dict[int, str]):
    for delivery_id, courier_id in placed.items():
        state.placed[delivery_id] = (state.days[0], courier_id)
        state.open.pop(delivery_id, None)
    for delivery_id, reason in drops.items():
        state.drops[delivery_id].append(reason)
    state.courier_days += len(set(placed.values()))


def _eligible(delivery: Delivery, day: date) -> bool:
    if delivery.lat is None or delivery.lon is None:
        return False
    for later in (delivery.requested_date, delivery.not_before):
        if later and later > day:
            return False
    return day <= delivery.document.collection_deadline


def _solve_day(state, office, day, couriers, budget_s: float) -> None:
    free = [d for d in state.open.values() if _eligible(d, day)]
    if not free or not couriers:
        for delivery in free:
            state.drops[delivery.pk].append("no_vehicle")
        return
    built = build_problem(office=office, on_date=day, couriers=couriers, free=free)
    by_id = {d.pk: d for d in free}
    stops = tuple(
        _weighted(
            stop,
            [by_id[pk] for pk in built.stop_deliveries[stop.stop_id]],
            state.days,
            day,
        )  # fmt: skip
        for stop in built.problem.stops
    )
    solved = solver.solve(replace(built.problem, stops=stops), time_limit_s=budget_s)
    for route in solved.routes:
        courier = built.couriers[route.vehicle_id]
        if route.stops:
            state.courier_days += 1
        for visit in route.stops:
            for pk in built.stop_deliveries[visit.stop_id]:
                state.placed[pk] = (day, courier.pk)
                state.open.pop(pk, None)
    for dropped in solved.dropped:
        for pk in built.stop_deliveries[dropped.stop_id]:
            state.drops[pk].append(dropped.reason)


def _weighted(stop, group: list[Delivery], days: list[date], day: date):
    weight = sum(
        horizon.urgency_priority(
            base=1 + 2 * d.priority,
            days=days,
            today=day,
            deadline=d.document.collection_deadline,
        )
        for d in group
    )
    return replace(stop, priority=weight)


def _result(state: _State) -> dict:
    start, end = state.days[0], state.days[-1]
    per_day: dict[date, Counter] = {day: Counter() for day in state.days}
    items = []
    for pk, (day, courier_id) in state.placed.items():
        per_day[day][courier_id] += 1
        items.append(_item(pk, day.isoformat(), courier_id, "", later=False))
    short = later = 0
    for pk, delivery in state.open.items():
        deadline = delivery.document.collection_deadline
        reason = horizon.risk_reason(
            deadline=deadline,
            start=start,
            has_location=delivery.lat is not None and delivery.lon is not None,
            drop_reasons=state.drops.get(pk, []),
        )
        # Out of reach every day: no later day will serve it either.
        at_risk = deadline <= end or reason in NEVER
        short += int(at_risk and reason == "capacity")
        later += int(not at_risk)
        items.append(_item(pk, None, None, reason if at_risk else "", not at_risk))
    return {
        "days": [
            {
                "date": day.isoformat(),
                "working": is_working_day(day),
                "couriers": {str(c): n for c, n in sorted(per_day[day].items())},
                "total": sum(per_day[day].values()),
            }  # fmt: skip
            for day in state.days
        ],
        "items": sorted(items, key=lambda i: i["delivery_id"]),
        "summary": {
            "planned": len(state.placed),
            "at_risk": sum(1 for i in items if i["risk"]),
            "later": later,
            "courier_days_needed": horizon.courier_days_needed(
                short=short, served=len(state.placed), courier_days=state.courier_days
            ),
        },
    }


def _item(pk: int, day, courier_id, risk: str, later: bool) -> dict:
    return {"delivery_id": pk, "day": day, "courier_id": courier_id, "risk": risk,
            "later": later}  # fmt: skip


def route_plan_forecast(*, plan: RoutePlan) -> PlanForecast | None:
    """Forecast the plan's horizon from its own day's answer (None: none asked)."""
    count = min(int(plan.parameters.get("horizon_days", 1) or 1), MAX_DAYS)
    if count <= 1:
        return None
    days = horizon_days(plan.date, count)
    limit = float(plan.parameters.get("time_limit_s", 10))
    budget = max(1.0, min(settings.PLAN_HORIZON_DAY_BUDGET_S, limit / (count - 1)))
    items = plan.items.values_list("delivery_id", "stop__route__courier_id",
                                   "dropped_reason")  # fmt: skip
    first = {pk: courier for pk, courier, reason in items if courier is not None}
    drops = {pk: reason for pk, courier, reason in items if courier is None}
    queued = Delivery.objects.filter(office=plan.office, status=Status.QUEUED)
    queued = queued.exclude(pk__in=first).select_related("document").order_by("id")
    forecast, _ = PlanForecast.objects.update_or_create(
        plan=plan, defaults={"days": count, "result": {}, "error": ""}
    )
    try:
        result = forecast_compute(
            office=plan.office,
            days=days,
            deliveries=list(queued),
            first_day=first,
            first_day_drops=drops,
            day_budget_s=budget,
        )
    except Exception as exc:  # the plan stands without its forecast
        logger.exception("forecast failed for plan %s", plan.pk)
        forecast.error = str(exc)[:2000]
    else:
        forecast.result = {**result, "day_budget_s": budget}
    forecast.save()
    return forecast
