"""The Celery application. Tasks are discovered in each app's tasks.py."""

import functools
import logging
import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections, transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
logger = logging.getLogger(__name__)


class AntarTask(DjangoTask):
    """A task whose enqueueing never fails the request that asked for it.

    The caller has already committed its row (the outbox message, the pending plan),
    which is the record of the work; a periodic sweep enqueues what never reached the
    broker. So an unreachable broker is logged, not raised as a 500 after the commit.
    """

    def enqueue(self, *args: Any, **kwargs: Any) -> bool:
        """Send the task now; False (logged, no arguments) when the broker is down."""
        try:
            self.apply_async(args, kwargs)
        except OperationalError as exc:
            # Arguments are ids only, but keep even those out: the task name suffices.
            logger.error("broker unreachable, %s not enqueued: %s", self.name, exc)
            return False
        return True

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        """Enqueue after the caller's commit, tolerating an unreachable broker."""
        transaction.on_commit(functools.partial(self.enqueue, *args, **kwargs))


app = Celery("antar", task_cls=AntarTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_unusable_connections(task: Any = None, **kwargs: Any) -> None:
    """Around each task, as Django between requests: close only a connection that is
    broken or older than DATABASE_CONN_MAX_AGE (CELERY_DB_REUSE_MAX keeps Celery's
    own fixup from closing every one). Not for an eager task: it runs inside its
    caller's transaction, on the caller's connection."""
    if not getattr(getattr(task, "request", None), "is_eager", False):
        close_old_connections()


def ensure_filesystem_broker_folders() -> None:
    """kombu's filesystem transport does not create its folders; do it once here."""
    options = app.conf.broker_transport_options or {}
    for key in (
        "data_folder_in",
        "data_folder_out",
        "processed_folder",
        "control_folder",
    ):
        if str(app.conf.broker_url).startswith("filesystem://") and options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


ensure_filesystem_broker_folders()
