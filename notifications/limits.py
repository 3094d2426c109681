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
from typing import Any

from django.conf import settings
from django.db import connection

from notifications.models import SmsMessage, SmsOptOut, SmsStatus, SuppressedReason

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def sms_hold_back_reason(*, to: str, subject: str, now: datetime) -> str:
    """Why a non-critical SMS to `to` about `subject` must not go out now, or ""."""
    counts = _counts(to=to, subject=subject, now=now)
    if counts["opted_out"]:
        return SuppressedReason.OPTED_OUT
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


_COUNTS = ("opted_out", "number_hour", "number_day", "subject_day", "all_hour")


def _counts(*, to: str, subject: str, now: datetime) -> dict[str, int]:
    """The opt-out and the four counts the caps compare, in one statement over the
    last day's messages.

    In SQL, because this runs for every message queued and the ORM spent most of
    `queue_sms`'s CPU compiling the same aggregate each time (bench/README.md, SMS)."""
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    hour_ago, day_ago = adapt(now - HOUR), adapt(now - DAY)
    sql = (
        "SELECT (SELECT COUNT(*) FROM {opt_outs} WHERE phone = %s),"
        " COUNT(*) FILTER (WHERE {to} = %s AND created_at > %s),"
        " COUNT(*) FILTER (WHERE {to} = %s),"
        " COUNT(*) FILTER (WHERE subject = %s),"
        " COUNT(*) FILTER (WHERE created_at > %s)"
        " FROM {messages} WHERE critical = %s AND created_at > %s AND status <> %s"
    ).format(
        opt_outs=quote(SmsOptOut._meta.db_table),
        messages=quote(SmsMessage._meta.db_table),
        to=quote("to"),
    )
    params: list[Any] = [to, to, hour_ago, to, subject, hour_ago]
    params += [False, day_ago, SmsStatus.SUPPRESSED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return dict(zip(_COUNTS, row, strict=True))
