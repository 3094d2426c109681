"""The audit hash chain: appended by every event, verified, and tampering is named.

Tamper tests use raw SQL as an attacker with database superuser rights would
(`attacker_sql` disables the PostgreSQL append-only triggers first).
"""

import pytest
from django.core.management import CommandError, call_command

from delivery.models import AuditCheckpoint, AuditRecord, DeliveryEvent, Status
from delivery.services.audit import (
    GENESIS_HASH,
    audit_checkpoint_record,
    audit_verify,
)
from delivery.tasks import audit_checkpoint_task
from tests.factories import make_delivery
from tests.trust.conftest import attacker_sql

pytestmark = pytest.mark.django_db


def _verify_fails_naming(text: str) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    assert text in str(failure.value), str(failure.value)
    return str(failure.value)


@pytest.fixture
def history():
    """Two delivered passports: a chain of a dozen records and their events."""
    make_delivery(Status.DELIVERED)
    make_delivery(Status.DELIVERED)
    return list(AuditRecord.objects.order_by("id"))


def test_every_delivery_event_is_appended_to_one_linked_chain(history, capsys):
    events = DeliveryEvent.objects.count()

    call_command("audit_verify")

    assert len(history) == events >= 8
    assert history[0].prev_hash == GENESIS_HASH
    assert [r.pk for r in history] == list(range(1, len(history) + 1))
    assert all(
        b.prev_hash == a.hash for a, b in zip(history, history[1:], strict=False)
    )
    assert "audit trail OK" in capsys.readouterr().out


def test_editing_one_record_with_raw_sql_is_named(history):
    victim = history[4]

    attacker_sql(
        "UPDATE delivery_auditrecord SET subject = %s WHERE id = %s",
        ["delivery:999", victim.pk],
    )

    _verify_fails_naming(f"audit record #{victim.pk} ")


def test_editing_a_record_and_recomputing_its_hash_is_named_at_the_next(history):
    victim = history[4]
    victim.subject = "delivery:999"
    from delivery.services.audit import audit_hash

    attacker_sql(
        "UPDATE delivery_auditrecord SET subject = %s, hash = %s WHERE id = %s",
        [victim.subject, audit_hash(victim), victim.pk],
    )

    _verify_fails_naming(f"audit record #{victim.pk + 1} does not follow")


def test_deleting_one_record_with_raw_sql_is_named(history):
    attacker_sql("DELETE FROM delivery_auditrecord WHERE id = %s", [history[3].pk])

    _verify_fails_naming(f"audit record #{history[3].pk} is missing")


def test_reordering_two_records_with_raw_sql_is_named(history):
    a, b = history[2].pk, history[3].pk

    attacker_sql(
        "UPDATE delivery_auditrecord SET id = CASE WHEN id = %s THEN -1 ELSE id END "
        "WHERE id = %s",
        [a, a],
    )
    attacker_sql("UPDATE delivery_auditrecord SET id = %s WHERE id = %s", [a, b])
    attacker_sql("UPDATE delivery_auditrecord SET id = %s WHERE id = -1", [b])

    _verify_fails_naming(f"audit record #{a} ")


def test_editing_a_delivery_event_row_is_caught_by_the_cross_check(history):
    event = DeliveryEvent.objects.filter(to_status=Status.DELIVERED).first()

    attacker_sql(
        "UPDATE delivery_deliveryevent SET at = at, note = %s WHERE id = %s",
        ["nothing happened", event.pk],
    )

    _verify_fails_naming(f"delivery event #{event.pk} was altered")


def test_deleting_a_delivery_event_row_is_caught_by_the_cross_check(history):
    event = DeliveryEvent.objects.order_by("id").last()

    attacker_sql("DELETE FROM delivery_deliveryevent WHERE id = %s", [event.pk])

    _verify_fails_naming(f"delivery event #{event.pk} was deleted")


def test_truncating_the_chain_after_the_last_checkpoint_is_detected(history):
    checkpoint = audit_checkpoint_record()
    cut_from = history[-3].pk

    attacker_sql("DELETE FROM delivery_auditrecord WHERE id >= %s", [cut_from])

    message = _verify_fails_naming("truncated")
    assert f"#{checkpoint.record_id_at}" in message


def test_truncating_and_appending_anew_is_detected_at_the_checkpointed_id(history):
    checkpoint = audit_checkpoint_record()
    attacker_sql("DELETE FROM delivery_auditrecord WHERE id >= %s", [history[-3].pk])

    make_delivery(Status.DELIVERED)  # the chain grows past the checkpoint again

    _verify_fails_naming(f"differs from checkpoint #{checkpoint.pk}")


def test_a_checkpoint_signed_without_the_key_is_named(history, settings):
    audit_checkpoint_record()
    settings.AUDIT_CHECKPOINT_KEY = "an attacker's guess"
    forged = audit_checkpoint_record() or AuditCheckpoint.objects.last()
    make_delivery(Status.QUEUED)
    audit_checkpoint_record()
    settings.AUDIT_CHECKPOINT_KEY = "test-checkpoint-key-kept-outside-the-db"

    result = audit_verify()

    assert not result.ok
    assert "forged signature" in result.problem
    assert forged.pk > 0


def test_checkpoint_task_runs_twice_one_checkpoint(history):
    first = audit_checkpoint_task.delay().get()
    second = audit_checkpoint_task.delay().get()

    assert first == history[-1].pk
    assert second is None
    assert AuditCheckpoint.objects.count() == 1


def test_checkpoint_refuses_to_sign_without_a_key(history, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.AUDIT_CHECKPOINT_KEY = ""

    with pytest.raises(ImproperlyConfigured):
        audit_checkpoint_record()
