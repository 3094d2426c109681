"""The outbox's statements that run for every message, in SQL.

Every message is inserted once, claimed, and marked sent, in the queueing process and
in the workers. Through the ORM the insert and the claim took two statements each (a
SELECT by key then an INSERT in a savepoint; an UPDATE then a SELECT of the row), and
most of the CPU of all of them went into compiling the same queries again
(bench/README.md, SMS). The messages of one send task are claimed in one statement,
and marked sent in one, whatever their number. The SQL is plain enough for PostgreSQL
and SQLite (3.35+, for RETURNING) alike.
"""

from collections.abc import Collection, Mapping, Sequence
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


def sms_claim_due(message_ids: Sequence[int], now: datetime) -> list[SmsMessage]:
    """Move the queued messages among `message_ids` that are due to `sending`, in one
    statement, and return them as claimed, in the order of `message_ids`. One that
    is not queued, not due yet, or missing is not returned.

    Only a message whose back-off has passed: a retry scheduled by the task and one
    from the sweep may both arrive, and neither may send early."""
    if not message_ids:
        return []
    at = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"UPDATE {_table()} SET status = %s, claimed_at = %s, attempts = attempts + 1"
        f" WHERE id IN ({_placeholders(message_ids)}) AND status = %s"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= %s) RETURNING *"
    )
    params = [SmsStatus.SENDING.value, at, *message_ids, SmsStatus.QUEUED.value, at]
    claimed = {m.pk: m for m in SmsMessage.objects.raw(sql, params)}
    return [claimed[pk] for pk in dict.fromkeys(message_ids) if pk in claimed]


def sms_release_claims(message_ids: Sequence[int]) -> None:
    """Put claimed messages that were not sent back in the queue, due at once, as if
    never claimed (their attempt is given back)."""
    if not message_ids:
        return
    sql = (
        f"UPDATE {_table()} SET status = %s, claimed_at = NULL,"
        " attempts = attempts - 1"
        f" WHERE id IN ({_placeholders(message_ids)}) AND status = %s"
    )
    params: list[Any] = [SmsStatus.QUEUED.value, *message_ids, SmsStatus.SENDING.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def sms_mark_sent(
    provider_sids: Mapping[int, str], *, now: datetime, expected: str, redacted: str
) -> None:
    """Record the provider's id of each message (`provider_sids`: message id to
    provider id) in status `expected` as sent, in one statement; the text of a secret
    or critical one becomes `redacted` (the rule of `services._forgotten_body`, here in
    SQL so that one statement serves all). A message that has moved on meanwhile is
    left alone."""
    if not provider_sids:
        return
    at = connection.ops.adapt_datetimefield_value(now)
    cases = " ".join(["WHEN %s THEN %s"] * len(provider_sids))
    sql = (
        f"UPDATE {_table()} SET status = %s, provider_sid = CASE id {cases} END,"
        " sent_at = %s, body = CASE WHEN secret OR critical THEN %s ELSE body END"
        f" WHERE id IN ({_placeholders(provider_sids)}) AND status = %s"
    )
    params: list[Any] = [SmsStatus.SENT.value]
    params += [value for pair in provider_sids.items() for value in pair]
    params += [at, redacted, *provider_sids, expected]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def sms_reports_of(provider_sids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """(status, error code) of every status report received for each of these
    provider ids (a provider id with none is left out), in one statement."""
    if not provider_sids:
        return {}
    table = connection.ops.quote_name(SmsStatusReport._meta.db_table)
    sql = (
        f"SELECT provider_sid, status, error_code FROM {table}"
        f" WHERE provider_sid IN ({_placeholders(provider_sids)})"
    )
    reports: dict[str, list[tuple[str, str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, list(provider_sids))
        for provider_sid, status, error_code in cursor.fetchall():
            reports.setdefault(provider_sid, []).append((status, error_code))
    return reports


def _placeholders(values: Collection[Any]) -> str:
    return ", ".join(["%s"] * len(values))
