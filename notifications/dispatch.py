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


class _Pending:
    """Ids queued on one connection (one thread) whose commit hooks have not run."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.first = 0  # the position of ids[0] in the connection's run of ids

    def add(self, message_id: int) -> int:
        """Add an id; return its position."""
        self.ids.append(message_id)
        return self.first + len(self.ids) - 1

    def publish_from(self, position: int) -> None:
        """The commit hook of the id at `position`: publish it and every id queued
        after it, and forget all of them and those before it. Nothing if an earlier
        hook has published it."""
        if position < self.first:
            return
        ids = self.ids[position - self.first :]
        self.first += len(self.ids)
        self.ids = []
        sms_publish_sends(ids)


# Django's connections are per thread, so is each list of pending ids.
_pending: WeakKeyDictionary[BaseDatabaseWrapper, _Pending] = WeakKeyDictionary()


def sms_send_on_commit(message_id: int) -> None:
    """Have the message sent after the current transaction commits (at once outside
    one), in one publish with the other messages of that transaction."""
    connection = transaction.get_connection()
    pending = _pending.setdefault(connection, _Pending())
    position = pending.add(message_id)
    # A hook per message, as Django keeps or drops each with its savepoint. The first
    # hook to run publishes its id and all queued after it, the later hooks find
    # nothing left. The ids before it are those whose hooks were dropped (a rolled
    # back savepoint or transaction): never published. (An id after it whose
    # savepoint was rolled back is published, and its send finds no row.)
    transaction.on_commit(functools.partial(pending.publish_from, position))


def sms_publish_sends(message_ids: Sequence[int]) -> None:
    """Publish send tasks for these ids now: at most `SEND_CHUNK` ids a task, and
    at least `SEND_SPREAD` tasks (or one per id), of near-equal sizes, in order."""
    from notifications.tasks import sms_send_batch_task

    n = len(message_ids)
    tasks = max(-(-n // SEND_CHUNK), min(n, SEND_SPREAD))
    size = -(-n // tasks) if tasks else 1
    for start in range(0, n, size):
        sms_send_batch_task.enqueue(list(message_ids[start : start + size]))
