"""The outbox's statements that run for every message, in SQL.

Every message is inserted once, claimed, and marked sent, in the queueing process and
in the workers. Through the ORM the insert and the claim took two statements each (a
SELECT by key then an INSERT in a savepoint; an UPDATE then a SELECT of the row), and
most of the CPU of all of them went into compiling the same queries again
(bench/README.md, SMS). The SQL is plain enough for PostgreSQL and SQLite (3.35+, for
RETURNING) alike.
"""

from datetime import datetime
from typing import Any

from django.db import connection

from notifications.models import SmsMessage, SmsStatus, SmsStatusReport


def _table() -> str:
    return connection.ops.quote_name(SmsMessage._meta.db_table)


def sms_insert_new(message: SmsMessage) -> bool:
    """INSERT the unsaved `message` unless its key is taken; True (and its pk set)
    when it was inserted, False when a row with that key exists (left unchanged).

    ON CONFLICT DO NOTHING needs no savepoint: a concurrent insert of the same key
    makes this one wait for its commit and then do nothing, as a unique violation
    would, without aborting the caller's transaction."""
    fields = [f for f in SmsMessage._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(message, True), connection) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    sql = (
        f"INSERT INTO {_table()} ({columns})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT ({quote('key')}) DO NOTHING RETURNING {quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    message.pk = row[0]
    message._state.adding, message._state.db = False, connection.alias
    return True


def sms_claim_due(message_id: int, now: datetime) -> SmsMessage | None:
    """Move a queued message that is due to `sending` and return it as claimed, in
    one statement; None when it is not queued, not due yet, or missing.

    Only a message whose back-off has passed: a retry scheduled by the task and one
    from the sweep may both arrive, and neither may send early."""
    at = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"UPDATE {_table()} SET status = %s, claimed_at = %s, attempts = attempts + 1"
        " WHERE id = %s AND status = %s"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= %s) RETURNING *"
    )
    params = [SmsStatus.SENDING.value, at, message_id, SmsStatus.QUEUED.value, at]
    claimed = list(SmsMessage.objects.raw(sql, params))
    return claimed[0] if claimed else None


def sms_mark_sent(
    message_id: int,
    *,
    provider_sid: str,
    now: datetime,
    expected: str,
    body: str | None,
) -> None:
    """Record the provider's id of a message in status `expected` as sent (and its
    text as `body`, unless None); nothing when the message has moved on meanwhile."""
    at = connection.ops.adapt_datetimefield_value(now)
    forget = "" if body is None else ", body = %s"
    sql = (
        f"UPDATE {_table()} SET status = %s, provider_sid = %s, sent_at = %s{forget}"
        " WHERE id = %s AND status = %s"
    )
    params: list[Any] = [SmsStatus.SENT.value, provider_sid, at]
    params += ([] if body is None else [body]) + [message_id, expected]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def sms_reports_of(provider_sid: str) -> list[tuple[str, str]]:
    """(status, error code) of every status report received for this provider id."""
    table = connection.ops.quote_name(SmsStatusReport._meta.db_table)
    sql = f"SELECT status, error_code FROM {table} WHERE provider_sid = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [provider_sid])
        return cursor.fetchall()
