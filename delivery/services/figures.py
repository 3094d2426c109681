"""Published service figures, per calendar month (WIB), for the public page.

A figure computed from fewer than MIN_CASES_PUBLIC cases is withheld, so that nobody
can be recognised behind a number.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from delivery.models import Complaint, Delivery, DeliveryEvent, Status, SurveyResponse
from delivery.services.satisfaction import Ikm, ikm_for_responses


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


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in local time (WIB), as aware datetimes."""
    first = month.replace(day=1)
    following = (first.replace(day=28) + (date.resolution * 4)).replace(day=1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    return start, timezone.make_aware(datetime.combine(following, time.min))


def _on_time(start: datetime, end: datetime) -> Figure:
    """Of the passports couriers handed over this month, the share in the window."""
    by_courier = DeliveryEvent.objects.filter(
        delivery=OuterRef("pk"),
        from_status=Status.OUT_FOR_DELIVERY,
        to_status=Status.DELIVERED,
    )
    # Collected at the office counter: no courier window to meet, so not counted.
    delivered = Delivery.objects.filter(
        Exists(by_courier),
        delivered_at__gte=start,
        delivered_at__lt=end,
        eta_start_at__isnull=False,
    )
    on_time = delivered.filter(
        delivered_at__gte=F("eta_start_at"), delivered_at__lte=F("eta_end_at")
    ).count()
    cases = delivered.count()
    return _figure(_percent(on_time, cases), cases, on_time)


def _first_attempt(start: datetime, end: datetime) -> Figure:
    """Of this month's first attempts, the share that handed the passport over."""
    attempts = DeliveryEvent.objects.filter(
        from_status=Status.OUT_FOR_DELIVERY,
        to_status__in=[Status.DELIVERED, Status.ATTEMPT_FAILED],
    )
    earlier = attempts.filter(at__lt=start).values("delivery_id")
    firsts: dict[int, str] = {}
    month = attempts.filter(at__gte=start, at__lt=end).exclude(delivery_id__in=earlier)
    for delivery_id, to_status in month.order_by("at", "id").values_list(
        "delivery_id", "to_status"
    ):
        firsts.setdefault(delivery_id, to_status)
    success = sum(1 for status in firsts.values() if status == Status.DELIVERED)
    return _figure(_percent(success, len(firsts)), len(firsts), success)


def _median_days(start: datetime, end: datetime) -> Figure:
    rows = Delivery.objects.filter(
        delivered_at__gte=start, delivered_at__lt=end
    ).values_list("delivered_at", "document__issued_on")
    days = [(timezone.localdate(at) - issued).days for at, issued in rows]
    median = Decimal(str(statistics.median(days))) if days else None
    return _figure(median, len(days))


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
    return _figure(cases, cases), _figure(_percent(in_time, cases), cases, in_time)


def figures_for_month(*, month: date) -> MonthFigures:
    """Every published figure of one calendar month."""
    start, end = month_bounds(month)
    ikm, category = _ikm(start, end)
    received, on_time = _complaints(start, end)
    return MonthFigures(
        month=month.replace(day=1),
        on_time=_on_time(start, end),
        first_attempt=_first_attempt(start, end),
        median_days=_median_days(start, end),
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
