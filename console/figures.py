"""The office's service figures over a period, per courier and per district.

On time: delivered inside the promised window. First attempt: delivered with no failed
attempt before. Days: from the passport's issue date to its delivery (local dates).
Only deliveries handed over by a courier count; collections at the counter do not.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from delivery.gazetteer import load_gazetteer
from delivery.models import Delivery, DeliveryEvent, Office, Status


@dataclass
class Group:
    """Figures of one courier, one district, or the whole office."""

    name: str
    delivered: int = 0
    on_time: int = 0
    first_attempt: int = 0
    days_total: int = 0
    failed: int = 0
    reasons: Counter = field(default_factory=Counter)

    @property
    def on_time_pct(self) -> float | None:
        return _pct(self.on_time, self.delivered)

    @property
    def first_attempt_pct(self) -> float | None:
        return _pct(self.first_attempt, self.delivered)

    @property
    def reason_counts(self) -> list[tuple[str, int]]:
        return self.reasons.most_common()

    @property
    def average_days(self) -> float | None:
        return round(self.days_total / self.delivered, 1) if self.delivered else None


@dataclass
class Figures:
    """All groups of a period; `total` is the whole office."""

    start: date
    end: date
    total: Group
    couriers: list[Group]
    districts: list[Group]


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def office_figures(*, office: Office, start: date, end: date) -> Figures:
    """Compute the figures of an office for the days from `start` to `end`."""
    total = Group(name="")
    couriers: dict[str, Group] = defaultdict(lambda: Group(name=""))
    districts: dict[str, Group] = defaultdict(lambda: Group(name=""))
    for delivery in _delivered(office, start, end):
        for group in (
            total,
            couriers[str(delivery.courier)],
            districts[_district(delivery)],
        ):
            _count_delivery(group, delivery)
    for event in _failures(office, start, end):
        courier = getattr(getattr(event.actor, "staff", None), "courier", None)
        for group in (
            total,
            couriers[str(courier or "—")],
            districts[_district(event.delivery)],
        ):
            group.failed += 1
            group.reasons[event.reason_code or "other"] += 1
    return Figures(start, end, total, _named(couriers), _named(districts))


def _delivered(office: Office, start: date, end: date):
    return Delivery.objects.filter(
        office=office,
        status=Status.DELIVERED,
        courier__isnull=False,
        delivered_at__date__gte=start,
        delivered_at__date__lte=end,
    ).select_related("document", "courier__staff__user")


def _failures(office: Office, start: date, end: date):
    return DeliveryEvent.objects.filter(
        delivery__office=office,
        to_status=Status.ATTEMPT_FAILED,
        at__date__gte=start,
        at__date__lte=end,
    ).select_related("delivery", "actor__staff__courier__staff__user")


def _count_delivery(group: Group, delivery: Delivery) -> None:
    group.delivered += 1
    start_at, end_at = delivery.eta_start_at, delivery.eta_end_at
    at = delivery.delivered_at
    if start_at and end_at and at and start_at <= at <= end_at:
        group.on_time += 1
    if delivery.failed_attempts == 0:
        group.first_attempt += 1
    delivered_on = timezone.localdate(delivery.delivered_at)
    group.days_total += (delivered_on - delivery.document.issued_on).days


def _district(delivery: Delivery) -> str:
    return delivery.village_code[:8]


def _named(groups: dict[str, Group]) -> list[Group]:
    gazetteer = load_gazetteer()
    for key, group in groups.items():
        place = gazetteer.get(key) if key[:2].isdigit() else None
        group.name = place.name if place else key
    return sorted(groups.values(), key=lambda g: (-g.delivered, g.name))
