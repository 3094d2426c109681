"""The planning horizon's arithmetic: urgency by deadline, why a delivery is at risk.

Plain data, no Django. The Django side (routing/horizon.py) solves the working days in
sequence with the day planner; these functions weigh each stop by how many of the
horizon's days are left before its deadline, and name, for a delivery no day could
take, the reason and what would save it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Literal

RiskReason = Literal[
    "deadline_passed", "no_location", "requested_late", "too_far", "time_window",
    "capacity",
]  # fmt: skip
# How much one lost chance (a horizon day the deadline no longer allows) weighs in
# the drop penalty, next to the delivery's own priority (0-2, weight 2).
URGENCY_WEIGHT = 5


def days_left(days: Sequence[date], today: date, deadline: date) -> int:
    """The horizon's working days from `today` up to and including the deadline."""
    return sum(1 for day in days if today <= day <= deadline)


def urgency_priority(
    *, base: int, days: Sequence[date], today: date, deadline: date
) -> int:
    """Drop-penalty weight on `today`: the fewer chances left, the higher.

    A delivery whose deadline is today (one chance left) weighs most; one whose
    deadline lies beyond the horizon has chances after it and weighs only its own
    `base` priority.
    """
    remaining = [day for day in days if day >= today]
    if not remaining or deadline > remaining[-1]:
        return base
    lost = len(remaining) - days_left(remaining, today, deadline)
    return base + URGENCY_WEIGHT * (lost + 1)


def risk_reason(
    *,
    deadline: date,
    start: date,
    has_location: bool,
    drop_reasons: Sequence[str],
) -> RiskReason:
    """Why a delivery got no day of the horizon, from the day planner's drop reasons.

    ``too_far`` when every day found it out of reach within a shift (a courier based
    nearer would save it); ``time_window`` when only the applicant's window was in
    the way; otherwise ``capacity`` (more courier-days would save it).
    """
    if deadline < start:
        return "deadline_passed"
    if not has_location:
        return "no_location"
    if not drop_reasons:
        return "requested_late"  # the applicant's day lies after the deadline
    if all(r == "not_reachable_in_time" for r in drop_reasons):
        return "too_far"
    if all(r == "time_window" for r in drop_reasons):
        return "time_window"
    return "capacity"


def courier_days_needed(*, short: int, served: int, courier_days: int) -> int:
    """Courier-days more that would serve `short` deliveries at today's pace.

    The pace is the deliveries served per courier-day over the horizon; with nothing
    served yet, one courier-day per delivery is the honest upper bound.
    """
    if short <= 0:
        return 0
    if served <= 0 or courier_days <= 0:
        return short
    return math.ceil(short / (served / courier_days))
