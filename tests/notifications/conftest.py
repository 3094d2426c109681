from datetime import datetime

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from notifications.backends import get_backend
from tests.twilio_double import TwilioDouble


@pytest.fixture
def twilio(settings):
    """A local Twilio double, with the service's Twilio backend pointed at it."""
    with TwilioDouble() as double:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = double.account_sid
        settings.TWILIO_AUTH_TOKEN = double.auth_token
        settings.TWILIO_API_BASE_URL = double.base_url
        settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "0" * 32
        settings.TWILIO_TIMEOUT_S = 1
        get_backend.cache_clear()
        yield double
        get_backend.cache_clear()


class DueTaskWorker:
    """Plays a Celery worker against a real in-memory broker, on the test's clock.

    Tasks are published with their real ETAs (countdown, eta); `run_due` takes every
    message off the broker, keeps those not yet due (as a worker holds ETA tasks) and
    runs the due ones in order, including what they publish in turn."""

    def __init__(self) -> None:
        self.waiting: list[tuple[datetime, str, list, dict]] = []
        self.ran: list[str] = []

    def _fetch(self) -> None:
        with celery_app.connection_for_read() as conn:
            queue = conn.SimpleQueue(celery_app.conf.task_default_queue, no_ack=True)
            try:
                while True:
                    message = queue.get(block=False)
                    args, kwargs, _embed = message.payload
                    eta = message.headers.get("eta")
                    when = datetime.fromisoformat(eta) if eta else timezone.now()
                    self.waiting.append((when, message.headers["task"], args, kwargs))
            except queue.Empty:
                pass
            finally:
                queue.close()

    def published(self) -> list[tuple[str, list]]:
        """(task name, args) of every task published and not run yet, in order."""
        self._fetch()
        return [(name, args) for _when, name, args, _kwargs in self.waiting]

    def run_due(self) -> None:
        """Run every task whose ETA has come, until none is left due."""
        while True:
            self._fetch()
            due = sorted(
                (item for item in self.waiting if item[0] <= timezone.now()),
                key=lambda item: item[0],
            )
            if not due:
                return
            for item in due:
                self.waiting.remove(item)
                _when, name, args, kwargs = item
                celery_app.tasks[name].apply(args=args, kwargs=kwargs).get()
                self.ran.append(name)


BROKER_SETTINGS = ("broker_read_url", "broker_write_url", "broker_transport_options")


@pytest.fixture
def broker():
    """Tasks go through an in-memory broker with their delays; the test runs them."""
    conf = celery_app.conf
    saved = [conf.get(name) for name in BROKER_SETTINGS]
    _drop_connection_pools()
    # The read and write URLs: broker_url itself yields to CELERY_BROKER_URL, which
    # would leave this on the services' Redis, where a real worker takes the tasks.
    conf.broker_read_url = conf.broker_write_url = "memory://"
    conf.broker_transport_options = {}
    conf.task_always_eager = False
    # The in-memory broker lives as long as the process: start from an empty queue,
    # whatever an earlier test left on it.
    with celery_app.connection_for_read() as conn:
        conn.SimpleQueue(conf.task_default_queue, no_ack=True).clear()
    yield DueTaskWorker()
    _drop_connection_pools()
    conf.update(zip(BROKER_SETTINGS, saved, strict=True))


def _drop_connection_pools() -> None:
    # Celery keeps its broker connections in pools made on first use; without them
    # the next publish connects to the broker URL set now. (app.close() would also
    # unregister the app, losing the shared tasks imported later.)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
