"""/metrics for the operator: behind its key, with the gauges an operator watches."""

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from config.observability import JsonFormatter, _scrub_event
from notifications.models import SmsMessage, SmsStatus
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db
KEY = "metrics-key-for-tests"


@pytest.fixture
def metrics_key(settings):
    settings.METRICS_KEY = KEY
    return KEY


def scrape(key: str | None = KEY):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return Client().get("/metrics", **headers)


def sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the scrape")


@pytest.mark.parametrize("key", [None, "wrong", KEY + "x"])
def test_metrics_are_hidden_without_the_right_key(metrics_key, key):
    assert scrape(key).status_code == 404


def test_metrics_are_off_when_no_key_is_configured(settings):
    settings.METRICS_KEY = ""

    assert scrape("").status_code == 404
    assert scrape("anything").status_code == 404


def test_the_outbox_gauges_count_what_waits_and_how_long(metrics_key):
    with time_machine.travel(timezone.now() - timedelta(minutes=10)):
        _sms("a", SmsStatus.QUEUED)
    _sms("b", SmsStatus.UNKNOWN)
    _sms("c", SmsStatus.DELIVERED)

    text = scrape().content.decode()

    assert sample(text, "antar_sms_outbox_pending") == 2
    assert 590 < sample(text, "antar_sms_outbox_oldest_age_seconds") < 900
    assert 'antar_sms_messages{status="delivered"} 1.0' in text
    assert 'antar_sms_messages{status="queued"} 1.0' in text


def test_plans_checkpoints_and_latency_are_exposed(metrics_key):
    OfficeFactory()
    Client().get("/healthz")

    text = scrape().content.decode()

    assert sample(text, "antar_audit_checkpoint_age_seconds") == -1
    assert sample(text, "antar_plan_oldest_solving_age_seconds") == 0
    assert 'antar_http_request_duration_seconds_count{status="2xx",view="healthz"}' in (
        text
    )
    assert "+62" not in text


def test_json_log_lines_carry_no_phone_number_or_tracking_code():
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "sent %s to +6281234567890",
        ("ABCD-EFGH-JK1",),
        None,
    )

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "sent [redacted] to [redacted]"
    assert line["level"] == "INFO"


def test_error_reports_lose_request_bodies_users_and_numbers():
    event = {
        "message": "handover failed for 081234567890",
        "request": {"url": "https://x/t/ABCDEFGHJK1/", "data": {"phone": "1"},
                    "cookies": {"sessionid": "s"}, "headers": {"Cookie": "s"}},
        "user": {"username": "kurir1"},
    }  # fmt: skip

    scrubbed = _scrub_event(event, {})

    assert scrubbed["message"] == "handover failed for [redacted]"
    assert scrubbed["request"] == {"url": "https://x/t/[redacted]/"}
    assert "user" not in scrubbed


def _sms(key: str, status: str) -> SmsMessage:
    return SmsMessage.objects.create(
        key=key,
        to="+6281234567890",
        template="queued",
        body="x",
        segments=1,
        status=status,
    )
