"""The outbox: queued in the caller's transaction, sent after commit, never twice.

Every Twilio outcome is sorted into permanent, transient and ambiguous; these tests use
the real SDK against the local Twilio double."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from notifications import services
from notifications.backends import get_backend
from notifications.models import SmsMessage, SmsStatus
from notifications.tasks import sms_reconcile_task, sms_send_task, sms_sweep_task
from tests.helpers import closed_port_url, sent_sms, wait_until

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"


def _queue(key="delivery:1:event:1", **kwargs):
    defaults = {
        "to": PHONE,
        "template": "queued",
        "context": {"link": "https://x.id/t/ABC"},
        "key": key,
    }
    return services.queue_sms(**{**defaults, **kwargs})


def test_nothing_is_sent_before_commit_and_a_rollback_sends_nothing(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _queue(key="a")
        assert sent_sms() == []
    with pytest.raises(RuntimeError):
        _queue_then_fail(key="b")

    assert len(sent_sms()) == 1
    assert SmsMessage.objects.filter(key="b").count() == 0


@transaction.atomic
def _queue_then_fail(key: str) -> None:
    _queue(key=key)
    raise RuntimeError("the caller's transaction fails")


def test_the_same_key_queued_twice_is_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue()
        second = _queue()

    assert first.pk == second.pk
    assert len(sent_sms()) == 1
    assert SmsMessage.objects.get().status == SmsStatus.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_key_queued_by_two_transactions_at_once_is_one_message():
    inserted, committed = threading.Event(), threading.Event()
    pks: dict[str, int] = {}

    def first() -> None:
        with transaction.atomic():
            pks["first"] = _queue(key="race").pk
            inserted.set()
            committed.wait(timeout=60)
        connection.close()

    def second() -> None:
        # Waits on the first transaction's row, then finds it, and its own
        # transaction goes on (no unique violation aborted it).
        with transaction.atomic():
            pks["second"] = _queue(key="race").pk
            pks["count"] = SmsMessage.objects.count()
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert inserted.wait(timeout=60)
    threads[1].start()
    assert wait_until(_a_backend_waits_on_a_lock, timeout=60)
    committed.set()
    for thread in threads:
        thread.join(timeout=60)

    assert pks == {"first": pks["first"], "second": pks["first"], "count": 1}
    assert SmsMessage.objects.filter(key="race").count() == 1


def _a_backend_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_send_task_runs_twice_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue()

    sms_send_task.delay(message.pk)
    sms_send_task.delay(message.pk)

    assert len(sent_sms()) == 1


def test_opted_out_numbers_get_no_sms_but_the_handover_code(
    django_capture_on_commit_callbacks,
):
    services.sms_opt_out(phone=PHONE, source="tracking_page")

    with django_capture_on_commit_callbacks(execute=True):
        suppressed = _queue(key="news")
        code = _queue(key="otp", template="handover_code", critical=True)

    suppressed.refresh_from_db()
    assert suppressed.status == SmsStatus.SUPPRESSED
    assert [sms.body for _, sms in sent_sms()] == [code.body]


def test_a_time_critical_message_is_dropped_when_too_late(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(validity_s=600)

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        sms_send_task.delay(message.pk)

    message.refresh_from_db()
    assert message.status == SmsStatus.EXPIRED
    assert sent_sms() == []


def test_twilio_accepts_with_status_callback_and_validity(twilio, settings):
    message = _queue(validity_s=600)

    outcome = services.sms_send(message_id=message.pk)

    sent = twilio.messages[0]
    message.refresh_from_db()
    assert outcome.status == SmsStatus.SENT
    assert message.provider_sid == sent.sid
    assert sent.to == PHONE
    assert str(sent.validity_period) == "600"
    assert (
        sent.status_callback
        == f"{settings.TWILIO_WEBHOOK_BASE_URL}/hooks/twilio/status/"
    )


@pytest.mark.parametrize("code", [21211, 21614, 21610])
def test_permanent_twilio_errors_fail_and_are_not_retried(twilio, code):
    twilio.reject_number(PHONE, code)
    message = _queue()

    outcome = services.sms_send(message_id=message.pk)

    message.refresh_from_db()
    assert (outcome.status, outcome.retry) == (SmsStatus.FAILED, False)
    assert message.error_code == str(code)


def _after_backoff():
    """The clock past any back-off (SMS_RETRY_MAX_DELAY_S)."""
    return time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1))


def test_rate_limited_is_retried_later_not_before_its_backoff(twilio):
    twilio.rate_limit_creates(times=1)
    message = _queue()

    first = services.sms_send(message_id=message.pk)
    too_soon = services.sms_send(message_id=message.pk)
    with _after_backoff():
        second = services.sms_send(message_id=message.pk)

    message.refresh_from_db()
    assert (first.status, first.retry) == (SmsStatus.QUEUED, True)
    assert first.retry_at == message.next_attempt_at
    assert (too_soon.status, too_soon.retry) == (SmsStatus.QUEUED, False)
    assert second.status == SmsStatus.SENT
    assert len(twilio.messages) == 1


@pytest.mark.parametrize("recorded", [True, False])
def test_a_5xx_is_reconciled_before_any_new_attempt(twilio, recorded):
    twilio.fail_creates(1.0, status=503, recorded=recorded, times=1)
    message = _queue()

    first = services.sms_send(message_id=message.pk)
    with _after_backoff():
        settled = services.sms_reconcile(message_id=message.pk)
        if settled.retry:
            services.sms_send(message_id=message.pk)

    message.refresh_from_db()
    assert (first.status, first.retry) == (SmsStatus.UNKNOWN, True)
    assert message.status == SmsStatus.SENT
    assert len(twilio.messages) == 1
    assert message.provider_sid == twilio.messages[0].sid


@pytest.mark.parametrize("recorded", [True, False])
def test_a_timeout_is_reconciled_not_blindly_resent(twilio, recorded):
    twilio.time_out_creates(2.0, recorded=recorded, times=1)
    message = _queue()

    sms_send_task.delay(message.pk)  # times out: reconciled after its back-off
    with _after_backoff():
        sms_reconcile_task.delay(message.pk)  # reconciles and maybe re-sends

    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert len(twilio.messages) == 1


def test_sweep_resends_lost_tasks_and_reconciles_stale_claims(twilio):
    _queue(key="lost")
    stuck = _queue(key="stuck")
    SmsMessage.objects.filter(pk=stuck.pk).update(
        status=SmsStatus.SENDING, claimed_at=timezone.now()
    )

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        counts = sms_sweep_task.delay().get()

    assert counts == {"resent": 1, "reconciled": 1}
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.SENT}
    assert len(twilio.messages) == 2


def test_reconcile_of_a_settled_message_does_nothing(twilio):
    message = _queue()
    services.sms_send(message_id=message.pk)

    assert sms_reconcile_task.delay(message.pk).get() == "settled"
    assert len(twilio.messages) == 1


def test_a_message_failing_for_days_is_given_up_only_when_too_old(twilio, settings):
    settings.SMS_GIVE_UP_AFTER_S = 24 * 3600
    twilio.rate_limit_creates(1.0)
    message = _queue()
    start = timezone.now()

    statuses = []
    for hours in (1, 6, 12, 23, 25):
        with time_machine.travel(start + timedelta(hours=hours)):
            statuses.append(sms_send_task.delay(message.pk).get())

    assert statuses == ["queued"] * 4 + ["expired"]
    assert len(twilio.messages) == 0


def test_a_handover_code_is_unreadable_once_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(
            key="otp",
            template="handover_code",
            context={"code": "483920", "courier": "Rudi", "link": "x"},
            critical=True,
        )

    message.refresh_from_db()
    assert "483920" in sent_sms()[0][1].body
    assert message.status == SmsStatus.SENT
    assert "483920" not in message.body


def test_a_refused_connection_is_retried_later_without_reconciling(twilio, settings):
    message = _queue()
    settings.TWILIO_API_BASE_URL = closed_port_url()
    get_backend.cache_clear()

    refused = services.sms_send(message_id=message.pk)
    settings.TWILIO_API_BASE_URL = twilio.base_url
    get_backend.cache_clear()
    with _after_backoff():
        sent = services.sms_send(message_id=message.pk)

    assert (refused.status, refused.retry) == (SmsStatus.QUEUED, True)
    assert sent.status == SmsStatus.SENT
    assert len(twilio.messages) == 1


def test_a_reconcile_that_cannot_reach_the_provider_waits_and_asks_again(
    twilio, settings
):
    twilio.fail_creates(1.0, status=503, recorded=False, times=1)
    message = _queue()
    services.sms_send(message_id=message.pk)  # 503: the outcome is unknown
    settings.TWILIO_API_BASE_URL = closed_port_url()
    get_backend.cache_clear()

    with _after_backoff():
        waiting = services.sms_reconcile(message_id=message.pk)
    settings.TWILIO_API_BASE_URL = twilio.base_url
    get_backend.cache_clear()
    with time_machine.travel(timezone.now() + timedelta(minutes=25)):
        settled = services.sms_reconcile(message_id=message.pk)
        services.sms_send(message_id=message.pk)

    message.refresh_from_db()
    assert (waiting.status, waiting.retry) == (SmsStatus.UNKNOWN, True)
    assert (settled.status, settled.retry) == (SmsStatus.QUEUED, True)
    assert message.status == SmsStatus.SENT
    assert len(twilio.messages) == 1
