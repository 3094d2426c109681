"""Deployment settings: what `manage.py check --deploy` demands, and what it refuses."""

import os
import re
import subprocess
import sys
from pathlib import Path

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


def test_a_stale_claim_must_outlast_the_slowest_send(settings):
    settings.TWILIO_TIMEOUT_S = 10
    settings.SMS_STUCK_AFTER_S = 39

    assert "notifications.E002" in _ids(checks.run_checks())
    settings.SMS_STUCK_AFTER_S = 40
    assert "notifications.E002" not in _ids(checks.run_checks())


ROOT = Path(__file__).resolve().parent.parent
# What a production server is given (see README, "Production").
PRODUCTION = {
    "PUBLIC_BASE_URL": "https://antar-sijunjung.imigrasi.go.id",
    "SECRET_KEY": "k3y-" + "x9Q2" * 15,
    "ALLOWED_HOSTS": "antar-sijunjung.imigrasi.go.id",
    "HANDOVER_CODE_PEPPER": "pepper-from-the-vault",
    "AUDIT_CHECKPOINT_KEY": "audit-key-from-the-vault",
    # Personal data at rest (passport numbers, photos): a Fernet key.
    "DATA_ENCRYPTION_KEY": "w8Vb1ZQ0yqCq2yH2Hk3b8mB6a8mFZb3pQe0yXn3Jk1E=",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "twilio-token",
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "2" * 32,
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "SMS_", "TWILIO_", "DEBUG"))
        and k not in PRODUCTION
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "SECRET_KEY": "x" * 60, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_server_without_twilio_and_debug_off_fails_its_checks():
    result = _manage("check")

    assert result.returncode != 0
    assert "notifications.E001" in result.stderr


def test_a_production_configuration_passes_the_deploy_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr


def test_without_an_https_base_url_the_deploy_checks_fail():
    plain_http = {**PRODUCTION, "PUBLIC_BASE_URL": "http://10.0.0.5:8000"}

    result = _manage("check", "--deploy", "--fail-level", "WARNING", **plain_http)

    assert result.returncode != 0
    for check in ("W004", "W008", "W012", "W016"):  # HSTS, redirect, both cookies
        assert f"security.{check}" in result.stderr


def test_each_https_default_can_be_turned_off_on_purpose():
    off = {**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"}

    result = _manage("check", "--deploy", "--fail-level", "WARNING", **off)

    assert "security.W008" in result.stderr
    assert "security.W004" in result.stderr
    assert "security.W012" not in result.stderr


def test_the_proxy_ssl_header_comes_from_the_environment():
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"

    result = _manage(
        "shell", "-c", code, **PRODUCTION, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"
    )

    assert (
        result.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/t/", "/petugas/masuk/", "/kurir/aksi/"])
def test_a_body_above_the_limit_is_refused_before_it_is_read(client, settings, path):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    # The declared length alone decides: the test client would fail if it were read.
    response = client.post(
        path, b"x" * 10, content_type="text/plain", CONTENT_LENGTH="300000000"
    )

    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode()


@pytest.mark.django_db
def test_the_api_refuses_a_large_body_in_json(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024

    response = client.post(
        "/api/auth/token/", b"{}", content_type="application/json",
        CONTENT_LENGTH="300000000",
    )  # fmt: skip

    assert response.status_code == 413
    assert "terlalu besar" in response.json()["detail"]


def test_the_default_limit_admits_the_largest_uploads(settings):
    from delivery.forms import MAX_UPLOAD_BYTES

    largest = max(MAX_UPLOAD_BYTES, settings.PROOF_PHOTO_MAX_BYTES)

    assert largest + 64 * 1024 <= settings.MAX_REQUEST_BODY_BYTES


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/petugas/masuk/", "/kurir/masuk/", "/angka/"])
def test_every_page_carries_a_csp_without_inline_script(client, settings, path):
    response = client.get(path, follow=True)

    policy = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:])
        for part in policy.split(";")
        if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert "https://tile.openstreetmap.org" in directives["img-src"]
    assert directives["frame-ancestors"] == ["'none'"]


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_carries_inline_script_or_event_handlers():
    templates = [
        path
        for app in ("console", "courier_app", "public", "delivery", "notifications")
        for path in (ROOT / app).rglob("templates/**/*.html")
    ]

    offenders = [
        str(path.relative_to(ROOT))
        for path in templates
        if _INLINE_SCRIPT.search(path.read_text())
        or _INLINE_HANDLER.search(path.read_text())
    ]

    assert templates
    assert offenders == []
