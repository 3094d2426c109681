"""The status machine of DESIGN.md's life cycle. The steps in lifecycle.py and
courier_steps.py go through it; with them it is the only code that writes
Delivery.status.

Each step checks the transition against TRANSITIONS, updates the row only if its status
is still the one read (so two racing requests cannot both win), and appends its
DeliveryEvent, all in one transaction. A refused step raises and changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.errors import ConcurrentChange, DomainError, TransitionNotAllowed
from delivery.models import ActorKind, Delivery, EventKind, Status
from delivery.notify import notify_applicant
from delivery.services.events import record_event

S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.QUEUED, S.ON_HOLD, S.CANCELLED}),
    S.QUEUED: frozenset({S.SCHEDULED, S.ON_HOLD, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.OUT_FOR_DELIVERY, S.QUEUED, S.ON_HOLD, S.CANCELLED}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.ATTEMPT_FAILED}),
    S.ATTEMPT_FAILED: frozenset({S.QUEUED, S.RETURNED_TO_OFFICE}),
    S.ON_HOLD: frozenset({S.QUEUED, S.DELIVERED, S.CANCELLED}),
    S.RETURNED_TO_OFFICE: frozenset({S.DELIVERED, S.CANCELLED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Statuses in which the passport is still at the office and may be cancelled when
# the collection deadline passes; a passport on a motorbike is left to come back.
AT_OFFICE = frozenset(
    {S.RECEIVED, S.QUEUED, S.SCHEDULED, S.ON_HOLD, S.RETURNED_TO_OFFICE}
)


@dataclass(frozen=True)
class Actor:
    """Who takes a step: a user (staff or courier), the applicant, or the system."""

    kind: str
    user: User | None = None

    @classmethod
    def system(cls) -> "Actor":
        return cls(kind=ActorKind.SYSTEM)

    @classmethod
    def applicant(cls) -> "Actor":
        return cls(kind=ActorKind.APPLICANT)

    @classmethod
    def staff(cls, user: User) -> "Actor":
        return cls(kind=ActorKind.STAFF, user=user)

    @classmethod
    def courier(cls, user: User) -> "Actor":
        return cls(kind=ActorKind.COURIER, user=user)


@dataclass(frozen=True)
class Position:
    """Where a step was taken, when the device knew it."""

    lat: float
    lon: float


def transition_refused(delivery: Delivery, to_status: str) -> TransitionNotAllowed:
    """The error of a step that the delivery's current status does not allow."""
    return TransitionNotAllowed(
        _("A delivery that is %(current)s cannot become %(target)s.")
        % {
            "current": Status(delivery.status).label,
            "target": Status(to_status).label,
        }
    )


def delivery_transition(
    delivery: Delivery,
    *,
    to_status: str,
    actor: Actor,
    allowed_from: frozenset[str] | None = None,
    reason_code: str = "",
    note: str = "",
    position: Position | None = None,
    fields: dict[str, Any] | None = None,
    device_at: datetime | None = None,
) -> Delivery:
    """Move one delivery to `to_status`, with its event, or raise and change nothing."""
    current = Delivery.objects.filter(pk=delivery.pk).values_list("status", flat=True)
    current_status = current.first()
    if current_status is None:
        raise DomainError(_("This delivery no longer exists."))
    delivery.status = current_status
    legal = to_status in TRANSITIONS[current_status]
    if not legal or (allowed_from is not None and current_status not in allowed_from):
        raise transition_refused(delivery, to_status)
    now = timezone.now()
    changes = {"status": to_status, "status_changed_at": now, **(fields or {})}
    updated = Delivery.objects.filter(pk=delivery.pk, status=current_status).update(
        **changes
    )
    if updated != 1:
        raise ConcurrentChange(
            _("The delivery was changed by someone else; reload it.")
        )
    event = record_event(
        delivery_id=delivery.pk,
        kind=EventKind.TRANSITION,
        from_status=current_status,
        to_status=to_status,
        actor=actor,
        at=now,
        reason_code=reason_code,
        note=note,
        position=position,
        device_at=device_at,
    )
    for name, value in changes.items():
        setattr(delivery, name, value)
    notify_applicant(delivery, event)
    return delivery


def require_reason(reason: str) -> None:
    """Refuse a step whose written reason is empty."""
    if not reason or not reason.strip():
        raise DomainError(_("A reason is required."))


def unscheduled_fields() -> dict[str, Any]:
    """The fields a delivery taken off a courier's day clears."""
    return {
        "courier": None,
        "scheduled_date": None,
        "eta_start_at": None,
        "eta_end_at": None,
    }
