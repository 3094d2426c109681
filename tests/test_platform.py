"""The service's platform: settings from the environment, /healthz, the API schema."""

import inspect
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import coverage
import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from config import env


def test_env_helpers_parse_and_fail_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))

    assert env.env_bool("X_BOOL") is True
    assert env.env_int("X_INT", 0) == 12
    assert env.env_list("X_LIST") == ["a", "b", "c"]
    assert env.env_secret("X_SECRET") == "s3cret"
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env.env_bool("X_BOOL")
    with pytest.raises(ImproperlyConfigured):
        env.env_int("X_INT", 0)


def test_settings_refuse_to_start_without_a_secret_key_when_not_debugging():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


@pytest.mark.django_db
def test_pages_are_indonesian_first_even_for_an_english_browser(client):
    # English is there on request (/en/...), never picked from the browser alone.
    indonesian = client.get("/lacak/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    english = client.get("/en/lacak/")

    assert indonesian.status_code == english.status_code == 200
    assert indonesian["Content-Language"] == "id"
    assert english["Content-Language"] == "en"


@pytest.mark.django_db
def test_healthz_reports_ok(client):
    from delivery.health import heartbeat_record

    heartbeat_record()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "beat": "ok",
        "worker": "ok",
        "heartbeat_age_s": 0,
    }


@pytest.mark.django_db
def test_healthz_waits_for_the_first_heartbeat_of_a_new_installation(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert (response.json()["beat"], response.json()["worker"]) == (
        "waiting",
        "unknown",
    )


@pytest.mark.django_db
def test_healthz_fails_when_beat_or_every_worker_stopped(client):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from delivery.tasks import heartbeat_task

    with time_machine.travel(timezone.now() - timedelta(minutes=6)):
        heartbeat_task.run()
        heartbeat_task.run()  # twice: one row, the later time

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["beat"] in {"stale", "unknown"}
    assert response.json()["heartbeat_age_s"] >= 360


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "fail"


@pytest.mark.django_db
def test_openapi_schema_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    response = client.get("/api/schema/")
    schema = yaml.safe_load(response.content)

    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert "/api/deliveries/intake/" in schema["paths"]
    assert client.get("/api/docs/").status_code == 200


# Planning as the service does it: the solver forks its searches, a web server
# answers in threads. Coverage must follow both.
_SOLVE_AND_SIMULATE = """
import threading
from routing.core.problem import PlanningProblem, Stop, Vehicle
from routing.core.simulate import simulate_route
from routing.core.solver import solve
grid = ((0, 60), (60, 0))
van = Vehicle("v", 0, 0, 0, 3600, 1)
route = dict(start_s=0, shift_end_s=3600, duration_s=grid, distance_m=grid)
if __name__ == "__main__":  # the search processes import this script again
    solve(PlanningProblem((Stop("a", 1),), (van,), grid, grid), time_limit_s=1)
    thread = threading.Thread(target=simulate_route, args=([],), kwargs=route)
    thread.start()
    thread.join()
"""


def _measured_lines(script: str, tmp_path: Path) -> Callable[[Callable, str], bool]:
    """Run ``script`` under coverage with the project's configuration."""
    root = Path(__file__).resolve().parents[1]
    path, data_file = tmp_path / "script.py", tmp_path / ".coverage"
    path.write_text(script)
    environment = {**os.environ, "COVERAGE_FILE": str(data_file)}
    environment |= {"PYTHONPATH": str(root)}
    environment.pop("COVERAGE_RCFILE", None)
    for command in (["run", "--rcfile=pyproject.toml", str(path)], ["combine"]):
        subprocess.run(
            [sys.executable, "-m", "coverage", *command],
            cwd=root,
            env=environment,
            check=True,
            timeout=120,
        )
    data = coverage.CoverageData(basename=str(data_file))
    data.read()

    def ran(function: Callable, text: str) -> bool:
        lines, first = inspect.getsourcelines(function)
        line = first + next(i for i, line in enumerate(lines) if text in line)
        return line in set(data.lines(inspect.getsourcefile(function)) or ())

    return ran


def test_coverage_measures_the_solvers_processes_and_threads(tmp_path):
    # Else the search code counts as never run and the suite's total is wrong.
    from routing.core.search_runs import _worker
    from routing.core.simulate import simulate_route

    ran = _measured_lines(_SOLVE_AND_SIMULATE, tmp_path)

    assert ran(_worker, '"done", k, outcome')
    assert ran(simulate_route, "end = now + int(duration_s[here][depot])")


@pytest.fixture
def broker_down(settings):
    """The Celery app (and /healthz) point at a closed port: every publish fails."""
    from config.celery import app

    closed = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = closed
    # Publishing uses the write URL; broker_url itself yields to the environment.
    app.conf.broker_write_url = closed
    app.conf.task_always_eager = False
    app._pool = app.amqp._producer_pool = None  # pools are bound to the old URL
    yield
    app.conf.broker_write_url = None
    app._pool = app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_intake_and_planning_are_recorded_not_500(broker_down):
    from rest_framework.test import APIClient

    from delivery.models import Delivery
    from notifications.models import SmsMessage, SmsStatus
    from routing.models import PlanStatus, RoutePlan
    from tests.factories import StaffFactory, intake_data

    client = APIClient()
    client.force_authenticate(StaffFactory().user)

    intake = client.post("/api/deliveries/intake/", intake_data(), format="json")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    plan = client.post("/api/plans/", {"date": tomorrow}, format="json")
    health = client.get("/healthz")

    assert intake.status_code == 201
    assert Delivery.objects.count() == 1
    assert SmsMessage.objects.get().status == SmsStatus.QUEUED  # the SMS sweep's
    assert plan.status_code == 202
    pending = RoutePlan.objects.get()
    assert (pending.status, pending.enqueued_at) == (PlanStatus.PENDING, None)
    assert health.status_code == 503
    assert health.json()["broker"] == "fail"


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_a_plan_that_never_reached_the_broker(broker_down):
    from datetime import timedelta

    from django.utils import timezone

    from config.celery import app
    from routing.models import PlanStatus
    from routing.recovery import route_plans_sweep
    from routing.services import route_plan_start
    from tests.factories import StaffFactory

    staff = StaffFactory()
    plan = route_plan_start(
        office=staff.office, on_date=timezone.localdate(), actor=None
    )
    app.conf.task_always_eager = True  # the broker is back
    later = timezone.now() + timedelta(minutes=1)

    first = route_plans_sweep(now=later)
    second = route_plans_sweep(now=later)

    plan.refresh_from_db()
    assert first["sent"] == 1
    assert second["sent"] == 0
    assert plan.status == PlanStatus.DRAFT
    assert plan.enqueued_at is not None


@pytest.fixture
def cache_down(settings):
    """The cache (rate limits) is a Redis server that does not answer."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.TRACKING_RATE_LIMIT = 3
    return settings


@pytest.mark.django_db
def test_with_the_cache_down_the_tracking_summary_comes_from_the_database(
    client, cache_down
):
    from delivery.models import Status
    from tests.factories import make_delivery

    cache_down.TRACKING_CACHE_TTL_S = 60
    delivery = make_delivery(Status.SCHEDULED)

    response = client.get(f"/api/track/{delivery.tracking_code}/")

    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"


@pytest.mark.django_db
def test_with_the_cache_down_public_pages_are_served_and_still_rate_limited(
    client, cache_down
):
    from delivery.models import Status
    from public.ratelimit import _fallback
    from tests.factories import make_delivery

    _fallback.clear()
    delivery = make_delivery(Status.SCHEDULED)
    url = f"/t/{delivery.tracking_code}/"

    answers = [client.get(url).status_code for _ in range(4)]
    health = client.get("/healthz")

    assert answers == [200, 200, 200, 429]  # counted in this process meanwhile
    assert health.status_code == 503
    assert health.json()["cache"] == "fail"
