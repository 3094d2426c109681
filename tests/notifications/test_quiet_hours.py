"""Quiet hours: an SMS that can wait is held at night (WIB) and goes out with the
sweep once the quiet hours end; a handover code goes at once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications import services
from notifications.models import SmsMessage, SmsStatus
from notifications.tasks import sms_send_task, sms_sweep_task
from tests.helpers import sent_sms

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")
PHONE = "+6281234567890"


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.SMS_QUIET_START = "21:00"
    settings.SMS_QUIET_END = "07:00"


def _queue(key: str, **kwargs):
    return services.queue_sms(
        to=PHONE,
        template="queued",
        context={"link": "https://x.id/t/ABC"},
        key=key,
        **kwargs,
    )


def _at(hour: int, minute: int = 0, day: int = 4) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=WIB)


def test_an_sms_written_at_night_waits_for_the_morning(
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(_at(4, 10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            message = _queue("night")
        sms_send_task.delay(message.pk)  # a stray task does not send it either
        sms_sweep_task.delay()
    held = len(sent_sms())
    # The sweep (every minute) sends what is due and was not sent in the last minute.
    with time_machine.travel(_at(7, 2), tick=False):
        sms_sweep_task.delay()

    message.refresh_from_db()
    assert held == 0
    assert message.next_attempt_at == _at(7, 0)
    assert message.status == SmsStatus.SENT
    assert len(sent_sms()) == 1


def test_an_sms_written_late_in_the_evening_waits_for_the_next_morning():
    with time_machine.travel(_at(22, 30), tick=False):
        message = _queue("evening")

    assert message.next_attempt_at == _at(7, 0, day=5)


def test_a_handover_code_goes_at_once_at_night(django_capture_on_commit_callbacks):
    with (
        time_machine.travel(_at(4, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = _queue("code", critical=True)

    assert SmsMessage.objects.get(pk=message.pk).next_attempt_at is None
    assert len(sent_sms()) == 1


def test_in_the_daytime_an_sms_goes_at_once(django_capture_on_commit_callbacks):
    with (
        time_machine.travel(_at(12, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _queue("noon")

    assert len(sent_sms()) == 1


def test_empty_settings_switch_the_quiet_hours_off(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_QUIET_START = ""

    with (
        time_machine.travel(_at(4, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _queue("off")

    assert len(sent_sms()) == 1
