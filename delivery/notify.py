"""Which step of the life cycle tells the applicant what, by SMS.

Called by the life-cycle services inside their transaction, right after the event is
written; the outbox sends after commit. The idempotency key names the event, so a step
can never produce its SMS twice.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from delivery import survey_keys
from delivery.models import Delivery, DeliveryEvent, EventKind, Status
from notifications.services import queue_sms, sms_is_queued

S = Status
FAILURE_REASONS = {
    "not_at_home": "tidak ada di rumah",
    "address_not_found": "alamat tidak ditemukan",
    "refused": "ditolak",
    "another_day": "minta hari lain",
    "unsafe": "jalan tidak aman",
    "other": "lainnya",
}
# The SMS template of a transition: into the queue by where it came from, else
# by where it went. Keyed by the stored status text.
QUEUED_TEMPLATES: dict[str, str] = {S.RECEIVED: "queued", S.SCHEDULED: "unscheduled"}
TARGET_TEMPLATES: dict[str, str] = {
    S.SCHEDULED: "scheduled",
    S.OUT_FOR_DELIVERY: "out_for_delivery",
    S.DELIVERED: "delivered",
    S.RETURNED_TO_OFFICE: "returned_to_office",
    S.ON_HOLD: "on_hold",
    S.CANCELLED: "cancelled",
}
EVENT_REASONS = {
    "collection_deadline_passed": "batas pengambilan 30 hari lewat",
    "applicant_request": "atas permintaan Anda",
}
EVENT_REASONS_EN = {
    "collection_deadline_passed": "30-day collection deadline passed",
    "applicant_request": "at your request",
}
FAILURE_REASONS_EN = {
    "not_at_home": "nobody at home",
    "address_not_found": "address not found",
    "refused": "refused",
    "another_day": "asked for another day",
    "unsafe": "road unsafe",
    "other": "other",
}


def tracking_link(delivery: Delivery) -> str:
    """The short link to the delivery's tracking page, carried by every SMS."""
    return f"{settings.SHORT_LINK_BASE_URL.rstrip('/')}/t/{delivery.tracking_code}"


def _template_for(event: DeliveryEvent) -> str | None:
    source, target = event.from_status, event.to_status
    if event.kind == EventKind.RESCHEDULED:
        return "scheduled"
    if event.kind != EventKind.TRANSITION:
        return None
    if target == S.QUEUED:
        return QUEUED_TEMPLATES.get(
            source, "attempt_failed" if source == S.ATTEMPT_FAILED else None
        )
    return TARGET_TEMPLATES.get(target)


def notify_applicant(delivery: Delivery, event: DeliveryEvent) -> None:
    """Queue the SMS that this event owes the applicant, if any."""
    template = _template_for(event)
    if template is None:
        return
    delivery = Delivery.objects.select_related(
        "document__applicant", "office", "courier__staff__user"
    ).get(pk=delivery.pk)
    applicant = delivery.document.applicant
    with translation.override(applicant.language):
        context = _context(delivery, event)
    key = f"delivery:{delivery.pk}:event:{event.pk}"
    if template == "delivered" and not sms_is_queued(key=key):
        context["survey_link"] = _survey_link(delivery)
    queue_sms(
        to=applicant.phone,
        template=template,
        context=context,
        key=key,
        language=applicant.language,
        subject=f"delivery:{delivery.pk}",
        secret="survey_link" in context,
    )


def _survey_link(delivery: Delivery) -> str:
    """A new survey key for this SMS, stored only as its hash; the link carries it."""
    key = survey_keys.generate()
    Delivery.objects.filter(pk=delivery.pk).update(
        survey_key_hash=survey_keys.key_hash(key)
    )
    return f"{tracking_link(delivery)}/nilai/{key}/"


def _local(value: datetime | None, fmt: str) -> str:
    return formats.date_format(timezone.localtime(value), fmt) if value else ""


def _context(delivery: Delivery, event: DeliveryEvent) -> dict[str, Any]:
    courier = delivery.courier.staff.user.first_name if delivery.courier else ""
    return {
        "link": tracking_link(delivery),
        "date": _local(delivery.eta_start_at or event.at, "l, j F"),
        "start": _local(delivery.eta_start_at, "H.i"),
        "end": _local(delivery.eta_end_at, "H.i"),
        "time": _local(event.at, "H.i"),
        "courier": courier,
        "reason": _reason(delivery, event),
        "attempts": delivery.failed_attempts,
        "office": delivery.office.name,
        "hours": delivery.office.opening_hours or _("office hours"),
        "deadline": formats.date_format(delivery.document.collection_deadline, "j F Y"),
    }


def _reason(delivery: Delivery, event: DeliveryEvent) -> str:
    """A short, fixed phrase for the applicant; never a staff member's free text."""
    indonesian = translation.get_language() == "id"
    if event.from_status == S.ATTEMPT_FAILED:
        failed = (
            delivery.events.filter(to_status=S.ATTEMPT_FAILED).order_by("-at").first()
        )
        reasons = FAILURE_REASONS if indonesian else FAILURE_REASONS_EN
        return reasons.get(failed.reason_code, "") if failed else ""
    reasons = EVENT_REASONS if indonesian else EVENT_REASONS_EN
    return reasons.get(event.reason_code, "")
