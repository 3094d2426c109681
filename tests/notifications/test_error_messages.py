"""Errors of the SMS backend name no phone number: they end up in the worker's log."""

import socket
import traceback
from datetime import UTC, datetime

import pytest

from notifications.backends import TransientSmsError, get_backend

NUMBER = "+6281377553311"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_twilio(settings):
    """The Twilio backend pointed at a port where nothing listens."""
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{_closed_port()}"
    settings.TWILIO_TIMEOUT_S = 1
    get_backend.cache_clear()
    yield get_backend()
    get_backend.cache_clear()


def test_an_unreachable_message_log_is_reported_without_the_number(
    unreachable_twilio,
):
    since = datetime(2026, 1, 1, tzinfo=UTC)

    with pytest.raises(TransientSmsError) as raised:
        unreachable_twilio.find_sent(to=NUMBER, body="x", since=since)

    # What a worker logs for a task that raised: the message and its traceback.
    logged = "".join(traceback.format_exception(raised.value))
    assert "message log unavailable" in logged
    assert NUMBER.removeprefix("+") not in logged
