"""Words for the codes that records and reports hold, in the page's language.

Pages show these labels, never the codes: a dispatcher reading Indonesian should not
meet `not_at_home` or `complaint.filed`.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery.models import ActorKind, ComplaintStatus, EventKind, Status
from delivery.services.audit import EVENT_ACTION_PREFIX
from delivery.services.complaints import CATEGORIES
from delivery.services.courier_steps import FailureReason

FAILURE_REASONS = {
    FailureReason.NOT_AT_HOME: _("Nobody at home"),
    FailureReason.ADDRESS_NOT_FOUND: _("Address not found"),
    FailureReason.REFUSED: _("Refused"),
    FailureReason.ANOTHER_DAY: _("Applicant asks for another day"),
    FailureReason.UNSAFE: _("Unsafe to reach"),
    FailureReason.OTHER: _("Other (describe)"),
    # Reasons the system gives its own steps.
    "requeued": _("Back in the queue for another attempt"),
    "max_attempts": _("Too many failed attempts"),
    "collected_at_office": _("Collected at the office"),
    "collection_deadline_passed": _("Collection deadline passed"),
    "undo_failed_attempt": _("Failed attempt undone"),
    "applicant_request": _("Applicant's request"),
}
ACTIONS = {
    "complaint.filed": _("Complaint filed"),
    "complaint.updated": _("Complaint answered"),
    "applicant.contact_changed": _("Applicant's contact changed"),
    "delivery.details_changed": _("Delivery details corrected"),
    "survey.submitted": _("Survey answered"),
    "survey.sms_rating": _("Rating by SMS"),
    "auth.login": _("Signed in"),
    "auth.locked_out": _("Sign-in locked"),
    "photo.deleted": _("Photo deleted"),
    "plan.published": _("Plan published"),
    "courier.base_changed": _("Courier's base changed"),
    "audit.exported": _("Audit trail exported"),
    "handover.wrong_code": _("Wrong handover code"),
    **{f"{EVENT_ACTION_PREFIX}{kind}": label for kind, label in EventKind.choices},
}
DATA_KEYS = {
    "event_id": _("Event"),
    "delivery_id": _("Delivery"),
    "kind": _("Kind"),
    "from_status": _("From"),
    "to_status": _("To"),
    "actor_id": _("User"),
    "actor_kind": _("Actor"),
    "at": _("Time"),
    "device_at": _("Time on the device"),
    "reason_code": _("Reason"),
    "note": _("Note"),
    "lat": _("Latitude"),
    "lon": _("Longitude"),
    "category": _("Category"),
    "source": _("Source"),
    "status": _("Status"),
    "answer_sms": _("Answer announced by SMS"),
    "role": _("Role"),
    "ip_address": _("IP address"),
    "path": _("Page"),
    "failures": _("Failed attempts"),
    "tracking_code": _("Tracking code"),
    "courier_id": _("Courier"),
    "day": _("Day"),
    "rows": _("Rows"),
    "attempts": _("Wrong entries"),
    "locked": _("Handover locked"),
    "fields": _("Fields"),
    "before": _("Before"),
    "after": _("After"),
    "base_before": _("Base before"),
    "base_after": _("Base after"),
    "depot_id": _("Depot"),
    "village_code": _("Village"),
}
BASE_KINDS = {"office": _("Office"), "depot": _("Depot"), "pin": _("Own pin")}
ACTOR_KINDS = dict(ActorKind.choices)
_VALUES = {
    "from_status": dict(Status.choices),
    "to_status": dict(Status.choices),
    "status": dict(ComplaintStatus.choices),  # complaint.updated's status
    "kind": dict(EventKind.choices),
    "actor_kind": ACTOR_KINDS,
    "reason_code": FAILURE_REASONS,
    "category": CATEGORIES,
    "base_before": BASE_KINDS,
    "base_after": BASE_KINDS,
}


SUBJECTS = {
    "delivery": _("Delivery"),
    "complaint": _("Complaint"),
    "user": _("User"),
    "applicant": _("Applicant"),
    "plan": _("Plan"),
    "courier": _("Courier"),
}


def label(mapping: dict, code: str) -> str:
    """The label of a code, or the code itself when it has none."""
    return str(mapping.get(code, code))


def subject(code: str) -> str:
    """`delivery:12` -> "Delivery 12" (translated)."""
    kind, _sep, key = code.partition(":")
    return f"{label(SUBJECTS, kind)} {key}".strip()


def audit_lines(data: dict[str, Any]) -> list[tuple[str, str]]:
    """A record's data as (label, value) lines, empty values left out."""
    # In DATA_KEYS' order: PostgreSQL's jsonb keeps keys in an order of its own.
    order = {key: index for index, key in enumerate(DATA_KEYS)}
    keys = sorted(data, key=lambda key: (order.get(key, len(order)), key))
    return [
        (label(DATA_KEYS, key), _value(key, data[key]))
        for key in keys
        if data[key] not in (None, "", [], {})
    ]


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if key in _VALUES:
        return label(_VALUES[key], str(value))
    if key.endswith("_at") or key == "at":
        return local_iso(value)
    return str(value)


def local_iso(value: Any) -> str:
    """An ISO time in the office's zone (WIB) with its offset, e.g. +07:00."""
    when = value if isinstance(value, datetime) else _parse(value)
    if when is None:
        return str(value)
    return timezone.localtime(when).isoformat(sep=" ", timespec="seconds")


def _parse(value: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if timezone.is_aware(when) else None
