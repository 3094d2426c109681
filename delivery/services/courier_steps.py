"""The courier's steps of the life cycle: leaving with the passport, handing it
over, a failed attempt, and undoing a failed attempt tapped by mistake."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.errors import ConcurrentChange, DomainError
from delivery.models import Courier, Delivery, DeliveryEvent, EventKind, Status
from delivery.services.events import record_event
from delivery.services.transitions import (
    Actor,
    Position,
    delivery_transition,
    unscheduled_fields,
)

S = Status


class FailureReason:
    """Reason codes of a failed attempt (the courier app offers exactly these)."""

    NOT_AT_HOME = "not_at_home"
    ADDRESS_NOT_FOUND = "address_not_found"
    REFUSED = "refused"
    ANOTHER_DAY = "another_day"
    UNSAFE = "unsafe"
    OTHER = "other"
    ALL = (NOT_AT_HOME, ADDRESS_NOT_FOUND, REFUSED, ANOTHER_DAY, UNSAFE, OTHER)


@transaction.atomic
def delivery_start(
    *,
    delivery: Delivery,
    actor: Actor,
    position: Position | None = None,
    device_at: datetime | None = None,
) -> Delivery:
    """The courier leaves with the passport: it is out for delivery."""
    return delivery_transition(
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
    return delivery_transition(
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
    delivery_transition(
        delivery,
        to_status=S.ATTEMPT_FAILED,
        actor=actor,
        reason_code=reason_code,
        note=note,
        position=position,
        device_at=device_at,
        fields={"failed_attempts": attempts, **unscheduled_fields()},
    )
    if attempts >= settings.MAX_DELIVERY_ATTEMPTS:
        return delivery_transition(
            delivery,
            to_status=S.RETURNED_TO_OFFICE,
            actor=Actor.system(),
            reason_code="max_attempts",
        )
    return delivery_transition(
        delivery, to_status=S.QUEUED, actor=Actor.system(), reason_code="requeued"
    )


@transaction.atomic
def delivery_undo_failed_attempt(*, delivery: Delivery, actor: Actor) -> Delivery:
    """Undo a courier's mistaken failed attempt within the grace period (audited)."""
    delivery.refresh_from_db(fields=["failed_attempts"])
    now = timezone.now()
    failed, current = _undoable_attempt(delivery, actor, now)
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


def _undoable_attempt(
    delivery: Delivery, actor: Actor, now: datetime
) -> tuple[DeliveryEvent, str]:
    """The failed attempt to undo and the status it led to, or raise."""
    failed = delivery.events.filter(to_status=S.ATTEMPT_FAILED).order_by("-id").first()
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
    return failed, follow_ups.get().to_status
