"""Handover against a one-time code (DESIGN.md "Handover").

Codes come from `secrets`, are stored only as HMAC-SHA256 keyed with a pepper kept in
settings (never in the database) and compared in constant time. Every counter (wrong
entries per code, codes per day, a courier's failures) is read and written under a
row lock, so parallel guessers are evaluated one at a time and none slips past a limit.
A wrong code is not an exception: its counters must commit, so verification returns
an outcome instead of raising (raising would roll the counters back).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.models import (
    ActorKind,
    Courier,
    Delivery,
    EventKind,
    HandoverAttempt,
    HandoverCode,
    ProofOfDelivery,
    Status,
)
from delivery.notify import tracking_link
from delivery.services.audit import audit_append
from delivery.services.courier_steps import delivery_mark_delivered
from delivery.services.events import record_event
from delivery.services.photos import photo_file
from delivery.services.transitions import Actor, Position
from notifications.services import queue_sms

PAUSE = timedelta(hours=1)


@dataclass(frozen=True)
class Proof:
    """Who received the passport and the photo of their ID / KK / letter."""

    recipient_kind: str
    recipient_name: str
    photo: File


@dataclass(frozen=True)
class HandoverOutcome:
    """The result of one code entered: delivered, or why not."""

    delivered: bool
    message: str = ""


def code_hash(code: str) -> str:
    """The keyed hash of a code, as stored."""
    pepper = settings.HANDOVER_CODE_PEPPER
    if not pepper:
        raise ImproperlyConfigured("HANDOVER_CODE_PEPPER is not set")
    return hmac.new(pepper.encode(), code.encode(), hashlib.sha256).hexdigest()


def handover_is_locked(delivery: Delivery) -> bool:
    """Locked by too many wrong codes since the delivery last changed status."""
    locked_at = delivery.handover_locked_at
    return locked_at is not None and locked_at >= delivery.status_changed_at


def _locked_delivery(delivery_id: int) -> Delivery:
    return Delivery.objects.select_for_update().get(pk=delivery_id)


def _live_codes(delivery: Delivery):
    return HandoverCode.objects.filter(
        delivery=delivery, used_at__isnull=True, invalidated_at__isnull=True
    )


def _check_courier_may_handover(delivery: Delivery, courier: Courier) -> None:
    if delivery.status != Status.OUT_FOR_DELIVERY or delivery.courier_id != courier.pk:
        raise DomainError(_("This delivery is not out for delivery with you."))
    if courier.paused_until and courier.paused_until > timezone.now():
        raise DomainError(_("You are paused after too many wrong codes."))
    if handover_is_locked(delivery):
        raise DomainError(
            _("Handover is locked after too many wrong codes; call the office.")
        )


def _check_send_limits(delivery: Delivery, now: datetime) -> None:
    latest = _live_codes(delivery).order_by("-created_at").first()
    resend_at = latest and latest.created_at + timedelta(
        seconds=settings.HANDOVER_RESEND_AFTER_S
    )
    if resend_at and resend_at > now:
        wait_s = int((resend_at - now).total_seconds()) + 1
        raise DomainError(
            _("A code was just sent; wait %(seconds)s s before sending a new one.")
            % {"seconds": wait_s}
        )
    day_start = timezone.localtime(now).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    sent_today = HandoverCode.objects.filter(
        delivery=delivery, created_at__gte=day_start
    ).count()
    if sent_today >= settings.HANDOVER_MAX_CODES_PER_DAY:
        raise DomainError(
            _("No more codes can be sent for this delivery today; call the office.")
        )


def _send_code(
    delivery: Delivery, *, actor: Actor, kind: str, reason: str = ""
) -> HandoverCode:
    """Invalidate live codes, store a new one as a hash, SMS it, record the event."""
    courier = delivery.courier
    if courier is None:  # the callers refuse such a delivery first
        raise DomainError(_("Only a delivery that is out for delivery gets a code."))
    now = timezone.now()
    _live_codes(delivery).update(invalidated_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    issued_by = actor.user if kind == EventKind.CODE_REISSUED else None
    handover_code = HandoverCode.objects.create(
        delivery=delivery,
        courier_id=courier.pk,
        code_hash=code_hash(code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.HANDOVER_CODE_VALIDITY_S),
        issued_by=issued_by,
        reason=reason,
    )
    record_event(delivery_id=delivery.pk, kind=kind, actor=actor, at=now, note=reason)
    applicant = delivery.document.applicant
    queue_sms(
        to=applicant.phone,
        template="handover_code",
        context={
            "code": code,
            "courier": courier.staff.user.first_name,
            "link": tracking_link(delivery),
        },
        key=f"handover:{handover_code.pk}",
        language=applicant.language,
        critical=True,
        validity_s=settings.HANDOVER_CODE_VALIDITY_S,
        subject=f"delivery:{delivery.pk}",
    )
    return handover_code


def _with_relations(delivery_id: int) -> Delivery:
    return (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("document__applicant", "courier__staff__user")
        .get(pk=delivery_id)
    )


@transaction.atomic
def handover_code_send(*, delivery: Delivery, courier: Courier) -> HandoverCode:
    """Send the applicant a new code (arrived or resend), within the limits."""
    delivery = _with_relations(delivery.pk)
    _check_courier_may_handover(delivery, courier)
    _check_send_limits(delivery, timezone.now())
    return _send_code(
        delivery, actor=Actor.courier(courier.staff.user), kind=EventKind.CODE_SENT
    )


@transaction.atomic
def handover_code_reissue(
    *, delivery: Delivery, actor: Actor, reason: str
) -> HandoverCode:
    """A dispatcher sends a new code to the registered phone, with a written reason."""
    if not reason.strip():
        raise DomainError(_("A reason is required."))
    delivery = _with_relations(delivery.pk)
    if delivery.status != Status.OUT_FOR_DELIVERY or delivery.courier_id is None:
        raise DomainError(_("Only a delivery that is out for delivery gets a code."))
    # The re-issue is the office's answer to a lock: it unlocks the handover.
    Delivery.objects.filter(pk=delivery.pk).update(handover_locked_at=None)
    delivery.handover_locked_at = None
    return _send_code(
        delivery, actor=actor, kind=EventKind.CODE_REISSUED, reason=reason.strip()
    )


def _record_wrong(
    delivery: Delivery, courier: Courier, live: HandoverCode, now: datetime
) -> str:
    """Count a wrong code; lock the handover or pause the courier at the limits."""
    live.failed_attempts += 1
    left = settings.HANDOVER_MAX_WRONG - live.failed_attempts
    message = _("Wrong code. Tries left: %(left)s.") % {"left": left}
    if live.failed_attempts >= settings.HANDOVER_MAX_WRONG:
        live.invalidated_at = now
        _lock(delivery, courier, now)
        message = _("Wrong code. Handover is now locked; call the office.")
    live.save(update_fields=["failed_attempts", "invalidated_at"])
    audit_append(
        action="handover.wrong_code",
        subject=f"delivery:{delivery.pk}",
        actor=courier.staff.user,
        actor_kind=ActorKind.COURIER,
        data={
            "attempts": live.failed_attempts,
            "locked": live.invalidated_at is not None,
        },
        at=now,
    )
    recent = HandoverAttempt.objects.filter(
        courier=courier, success=False, at__gt=now - timedelta(hours=1)
    ).count()
    if recent >= settings.COURIER_MAX_FAILURES_PER_HOUR:
        courier.paused_until = now + PAUSE
        courier.save(update_fields=["paused_until"])
    return message


def _lock(delivery: Delivery, courier: Courier, now: datetime) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(handover_locked_at=now)
    record_event(
        delivery_id=delivery.pk,
        kind=EventKind.HANDOVER_LOCKED,
        actor=Actor.courier(courier.staff.user),
        at=now,
    )
    applicant = delivery.document.applicant
    queue_sms(
        to=applicant.phone,
        template="handover_locked",
        context={"link": tracking_link(delivery)},
        key=f"delivery:{delivery.pk}:locked:{now.timestamp()}",
        language=applicant.language,
        critical=True,
        subject=f"delivery:{delivery.pk}",
    )


def _live_code_for(delivery: Delivery, courier: Courier, now: datetime):
    live = _live_codes(delivery).select_for_update().order_by("-created_at").first()
    if live is None or live.courier_id != courier.pk:
        raise DomainError(_("No valid code for this delivery; send a new code."))
    if live.expires_at <= now:
        raise DomainError(_("The code has expired; send a new code."))
    return live


@transaction.atomic
def handover_code_verify(
    *,
    delivery: Delivery,
    courier: Courier,
    code: str,
    proof: Proof,
    position: Position | None = None,
    device_at: datetime | None = None,
) -> HandoverOutcome:
    """Check the code the courier entered; on a match hand over with its proof."""
    # A photo that is refused refuses the step before any code or lock is touched.
    photo = photo_file(proof.photo)
    now = timezone.now()
    # Lock order: courier, delivery, code (issuing takes delivery, code).
    courier = (
        Courier.objects.select_for_update(of=("self",))
        .select_related("staff__user")
        .get(pk=courier.pk)
    )
    delivery = _with_relations(delivery.pk)
    _check_courier_may_handover(delivery, courier)
    live = _live_code_for(delivery, courier, now)
    matches = hmac.compare_digest(live.code_hash, code_hash(code.strip()))
    HandoverAttempt.objects.create(
        courier=courier, delivery=delivery, code=live, at=now, success=matches
    )
    if not matches:
        return HandoverOutcome(False, _record_wrong(delivery, courier, live, now))
    live.used_at = now
    live.save(update_fields=["used_at"])
    _save_proof(delivery, courier, proof, photo, position, device_at)
    delivery_mark_delivered(
        delivery=delivery,
        actor=Actor.courier(courier.staff.user),
        position=position,
        device_at=device_at,
    )
    return HandoverOutcome(True)


def _save_proof(
    delivery, courier, proof, photo, position, device_at
) -> ProofOfDelivery:
    return ProofOfDelivery.objects.create(
        delivery=delivery,
        courier=courier,
        recipient_kind=proof.recipient_kind,
        recipient_name=proof.recipient_name,
        photo=photo,
        lat=position.lat if position else None,
        lon=position.lon if position else None,
        device_at=device_at,
    )


def _code_is_live(delivery: Delivery) -> bool:
    return _live_codes(delivery).filter(expires_at__gt=timezone.now()).exists()


def delivery_mark_heading(
    *,
    delivery: Delivery,
    courier: Courier,
    position: Position | None = None,
    device_at: datetime | None = None,
) -> Delivery:
    """The courier heads to this stop: record it; the code waits for the arrival."""
    return _mark_visit(EventKind.HEADING, delivery, courier, position, device_at)


def delivery_mark_arrived(
    *,
    delivery: Delivery,
    courier: Courier,
    position: Position | None = None,
    device_at: datetime | None = None,
) -> Delivery:
    """The courier is at the stop: record it; send a code unless one is still valid."""
    return _mark_visit(EventKind.ARRIVED, delivery, courier, position, device_at)


@transaction.atomic
def _mark_visit(
    kind: str,
    delivery: Delivery,
    courier: Courier,
    position: Position | None,
    device_at: datetime | None,
) -> Delivery:
    delivery = _with_relations(delivery.pk)
    _check_courier_may_handover(delivery, courier)
    actor = Actor.courier(courier.staff.user)
    record_event(
        delivery_id=delivery.pk,
        kind=kind,
        actor=actor,
        position=position,
        device_at=device_at,
    )
    # A code sent on the way would expire on a rural leg (30-60 min) before the
    # courier arrives: only the arrival sends one.
    if kind == EventKind.ARRIVED and not _code_is_live(delivery):
        _check_send_limits(delivery, timezone.now())
        _send_code(delivery, actor=actor, kind=EventKind.CODE_SENT)
    return delivery


def handover_code_live(delivery: Delivery) -> HandoverCode | None:
    """The code the applicant holds now (when it was sent, until when), or None."""
    return (
        _live_codes(delivery)
        .filter(expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
