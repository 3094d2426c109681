"""The delivery life cycle of DESIGN.md: the only code that writes Delivery.status.

Each step checks the transition against TRANSITIONS, updates the row only if its status
is still the one read (so two racing requests cannot both win), and appends its
DeliveryEvent, all in one transaction. A refused step raises and changes nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.errors import ConcurrentChange, DomainError, TransitionNotAllowed
from delivery.models import (
    ActorKind,
    Courier,
    Delivery,
    EventKind,
    Status,
)
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


class FailureReason:
    """Reason codes of a failed attempt (the courier app offers exactly these)."""

    NOT_AT_HOME = "not_at_home"
    ADDRESS_NOT_FOUND = "address_not_found"
    REFUSED = "refused"
    ANOTHER_DAY = "another_day"
    UNSAFE = "unsafe"
    OTHER = "other"
    ALL = (NOT_AT_HOME, ADDRESS_NOT_FOUND, REFUSED, ANOTHER_DAY, UNSAFE, OTHER)


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


def _refuse(delivery: Delivery, to_status: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("A delivery that is %(current)s cannot become %(target)s.")
        % {
            "current": Status(delivery.status).label,
            "target": Status(to_status).label,
        }
    )


def _transition(
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
        raise _refuse(delivery, to_status)
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


@transaction.atomic
def delivery_queue(*, delivery: Delivery, actor: Actor) -> Delivery:
    """Put a received (or re-released) delivery in the dispatch queue."""
    if not delivery.has_location:
        raise DomainError(_("The delivery has no location yet; fix the address first."))
    return _transition(
        delivery, to_status=S.QUEUED, actor=actor, allowed_from=frozenset({S.RECEIVED})
    )


@transaction.atomic
def delivery_hold(
    *, delivery: Delivery, actor: Actor, reason: str, reason_code: str = ""
) -> Delivery:
    """Take a delivery out of planning (address problem, applicant's request)."""
    _require_reason(reason)
    return _transition(
        delivery,
        to_status=S.ON_HOLD,
        actor=actor,
        reason_code=reason_code,
        note=reason,
        fields=_unscheduled_fields(),
    )


@transaction.atomic
def delivery_release(*, delivery: Delivery, actor: Actor, note: str = "") -> Delivery:
    """Return a delivery on hold to the dispatch queue."""
    if not delivery.has_location:
        raise DomainError(_("The delivery has no location yet; fix the address first."))
    return _transition(
        delivery,
        to_status=S.QUEUED,
        actor=actor,
        allowed_from=frozenset({S.ON_HOLD}),
        note=note,
    )


@transaction.atomic
def delivery_schedule(
    *,
    delivery: Delivery,
    actor: Actor,
    courier: Courier,
    on_date: date,
    eta_start_at: datetime,
    eta_end_at: datetime,
) -> Delivery:
    """Give a queued delivery to a courier for a day, with the promised window."""
    if eta_start_at >= eta_end_at:
        raise DomainError(_("The expected window must end after it starts."))
    fields = {
        "courier": courier,
        "scheduled_date": on_date,
        "eta_start_at": eta_start_at,
        "eta_end_at": eta_end_at,
    }
    return _transition(delivery, to_status=S.SCHEDULED, actor=actor, fields=fields)


@transaction.atomic
def delivery_reschedule(
    *,
    delivery: Delivery,
    actor: Actor,
    courier: Courier,
    eta_start_at: datetime,
    eta_end_at: datetime,
) -> Delivery:
    """Change the courier or promised window of a scheduled delivery (a re-plan)."""
    fields = {
        "courier": courier,
        "eta_start_at": eta_start_at,
        "eta_end_at": eta_end_at,
    }
    updated = Delivery.objects.filter(pk=delivery.pk, status=S.SCHEDULED).update(
        **fields
    )
    if updated != 1:
        raise _refuse(delivery, S.SCHEDULED)
    event = record_event(
        delivery_id=delivery.pk,
        kind=EventKind.RESCHEDULED,
        from_status=S.SCHEDULED,
        to_status=S.SCHEDULED,
        actor=actor,
    )
    for name, value in fields.items():
        setattr(delivery, name, value)
    notify_applicant(delivery, event)
    return delivery


@transaction.atomic
def delivery_unschedule(
    *, delivery: Delivery, actor: Actor, note: str = ""
) -> Delivery:
    """Put a scheduled delivery back in the queue (the plan changed)."""
    return _transition(
        delivery,
        to_status=S.QUEUED,
        actor=actor,
        allowed_from=frozenset({S.SCHEDULED}),
        note=note,
        fields=_unscheduled_fields(),
    )


@transaction.atomic
def delivery_start(
    *,
    delivery: Delivery,
    actor: Actor,
    position: Position | None = None,
    device_at: datetime | None = None,
) -> Delivery:
    """The courier leaves with the passport: it is out for delivery."""
    return _transition(
        delivery,
        to_status=S.OUT_FOR_DELIVERY,
        actor=actor,
        position=position,
        device_at=device_at,
    )


@transaction.atomic
def delivery_mark_delivered(
    *,
    delivery: Delivery,
    actor: Actor,
    position: Position | None = None,
    note: str = "",
    device_at: datetime | None = None,
) -> Delivery:
    """The passport was handed over at the applicant's address."""
    return _transition(
        delivery,
        to_status=S.DELIVERED,
        actor=actor,
        allowed_from=frozenset({S.OUT_FOR_DELIVERY}),
        position=position,
        note=note,
        fields={"delivered_at": timezone.now()},
        device_at=device_at,
    )


@transaction.atomic
def delivery_mark_collected(
    *, delivery: Delivery, actor: Actor, note: str = ""
) -> Delivery:
    """The applicant collected the passport at the office counter."""
    return _transition(
        delivery,
        to_status=S.DELIVERED,
        actor=actor,
        allowed_from=frozenset({S.ON_HOLD, S.RETURNED_TO_OFFICE}),
        reason_code="collected_at_office",
        note=note,
        fields={"delivered_at": timezone.now()},
    )


@transaction.atomic
def delivery_record_failed_attempt(
    *,
    delivery: Delivery,
    actor: Actor,
    reason_code: str,
    note: str = "",
    position: Position | None = None,
    device_at: datetime | None = None,
) -> Delivery:
    """Record a failed attempt; re-queue it, or return it after the last attempt."""
    if reason_code not in FailureReason.ALL:
        raise DomainError(_("Unknown reason for a failed attempt."))
    if reason_code == FailureReason.OTHER and not note.strip():
        raise DomainError(_("Describe the reason when choosing 'other'."))
    delivery.refresh_from_db(fields=["failed_attempts"])
    attempts = delivery.failed_attempts + 1
    _transition(
        delivery,
        to_status=S.ATTEMPT_FAILED,
        actor=actor,
        reason_code=reason_code,
        note=note,
        position=position,
        device_at=device_at,
        fields={"failed_attempts": attempts, **_unscheduled_fields()},
    )
    if attempts >= settings.MAX_DELIVERY_ATTEMPTS:
        return _transition(
            delivery,
            to_status=S.RETURNED_TO_OFFICE,
            actor=Actor.system(),
            reason_code="max_attempts",
        )
    return _transition(
        delivery, to_status=S.QUEUED, actor=Actor.system(), reason_code="requeued"
    )


@transaction.atomic
def delivery_cancel(*, delivery: Delivery, actor: Actor, reason: str) -> Delivery:
    """Cancel a delivery that has not left the office, with a written reason."""
    _require_reason(reason)
    return _transition(
        delivery,
        to_status=S.CANCELLED,
        actor=actor,
        note=reason,
        fields=_unscheduled_fields(),
    )


def deliveries_cancel_uncollected(*, today: date | None = None) -> int:
    """Cancel passports past their collection deadline (Permenkumham 18/2022)."""
    today = today or timezone.localdate()
    last_issue_day = today - timedelta(days=settings.COLLECTION_DEADLINE_DAYS)
    overdue = Delivery.objects.filter(
        status__in=AT_OFFICE, document__issued_on__lt=last_issue_day
    ).only("pk", "status")
    cancelled = 0
    for delivery in overdue.iterator():
        with transaction.atomic():
            try:
                _transition(
                    delivery,
                    to_status=S.CANCELLED,
                    actor=Actor.system(),
                    reason_code="collection_deadline_passed",
                    fields=_unscheduled_fields(),
                )
            except TransitionNotAllowed:
                continue  # changed meanwhile (e.g. collected); nothing to cancel
        cancelled += 1
    return cancelled


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise DomainError(_("A reason is required."))


def _unscheduled_fields() -> dict[str, Any]:
    return {
        "courier": None,
        "scheduled_date": None,
        "eta_start_at": None,
        "eta_end_at": None,
    }


@transaction.atomic
def delivery_create(*, actor: Actor, **fields: Any) -> Delivery:
    """Create a delivery in RECEIVED with its first event."""
    now = timezone.now()
    delivery = Delivery.objects.create(
        status=S.RECEIVED, status_changed_at=now, **fields
    )
    record_event(
        delivery_id=delivery.pk,
        kind=EventKind.TRANSITION,
        to_status=S.RECEIVED,
        actor=actor,
        at=now,
    )
    return delivery


@transaction.atomic
def delivery_undo_failed_attempt(*, delivery: Delivery, actor: Actor) -> Delivery:
    """Undo a courier's mistaken failed attempt within the grace period (audited)."""
    delivery.refresh_from_db(fields=["failed_attempts"])
    failed = delivery.events.filter(to_status=S.ATTEMPT_FAILED).order_by("-id").first()
    now = timezone.now()
    grace = timedelta(seconds=settings.UNDO_GRACE_S)
    if failed is None:
        raise DomainError(_("This step can no longer be undone."))
    follow_ups = delivery.events.filter(id__gt=failed.id)
    # Only the courier's own last tap, still fresh, with nothing after it but the
    # system's re-queue (or return) that the failed attempt itself caused.
    if (
        failed.actor_id != getattr(actor.user, "pk", None)
        or now - failed.at > grace
        or follow_ups.count() != 1
    ):
        raise DomainError(_("This step can no longer be undone."))
    current = follow_ups.get().to_status
    fields = {
        "status": S.OUT_FOR_DELIVERY,
        "status_changed_at": now,
        "courier": Courier.objects.get(staff__user=actor.user),
        "scheduled_date": timezone.localdate(failed.at),
        "failed_attempts": delivery.failed_attempts - 1,
    }
    updated = Delivery.objects.filter(
        pk=delivery.pk, status=current, failed_attempts=delivery.failed_attempts
    ).update(**fields)
    if updated != 1:
        raise ConcurrentChange(
            _("The delivery was changed by someone else; reload it.")
        )
    record_event(
        delivery_id=delivery.pk,
        kind=EventKind.UNDONE,
        from_status=current,
        to_status=S.OUT_FOR_DELIVERY,
        actor=actor,
        at=now,
        reason_code="undo_failed_attempt",
        note=f"event {failed.pk}",
    )
    for name, value in fields.items():
        setattr(delivery, name, value)
    return delivery
