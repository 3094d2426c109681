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

import functools
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
    """The ids queued in one transaction (between savepoint rollbacks), published
    together by the first of their commit hooks that runs."""

    def __init__(self, hooks: list) -> None:
        self.hooks = hooks  # the connection's list of commit hooks when it began
        self.ids: list[int] = []
        self.published = False

    def publish_from(self, index: int) -> None:
        """The commit hook of the id at `index`: publish it and every id queued after
        it, once. The ids before it are those whose hooks Django dropped with a
        rolled-back savepoint: never published."""
        if not self.published:
            self.published = True
            sms_publish_sends(self.ids[index:])
            self.ids = []


# The batch being filled on each connection (Django's connections are per thread).
_batches: WeakKeyDictionary[BaseDatabaseWrapper, _Batch] = WeakKeyDictionary()


def sms_send_on_commit(message_id: int) -> None:
    """Have the message sent after the current transaction commits (at once outside
    one), in one publish with the other messages of that transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        transaction.on_commit(functools.partial(sms_publish_sends, [message_id]))
        return
    batch = _batches.get(connection)
    # Django starts a new list of commit hooks when a transaction ends (and when a
    # savepoint is rolled back): so a batch never spans two transactions, not even
    # one run by a commit hook of another whose own hooks have yet to run.
    if batch is None or batch.published or batch.hooks is not connection.run_on_commit:
        batch = _batches[connection] = _Batch(connection.run_on_commit)
    batch.ids.append(message_id)
    # A hook per message, as Django keeps or drops each with its savepoint; the first
    # to run publishes the batch from its own id on, the others find it published.
    # (An id after it whose savepoint was rolled back rides along; its send finds no
    # row.)
    transaction.on_commit(functools.partial(batch.publish_from, len(batch.ids) - 1))


def sms_publish_sends(message_ids: Sequence[int]) -> None:
    """Publish send tasks for these ids now: at most `SEND_CHUNK` ids a task, and
    at least `SEND_SPREAD` tasks (or one per id), of near-equal sizes, in order."""
    from notifications.tasks import sms_send_batch_task

    n = len(message_ids)
    tasks = max(-(-n // SEND_CHUNK), min(n, SEND_SPREAD))
    size = -(-n // tasks) if tasks else 1
    for start in range(0, n, size):
        sms_send_batch_task.enqueue(list(message_ids[start : start + size]))
