"""Deployment settings: what `manage.py check --deploy` demands, and what it refuses."""

import os
import subprocess
import sys

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from notifications.backends import get_backend


@pytest.fixture
def console_sms(settings):
    settings.SMS_BACKEND = "console"
    get_backend.cache_clear()
    yield settings
    get_backend.cache_clear()


def _ids(errors) -> set[str]:
    return {error.id for error in errors}


def test_the_console_sms_backend_is_refused_unless_allowed(console_sms):
    console_sms.DEBUG = False
    console_sms.SMS_CONSOLE_ALLOWED = False

    assert "notifications.E001" in _ids(checks.run_checks())
    with pytest.raises(ImproperlyConfigured, match="SMS_CONSOLE_ALLOWED"):
        get_backend()


def test_the_console_sms_backend_serves_when_allowed_on_purpose(console_sms):
    console_sms.DEBUG = False
    console_sms.SMS_CONSOLE_ALLOWED = True

    assert "notifications.E001" not in _ids(checks.run_checks())
    assert type(get_backend()).__name__ == "ConsoleBackend"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for name in ("DEBUG", "SMS_BACKEND", "SMS_CONSOLE_ALLOWED", "TWILIO_ACCOUNT_SID"):
        base.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**base, "SECRET_KEY": "x" * 60, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_server_without_twilio_and_debug_off_fails_its_checks():
    result = _manage("check")

    assert result.returncode != 0
    assert "notifications.E001" in result.stderr
