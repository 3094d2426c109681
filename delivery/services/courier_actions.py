"""Actions sent by the courier app, applied once each by their client id.

The phone queues what the courier does while offline, with the device's own clock and
position, and sends it when the signal returns; it may send the same action twice (a
lost answer). The CourierAction row is inserted first, in the same transaction as the
step, so a replay (even a concurrent one) finds it and changes nothing. The device
time goes on the events this module writes (heading, arrived) and on the proof; for a
status change it is kept on the CourierAction row, since the life-cycle steps (and the
append-only event table) take no device time.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.models import (
    Courier,
    CourierAction,
    Delivery,
    EventPhoto,
    Status,
)
from delivery.services import handover
from delivery.services.courier_steps import (
    FailureReason,
    delivery_record_failed_attempt,
    delivery_start,
    delivery_undo_failed_attempt,
)
from delivery.services.photos import photo_file
from delivery.services.transitions import Actor, Position

PHOTO_REQUIRED = frozenset({FailureReason.NOT_AT_HOME, FailureReason.ADDRESS_NOT_FOUND})


class Outcome:
    APPLIED = "applied"
    REFUSED = "refused"


@dataclass(frozen=True)
class ActionInput:
    """One action as the phone sent it."""

    client_id: uuid.UUID
    action: str
    delivery: Delivery | None = None
    device_at: datetime | None = None
    position: Position | None = None
    data: dict[str, Any] = field(default_factory=dict)


def deliveries_start_route(
    *,
    courier: Courier,
    position: Position | None = None,
    device_at: datetime | None = None,
) -> list[Delivery]:
    """Start today's route: every scheduled delivery of the courier goes out."""
    today = timezone.localdate()
    scheduled = Delivery.objects.filter(
        courier=courier, scheduled_date=today, status=Status.SCHEDULED
    ).order_by("id")
    actor = Actor.courier(courier.staff.user)
    return [
        delivery_start(
            delivery=delivery, actor=actor, position=position, device_at=device_at
        )
        for delivery in scheduled
    ]


@transaction.atomic
def delivery_record_failed_visit(
    *,
    delivery: Delivery,
    courier: Courier,
    reason_code: str,
    note: str = "",
    photo: File | None = None,
    position: Position | None = None,
    device_at: datetime | None = None,
) -> Delivery:
    """A failed attempt from the courier app, with its photo where one is required."""
    if reason_code in PHOTO_REQUIRED and photo is None:
        raise DomainError(_("A photo is required for this reason."))
    stored = photo_file(photo) if photo is not None else None
    if delivery.courier_id != courier.pk:
        raise DomainError(_("This delivery is not out for delivery with you."))
    delivery = delivery_record_failed_attempt(
        delivery=delivery,
        actor=Actor.courier(courier.staff.user),
        reason_code=reason_code,
        note=note,
        position=position,
        device_at=device_at,
    )
    if stored is not None:
        event = delivery.events.filter(to_status=Status.ATTEMPT_FAILED).latest("id")
        EventPhoto.objects.create(event=event, photo=stored)
    return delivery


def _step(courier: Courier, item: ActionInput) -> str:
    """Apply one action; return a refusal message ("" when applied)."""
    if item.action == "start_route":
        deliveries_start_route(
            courier=courier, position=item.position, device_at=item.device_at
        )
        return ""
    if item.delivery is None:  # every other action is on one stop
        raise DomainError(_("Choose a stop."))
    return _delivery_step(courier, item.delivery, item)


def _delivery_step(courier: Courier, delivery: Delivery, item: ActionInput) -> str:
    data, position = item.data, item.position
    if item.action == "heading":
        handover.delivery_mark_heading(
            delivery=delivery,
            courier=courier,
            position=position,
            device_at=item.device_at,
        )
    elif item.action == "arrived":
        handover.delivery_mark_arrived(
            delivery=delivery,
            courier=courier,
            position=position,
            device_at=item.device_at,
        )
    elif item.action == "resend":
        handover.handover_code_send(delivery=delivery, courier=courier)
    elif item.action == "handover":
        outcome = handover.handover_code_verify(
            delivery=delivery,
            courier=courier,
            code=data["code"],
            proof=data["proof"],
            position=position,
            device_at=item.device_at,
        )
        return outcome.message
    elif item.action == "failed":
        delivery_record_failed_visit(
            delivery=delivery,
            courier=courier,
            reason_code=data["reason_code"],
            note=data.get("note", ""),
            photo=data.get("photo"),
            position=position,
            device_at=item.device_at,
        )
    elif item.action == "undo":
        delivery_undo_failed_attempt(
            delivery=delivery, actor=Actor.courier(courier.staff.user)
        )
    else:
        raise DomainError(_("Unknown action."))
    return ""


@transaction.atomic
def courier_action_apply(*, courier: Courier, item: ActionInput) -> CourierAction:
    """Apply an action of the courier app once; a replay returns the first result."""
    try:
        with transaction.atomic():
            row = CourierAction.objects.create(
                client_id=item.client_id,
                courier=courier,
                delivery=item.delivery,
                action=item.action,
                device_at=item.device_at,
                lat=item.position.lat if item.position else None,
                lon=item.position.lon if item.position else None,
                outcome="pending",
            )
    except IntegrityError:
        row = CourierAction.objects.get(client_id=item.client_id)
        if row.courier_id != courier.pk:
            raise DomainError(_("Unknown action.")) from None
        return row
    try:
        with transaction.atomic():
            message = _step(courier, item)
    except DomainError as exc:
        message = exc.message
    row.outcome = Outcome.REFUSED if message else Outcome.APPLIED
    row.message = message[:300]
    row.save(update_fields=["outcome", "message"])
    return row
