"""Run the demo: migrate, seed, start Celery workers (one with beat, one solo-pool
planner on the planning queue) and the web server.

On the embedded defaults this needs no external service: SQLite, kombu's filesystem
broker under var/ and SMS to the console. The worker is a real separate process.
"""

import os
import subprocess
import sys
from typing import Any

from celery import current_app as app
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

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
        workers = [] if no_worker else [_start_worker(), _start_planner()]
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=20)


def _route_planning_queue() -> None:
    # As in production: plans go to a solo-pool worker, where the search can fork
    # its two configurations (a prefork child may not start processes).
    os.environ.setdefault("CELERY_PLANNING_QUEUE", PLANNING_QUEUE)
    queue = os.environ["CELERY_PLANNING_QUEUE"]
    settings.CELERY_PLANNING_QUEUE = queue
    app.conf.task_routes = {"routing.tasks.route_plan_solve_task": {"queue": queue}}


def _start_planner() -> subprocess.Popen:
    queue = os.environ["CELERY_PLANNING_QUEUE"]
    command = [sys.executable, "-m", "celery", "-A", "config", "worker",
               "--queues", queue, "--pool", "solo", "--hostname", "planner@%h",
               "--loglevel", "INFO"]  # fmt: skip
    return subprocess.Popen(command)


def _allow_console_sms() -> None:
    # The demo's phone is the console; the worker inherits the switch.
    os.environ["SMS_CONSOLE_ALLOWED"] = "1"
    settings.SMS_CONSOLE_ALLOWED = True


def _make_var_dirs() -> None:
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)


def _start_worker() -> subprocess.Popen:
    schedule = settings.VAR_DIR / "celerybeat-schedule"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--beat",
        "--schedule",
        str(schedule),
        "--concurrency",
        "2",
        "--loglevel",
        "INFO",
    ]
    return subprocess.Popen(command)
