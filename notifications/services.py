"""The SMS outbox: queued in the caller's transaction, sent after commit, never twice.

A message row is written with a unique idempotency key in the same transaction as the
event that caused it; the send task is enqueued only on commit. Sending claims the row
first (a conditional update), so two workers never both send it. An ambiguous outcome
is reconciled against the provider's message log before anything is sent again.
"""

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import Context, Engine
from django.utils import timezone, translation

from notifications import gsm
from notifications.backends import (
    Accepted,
    AmbiguousSmsError,
    OutgoingSms,
    PermanentSmsError,
    TransientSmsError,
    get_backend,
)
from notifications.models import (
    STATUS_RANK,
    InboundSms,
    SmsMessage,
    SmsOptOut,
    SmsStatus,
    SmsStatusReport,
)
from notifications.quiet_hours import sms_hold_until

logger = logging.getLogger(__name__)


# SMS are plain text: no HTML escaping of "&" or quotes.
_SMS_TEMPLATES = Engine(
    dirs=[str(Path(__file__).parent / "templates")], autoescape=False
)
SMS_LANGUAGES = ("id", "en")


def sms_render(*, template: str, language: str, context: dict[str, Any]) -> str:
    """Render `sms/<language>/<template>.txt` as GSM-7 text on one line."""
    language = language if language in SMS_LANGUAGES else "id"
    full = Context({"brand": settings.ANTAR_BRAND, **context})
    with translation.override(language):
        text = _SMS_TEMPLATES.get_template(f"sms/{language}/{template}.txt").render(
            full
        )
    return gsm.to_gsm7(" ".join(text.split()))


def queue_sms(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    key: str,
    language: str = "id",
    critical: bool = False,
    validity_s: int | None = None,
) -> SmsMessage:
    """Write the message to the outbox; it is sent after the caller's commit."""
    existing = SmsMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    body = sms_render(template=template, language=language, context=context)
    opted_out = not critical and SmsOptOut.objects.filter(phone=to).exists()
    hold = None if critical else sms_hold_until(timezone.now())
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(
                key=key,
                to=to,
                template=template,
                language=language,
                body=body,
                segments=gsm.segments(body),
                critical=critical,
                validity_s=validity_s,
                status=SmsStatus.SUPPRESSED if opted_out else SmsStatus.QUEUED,
                next_attempt_at=hold,
            )
    except IntegrityError:
        return SmsMessage.objects.get(key=key)  # queued by a concurrent caller
    if not opted_out and hold is None:  # a held message is sent by the sweep
        _enqueue_on_commit(message.pk)
    return message


def _enqueue_on_commit(message_id: int) -> None:
    from notifications.tasks import sms_send_task

    sms_send_task.delay_on_commit(message_id)


@dataclass(frozen=True)
class SendOutcome:
    """What a send attempt came to, and whether the task should retry."""

    status: str
    retry: bool = False
    attempts: int = 0


def sms_send(*, message_id: int) -> SendOutcome:
    """Claim a queued message and send it once; classify any failure."""
    message = _claim(message_id)
    if message is None:
        current = SmsMessage.objects.filter(pk=message_id).values_list(
            "status", flat=True
        )
        return SendOutcome(status=current.first() or "missing")
    if _too_late(message):
        return _finish(message, SmsStatus.EXPIRED)
    if message.attempts > settings.SMS_MAX_ATTEMPTS:
        return _finish(message, SmsStatus.FAILED, error="gave up after many attempts")
    sms = OutgoingSms(to=message.to, body=message.body, validity_s=message.validity_s)
    try:
        accepted = get_backend().send(sms)
    except PermanentSmsError as exc:
        return _finish(message, SmsStatus.FAILED, code=exc.code, error=str(exc))
    except AmbiguousSmsError as exc:
        return _finish(
            message, SmsStatus.UNKNOWN, code=exc.code, error=str(exc), retry=True
        )
    except TransientSmsError as exc:
        return _release(message, code=exc.code, error=str(exc))
    _mark_sent(message, accepted.sid, expected=SmsStatus.SENDING)
    return SendOutcome(status=SmsStatus.SENT)


def _mark_sent(message: SmsMessage, provider_sid: str, *, expected: str) -> None:
    SmsMessage.objects.filter(pk=message.pk, status=expected).update(
        status=SmsStatus.SENT, provider_sid=provider_sid, sent_at=timezone.now()
    )
    _redact_if_critical(message.pk)
    _apply_reports(provider_sid)


REDACTED = "[redacted after sending]"


def _redact_if_critical(message_id: int) -> None:
    """Forget the words of a critical message (a handover code) once it is settled.

    Nobody may read a code: the text is needed only until the send is settled
    (reconciliation compares it with the provider's log)."""
    SmsMessage.objects.filter(pk=message_id, critical=True).update(body=REDACTED)


def _claim(message_id: int) -> SmsMessage | None:
    now = timezone.now()
    queued = SmsMessage.objects.filter(pk=message_id, status=SmsStatus.QUEUED)
    # A message held for the quiet hours is not due yet.
    claimed = queued.exclude(next_attempt_at__gt=now).update(
        status=SmsStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return SmsMessage.objects.get(pk=message_id) if claimed else None


def _too_late(message: SmsMessage) -> bool:
    if not message.validity_s:
        return False
    return timezone.now() > message.created_at + timedelta(seconds=message.validity_s)


def _finish(
    message: SmsMessage,
    status: str,
    *,
    code: str = "",
    error: str = "",
    retry: bool = False,
) -> SendOutcome:
    SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
        status=status, error_code=code, error_message=error[:300]
    )
    if not retry:
        _redact_if_critical(message.pk)
    logger.info("sms %s: %s %s", message.pk, status, code)
    return SendOutcome(status=status, retry=retry, attempts=message.attempts)


def _release(message: SmsMessage, *, code: str, error: str) -> SendOutcome:
    """Put a message the provider certainly did not take back in the queue."""
    if message.attempts >= settings.SMS_MAX_ATTEMPTS:
        return _finish(message, SmsStatus.FAILED, code=code, error=f"gave up: {error}")
    SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
        status=SmsStatus.QUEUED, error_code=code, error_message=error[:300]
    )
    return SendOutcome(status=SmsStatus.QUEUED, retry=True, attempts=message.attempts)


def sms_reconcile(*, message_id: int) -> SendOutcome:
    """Settle a send that may have reached the provider: found there, or re-queued."""
    message = SmsMessage.objects.filter(
        pk=message_id, status__in=[SmsStatus.UNKNOWN, SmsStatus.SENDING]
    ).first()
    if message is None:
        return SendOutcome(status="settled")
    since = message.claimed_at or message.created_at
    found = _unclaimed_match(message, since)
    if found is not None:
        _mark_sent(message, found.sid, expected=message.status)
        return SendOutcome(status=SmsStatus.SENT)
    requeued = SmsMessage.objects.filter(pk=message.pk, status=message.status).update(
        status=SmsStatus.QUEUED
    )
    return SendOutcome(status=SmsStatus.QUEUED, retry=bool(requeued))


def _unclaimed_match(message: SmsMessage, since: datetime) -> Accepted | None:
    """The provider's record of this message: same text and number, and not already
    known as another of our messages (a family may get two identical texts)."""
    candidates = get_backend().find_sent(to=message.to, body=message.body, since=since)
    known = set(
        SmsMessage.objects.filter(provider_sid__in=[c.sid for c in candidates])
        .exclude(pk=message.pk)
        .values_list("provider_sid", flat=True)
    )
    return next((c for c in candidates if c.sid not in known), None)


def sms_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Find what is stuck: re-enqueue queued rows, reconcile stale claims."""
    from notifications.tasks import sms_reconcile_task, sms_send_task

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SMS_STUCK_AFTER_S)
    queued = SmsMessage.objects.filter(
        status=SmsStatus.QUEUED, created_at__lt=stale
    ).exclude(next_attempt_at__gt=now)
    unsettled = SmsMessage.objects.filter(
        status__in=[SmsStatus.UNKNOWN, SmsStatus.SENDING], claimed_at__lt=stale
    )
    queued_ids = list(queued.values_list("pk", flat=True)[:500])
    unsettled_ids = list(unsettled.values_list("pk", flat=True)[:500])
    for pk in queued_ids:
        sms_send_task.delay(pk)
    for pk in unsettled_ids:
        sms_reconcile_task.delay(pk)
    return {"resent": len(queued_ids), "reconciled": len(unsettled_ids)}


_PROVIDER_STATUS = {
    "sent": SmsStatus.SENT,
    "delivered": SmsStatus.DELIVERED,
    "undelivered": SmsStatus.UNDELIVERED,
    "failed": SmsStatus.FAILED,
}


def sms_status_report(*, provider_sid: str, status: str, error_code: str = "") -> bool:
    """Record a provider status report; True when it moved a message forward."""
    try:
        with transaction.atomic():
            SmsStatusReport.objects.create(
                provider_sid=provider_sid, status=status, error_code=error_code
            )
    except IntegrityError:
        return False  # the same report again: already recorded
    return _apply_reports(provider_sid)


def _apply_reports(provider_sid: str) -> bool:
    """Move the message with this provider id to the furthest status reported.

    Reports can arrive before we know the provider id (a slow or ambiguous send), so
    this runs again whenever a message gets its id."""
    reports = SmsStatusReport.objects.filter(provider_sid=provider_sid).values_list(
        "status", "error_code"
    )
    known = [
        (_PROVIDER_STATUS[s], code) for s, code in reports if s in _PROVIDER_STATUS
    ]
    if not known:
        return False
    furthest, error_code = max(known, key=lambda report: STATUS_RANK[report[0]])
    lower = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[furthest]]
    fields: dict[str, Any] = {"status": furthest}
    if error_code:
        fields["error_code"] = error_code
    if furthest == SmsStatus.DELIVERED:
        fields["delivered_at"] = timezone.now()
    moved = SmsMessage.objects.filter(provider_sid=provider_sid, status__in=lower)
    return moved.update(**fields) > 0


STOP_WORDS = {"STOP", "BERHENTI", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "STOPALL"}
START_WORDS = {"START", "MULAI", "YES", "UNSTOP"}


def sms_inbound(*, provider_sid: str, sender: str, body: str) -> str:
    """Handle an inbound SMS once: STOP/START; return what it was handled as."""
    existing = InboundSms.objects.filter(provider_sid=provider_sid).first()
    if existing is not None:
        return existing.handled_as
    word = body.strip().split(maxsplit=1)[0].upper() if body.strip() else ""
    handled_as = "other"
    if word in STOP_WORDS:
        sms_opt_out(phone=sender, source="sms")
        handled_as = "stop"
    elif word in START_WORDS:
        sms_opt_in(phone=sender)
        handled_as = "start"
    else:
        handled_as = _inbound_to_receivers(sender=sender, body=body)
    # A concurrent delivery of the same webhook may have recorded it first.
    with contextlib.suppress(IntegrityError), transaction.atomic():
        InboundSms.objects.create(
            provider_sid=provider_sid,
            sender=sender,
            body=body[:1600],
            handled_as=handled_as,
        )
    return handled_as


def _inbound_to_receivers(*, sender: str, body: str) -> str:
    """Let other apps handle a reply (complaint keyword, rating); first answer wins."""
    from notifications.signals import inbound_sms_received

    answers = inbound_sms_received.send(sender=None, phone=sender, body=body)
    return next((answer for _, answer in answers if answer), "other")


def sms_opt_out(*, phone: str, source: str) -> SmsOptOut:
    """Stop all but critical SMS (the handover code) to this number."""
    opt_out, _ = SmsOptOut.objects.get_or_create(
        phone=phone, defaults={"source": source}
    )
    return opt_out


def sms_opt_in(*, phone: str) -> None:
    """Send SMS to this number again."""
    SmsOptOut.objects.filter(phone=phone).delete()


def sms_is_opted_out(*, phone: str) -> bool:
    """Whether the number asked for no SMS."""
    return SmsOptOut.objects.filter(phone=phone).exists()
