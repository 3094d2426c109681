"""Run the demo: migrate, seed, start Celery workers (one with beat, one solo-pool
planner on the planning queue) and the web server.

On the embedded defaults this needs no external service: SQLite, kombu's filesystem
broker under var/ and SMS to the console. The worker is a real separate process.

Stopping the demo stops everything it started: SIGTERM or SIGINT (Ctrl-C) is passed on
to the worker's whole process group (worker, pool, beat), which gets a few seconds for
a warm shutdown and is then killed.
"""

import contextlib
import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from celery import current_app as app
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# A warm shutdown waits for running tasks; the demo's are short, a plan is not.
STOP_GRACE_S = 10
PLANNING_QUEUE = "planning"


class Command(BaseCommand):
    help = "Serve the demo at http://127.0.0.1:8000 with a Celery worker beside it."
    # Checked in handle(), once the demo has allowed its console phone.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")

    def handle(
        self, *args: Any, addrport: str, no_worker: bool, **options: Any
    ) -> None:
        _allow_console_sms()
        _route_planning_queue()
        self.check(display_num_errors=True)
        _make_var_dirs()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        # Without a handler SIGTERM ends Python at once and `finally` never runs.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        workers = [] if no_worker else [_start_worker(), _start_planner()]
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            _stop(workers)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    """Warm shutdown of each worker's whole group, then a kill for what is left."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut this
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for worker in workers:
        _signal_group(worker, signal.SIGTERM)
    for worker in workers:
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=STOP_GRACE_S)
        # Pool children outlive a killed parent: the group goes, not only the worker.
        _signal_group(worker, signal.SIGKILL)
        worker.wait(timeout=5)


def _signal_group(worker: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(worker.pid, signum)


def _route_planning_queue() -> None:
    # As in production: plans go to a solo-pool worker, where the search can fork
    # its two configurations (a prefork child may not start processes).
    os.environ.setdefault("CELERY_PLANNING_QUEUE", PLANNING_QUEUE)
    queue = os.environ["CELERY_PLANNING_QUEUE"]
    settings.CELERY_PLANNING_QUEUE = queue
    app.conf.task_routes = {"routing.tasks.route_plan_solve_task": {"queue": queue}}


def _start_planner() -> subprocess.Popen[bytes]:
    queue = os.environ["CELERY_PLANNING_QUEUE"]
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--queues", queue, "--pool", "solo", "--hostname", "planner@%h",
        "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    return subprocess.Popen(command, start_new_session=True)


def _allow_console_sms() -> None:
    # The demo's phone is the console; the worker inherits the switch.
    os.environ["SMS_CONSOLE_ALLOWED"] = "1"
    settings.SMS_CONSOLE_ALLOWED = True


def _make_var_dirs() -> None:
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)


def _start_worker() -> subprocess.Popen[bytes]:
    schedule = settings.VAR_DIR / "celerybeat-schedule"
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--beat", "--schedule", str(schedule),
        "--concurrency", "2", "--loglevel", "INFO",
        # No cluster chatter to wait for at start or at shutdown.
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    # Its own process group, so a stop reaches the pool and beat children too.
    return subprocess.Popen(command, start_new_session=True)
