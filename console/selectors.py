"""Reads for the console's queue and day pages, scoped to the dispatcher's office."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from delivery.crypto import passport_index
from delivery.gazetteer import load_gazetteer
from delivery.models import (
    ActorKind,
    Delivery,
    DeliveryEvent,
    EventKind,
    Office,
    Status,
)

URGENT_DAYS = 7  # days left before the collection deadline that make a row stand out
# Statuses that sit in the office's queue (not finished, not on the road).
OPEN = (
    Status.RECEIVED,
    Status.QUEUED,
    Status.SCHEDULED,
    Status.ON_HOLD,
    Status.RETURNED_TO_OFFICE,
)


@dataclass(frozen=True)
class QueueRow:
    """One delivery as the queue shows it."""

    delivery: Delivery
    village: str
    days_left: int

    @property
    def urgent(self) -> bool:
        return self.days_left <= URGENT_DAYS


def queue_deliveries(
    *, office: Office, status: str = "", district: str = "", q: str = "",
    quality: str = "", urgent: bool = False,
) -> QuerySet[Delivery]:  # fmt: skip
    """The office's deliveries for the queue, filtered, oldest issue date first."""
    rows = Delivery.objects.filter(office=office).select_related(
        "document__applicant", "courier__staff__user"
    )
    rows = rows.filter(status=status) if status else rows.filter(status__in=OPEN)
    if district:
        rows = rows.filter(village_code__startswith=district)
    if quality:
        rows = rows.filter(location_quality=quality)
    if urgent:
        rows = rows.filter(document__issued_on__lte=_urgent_issue_date())
    if q:
        code = q.replace("-", "").upper()
        rows = rows.filter(
            Q(tracking_code=code)
            | Q(document__application_number__iexact=q)
            | Q(document__applicant__full_name__icontains=q)
            | Q(address_line__icontains=q)
            # Encrypted at rest: only an exact number matches, through its keyed index.
            | Q(document__passport_number_index=passport_index(q))
        )
    return rows.order_by("document__issued_on", "id")


def _urgent_issue_date() -> date:
    days = settings.COLLECTION_DEADLINE_DAYS - URGENT_DAYS
    return timezone.localdate() - timedelta(days=days)


def queue_rows(deliveries) -> list[QueueRow]:
    """Decorate deliveries with their village name and days left to the deadline."""
    gazetteer, today = load_gazetteer(), timezone.localdate()
    return [
        QueueRow(
            delivery=d,
            village=gazetteer.label(d.village_code),
            days_left=(d.document.collection_deadline - today).days,
        )
        for d in deliveries
    ]


def district_choices() -> list[tuple[str, str]]:
    """(code, name) of the service area's districts, by name."""
    places = load_gazetteer().places.values()
    return sorted(
        ((p.code, p.name) for p in places if p.level == "district"),
        key=lambda c: c[1],
    )


def village_choices() -> list[tuple[str, str]]:
    """(code, 'Village, Kec. District') of every village, by label."""
    gazetteer = load_gazetteer()
    return sorted(
        ((v.code, gazetteer.label(v.code)) for v in gazetteer.villages()),
        key=lambda c: c[1],
    )


def deliveries_needing_decision(*, office: Office, day: date) -> dict[str, list]:
    """Locked handovers, attempts failed and applicants' requests made on `day`."""
    locked = Delivery.objects.filter(
        office=office, handover_locked_at__isnull=False
    ).exclude(status__in=(Status.DELIVERED, Status.CANCELLED))
    failed = (
        DeliveryEvent.objects.filter(
            delivery__office=office, to_status=Status.ATTEMPT_FAILED, at__date=day
        )
        .select_related("delivery__document__applicant")
        .order_by("-at")
    )
    return {
        "locked": list(locked.select_related("document__applicant")),
        "failed": list(failed),
        "requests": list(_applicant_requests(office, day)),
    }


def _applicant_requests(office: Office, day: date) -> QuerySet[DeliveryEvent]:
    # Another day, a time window or collection at the office change what the plan
    # may do with the passport; turning SMS off or on does not.
    changes_plan = Q(
        kind=EventKind.APPLICANT_REQUEST,
        reason_code__in=("another_day", "time_window"),
    ) | Q(actor_kind=ActorKind.APPLICANT, to_status=Status.ON_HOLD)
    return (
        DeliveryEvent.objects.filter(
            changes_plan, delivery__office=office, at__date=day
        )
        .select_related("delivery")
        .order_by("-at")
    )
