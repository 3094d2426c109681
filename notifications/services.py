"""The SMS outbox: queued in the caller's transaction, sent after commit, never twice.

A message row is written with a unique idempotency key in the same transaction as the
event that caused it; the send task is enqueued only on commit. Sending claims the row
first (a conditional update), so two workers never both send it. An ambiguous outcome
is reconciled against the provider's message log before anything is sent again.
"""

import contextlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import Context, Engine
from django.utils import timezone, translation

from notifications import gsm, limits
from notifications.backends import (
    Accepted,
    AmbiguousSmsError,
    OutgoingSms,
    PermanentSmsError,
    TransientSmsError,
    get_backend,
)
from notifications.dispatch import sms_publish_sends, sms_send_on_commit
from notifications.models import (
    STATUS_RANK,
    InboundSms,
    SmsMessage,
    SmsOptOut,
    SmsStatus,
    SmsStatusReport,
)
from notifications.outbox_sql import (
    sms_claim_due,
    sms_insert_new,
    sms_mark_sent,
    sms_release_claims,
    sms_reports_of,
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
    subject: str = "",
    secret: bool = False,
) -> SmsMessage:
    """Write the message to the outbox; it is sent after the caller's commit.

    A non-critical message over a cap (see notifications.limits) is written as
    suppressed, with the reason, and not sent. The text of a critical or `secret`
    message (one that carries a code or key) is forgotten once it is settled."""
    body = sms_render(template=template, language=language, context=context)
    held_back = "" if critical else limits.sms_hold_back_reason(
        to=to, subject=subject, now=timezone.now()
    )  # fmt: skip
    secret = secret or critical
    # Non-urgent SMS wait for daytime (quiet hours); the sweep sends them then.
    hold = None if critical or held_back else sms_hold_until(timezone.now())
    message = SmsMessage(
        key=key, to=to, template=template, language=language,
        body=REDACTED if held_back and secret else body,
        segments=gsm.segments(body), critical=critical, secret=secret,
        validity_s=validity_s, subject=subject[:60],
        status=SmsStatus.SUPPRESSED if held_back else SmsStatus.QUEUED,
        suppressed_reason=held_back, next_attempt_at=hold,
    )  # fmt: skip
    if not sms_insert_new(message):
        # The key is taken (queued before, or by a concurrent caller): that message
        # stands, and nothing more is sent.
        return SmsMessage.objects.get(key=key)
    if held_back:
        logger.info("sms %s held back: %s", message.pk, held_back)
    elif hold is None:  # a message held for the quiet hours is sent by the sweep
        sms_send_on_commit(message.pk)
    return message


def sms_is_queued(*, key: str) -> bool:
    """Whether a message with this idempotency key is already in the outbox."""
    return SmsMessage.objects.filter(key=key).exists()


@dataclass(frozen=True)
class SendOutcome:
    """What a send attempt came to, and when (if at all) the task should retry."""

    status: str
    retry_at: datetime | None = None

    @property
    def retry(self) -> bool:
        """Whether a follow-up (send or reconcile) is due at `retry_at`."""
        return self.retry_at is not None


def sms_retry_delay(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: exponential, full jitter."""
    # Jitter, so a provider outage is not hit in lockstep; the cap keeps a message
    # that waits out a long outage going out within minutes of the recovery.
    ceiling = min(settings.SMS_RETRY_MAX_DELAY_S, 2**attempts)
    return timedelta(seconds=random.uniform(min(0.5, ceiling), ceiling))


def sms_send(*, message_id: int) -> SendOutcome:
    """Claim a queued message that is due and send it once; classify any failure."""
    return sms_send_many(message_ids=[message_id])[0]


def sms_send_many(*, message_ids: Sequence[int]) -> list[SendOutcome]:
    """As `sms_send` for each message, one after another, in the order given; the
    messages are claimed in one statement and those accepted by the provider are
    marked sent in one (also when a send raises), so that a send task's database
    work does not grow with its number of messages."""
    claimed = sms_claim_due(message_ids, timezone.now())
    outcomes: dict[int, SendOutcome] = {}
    accepted: dict[int, str] = {}
    try:
        for index, message in enumerate(claimed):
            if _lease_over(message):
                unsent = [m.pk for m in claimed[index:]]
                sms_release_claims(unsent)
                sms_publish_sends(unsent)
                break
            outcomes[message.pk] = _send_claimed(message, accepted)
    finally:
        _mark_sent(accepted, expected=SmsStatus.SENDING)
    return [outcomes.get(pk) or _unclaimed(pk) for pk in message_ids]


def _lease_over(message: SmsMessage) -> bool:
    """Whether a claimed message must not be sent by this task any more: the sweep
    takes a claim older than SMS_STUCK_AFTER_S as stale and reconciles it, so a send
    starts only in the first half of that time and has the other half (well over
    TWILIO_TIMEOUT_S) to finish."""
    assert message.claimed_at is not None
    lease = timedelta(seconds=settings.SMS_STUCK_AFTER_S / 2)
    return timezone.now() > message.claimed_at + lease


def _send_claimed(message: SmsMessage, accepted: dict[int, str]) -> SendOutcome:
    """Send a claimed message; on success, note its provider id in `accepted` (the
    caller marks it sent)."""
    if _too_late(message):
        return _finish(message, SmsStatus.EXPIRED, error="no longer of use")
    sms = OutgoingSms(to=message.to, body=message.body, validity_s=message.validity_s)
    try:
        accepted[message.pk] = get_backend().send(sms).sid
    except PermanentSmsError as exc:
        return _finish(message, SmsStatus.FAILED, code=exc.code, error=str(exc))
    except AmbiguousSmsError as exc:
        return _finish(
            message, SmsStatus.UNKNOWN, code=exc.code, error=str(exc), retry=True
        )
    except TransientSmsError as exc:
        return _release(message, code=exc.code, error=str(exc))
    return SendOutcome(status=SmsStatus.SENT)


def _unclaimed(message_id: int) -> SendOutcome:
    """The outcome for a message this task did not send: its current status."""
    current = SmsMessage.objects.filter(pk=message_id).values_list("status", flat=True)
    return SendOutcome(status=current.first() or "missing")


def _mark_sent(provider_sids: dict[int, str], *, expected: str) -> None:
    sms_mark_sent(
        provider_sids, now=timezone.now(), expected=expected, redacted=REDACTED
    )
    reports = sms_reports_of(list(provider_sids.values()))
    for provider_sid, found in reports.items():
        _apply_reports(provider_sid, found)


REDACTED = "[redacted after sending]"


def _forgotten_body(message: SmsMessage) -> dict[str, str]:
    """The body to write when a secret message (a handover code, a survey key) is
    settled: nobody may read a code, and the text is needed only until the send is
    settled (reconciliation compares it with the provider's log)."""
    return {"body": REDACTED} if message.secret or message.critical else {}


def _too_late(message: SmsMessage) -> bool:
    """Whether the message has no use any more: past its validity, or too old."""
    age = timezone.now() - message.created_at
    if message.validity_s:
        return age > timedelta(seconds=message.validity_s)
    return age > timedelta(seconds=settings.SMS_GIVE_UP_AFTER_S)


def _finish(
    message: SmsMessage,
    status: str,
    *,
    code: str = "",
    error: str = "",
    retry: bool = False,
) -> SendOutcome:
    retry_at = timezone.now() + sms_retry_delay(message.attempts) if retry else None
    SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
        status=status, error_code=code, error_message=error[:300],
        next_attempt_at=retry_at, **({} if retry else _forgotten_body(message)),
    )  # fmt: skip
    logger.info("sms %s: %s %s", message.pk, status, code)
    return SendOutcome(status=status, retry_at=retry_at)


def _release(message: SmsMessage, *, code: str, error: str) -> SendOutcome:
    """Put a message the provider certainly did not take back in the queue, due
    after a back-off; an outage delays it, only its uselessness ends it."""
    retry_at = timezone.now() + sms_retry_delay(message.attempts)
    SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
        status=SmsStatus.QUEUED, error_code=code, error_message=error[:300],
        next_attempt_at=retry_at,
    )  # fmt: skip
    return SendOutcome(status=SmsStatus.QUEUED, retry_at=retry_at)


def sms_reconcile(*, message_id: int) -> SendOutcome:
    """Settle a send that may have reached the provider: found there, or re-queued."""
    message = SmsMessage.objects.filter(
        pk=message_id, status__in=[SmsStatus.UNKNOWN, SmsStatus.SENDING]
    ).first()
    if message is None:
        return SendOutcome(status="settled")
    if message.next_attempt_at and message.next_attempt_at > timezone.now():
        return SendOutcome(status=message.status)  # its back-off has not passed
    since = message.claimed_at or message.created_at
    try:
        found = _unclaimed_match(message, since)
    except TransientSmsError:
        return _reconcile_later(message)
    if found is not None:
        _mark_sent({message.pk: found.sid}, expected=message.status)
        return SendOutcome(status=SmsStatus.SENT)
    requeued = SmsMessage.objects.filter(pk=message.pk, status=message.status).update(
        status=SmsStatus.QUEUED, next_attempt_at=None
    )
    return SendOutcome(
        status=SmsStatus.QUEUED, retry_at=timezone.now() if requeued else None
    )


def _reconcile_later(message: SmsMessage) -> SendOutcome:
    """The provider's log is out of reach (an outage): ask it again after a back-off."""
    retry_at = timezone.now() + sms_retry_delay(message.attempts)
    SmsMessage.objects.filter(pk=message.pk, status=message.status).update(
        next_attempt_at=retry_at
    )
    return SendOutcome(status=message.status, retry_at=retry_at)


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
    """Find what is stuck: re-enqueue queued rows, reconcile stale claims.

    A row waiting out its back-off is left alone until it is due (and a little more,
    since the task's own retry should have taken it): re-sending each sweep would
    spend its attempts on an outage."""
    from notifications.tasks import sms_reconcile_task

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SMS_STUCK_AFTER_S)
    overdue = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=stale)
    queued = SmsMessage.objects.filter(
        overdue, status=SmsStatus.QUEUED, created_at__lt=stale
    )
    unsettled = SmsMessage.objects.filter(
        overdue,
        status__in=[SmsStatus.UNKNOWN, SmsStatus.SENDING],
        claimed_at__lt=stale,
    )
    queued_ids = list(queued.values_list("pk", flat=True)[:500])
    unsettled_ids = list(unsettled.values_list("pk", flat=True)[:500])
    sms_publish_sends(queued_ids)
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
    return _apply_reports(
        provider_sid, sms_reports_of([provider_sid]).get(provider_sid, [])
    )


def _apply_reports(provider_sid: str, reports: list[tuple[str, str]]) -> bool:
    """Move the message with this provider id to the furthest status of `reports`
    (status, error code: those received for it).

    Reports can arrive before we know the provider id (a slow or ambiguous send), so
    this runs again whenever a message gets its id."""
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
