"""What the public may see of a delivery: a whitelist, never the applicant's data.

The page and the API both show exactly this summary. It holds no name, address, phone
or passport number, and no free text written by staff (event notes): event labels come
from the status and event-kind names and fixed reason phrases only.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from delivery.models import ActorKind, Delivery, DeliveryEvent, EventKind, Status
from delivery.notify import (
    EVENT_REASONS,
    EVENT_REASONS_EN,
    FAILURE_REASONS,
    FAILURE_REASONS_EN,
)
from delivery.services.applicant_requests import CHANGEABLE, RequestReason
from delivery.tracking_cache import tracking_cache_keys, tracking_cached

S = Status
T = TypeVar("T")
HEADLINES = {
    S.RECEIVED: gettext_lazy("Your passport is ready. We are preparing its delivery."),
    S.QUEUED: gettext_lazy("Your passport is waiting to be planned for delivery."),
    S.SCHEDULED: gettext_lazy("Your passport's delivery is scheduled."),
    S.OUT_FOR_DELIVERY: gettext_lazy(
        "A courier is bringing your passport today. Have your KTP ready; the handover "
        "code comes by SMS."
    ),
    S.DELIVERED: gettext_lazy("Your passport has been handed over."),
    S.ATTEMPT_FAILED: gettext_lazy(
        "The delivery attempt failed; it will be planned again."
    ),
    S.ON_HOLD: gettext_lazy(
        "Delivery is on hold. You can collect your passport at the office."
    ),
    S.RETURNED_TO_OFFICE: gettext_lazy(
        "Your passport is back at the office. Collect it before the deadline."
    ),
    S.CANCELLED: gettext_lazy("The delivery was cancelled."),
}
REQUEST_LABELS = {
    RequestReason.ANOTHER_DAY: gettext_lazy("You asked for another day"),
    RequestReason.TIME_WINDOW: gettext_lazy("You asked for a time window"),
    RequestReason.SMS_OFF: gettext_lazy("You turned SMS off"),
    RequestReason.SMS_ON: gettext_lazy("You turned SMS on"),
}
ETA_STATUSES = frozenset({S.SCHEDULED, S.OUT_FOR_DELIVERY})
RATING_STATUSES = frozenset({S.DELIVERED, S.RETURNED_TO_OFFICE})


@dataclass(frozen=True)
class TimelineEntry:
    """One step as the applicant sees it."""

    at: datetime
    kind: str
    label: str


@dataclass(frozen=True)
class OfficeContact:
    """How to reach the office (its own public data)."""

    name: str
    address: str
    phone: str
    opening_hours: str


@dataclass(frozen=True)
class TrackingSummary:
    """Everything the public tracking page and API show about one delivery."""

    code: str
    status: str
    status_label: str
    headline: str
    collection_deadline: date
    office: OfficeContact
    eta_start_at: datetime | None = None
    eta_end_at: datetime | None = None
    requested_date: date | None = None
    window_start: time | None = None
    window_end: time | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def can_change(self) -> bool:
        return self.status in CHANGEABLE

    @property
    def can_rate(self) -> bool:
        return self.status in RATING_STATUSES

    @property
    def at_office(self) -> bool:
        return self.status == S.RETURNED_TO_OFFICE


def delivery_for_tracking(*, code: str) -> Delivery | None:
    """The delivery with this (normalized) tracking code, or None. The passport
    number is not read: the public never sees it, and it would be decrypted."""
    return (
        Delivery.objects.select_related("office", "document__applicant")
        .defer("document__passport_number")
        .filter(tracking_code=code)
        .first()
    )


def tracking_data_for_code(
    code: str,
    present: Callable[[Delivery], T],
    *,
    variant: str = "",
    read: Mapping[str, Any] | None = None,
) -> T | None:
    """`present(delivery)` for the delivery with this (normalized) code, or None;
    cached per language and `variant` (what else the value depends on, e.g. the day),
    so an unchanged delivery's answer costs no database query at all. `read`: the
    values of `tracking_read_keys`, if the caller has read them in a round trip of
    its own."""

    def compute() -> T | None:
        delivery = delivery_for_tracking(code=code)
        return present(delivery) if delivery is not None else None

    return tracking_cached(code, _key(present, variant), compute, read=read)


def tracking_read_keys(
    code: str, present: Callable[[Delivery], Any], *, variant: str = ""
) -> list[str]:
    """The cache keys `tracking_data_for_code` reads (none without the cache)."""
    if not settings.TRACKING_CACHE_TTL_S:
        return []
    return tracking_cache_keys(code, _key(present, variant))


def _key(present: Callable[[Delivery], Any], variant: str) -> str:
    return f"{present.__qualname__}:{translation.get_language()}:{variant}"


def tracking_summary(delivery: Delivery) -> TrackingSummary:
    """The public view of a delivery, in the active language."""
    office = delivery.office
    with_eta = delivery.status in ETA_STATUSES
    events = delivery.events.order_by("-at", "-id").only(
        "delivery_id", "kind", "to_status", "reason_code", "actor_kind", "at"
    )
    return TrackingSummary(
        code=delivery.tracking_code_display,
        status=delivery.status,
        status_label=str(Status(delivery.status).label),
        headline=str(HEADLINES[Status(delivery.status)]),
        collection_deadline=delivery.document.collection_deadline,
        office=OfficeContact(
            name=office.name,
            address=office.address,
            phone=office.phone,
            opening_hours=office.opening_hours,
        ),
        eta_start_at=delivery.eta_start_at if with_eta else None,
        eta_end_at=delivery.eta_end_at if with_eta else None,
        requested_date=delivery.requested_date,
        window_start=delivery.window_start,
        window_end=delivery.window_end,
        timeline=[_entry(event) for event in events],
    )


def _entry(event: DeliveryEvent) -> TimelineEntry:
    if event.kind == EventKind.APPLICANT_REQUEST:
        label = str(REQUEST_LABELS.get(event.reason_code, EventKind(event.kind).label))
    elif event.kind == EventKind.TRANSITION:
        label = str(Status(event.to_status).label)
        detail = _reason(event)
        label = f"{label} ({detail})" if detail else label
    else:
        label = str(EventKind(event.kind).label)
    return TimelineEntry(at=event.at, kind=event.kind, label=label)


def _reason(event: DeliveryEvent) -> str:
    """A fixed phrase for the reason code; never the staff's note."""
    indonesian = translation.get_language() == "id"
    if event.to_status == S.ATTEMPT_FAILED:
        reasons = FAILURE_REASONS if indonesian else FAILURE_REASONS_EN
        return reasons.get(event.reason_code, "")
    if event.reason_code == "collected_at_office":
        return _("collected at the office")
    if event.actor_kind == ActorKind.APPLICANT:
        return (EVENT_REASONS if indonesian else EVENT_REASONS_EN)["applicant_request"]
    reasons = EVENT_REASONS if indonesian else EVENT_REASONS_EN
    return reasons.get(event.reason_code, "")
