"""SMS on the real stack: life-cycle steps, a Celery worker over Redis, the real twilio
SDK against the local double, and its signed status callbacks into the live server.

Every message must reach the double exactly once per key, whatever fails on the way.
"""

import os
import signal
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from delivery.models import Status
from notifications import services
from notifications.models import SmsMessage, SmsStatus
from tests.conftest import start_worker
from tests.factories import make_delivery
from tests.helpers import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_caps_for_load(settings):
    # These tests load the outbox with many messages to one number; the caps per
    # number (tests/notifications/test_limits.py) would hold most of them back.
    settings.SMS_MAX_PER_NUMBER_PER_HOUR = 1000
    settings.SMS_MAX_PER_NUMBER_PER_DAY = 1000


def _all_delivered(keys) -> bool:
    statuses = SmsMessage.objects.filter(key__in=keys).values_list("status", flat=True)
    return len(statuses) == len(keys) and set(statuses) == {SmsStatus.DELIVERED}


def _assert_once_each(double, keys) -> None:
    # By the provider's id: the outbox forgets the text of secret messages once sent.
    messages = SmsMessage.objects.filter(key__in=keys)
    bodies = [double.message(m.provider_sid).body for m in messages]
    counts = double.count_by_body()
    assert len(set(bodies)) == len(keys)
    assert [counts[body] for body in bodies] == [1] * len(keys)


def _queue_many(n: int, prefix: str) -> list[str]:
    keys = [f"{prefix}:{i}" for i in range(n)]
    with transaction.atomic():
        for key in keys:
            services.queue_sms(
                to="+6281234567890",
                template="queued",
                context={"link": f"https://x.id/t/{key}"},
                key=key,
            )
    return keys


def test_each_step_of_a_delivery_sends_one_sms_that_ends_delivered(
    celery_worker, sms_double, webhook_settings
):
    delivery = make_delivery(Status.DELIVERED)
    keys = list(
        SmsMessage.objects.filter(
            key__startswith=f"delivery:{delivery.pk}:"
        ).values_list("key", flat=True)
    )

    assert wait_until(lambda: _all_delivered(keys), timeout=60)
    assert len(keys) == 4
    _assert_once_each(sms_double, keys)


def test_half_the_creates_failing_with_5xx_still_sends_each_once(
    celery_worker, sms_double, webhook_settings
):
    sms_double.fail_creates(0.5, status=500, recorded=True)
    keys = _queue_many(10, f"flaky-{uuid.uuid4().hex[:6]}")
    sms_double.fail_creates(0.5, status=503, recorded=False)
    more = _queue_many(10, f"flaky-{uuid.uuid4().hex[:6]}")

    assert wait_until(lambda: _all_delivered(keys + more), timeout=120)
    _assert_once_each(sms_double, keys + more)


def test_timeouts_are_reconciled_and_each_message_sent_once(
    celery_worker, sms_double, webhook_settings
):
    sms_double.time_out_creates(3.0, fraction=0.4, recorded=True)
    keys = _queue_many(8, f"slow-{uuid.uuid4().hex[:6]}")

    assert wait_until(lambda: _all_delivered(keys), timeout=120)
    _assert_once_each(sms_double, keys)


def test_a_worker_killed_mid_send_loses_and_doubles_nothing(
    celery_worker, sms_double, webhook_settings, worker_env
):
    queue = f"antar-kill-{uuid.uuid4().hex[:6]}"
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        _kill_a_worker_mid_send_then_recover(sms_double, worker_env, queue)
    finally:
        celery_app.conf.task_default_queue = default_queue


def _kill_a_worker_mid_send_then_recover(double, env, queue) -> None:
    victim = start_worker(env, queue)
    double.set_delay(4.0)
    keys = _queue_many(2, f"killed-{uuid.uuid4().hex[:6]}")
    claimed = SmsMessage.objects.filter(key__in=keys, status=SmsStatus.SENDING)
    assert wait_until(lambda: claimed.count() == 2, timeout=30)

    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    double.set_delay(0)
    rescuer = start_worker(env, queue)
    try:
        later = timezone.now() + timedelta(minutes=5)
        assert services.sms_sweep(now=later)["reconciled"] == 2
        assert wait_until(lambda: _all_delivered(keys), timeout=60)
        _assert_once_each(double, keys)
    finally:
        os.killpg(rescuer.pid, signal.SIGTERM)
        rescuer.wait(timeout=30)
