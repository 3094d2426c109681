"""A Twilio outage of hours delays SMS and never drops one that is still of use.

Tasks go through a real broker with their real retry delays (not eager); the clock is
simulated with time-machine, the sweep runs every few simulated minutes, and the real
twilio SDK talks to the local double, which answers 429 and then refuses connections.
"""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications import services
from notifications.backends import get_backend
from notifications.models import SmsMessage, SmsStatus
from notifications.services import REDACTED
from notifications.tasks import sms_sweep_task
from tests.helpers import closed_port_url

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"
SWEEP_EVERY = timedelta(minutes=3)


def _point_backend_at(settings, base_url: str) -> None:
    settings.TWILIO_API_BASE_URL = base_url
    get_backend.cache_clear()


def _run(clock, worker, duration: timedelta) -> None:
    """Let `duration` of simulated time pass: due tasks run, the sweep every step."""
    end = timezone.now() + duration
    while timezone.now() < end:
        clock.shift(SWEEP_EVERY)
        worker.run_due()
        sms_sweep_task.delay()
        worker.run_due()


def _outage(clock, worker, twilio, settings) -> None:
    """An hour of 429s, then an hour of refused connections, then recovery."""
    twilio.rate_limit_creates(1.0)
    _run(clock, worker, timedelta(hours=1))
    twilio.reset_faults()
    _point_backend_at(settings, closed_port_url())
    _run(clock, worker, timedelta(hours=1))
    _point_backend_at(settings, twilio.base_url)


def _queue(capture, **kwargs) -> SmsMessage:
    with capture(execute=True):
        return services.queue_sms(to=PHONE, **kwargs)


def test_a_two_hour_outage_delays_an_sms_which_then_goes_out_once(
    twilio, broker, settings, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        twilio.rate_limit_creates(1.0)
        message = _queue(
            django_capture_on_commit_callbacks,
            template="queued",
            context={"link": "https://x.id/t/ABC"},
            key="delivery:1:event:1",
        )
        _outage(clock, broker, twilio, settings)
        during = SmsMessage.objects.get(pk=message.pk)
        _run(clock, broker, timedelta(minutes=15))

    message.refresh_from_db()
    assert during.status in {SmsStatus.QUEUED, SmsStatus.UNKNOWN}
    assert during.attempts < 60
    assert message.status == SmsStatus.SENT
    assert twilio.count_by_body()[message.body] == 1
    assert len(twilio.messages) == 1


def test_a_handover_code_whose_validity_passed_in_the_outage_is_not_sent(
    twilio, broker, settings, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        twilio.rate_limit_creates(1.0)
        message = _queue(
            django_capture_on_commit_callbacks,
            template="handover_code",
            context={"code": "483920", "courier": "Rudi", "link": "x"},
            key="handover:1",
            critical=True,
            validity_s=600,
        )
        _outage(clock, broker, twilio, settings)
        _run(clock, broker, timedelta(minutes=15))

    message.refresh_from_db()
    assert message.status == SmsStatus.EXPIRED
    assert message.body == REDACTED
    assert twilio.messages == []
