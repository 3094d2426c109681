"""Celery tasks of notifications: thin, idempotent, ids only (no numbers, no codes)."""

import logging
import random

from celery import shared_task

from notifications import services

logger = logging.getLogger(__name__)


def _backoff(attempts: int) -> float:
    # Exponential with full jitter, so a provider outage is not hit in lockstep.
    # The number of attempts is bounded by SMS_MAX_ATTEMPTS on the message row.
    return random.uniform(0.5, min(600, 2**attempts))


@shared_task(acks_late=True)
def sms_send_task(message_id: int) -> str:
    """Send one outbox message (claimed first, so running twice sends once)."""
    outcome = services.sms_send(message_id=message_id)
    if outcome.retry:
        follow_up = sms_reconcile_task if outcome.status == "unknown" else sms_send_task
        follow_up.apply_async((message_id,), countdown=_backoff(outcome.attempts))
    return outcome.status


@shared_task(acks_late=True)
def sms_reconcile_task(message_id: int) -> str:
    """Settle an ambiguous send against the provider's log; re-send if not there."""
    outcome = services.sms_reconcile(message_id=message_id)
    if outcome.retry:
        sms_send_task.delay(message_id)
    return outcome.status


@shared_task
def sms_sweep_task() -> dict[str, int]:
    """Beat: re-enqueue stuck queued messages and reconcile stale claims."""
    return services.sms_sweep()
