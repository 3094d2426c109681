"""Publishing the send tasks of queued messages: once per transaction, in chunks.

One Celery publish per message cost the queueing process about as much as everything
else `queue_sms` does (bench/README.md, SMS). So the ids queued in one transaction are
collected and published together at its commit, at most `SEND_CHUNK` ids a task. A
small transaction is still spread over `SEND_SPREAD` tasks, so that a worker's
children send its messages side by side: a message queued alone (a handover code) is
one task of one id, published at its commit as before.

A publish that is lost (the broker down at commit, a worker killed) loses nothing: the
row is the record of the work, and the sweep (`services.sms_sweep`) sends what is still
queued after SMS_STUCK_AFTER_S. A send claims its row first, so an id published twice
is sent once, and an id whose row does not exist is skipped.
"""

from collections.abc import Sequence
from weakref import WeakKeyDictionary

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# At most this many ids a task: enough to spread Celery's own cost of a task (about
# 6 ms of a worker's CPU on the bench's machine) over many messages, few enough that
# a worker's children share a transaction of 100. Should a slow provider hold a chunk
# up, the sweep re-publishes what is still unclaimed after SMS_STUCK_AFTER_S.
SEND_CHUNK = 25
# At least this many tasks (one per id if fewer): a few messages go out side by side
# rather than one after another in one child.
SEND_SPREAD = 4


class _Batch:
    """The ids queued in the current transaction of one connection (one thread)."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self) -> None:
        """The on-commit hook: publish what was collected (a no-op once done)."""
        ids, self.ids = self.ids, []
        sms_publish_sends(ids)


# Django's connections are per thread, so is each batch.
_batches: WeakKeyDictionary[BaseDatabaseWrapper, _Batch] = WeakKeyDictionary()


def sms_send_on_commit(message_id: int) -> None:
    """Have the message sent after the current transaction commits (at once outside
    one), in one publish with the other messages of that transaction."""
    connection = transaction.get_connection()
    batch = _batches.setdefault(connection, _Batch())
    if not connection.run_on_commit:
        # No hook is pending, so any ids left over belong to a transaction that was
        # rolled back: their rows do not exist.
        batch.ids.clear()
    batch.ids.append(message_id)
    # One hook per message, not per transaction: Django drops the hooks of a savepoint
    # that is rolled back, and the first hook of the transaction may be among them.
    # The first hook that runs publishes every id; the others find the batch empty.
    # (An id from a rolled-back savepoint may ride along; its send finds no row.)
    transaction.on_commit(batch)


def sms_publish_sends(message_ids: Sequence[int]) -> None:
    """Publish send tasks for these ids now: at most `SEND_CHUNK` ids a task, and
    at least `SEND_SPREAD` tasks (or one per id), of near-equal sizes, in order."""
    from notifications.tasks import sms_send_batch_task

    n = len(message_ids)
    tasks = max(-(-n // SEND_CHUNK), min(n, SEND_SPREAD))
    size = -(-n // tasks) if tasks else 1
    for start in range(0, n, size):
        sms_send_batch_task.enqueue(list(message_ids[start : start + size]))
