"""Caps on non-critical SMS, so nobody can make the office text a number at will.

Public forms (complaints, requests) make the office send SMS; without caps anyone could
flood one number or spend the office's SMS budget. A message over a cap is still written
to the outbox, as `suppressed` with the reason, so the office sees what was held back.
Critical messages (the handover code) are not capped here: they have their own limits
per delivery in the handover service.

The counts are read, not locked: two requests in the same instant may both see room
for the last message, so a cap can be passed by the number of such concurrent requests.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q

from notifications.models import SmsMessage, SmsOptOut, SmsStatus, SuppressedReason

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def sms_hold_back_reason(*, to: str, subject: str, now: datetime) -> str:
    """Why a non-critical SMS to `to` about `subject` must not go out now, or ""."""
    if SmsOptOut.objects.filter(phone=to).exists():
        return SuppressedReason.OPTED_OUT
    counts = _counts(to=to, subject=subject, now=now)
    if (
        counts["number_hour"] >= settings.SMS_MAX_PER_NUMBER_PER_HOUR
        or counts["number_day"] >= settings.SMS_MAX_PER_NUMBER_PER_DAY
    ):
        return SuppressedReason.NUMBER_LIMIT
    if subject and counts["subject_day"] >= settings.SMS_MAX_PER_SUBJECT_PER_DAY:
        return SuppressedReason.SUBJECT_LIMIT
    if counts["all_hour"] >= settings.SMS_MAX_PER_HOUR:
        return SuppressedReason.BUDGET
    return ""


def _counts(*, to: str, subject: str, now: datetime) -> dict[str, int]:
    """The four counts the caps compare, in one query over the last day's messages."""
    last_hour = Q(created_at__gt=now - HOUR)
    return (
        SmsMessage.objects.filter(critical=False, created_at__gt=now - DAY)
        .exclude(status=SmsStatus.SUPPRESSED)
        .aggregate(
            number_hour=Count("id", filter=Q(to=to) & last_hour),
            number_day=Count("id", filter=Q(to=to)),
            subject_day=Count("id", filter=Q(subject=subject)),
            all_hour=Count("id", filter=last_hour),
        )
    )
