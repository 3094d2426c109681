"""Shared fixtures, and the rules for tests that need real services.

Tests marked `postgres` need DATABASE_URL to name PostgreSQL; tests marked `services`
need a Redis broker (CELERY_BROKER_URL=redis://...) as well. Without them they skip and
say why. With ANTAR_REQUIRE_SERVICES=1 (CI) a missing service fails the test, and any
skipped test fails the run: in CI nothing may skip.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from config.celery import app as celery_app

pytest_plugins = ["tests.browser"]
REQUIRE = os.environ.get("ANTAR_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}
# The tests' own Fernet key for personal data at rest (never a deployment's).
TEST_DATA_KEY = "YW50YXItdGVzdC1kYXRhLWtleS1mb3ItcHl0ZXN0ISE="


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _redis_reachable() -> bool:
    url = urlparse(settings.CELERY_BROKER_URL)
    if url.scheme not in {"redis", "rediss"}:
        return False
    try:
        with socket.create_connection((url.hostname, url.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def _missing_service(item: pytest.Item) -> str | None:
    needs_pg = item.get_closest_marker("postgres") or item.get_closest_marker(
        "services"
    )
    if needs_pg and not _is_postgres():
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if item.get_closest_marker("services") and not _redis_reachable():
        return "needs a Redis broker: set CELERY_BROKER_URL=redis://... (server up)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _missing_service(item)
    if reason and REQUIRE:
        pytest.fail(f"required service missing: {reason}")
    if reason:
        pytest.skip(reason)


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REQUIRE and _skipped:
        print(f"\nANTAR_REQUIRE_SERVICES=1 but {len(_skipped)} test(s) skipped:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _celery_mode(request: pytest.FixtureRequest):
    """Unit tests run tasks eagerly; `services` tests send them to a real worker."""
    celery_app.conf.task_always_eager = (
        request.node.get_closest_marker("services") is None
    )
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    from notifications.backends import get_backend

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_ENCRYPTION_KEY = TEST_DATA_KEY
    settings.SMS_BACKEND = "memory"
    # Tests run at any hour; those of the quiet hours switch them on.
    settings.SMS_QUIET_START = ""
    settings.SHORT_LINK_BASE_URL = "https://antar-sijunjung.imigrasi.go.id"
    get_backend.cache_clear()
    # Hashing strength is not under test; PBKDF2 would make every user cost 0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client's login() authenticates without a request, which axes refuses;
    # tests of the sign-in throttle switch it back on (tests/delivery/test_login_guard).
    settings.AXES_ENABLED = False
    yield
    get_backend.cache_clear()


@pytest.fixture
def office():
    """An office (most tests work inside one)."""
    from tests.factories import OfficeFactory

    return OfficeFactory()


@pytest.fixture
def courier(office):
    """A courier of `office`."""
    from tests.factories import CourierFactory

    return CourierFactory(staff__office=office)


def _worker_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


@pytest.fixture(scope="session")
def sms_double():
    """One Twilio double for the real workers of the session."""
    from tests.twilio_double import TwilioDouble

    with TwilioDouble(seed=7) as double:
        yield double


@pytest.fixture(scope="session")
def worker_env(sms_double, live_server) -> dict[str, str]:
    """Environment of a real worker: the test database, Twilio via the local double."""
    return {
        "DATABASE_URL": _worker_database_url(),
        "LOG_LEVEL": "WARNING",
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": sms_double.account_sid,
        "TWILIO_AUTH_TOKEN": sms_double.auth_token,
        "TWILIO_API_BASE_URL": sms_double.base_url,
        "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32,
        "TWILIO_TIMEOUT_S": "2",
        "TWILIO_WEBHOOK_BASE_URL": live_server.url,
        "SHORT_LINK_BASE_URL": "https://antar-sijunjung.imigrasi.go.id",
        "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
    }


def start_worker(
    env: dict[str, str],
    queue: str,
    *,
    pool: tuple[str, ...] = ("--concurrency", "2"),
    loglevel: str = "WARNING",
    logfile: Path | None = None,
) -> subprocess.Popen:
    """Start a real Celery worker process (its own process group) on `queue`.

    With `logfile`, everything the worker logs or prints goes to that file."""
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue,
        *pool, "--loglevel", loglevel, "-n", f"{queue}@%h",
    ]  # fmt: skip
    # Tasks the worker enqueues itself (retries, follow-ups) go to the same queue.
    env = {**os.environ, **env, "CELERY_TASK_DEFAULT_QUEUE": queue}
    output = None
    if logfile is not None:
        command += ["--logfile", str(logfile)]
        env["LOG_LEVEL"] = loglevel
        output = logfile.with_suffix(".out").open("wb")
    process = subprocess.Popen(
        command, env=env, start_new_session=True, stdout=output, stderr=output
    )
    if output is not None:
        output.close()  # the child has its own copy
    _wait_for_worker(f"{queue}@{socket.gethostname()}", process)
    return process


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, worker_env):
    """A real Celery worker process on the test database, consuming its own queue."""
    if not (_is_postgres() and _redis_reachable()):
        pytest.skip("needs PostgreSQL and Redis")
    queue = f"antar-test-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_default_queue = queue
    process = start_worker(worker_env, queue)
    yield process
    stop_worker(process)


def stop_worker(process: subprocess.Popen) -> None:
    """Warm shutdown of the worker's process group, then kill what is left of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # pool children of a dead parent
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture
def webhook_settings(settings, sms_double, live_server):
    """This process answers the double's callbacks through the live server."""
    settings.TWILIO_AUTH_TOKEN = sms_double.auth_token
    settings.TWILIO_WEBHOOK_BASE_URL = live_server.url
    sms_double.reset_faults()
    return settings


def _wait_for_worker(name: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited at start-up")
        if celery_app.control.ping(destination=[name], timeout=1):
            return
    raise RuntimeError("the Celery worker did not answer a ping within 60 s")
