"""The demo's queue planned by a real Celery worker over Redis, on PostgreSQL."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from delivery.models import Delivery, Staff, Status
from routing.models import PlannedDelivery, PlanStatus, RoutePlan
from tests.helpers import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_worker_plans_the_demo_queue_with_visible_progress(celery_worker):
    call_command("seed_demo", history_days=0)
    client = APIClient()
    client.force_authenticate(Staff.objects.get(user__username="petugas").user)
    day = (timezone.localdate() + timedelta(days=1)).isoformat()

    started = client.post(
        "/api/plans/", {"date": day, "time_limit_s": 8}, format="json"
    )
    plan_id = started.json()["id"]
    seen = []

    def finished() -> bool:
        body = client.get(f"/api/plans/{plan_id}/").json()
        seen.append((body["status"], body["progress"], body["best_cost"]))
        return body["status"] in (PlanStatus.DRAFT, PlanStatus.FAILED)

    assert wait_until(finished, timeout=90, interval=0.3)
    detail = client.get(f"/api/plans/{plan_id}/").json()
    geojson = client.get(f"/api/plans/{plan_id}/geojson/").json()
    published = client.post(
        f"/api/plans/{plan_id}/publish/",
        {"confirm": True, "accept_lateness": True},
        format="json",
    )

    assert started.status_code == 202
    assert any(s == "solving" and 0 < p < 1 and c is not None for s, p, c in seen)
    assert detail["status"] == "draft"
    planned = PlannedDelivery.objects.filter(plan_id=plan_id, stop__isnull=False)
    assert planned.count() + len(detail["dropped"]) == 150
    assert all(stop["eta_start_at"] for r in detail["routes"] for stop in r["stops"])
    assert (
        len([f for f in geojson["features"] if f["properties"]["kind"] == "stop"]) > 0
    )
    assert published.status_code == 200
    scheduled = Delivery.objects.filter(status=Status.SCHEDULED)
    assert scheduled.count() == planned.count()
    assert RoutePlan.objects.get(pk=plan_id).status == PlanStatus.PUBLISHED


@pytest.fixture
def own_worker(django_db_setup, worker_env):
    """Start real workers on a queue of this test's own; kill them all at the end."""
    import uuid

    from config.celery import app
    from tests.conftest import start_worker, stop_worker

    queue, saved, started = f"antar-kill-{uuid.uuid4().hex[:8]}", None, []
    saved = app.conf.task_default_queue
    app.conf.task_default_queue = queue

    def start():
        started.append(start_worker(worker_env, queue))
        return started[-1]

    yield start
    app.conf.task_default_queue = saved
    for process in started:
        stop_worker(process)


def test_a_plan_whose_worker_is_killed_mid_solve_is_restarted_by_the_sweep(
    own_worker, settings
):
    import os
    import signal

    from routing.recovery import route_plans_sweep

    call_command("seed_demo", deliveries=40, history_days=0)
    client = APIClient()
    client.force_authenticate(Staff.objects.get(user__username="petugas").user)
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    doomed = own_worker()
    plan_id = client.post(
        "/api/plans/", {"date": day, "time_limit_s": 6}, format="json"
    ).json()["id"]

    def status() -> RoutePlan:
        return RoutePlan.objects.get(pk=plan_id)

    assert wait_until(lambda: status().progress > 0, timeout=60, interval=0.1)
    os.killpg(doomed.pid, signal.SIGKILL)  # the worker, its pool, the solver
    doomed.wait(timeout=10)
    settings.PLAN_STALE_AFTER_S = 2
    assert wait_until(lambda: route_plans_sweep()["restarted"] == 1, timeout=15)
    own_worker()

    assert wait_until(lambda: status().status == PlanStatus.DRAFT, timeout=90)
    assert status().solve_attempts == 2
    assert PlannedDelivery.objects.filter(plan_id=plan_id).count() == 40


@pytest.fixture
def planning_worker(celery_worker, worker_env):
    """The production layout: a solo-pool worker on its own planning queue."""
    from config.celery import app
    from tests.conftest import start_worker, stop_worker

    queue = f"antar-planning-{uuid.uuid4().hex[:8]}"
    routes = app.conf.task_routes
    _route_planning(app, {"routing.tasks.route_plan_solve_task": {"queue": queue}})
    process = start_worker(worker_env, queue, pool=("--pool", "solo"))
    yield process
    _route_planning(app, routes)
    stop_worker(process)


def test_a_solo_planning_worker_runs_both_search_configurations(planning_worker):
    # Its search processes come from a fork server started with the worker, so the
    # first plan's budget is not spent starting it.
    assert _fork_server_children(planning_worker.pid)
    call_command("seed_demo", history_days=0)
    client = APIClient()
    client.force_authenticate(Staff.objects.get(user__username="petugas").user)
    day = (timezone.localdate() + timedelta(days=1)).isoformat()

    plan_id = client.post(
        "/api/plans/", {"date": day, "time_limit_s": 4}, format="json"
    ).json()["id"]

    def finished() -> bool:
        plan = RoutePlan.objects.get(pk=plan_id)
        return plan.status in (PlanStatus.DRAFT, PlanStatus.FAILED)

    assert wait_until(finished, timeout=90, interval=0.3)
    plan = RoutePlan.objects.get(pk=plan_id)
    assert plan.status == PlanStatus.DRAFT
    assert plan.figures["search"] == {"configurations": 2, "processes": 2}


def _fork_server_children(pid: int) -> list[int]:
    """Child processes of `pid` that run multiprocessing's fork server."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [
        int(child)
        for child in children
        if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def _route_planning(app, routes) -> None:
    """What CELERY_PLANNING_QUEUE sets at start-up, for this test's own queue."""
    app.conf.task_routes = routes
    # Celery caches its routing table and router once it has sent a task.
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
