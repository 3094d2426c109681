"""The tamper-evident audit trail: an append-only SHA-256 hash chain with signed
checkpoints.

Each record's hash covers a canonical JSON form of the record (its id, time, actor,
action, subject, data and the previous record's hash), so editing, deleting or
reordering any record breaks the chain from there on. Ids are consecutive (the append
takes the next id itself, under a lock), so a deleted record leaves a visible gap. A
checkpoint signs the head of the chain with a key kept outside the database, so cutting
the tail off after a checkpoint is detected too.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from delivery.models import (
    ActorKind,
    AuditCheckpoint,
    AuditRecord,
    DeliveryEvent,
    Role,
    Staff,
)

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# Any fixed number: the key of the PostgreSQL advisory lock that serializes appends.
_APPEND_LOCK_KEY = 7_202_614
EVENT_ACTION_PREFIX = "delivery."


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """The data as it comes back from the JSON column (datetimes become strings)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def audit_canonical(
    *,
    record_id: int,
    at: datetime,
    actor_id: int | None,
    actor_kind: str,
    action: str,
    subject: str,
    data: dict[str, Any],
    prev_hash: str,
) -> bytes:
    """The canonical form a record's hash covers: sorted compact JSON in UTF-8."""
    body = {
        "id": record_id,
        "at": _iso(at),
        "actor_id": actor_id,
        "actor_kind": actor_kind,
        "action": action,
        "subject": subject,
        "data": data,
        "prev_hash": prev_hash,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def audit_hash(record: AuditRecord) -> str:
    """The SHA-256 (hex) a record should carry, recomputed from its fields."""
    canonical = audit_canonical(
        record_id=record.pk,
        at=record.at,
        actor_id=record.actor_id,
        actor_kind=record.actor_kind,
        action=record.action,
        subject=record.subject,
        data=record.data,
        prev_hash=record.prev_hash,
    )
    return hashlib.sha256(canonical).hexdigest()


def _lock_chain() -> None:
    # PostgreSQL: one appender at a time until commit. SQLite: the connection opens
    # its transactions IMMEDIATE (settings), which already serializes all writers.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])


@dataclass(frozen=True)
class AuditEntry:
    """One record to append; `at` defaults to the time of the append."""

    action: str
    subject: str
    actor_kind: str
    actor: User | None = None
    data: dict[str, Any] | None = None
    at: datetime | None = None


def audit_append(
    *,
    action: str,
    subject: str,
    actor_kind: str,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Append one record to the chain (joins the caller's transaction)."""
    entry = AuditEntry(action, subject, actor_kind, actor, data, at)
    return audit_append_many([entry])[0]


def audit_append_many(entries: list[AuditEntry]) -> list[AuditRecord]:
    """Append records in the given order under one lock (joins the transaction)."""
    with transaction.atomic():
        _lock_chain()
        head = AuditRecord.objects.order_by("-id").values("id", "hash").first()
        last_id, prev_hash = (head["id"], head["hash"]) if head else (0, GENESIS_HASH)
        now = timezone.now()
        records = []
        for entry in entries:
            record = AuditRecord(
                pk=last_id + 1,
                at=entry.at or now,
                actor=entry.actor,
                actor_kind=entry.actor_kind,
                action=entry.action,
                subject=entry.subject,
                data=_plain(entry.data or {}),
                prev_hash=prev_hash,
            )
            record.hash = audit_hash(record)
            records.append(record)
            last_id, prev_hash = record.pk, record.hash
        AuditRecord.objects.bulk_create(records)
    return records


def event_audit_data(event: DeliveryEvent) -> dict[str, Any]:
    """The fields of a delivery event that its audit record holds."""
    return _plain(
        {
            "event_id": event.pk,
            "delivery_id": event.delivery_id,
            "kind": event.kind,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "actor_id": event.actor_id,
            "actor_kind": event.actor_kind,
            "at": _iso(event.at),
            "device_at": _iso(event.device_at),
            "reason_code": event.reason_code,
            "note": event.note,
            "lat": event.lat,
            "lon": event.lon,
        }
    )


def audit_record_event(*, event: DeliveryEvent) -> AuditRecord:
    """Append the audit record of a delivery event (called by record_event)."""
    return audit_append_many([event_audit_entry(event)])[0]


def event_audit_entry(event: DeliveryEvent) -> AuditEntry:
    """The audit record a saved delivery event gets."""
    return AuditEntry(
        action=f"{EVENT_ACTION_PREFIX}{event.kind}",
        subject=f"delivery:{event.delivery_id}",
        actor=event.actor,
        actor_kind=event.actor_kind,
        data=event_audit_data(event),
        at=event.at,
    )


def checkpoint_signature(*, record_id: int, record_hash: str) -> str:
    """HMAC-SHA256 of a chain head with the key kept outside the database."""
    if not settings.AUDIT_CHECKPOINT_KEY:
        raise ImproperlyConfigured("AUDIT_CHECKPOINT_KEY is not set")
    key = settings.AUDIT_CHECKPOINT_KEY.encode("utf-8")
    message = f"{record_id}:{record_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def audit_checkpoint_record() -> AuditCheckpoint | None:
    """Sign the chain's current head; None when nothing was appended since the last."""
    head = AuditRecord.objects.order_by("-id").values("id", "hash").first()
    if head is None:
        return None
    last = AuditCheckpoint.objects.order_by("-id").first()
    if last is not None and last.record_id_at == head["id"]:
        return None
    checkpoint = AuditCheckpoint.objects.create(
        record_id_at=head["id"],
        hash=head["hash"],
        signature=checkpoint_signature(record_id=head["id"], record_hash=head["hash"]),
    )
    # Logged too, so a copy outside the database (log shipping) anchors the chain.
    logger.info(
        "audit checkpoint #%s %s %s",
        head["id"],
        checkpoint.hash,
        checkpoint.signature,
    )
    return checkpoint


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a verification: ok, or the first broken thing and why."""

    ok: bool
    records: int
    events: int
    checkpoints: int
    problem: str = ""


def _check_chain(checkpoints: dict[int, AuditCheckpoint], events: dict) -> tuple:
    """Walk the chain in id order; return (records, last id, first problem)."""
    expected_id, prev_hash, count = 1, GENESIS_HASH, 0
    for record in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        if record.pk != expected_id:
            return (
                count,
                expected_id - 1,
                (
                    f"audit record #{expected_id} is missing (deleted or renumbered); "
                    f"the chain jumps to #{record.pk}"
                ),
            )
        if record.prev_hash != prev_hash:
            return (
                count,
                record.pk,
                (
                    f"audit record #{record.pk} does not follow #{record.pk - 1} "
                    "(a record was edited, deleted or reordered)"
                ),
            )
        if audit_hash(record) != record.hash:
            return (
                count,
                record.pk,
                (
                    f"audit record #{record.pk} ({record.action} {record.subject}) "
                    "was altered: its hash does not match its content"
                ),
            )
        checkpoint = checkpoints.get(record.pk)
        if checkpoint is not None and checkpoint.hash != record.hash:
            return (
                count,
                record.pk,
                (
                    f"audit record #{record.pk} differs from checkpoint "
                    f"#{checkpoint.pk} signed for it"
                ),
            )
        if record.action.startswith(EVENT_ACTION_PREFIX) and "event_id" in record.data:
            events[record.data["event_id"]] = (record.pk, record.data)
        expected_id, prev_hash, count = record.pk + 1, record.hash, count + 1
    return count, expected_id - 1, ""


def _check_checkpoints() -> tuple[dict[int, AuditCheckpoint], str]:
    checkpoints: dict[int, AuditCheckpoint] = {}
    for checkpoint in AuditCheckpoint.objects.order_by("id"):
        expected = checkpoint_signature(
            record_id=checkpoint.record_id_at, record_hash=checkpoint.hash
        )
        if not hmac.compare_digest(expected, checkpoint.signature):
            return checkpoints, f"checkpoint #{checkpoint.pk} has a forged signature"
        checkpoints[checkpoint.record_id_at] = checkpoint
    return checkpoints, ""


def _check_events(events: dict) -> tuple[int, str]:
    """Each delivery event must equal the data its audit record holds, and no more."""
    count = 0
    for event in DeliveryEvent.objects.order_by("id").iterator(chunk_size=2000):
        record_id, data = events.pop(event.pk, (None, None))
        if record_id is None:
            return count, f"delivery event #{event.pk} has no audit record"
        if event_audit_data(event) != data:
            return count, (
                f"delivery event #{event.pk} was altered: it differs from "
                f"audit record #{record_id}"
            )
        count += 1
    if events:
        event_id = min(events)
        return count, (
            f"delivery event #{event_id} was deleted "
            f"(audit record #{events[event_id][0]} names it)"
        )
    return count, ""


def audit_verify() -> VerifyResult:
    """Check the whole chain, the checkpoints and every delivery event against it."""
    checkpoints, problem = _check_checkpoints()
    events: dict[int, tuple[int, dict]] = {}
    records, last_id, chain_problem = 0, 0, ""
    if not problem:
        records, last_id, chain_problem = _check_chain(checkpoints, events)
        problem = chain_problem
    if not problem and checkpoints and max(checkpoints) > last_id:
        newest = checkpoints[max(checkpoints)]
        problem = (
            f"the chain was truncated: checkpoint #{newest.pk} signed record "
            f"#{newest.record_id_at} but the chain ends at #{last_id}"
        )
    event_count = 0
    if not problem:
        event_count, problem = _check_events(events)
    return VerifyResult(
        ok=not problem,
        records=records,
        events=event_count,
        checkpoints=len(checkpoints),
        problem=problem,
    )


def audit_login(*, user: User) -> AuditRecord | None:
    """Record a login of office staff or a courier (not of anyone else)."""
    role = Staff.objects.filter(user=user).values_list("role", flat=True).first()
    if role is None and not (user.is_staff or user.is_superuser):
        return None
    return audit_append(
        action="auth.login",
        subject=f"user:{user.pk}",
        actor=user,
        actor_kind=ActorKind.COURIER if role == Role.COURIER else ActorKind.STAFF,
        data={"role": role or "admin"},
    )


def audit_login_lockout(
    *, username: str, ip_address: str | None, path: str, failures: int
) -> AuditRecord:
    """Record that too many failed sign-ins locked an account or an address."""
    user_id = (
        get_user_model()
        .objects.filter(username=username)
        .values_list("pk", flat=True)
        .first()
    )
    # A name that is no account is not kept: people type their password there too.
    return audit_append(
        action="auth.locked_out",
        subject=f"user:{user_id}" if user_id else "user:unknown",
        actor_kind=ActorKind.SYSTEM,
        data={"ip_address": ip_address, "path": path, "failures": failures},
    )
