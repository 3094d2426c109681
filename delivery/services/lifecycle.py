"""The office's steps of the life cycle: intake, queue, hold, schedule, collection
at the counter and cancellation. Each is one checked transition (transitions.py).
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.errors import DomainError, TransitionNotAllowed
from delivery.models import Courier, Delivery, EventKind, Status
from delivery.notify import notify_applicant
from delivery.services.events import record_event
from delivery.services.transitions import (
    AT_OFFICE,
    Actor,
    delivery_transition,
    require_reason,
    transition_refused,
    unscheduled_fields,
)

S = Status


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
def delivery_queue(*, delivery: Delivery, actor: Actor) -> Delivery:
    """Put a received (or re-released) delivery in the dispatch queue."""
    if not delivery.has_location:
        raise DomainError(_("The delivery has no location yet; fix the address first."))
    return delivery_transition(
        delivery, to_status=S.QUEUED, actor=actor, allowed_from=frozenset({S.RECEIVED})
    )


@transaction.atomic
def delivery_hold(
    *, delivery: Delivery, actor: Actor, reason: str, reason_code: str = ""
) -> Delivery:
    """Take a delivery out of planning (address problem, applicant's request)."""
    require_reason(reason)
    return delivery_transition(
        delivery,
        to_status=S.ON_HOLD,
        actor=actor,
        reason_code=reason_code,
        note=reason,
        fields=unscheduled_fields(),
    )


@transaction.atomic
def delivery_release(*, delivery: Delivery, actor: Actor, note: str = "") -> Delivery:
    """Return a delivery on hold to the dispatch queue."""
    if not delivery.has_location:
        raise DomainError(_("The delivery has no location yet; fix the address first."))
    return delivery_transition(
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
    return delivery_transition(
        delivery, to_status=S.SCHEDULED, actor=actor, fields=fields
    )


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
        raise transition_refused(delivery, S.SCHEDULED)
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
    return delivery_transition(
        delivery,
        to_status=S.QUEUED,
        actor=actor,
        allowed_from=frozenset({S.SCHEDULED}),
        note=note,
        fields=unscheduled_fields(),
    )


@transaction.atomic
def delivery_mark_collected(
    *, delivery: Delivery, actor: Actor, note: str = ""
) -> Delivery:
    """The applicant collected the passport at the office counter."""
    return delivery_transition(
        delivery,
        to_status=S.DELIVERED,
        actor=actor,
        allowed_from=frozenset({S.ON_HOLD, S.RETURNED_TO_OFFICE}),
        reason_code="collected_at_office",
        note=note,
        fields={"delivered_at": timezone.now()},
    )


@transaction.atomic
def delivery_cancel(*, delivery: Delivery, actor: Actor, reason: str) -> Delivery:
    """Cancel a delivery that has not left the office, with a written reason."""
    require_reason(reason)
    return delivery_transition(
        delivery,
        to_status=S.CANCELLED,
        actor=actor,
        note=reason,
        fields=unscheduled_fields(),
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
                delivery_transition(
                    delivery,
                    to_status=S.CANCELLED,
                    actor=Actor.system(),
                    reason_code="collection_deadline_passed",
                    fields=unscheduled_fields(),
                )
            except TransitionNotAllowed:
                continue  # changed meanwhile (e.g. collected); nothing to cancel
        cancelled += 1
    return cancelled
