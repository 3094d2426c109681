"""The office's service figures, defined once for the console and the public page.

- On time: of the passports a courier handed over in the period with a promised
  window, the share handed over inside it. Collections at the office counter have no
  courier window and do not count.
- First-attempt success: of the deliveries whose first attempt (a courier's handover
  or failed attempt) fell in the period, the share handed over at that attempt.
- Days to delivery: the median of the days from the passport's issue to its handover
  (by a courier or at the counter), over the passports delivered in the period.
- IKM: the PermenPAN-RB 14/2017 index of the period's survey answers.

The console shows them per courier and district (`tally`); the public page per month
(`figures_for_month`), where a figure from fewer than MIN_CASES_PUBLIC cases is
withheld so that nobody can be recognised behind a number.
"""

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from delivery.models import (
    Complaint,
    Courier,
    Delivery,
    DeliveryEvent,
    Office,
    Status,
    SurveyResponse,
)
from delivery.services.satisfaction import Ikm, ikm_for_responses

ATTEMPT = Q(
    from_status=Status.OUT_FOR_DELIVERY,
    to_status__in=[Status.DELIVERED, Status.ATTEMPT_FAILED],
)
# A group of the console's tables: the courier's name, a district code, or "".
GroupKey = Callable[[Delivery, Courier | None], str]


@dataclass
class Tally:
    """The counts behind the figures, for the whole office or one group of it."""

    name: str = ""
    handed_over: int = 0  # by a courier, with a promised window
    on_time: int = 0
    first_attempts: int = 0
    first_attempt_success: int = 0
    days: list[int] = field(default_factory=list)
    failed: int = 0
    reasons: Counter = field(default_factory=Counter)

    @property
    def delivered(self) -> int:
        return len(self.days)

    @property
    def on_time_pct(self) -> Decimal | None:
        return percent(self.on_time, self.handed_over)

    @property
    def first_attempt_pct(self) -> Decimal | None:
        return percent(self.first_attempt_success, self.first_attempts)

    @property
    def median_days(self) -> Decimal | None:
        return Decimal(str(statistics.median(self.days))) if self.days else None

    @property
    def reason_counts(self) -> list[tuple[str, int]]:
        return self.reasons.most_common()


@dataclass(frozen=True)
class Figure:
    """One published number and the cases behind it; `value` is None when withheld."""

    value: Decimal | int | None
    cases: int
    numerator: int | None = None

    @property
    def shown(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class MonthFigures:
    """The service figures of one month."""

    month: date
    on_time: Figure
    first_attempt: Figure
    median_days: Figure
    ikm: Figure
    ikm_category: str
    complaints_received: Figure
    complaints_on_time: Figure


def _figure(value, cases: int, numerator: int | None = None) -> Figure:
    if cases < settings.MIN_CASES_PUBLIC:
        return Figure(value=None, cases=cases)
    return Figure(value=value, cases=cases, numerator=numerator)


def percent(part: int, whole: int) -> Decimal | None:
    """part/whole in percent with one decimal, None for no cases."""
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in local time (WIB), as aware datetimes."""
    first = month.replace(day=1)
    following = (first.replace(day=28) + (date.resolution * 4)).replace(day=1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    return start, timezone.make_aware(datetime.combine(following, time.min))


def days_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end) of the local days from `start` to `end` inclusive."""
    first = timezone.make_aware(datetime.combine(start, time.min))
    return first, timezone.make_aware(
        datetime.combine(end + timedelta(days=1), time.min)
    )


def tally(
    *,
    start: datetime,
    end: datetime,
    office: Office | None = None,
    group: GroupKey | None = None,
) -> dict[str, Tally]:
    """Count the figures of [start, end), in one Tally per group (one "" without)."""
    key = group or (lambda delivery, courier: "")
    tallies: dict[str, Tally] = {}

    def of(delivery: Delivery, courier: Courier | None) -> Tally:
        return tallies.setdefault(key(delivery, courier), Tally())

    for event, first in _attempts(start, end, office):
        _count_attempt(of(event.delivery, _courier_of(event)), event, first)
    for delivery in _delivered(start, end, office):
        issued = delivery.document.issued_on
        days = (timezone.localdate(delivery.delivered_at) - issued).days
        of(delivery, delivery.courier).days.append(days)
    return tallies


def _attempts(start: datetime, end: datetime, office: Office | None):
    """The period's attempts, oldest first, each with whether it was the first."""
    events = DeliveryEvent.objects.filter(ATTEMPT, at__gte=start, at__lt=end)
    if office is not None:
        events = events.filter(delivery__office=office)
    events = events.select_related(
        "delivery",
        "delivery__courier__staff__user",
        "actor__staff__courier__staff__user",
    ).order_by("at", "id")
    earlier = set(
        DeliveryEvent.objects.filter(ATTEMPT, at__lt=start)
        .filter(delivery_id__in=events.values("delivery_id"))
        .values_list("delivery_id", flat=True)
    )
    for event in events:
        yield event, event.delivery_id not in earlier
        earlier.add(event.delivery_id)


def _count_attempt(tally_: Tally, event: DeliveryEvent, first: bool) -> None:
    delivered = event.to_status == Status.DELIVERED
    if first:
        tally_.first_attempts += 1
        tally_.first_attempt_success += delivered
    if not delivered:
        tally_.failed += 1
        tally_.reasons[event.reason_code or "other"] += 1
        return
    delivery = event.delivery
    if delivery.eta_start_at and delivery.eta_end_at:
        tally_.handed_over += 1
        at = delivery.delivered_at or event.at
        tally_.on_time += delivery.eta_start_at <= at <= delivery.eta_end_at


def _courier_of(event: DeliveryEvent) -> Courier | None:
    """The courier who made the attempt; the delivery's courier if staff recorded it."""
    staff = getattr(event.actor, "staff", None)
    return getattr(staff, "courier", None) or event.delivery.courier


def _delivered(start: datetime, end: datetime, office: Office | None):
    deliveries = Delivery.objects.filter(delivered_at__gte=start, delivered_at__lt=end)
    if office is not None:
        deliveries = deliveries.filter(office=office)
    return deliveries.select_related("document", "courier__staff__user")


def _month_tally(start: datetime, end: datetime) -> Tally:
    return tally(start=start, end=end).get("", Tally())


def _ikm(start: datetime, end: datetime) -> tuple[Figure, str]:
    responses = SurveyResponse.objects.filter(created_at__gte=start, created_at__lt=end)
    ikm: Ikm | None = ikm_for_responses(responses)
    if ikm is None:
        return _figure(None, 0), ""
    figure = _figure(ikm.converted, ikm.respondents)
    return figure, (f"{ikm.category} ({ikm.label})" if figure.shown else "")


def _complaints(start: datetime, end: datetime) -> tuple[Figure, Figure]:
    received = Complaint.objects.filter(created_at__gte=start, created_at__lt=end)
    cases = received.count()
    in_time = received.filter(
        Q(resolved_at__isnull=False) & Q(resolved_at__lte=F("due_at"))
    ).count()
    return _figure(cases, cases), _figure(percent(in_time, cases), cases, in_time)


def figures_for_month(*, month: date) -> MonthFigures:
    """Every published figure of one calendar month."""
    start, end = month_bounds(month)
    ikm, category = _ikm(start, end)
    received, on_time = _complaints(start, end)
    counts = _month_tally(start, end)
    return MonthFigures(
        month=month.replace(day=1),
        on_time=_figure(counts.on_time_pct, counts.handed_over, counts.on_time),
        first_attempt=_figure(
            counts.first_attempt_pct,
            counts.first_attempts,
            counts.first_attempt_success,
        ),
        median_days=_figure(counts.median_days, counts.delivered),
        ikm=ikm,
        ikm_category=category,
        complaints_received=received,
        complaints_on_time=on_time,
    )


def figures_recent(*, months: int = 6, today: date | None = None) -> list[MonthFigures]:
    """This month's figures and those of the months before, newest first."""
    month = (today or timezone.localdate()).replace(day=1)
    result = []
    for _ in range(months):
        result.append(figures_for_month(month=month))
        month = (month - date.resolution).replace(day=1)
    return result
