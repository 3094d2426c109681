"""Celery tasks of notifications: thin, idempotent, ids only (no numbers, no codes)."""

import logging

from celery import shared_task

from notifications import services
from notifications.models import SmsStatus

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def sms_send_task(message_id: int) -> str:
    """Send one outbox message (claimed first, so running twice sends once)."""
    return _send(message_ids=[message_id])[0]


@shared_task(acks_late=True)
def sms_send_batch_task(message_ids: list[int]) -> list[str]:
    """Send a few outbox messages one after another, each as `sms_send_task` does."""
    return _send(message_ids=message_ids)


def _send(*, message_ids: list[int]) -> list[str]:
    outcomes = services.sms_send_many(message_ids=message_ids)
    for message_id, outcome in zip(message_ids, outcomes, strict=True):
        if outcome.retry:
            # The retry waits out the back-off written on the row (next_attempt_at).
            follow_up = (
                sms_reconcile_task
                if outcome.status == SmsStatus.UNKNOWN
                else sms_send_task
            )
            follow_up.apply_async((message_id,), eta=outcome.retry_at)
    return [outcome.status for outcome in outcomes]


@shared_task(acks_late=True)
def sms_reconcile_task(message_id: int) -> str:
    """Settle an ambiguous send against the provider's log; re-send if not there."""
    outcome = services.sms_reconcile(message_id=message_id)
    if outcome.status == SmsStatus.QUEUED and outcome.retry:
        sms_send_task.delay(message_id)
    elif outcome.retry:
        sms_reconcile_task.apply_async((message_id,), eta=outcome.retry_at)
    return outcome.status


@shared_task
def sms_sweep_task() -> dict[str, int]:
    """Beat: re-enqueue stuck queued messages and reconcile stale claims."""
    return services.sms_sweep()
