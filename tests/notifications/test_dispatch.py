"""Send tasks are published once per transaction, in a few chunks, at its commit.

Counted at the broker (a real in-memory kombu transport), not inside our code; the
tasks are then run as a worker would, sending to the in-memory phone."""

import contextlib

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications import services
from notifications.models import SmsMessage, SmsStatus
from notifications.tasks import sms_send_batch_task
from tests.helpers import sent_sms

pytestmark = pytest.mark.django_db
BATCH_TASK = "notifications.tasks.sms_send_batch_task"


def _queue(key: str, i: int = 0) -> SmsMessage:
    return services.queue_sms(
        to=f"+62812{i:07d}",  # one number each: the caps per number stay out of it
        template="queued",
        context={"link": f"https://x.id/t/{key}"},
        key=key,
    )


def _bodies() -> set[str]:
    return {sms.body for _, sms in sent_sms()}


def test_a_transaction_of_100_messages_is_published_as_4_tasks_and_each_sent_once(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        messages = [_queue(f"k{i}", i) for i in range(100)]

    published = broker.published()
    broker.run_due()

    assert [name for name, _ in published] == [BATCH_TASK] * 4
    assert [pk for _, (ids,) in published for pk in ids] == [m.pk for m in messages]
    assert len(sent_sms()) == 100
    assert _bodies() == {m.body for m in messages}
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.parametrize(
    ("queued", "sizes"),
    [(1, [1]), (3, [1, 1, 1]), (20, [5, 5, 5, 5]), (120, [24] * 5)],
)
def test_a_transaction_is_published_in_a_few_tasks_of_near_equal_size(
    broker, django_capture_on_commit_callbacks, queued, sizes
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for i in range(queued):
            _queue(f"k{i}", i)
        before_commit = broker.published()

    assert before_commit == []
    assert [len(ids) for _, (ids,) in broker.published()] == sizes


@pytest.mark.django_db(transaction=True)
def test_a_message_queued_outside_a_transaction_is_published_at_once(broker):
    message = _queue("alone")

    assert broker.published() == [(BATCH_TASK, [[message.pk]])]


def test_a_rolled_back_savepoint_sends_nothing_and_the_rest_of_its_transaction_goes(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # The first message's hook is dropped with its savepoint: the later ones
        # must still be published.
        with contextlib.suppress(RuntimeError), transaction.atomic():
            dropped = _queue("dropped", 1).body
            raise RuntimeError
        kept = [_queue("kept", 2), _queue("also-kept", 3)]
        with contextlib.suppress(RuntimeError), transaction.atomic():
            _queue("dropped-too", 4)
            raise RuntimeError
    broker.run_due()

    assert _bodies() == {m.body for m in kept}
    assert dropped not in _bodies()
    assert not SmsMessage.objects.filter(key__startswith="dropped").exists()


def test_ids_of_a_rolled_back_transaction_are_not_published_with_the_next(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with contextlib.suppress(RuntimeError), transaction.atomic():
            _queue("rolled-back", 1)
            raise RuntimeError
        with transaction.atomic():
            message = _queue("committed", 2)

    assert broker.published() == [(BATCH_TASK, [[message.pk]])]


def test_send_batch_task_runs_twice_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        ids = [_queue("a", 1).pk, _queue("b", 2).pk]

    first = sms_send_batch_task.delay(ids).get()
    second = sms_send_batch_task.delay(ids).get()

    assert first == [SmsStatus.SENT] * 2
    assert second == [SmsStatus.SENT] * 2  # already sent: nothing more
    assert len(sent_sms()) == 2


def test_a_batch_skips_a_missing_message_and_sends_the_others(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue("there")

    statuses = sms_send_batch_task.delay([message.pk + 1000, message.pk]).get()

    assert statuses == ["missing", SmsStatus.SENT]
    assert len(sent_sms()) == 1


def test_a_batch_is_claimed_and_marked_sent_in_as_many_statements_as_one_message(
    django_capture_on_commit_callbacks,
):
    def statements_to_send(count: int, prefix: str) -> int:
        with django_capture_on_commit_callbacks(execute=False):
            ids = [_queue(f"{prefix}{i}", i).pk for i in range(count)]
        with CaptureQueriesContext(connection) as queries:
            outcomes = services.sms_send_many(message_ids=ids)
        assert [o.status for o in outcomes] == [SmsStatus.SENT] * count
        return len(queries)

    # The claim, the mark-sent, and the read of status reports that came early.
    assert statements_to_send(1, "one") == statements_to_send(20, "twenty") == 3
    assert SmsMessage.objects.filter(status=SmsStatus.SENT).count() == 21
    assert len(sent_sms()) == 21


def test_a_secret_message_sent_in_a_batch_forgets_its_text_and_the_others_keep_it(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        plain = _queue("plain", 1)
        code = services.queue_sms(
            to="+628120000002", template="queued", context={"link": "x"},
            key="code", secret=True,
        )  # fmt: skip

    services.sms_send_many(message_ids=[plain.pk, code.pk])

    plain.refresh_from_db()
    code.refresh_from_db()
    assert code.body == services.REDACTED
    assert plain.body != services.REDACTED
    assert (plain.provider_sid, code.provider_sid) == (
        sent_sms()[0][0],
        sent_sms()[1][0],
    )


def test_a_batch_hands_back_what_it_could_not_start_before_the_sweep_may_take_it(
    twilio, broker, settings, django_capture_on_commit_callbacks
):
    # A claim counts as stale after 1 s: a send may start in the first 0.5 s only.
    settings.SMS_STUCK_AFTER_S = 1
    with django_capture_on_commit_callbacks(execute=False):
        first, second = _queue("first", 1), _queue("second", 2)
    twilio.set_delay(0.6)

    statuses = sms_send_batch_task([first.pk, second.pk])

    second.refresh_from_db()
    assert statuses == [SmsStatus.SENT, SmsStatus.QUEUED]
    assert (second.attempts, second.claimed_at) == (0, None)
    assert broker.published() == [(BATCH_TASK, [[second.pk]])]
    twilio.set_delay(0)
    broker.run_due()
    assert twilio.count_by_body() == {first.body: 1, second.body: 1}
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_message_of_a_batch_refused_for_now_is_retried_alone(
    twilio, broker, django_capture_on_commit_callbacks
):
    twilio.rate_limit_creates(times=1)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first, second = _queue("first", 1), _queue("second", 2)
    broker.run_due()
    waiting = broker.published()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (SmsStatus.QUEUED, SmsStatus.SENT)
    assert waiting == [("notifications.tasks.sms_send_task", [first.pk])]


def test_only_messages_whose_commit_hooks_run_are_published(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        _queue("hook-not-run", 1)
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue("hook-run", 2)

    assert broker.published() == [(BATCH_TASK, [[message.pk]])]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_run_by_a_commit_hook_does_not_hide_the_committing_ones(broker):
    inner = []

    def queue_in_another_transaction() -> None:
        with transaction.atomic():
            inner.append(_queue("inner", 2).pk)

    with transaction.atomic():
        transaction.on_commit(queue_in_another_transaction)  # runs before the SMS's
        outer = _queue("outer", 1)

    published = [pk for _, (ids,) in broker.published() for pk in ids]
    assert sorted(published) == sorted([outer.pk, *inner])
