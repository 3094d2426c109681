"""The README's demo command: seeded data, and the whole demo served end to end."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from delivery.demo_history import HistoryReport, seed_history
from delivery.figures import figures_for_month
from delivery.gazetteer import load_gazetteer
from delivery.models import Courier, Delivery, Office, Status
from delivery.selectors import couriers_available, deliveries_to_plan
from delivery.services.audit import audit_verify
from delivery.services.lifecycle import deliveries_cancel_uncollected
from delivery.workdays import next_working_day
from routing.core.preparation import prepare, split_servable
from routing.models import PlanForecast
from routing.problem_builder import build_problem
from routing.services import route_plan_start
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_seed_demo_creates_a_realistic_queue_once(capsys):
    call_command("seed_demo", history_days=0)
    call_command("seed_demo", history_days=0)

    gazetteer = load_gazetteer()
    regencies = {
        gazetteer.regency_of(gazetteer.get(code)).name
        for code in Delivery.objects.values_list("village_code", flat=True)
    }
    assert Office.objects.get().name == "Kantor Imigrasi Sijunjung"
    assert Courier.objects.count() == 6
    assert Delivery.objects.count() == 150
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.QUEUED}
    assert regencies == {
        "Kabupaten Sijunjung",
        "Kabupaten Dharmasraya",
        "Kota Sawahlunto",
    }
    assert all(
        phone.startswith("+628")
        for phone in Delivery.objects.values_list(
            "document__applicant__phone", flat=True
        )
    )
    windows = Delivery.objects.filter(window_start__isnull=False).count()
    assert 25 <= windows <= 75  # about 30% ask for a 2-hour window
    out = capsys.readouterr().out
    assert "0 created, 150 existed" in out
    # Staff sign in to the console, not to the back office.
    assert "petugas  dispatcher     http://127.0.0.1:8000/petugas/" in out
    assert "auditor  auditor        http://127.0.0.1:8000/petugas/" in out


@pytest.mark.django_db
def test_the_demo_history_fills_the_public_figures_and_keeps_the_trail_whole():
    today = date(2026, 12, 4)
    call_command("seed_demo", deliveries=0, history_days=0)
    office = Office.objects.get()

    first = seed_history(office=office, days=45, today=today)
    again = seed_history(office=office, days=45, today=today)

    november = figures_for_month(month=date(2026, 11, 1))
    shown = [
        november.on_time,
        november.first_attempt,
        november.median_days,
        november.ikm,
        november.complaints_received,
        november.complaints_on_time,
    ]
    assert all(figure.shown for figure in shown), shown
    assert 60 < november.on_time.value < 100  # some late, most on time
    assert first.deliveries > 100
    assert first.surveys > 10
    assert first.complaints > 10
    assert again == HistoryReport()  # seeded once
    # Returned passports past their deadline were cancelled then: the sweep has none.
    assert deliveries_cancel_uncollected(today=today) == 0
    assert audit_verify().ok
    assert not Delivery.objects.filter(delivered_at__date__gte=today).exists()


@pytest.mark.django_db
def test_no_demo_delivery_is_too_far_for_one_shift():
    call_command("seed_demo", history_days=0)
    office = Office.objects.get()
    couriers = list(couriers_available(office_id=office.pk))
    on_date = timezone.localdate()
    queue = list(
        deliveries_to_plan(office_id=office.pk, exclude_ids=set(), on_date=on_date)
    )
    built = build_problem(office=office, on_date=on_date, couriers=couriers, free=queue)

    servable, too_far = split_servable(prepare(built.problem, seed=0))

    bases = {c.base().label for c in couriers}
    assert {"Kantor Imigrasi Sijunjung", "UKK Pulau Punjung"} < bases
    assert len(servable) == len(built.problem.stops) == 150
    assert too_far == []


@pytest.mark.django_db
def test_every_demo_delivery_gets_a_day_before_its_deadline_or_a_saving_capacity(
    django_capture_on_commit_callbacks,
):
    call_command("seed_demo", history_days=0)
    office = Office.objects.get()
    day = next_working_day(timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        plan = route_plan_start(
            office=office, on_date=day, actor=None, time_limit_s=4, horizon_days=5
        )
    forecast = PlanForecast.objects.get(plan=plan).result
    deliveries = Delivery.objects.filter(office=office).select_related("document")
    deadlines = {d.pk: d.document.collection_deadline for d in deliveries}

    items = forecast["items"]
    assert len(items) == 150
    for item in items:
        if item["day"] is not None:
            assert date.fromisoformat(item["day"]) <= deadlines[item["delivery_id"]]
        else:  # beyond the horizon, or short of courier-days the page names
            assert item["later"] or item["risk"] == "capacity"
    short = [i for i in items if i["risk"] == "capacity"]
    assert not short or forecast["summary"]["courier_days_needed"] > 0


@pytest.mark.django_db
def test_the_admin_shows_the_seeded_queue(client, django_user_model):
    call_command("seed_demo", deliveries=20, history_days=0)
    client.login(username="petugas", password="antar-demo")

    page = client.get(reverse("admin:delivery_delivery_changelist")).content.decode()

    assert "20 pengantaran" in page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def _demo_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        ANTAR_VAR_DIR=str(tmp_path / "var"),
        CELERY_BROKER_URL="filesystem://",
        SECRET_KEY="",
    )
    return env


def _manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_make_demo_serves_everything_with_no_external_service(tmp_path):
    env, port = _demo_env(tmp_path), _free_port()
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--addrport", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    children: set[int] = set()
    try:
        assert wait_until(lambda: _get(f"{base}/healthz")[0] == 200, timeout=180)
        health = json.loads(_get(f"{base}/healthz")[1])
        assert {k: health[k] for k in ("database", "broker", "cache")} == {
            "database": "ok",
            "broker": "ok",
            "cache": "ok",
        }
        assert health["beat"] in {"waiting", "ok"}
        assert _get(f"{base}/api/schema/")[1].startswith(b"openapi: 3")
        assert _get(f"{base}/admin/login/")[0] == 200
        _assert_worker_runs_a_task(env)
        _assert_planner_runs_both_search_configurations(env)
        children = _descendants(demo.pid)
        demo.send_signal(signal.SIGTERM)  # as a service manager or CI stops it
        demo.wait(timeout=30)
        assert wait_until(lambda: not _alive(children), timeout=5)
    finally:
        _kill(demo, children | _descendants(demo.pid))
        log.close()
    assert len(children) >= 3  # the worker, its pool, beat: all of them stopped
    assert "antar-demo" in (tmp_path / "demo.log").read_text()


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process, from /proc (no psutil needed)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited while we looked
        parents[int(stat.parent.name)] = int(fields[1])
    return parents


def _descendants(pid: int) -> set[int]:
    parents, found, todo = _parents(), set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, pp in parents.items() if pp == parent}
        todo += children - found
        found |= children
    return found


def _alive(pids: set[int]) -> set[int]:
    """The processes still running (a zombie has stopped, only not been reaped)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _kill(demo: subprocess.Popen, children: set[int]) -> None:
    """Leave nothing behind even when the test failed half-way."""
    for pid in _alive(children | {demo.pid}):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    demo.wait(timeout=10)


def _assert_worker_runs_a_task(env) -> None:
    """Make one queued passport overdue, enqueue the task, see the worker cancel it."""
    count = (
        "from delivery.models import Delivery;"
        "print('cancelled=%d' % Delivery.objects.filter(status='cancelled').count())"
    )
    before = _manage(env, "shell", "-c", count).strip()  # the history's own
    _manage(
        env,
        "shell",
        "-c",
        "from datetime import date; from delivery.models import Document;"
        "queued = Document.objects.filter(delivery__status='queued').first();"
        "Document.objects.filter(pk=queued.pk).update(issued_on=date(2020, 1, 1));"
        "from delivery.tasks import deliveries_cancel_uncollected_task as t; t.delay()",
    )
    after = f"cancelled={int(before.split('=')[1]) + 1}"

    def cancelled_one() -> bool:
        return after in _manage(env, "shell", "-c", count)

    assert wait_until(cancelled_one, timeout=60)


def _assert_planner_runs_both_search_configurations(env) -> None:
    """A plan goes to the demo's solo-pool planner, where both searches run."""
    env = {**env, "CELERY_PLANNING_QUEUE": "planning"}
    _manage(
        env,
        "shell",
        "-c",
        "from django.utils import timezone; from delivery.models import Office;"
        "from routing.services import route_plan_start as start;"
        "start(office=Office.objects.get(), on_date=timezone.localdate(),"
        " actor=None, time_limit_s=3)",
    )
    search = (
        "from routing.models import RoutePlan;"
        "print('search=%s' % RoutePlan.objects.get().figures.get('search'))"
    )

    def both_ran() -> bool:
        out = _manage(env, "shell", "-c", search)
        return "'configurations': 2, 'processes': 2" in out

    assert wait_until(both_ran, timeout=90, interval=2)
