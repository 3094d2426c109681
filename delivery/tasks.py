"""Celery tasks of the delivery domain: thin wrappers around services."""

import logging

from celery import shared_task

from delivery import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def deliveries_cancel_uncollected_task() -> int:
    """Cancel passports past their 30-day collection deadline (safe to run twice)."""
    cancelled = services.deliveries_cancel_uncollected()
    logger.info("cancelled %d uncollected deliveries", cancelled)
    return cancelled


@shared_task
def audit_checkpoint_task() -> int | None:
    """Sign the audit chain's head (a second run with nothing new does nothing)."""
    from delivery.services.audit import audit_checkpoint_record

    checkpoint = audit_checkpoint_record()
    return checkpoint.record_id_at if checkpoint else None


@shared_task(acks_late=True)
def photos_purge_expired_task() -> int:
    """Delete photos past PROOF_PHOTO_RETENTION_DAYS (safe to run twice)."""
    from delivery.services.photo_retention import photos_purge_expired

    deleted = photos_purge_expired()
    logger.info("deleted %d expired photos", deleted)
    return deleted


@shared_task
def import_job_run_task(job_id: int) -> str:
    """Import one batch of a CSV job, then enqueue the next while rows remain."""
    if services.import_job_run_batch(job_id=job_id):
        import_job_run_task.enqueue(job_id)  # if the broker is down: the sweep
        return "more"
    return "stopped"


@shared_task
def import_jobs_sweep_task() -> int:
    """Beat: resume CSV import jobs that lost their task or their worker."""
    return services.import_jobs_sweep()


@shared_task
def heartbeat_task() -> None:
    """Beat, every minute: note that beat sent it and a worker ran it (/healthz)."""
    from delivery.health import heartbeat_record

    heartbeat_record()
