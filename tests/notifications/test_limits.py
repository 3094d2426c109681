"""Caps on non-critical SMS: per number, per subject, per hour for the office.

What is held back is recorded as suppressed with its reason; the code still goes."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications import services
from notifications.models import SmsMessage, SmsStatus
from tests.helpers import sent_sms

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"


def _queue(n, *, to=PHONE, prefix="m", **kwargs):
    defaults = {"template": "queued", "context": {"link": "https://x.id/t/ABC"}}
    return [
        services.queue_sms(to=to, key=f"{prefix}:{i}", **{**defaults, **kwargs})
        for i in range(n)
    ]


def test_a_number_gets_no_more_than_its_hourly_cap_and_again_an_hour_later(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_MAX_PER_NUMBER_PER_HOUR = 2

    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(4)
    an_hour_later = time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1))
    with an_hour_later, django_capture_on_commit_callbacks(execute=True):
        later = _queue(1, prefix="later")

    assert [m.status for m in first] == ["queued"] * 2 + ["suppressed"] * 2
    assert first[3].suppressed_reason == "number_limit"
    assert later[0].status == SmsStatus.QUEUED
    assert len(sent_sms()) == 3


def test_the_handover_code_goes_out_over_every_cap(
    settings, django_capture_on_commit_callbacks
):
    settings.SMS_MAX_PER_NUMBER_PER_HOUR = 1
    settings.SMS_MAX_PER_HOUR = 1

    with django_capture_on_commit_callbacks(execute=True):
        _queue(2)
        code = services.queue_sms(
            to=PHONE,
            template="handover_code",
            context={"code": "483920", "courier": "Rudi", "link": "x"},
            key="otp",
            critical=True,
        )

    code.refresh_from_db()
    assert code.status == SmsStatus.SENT
    assert len(sent_sms()) == 2


def test_the_offices_hourly_budget_holds_back_sms_to_anyone(settings):
    settings.SMS_MAX_PER_HOUR = 3

    for i in range(4):
        _queue(1, to=f"+62812345678{i:02d}", prefix=f"n{i}")

    held = SmsMessage.objects.get(status=SmsStatus.SUPPRESSED)
    assert held.to == "+6281234567803"
    assert held.suppressed_reason == "budget"


def test_a_subject_gets_no_more_than_its_daily_cap_whatever_the_numbers(settings):
    settings.SMS_MAX_PER_SUBJECT_PER_DAY = 2

    for i in range(3):
        _queue(1, to=f"+62812345678{i:02d}", prefix=f"s{i}", subject="delivery:7")
    other = _queue(1, prefix="other", subject="delivery:8")

    statuses = list(
        SmsMessage.objects.filter(subject="delivery:7")
        .order_by("pk")
        .values_list("status", "suppressed_reason")
    )
    assert statuses[2] == (SmsStatus.SUPPRESSED, "subject_limit")
    assert statuses[:2] == [(SmsStatus.QUEUED, "")] * 2
    assert other[0].status == SmsStatus.QUEUED


def test_a_held_back_secret_message_keeps_no_text(settings):
    settings.SMS_MAX_PER_NUMBER_PER_HOUR = 1
    _queue(1)

    held = services.queue_sms(
        to=PHONE,
        template="delivered",
        context={"time": "14.05", "survey_link": "https://x.id/t/ABC/nilai/K7M2/"},
        key="delivered",
        secret=True,
    )

    assert held.status == SmsStatus.SUPPRESSED
    assert held.body == services.REDACTED
