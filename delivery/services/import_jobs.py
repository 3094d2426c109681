"""CSV imports as background jobs: any file up to the limit, never cut off silently.

A file of 5,000 rows takes minutes, far more than a web request may. The upload is
checked (columns, row count) and stored as an ImportJob; a Celery task imports it in
bounded batches, saving the progress and the row report after each batch, and
re-enqueues itself until every row is done. The dispatcher watches the progress and
then reads the report. If a batch fails, the job stops as failed with the report of
the rows before it; a job whose worker died is resumed by the sweep. Rows are taken
in idempotently, so a batch run twice creates nothing twice.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from delivery.models import ImportJob, ImportStatus, Office
from delivery.services.intake import (
    ImportReport,
    RowError,
    csv_rows,
    csv_text,
    deliveries_intake_batch,
)
from delivery.services.transitions import Actor

logger = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=2)
OPEN = (ImportStatus.PENDING, ImportStatus.RUNNING)


def import_job_start(
    *, office: Office, user: User, content: bytes | str, file_name: str
) -> ImportJob:
    """Check and store a CSV file; a worker imports it after the commit."""
    from delivery.tasks import import_job_run_task

    text = csv_text(content)
    rows = csv_rows(text)  # a file without the columns or too long is refused now
    job = ImportJob.objects.create(
        office=office,
        created_by=user,
        file_name=file_name[:200],
        content=text,
        total_rows=len(rows),
    )
    import_job_run_task.delay_on_commit(job.pk)
    return job


def import_job_run_batch(*, job_id: int) -> bool:
    """Import the next batch of an open job's rows; True while rows remain."""
    batch_rows = settings.IMPORT_BATCH_ROWS
    job = ImportJob.objects.filter(pk=job_id, status__in=OPEN).first()
    if job is None:
        return False  # done, failed or gone
    start = job.processed_rows
    try:
        part, count, done = _import_batch(job, start, batch_rows)
    except Exception as exc:
        logger.exception("import job %s stopped at row %s", job.pk, start + 2)
        _fail(job, start, exc)
        raise
    now = timezone.now()
    # Only the run that started from `start` records it: a duplicate run of the same
    # batch (a redelivered task) took in nothing new and must not count it twice.
    saved = ImportJob.objects.filter(pk=job.pk, processed_rows=start).update(
        status=ImportStatus.DONE if done else ImportStatus.RUNNING,
        processed_rows=start + count,
        report=_merge(job.report, part),
        updated_at=now,
        finished_at=now if done else None,
        content="" if done else F("content"),  # the applicants' details go
    )
    return bool(saved) and not done


def _import_batch(
    job: ImportJob, start: int, batch_rows: int
) -> tuple[ImportReport, int, bool]:
    rows = csv_rows(job.content)
    batch = rows[start : start + batch_rows]
    seen: dict[str, int] = {}
    for row, raw in enumerate(rows[:start], start=2):  # the header is row 1
        seen.setdefault(str(raw.get("application_number") or "").strip(), row)
    seen.pop("", None)
    report = deliveries_intake_batch(
        office=job.office,
        actor=Actor.staff(job.created_by) if job.created_by else Actor.system(),
        items=batch,
        first_row=start + 2,
        seen=seen,
        labelled=True,  # the console shows these reasons to people
    )
    return report, len(batch), start + len(batch) >= len(rows)


def _merge(saved: dict[str, Any], part: ImportReport) -> dict[str, Any]:
    errors = [
        {"row": e.row, "application_number": e.application_number, "errors": e.errors}
        for e in part.errors
    ]
    return {
        "created": saved.get("created", []) + part.created,
        "existing": saved.get("existing", []) + part.existing,
        "errors": saved.get("errors", []) + errors,
    }


def _fail(job: ImportJob, start: int, exc: Exception) -> None:
    # The reason names the row, not its content: the error may quote personal data.
    error = _(
        "The import stopped in the rows from %(row)s on (%(kind)s). The report "
        "covers the rows before them. Import the file again to finish: rows "
        "already taken in are reported as present, never added twice."
    ) % {"row": start + 2, "kind": type(exc).__name__}
    ImportJob.objects.filter(pk=job.pk, processed_rows=start).update(
        status=ImportStatus.FAILED, error=error, updated_at=timezone.now()
    )


def import_job_report(job: ImportJob) -> ImportReport:
    """The job's row report so far, as the import page shows it."""
    return ImportReport(
        created=job.report.get("created", []),
        existing=job.report.get("existing", []),
        errors=[RowError(**e) for e in job.report.get("errors", [])],
    )


def import_jobs_sweep(*, now: datetime | None = None) -> int:
    """Resume open jobs untouched for a while (broker down, worker killed)."""
    from delivery.tasks import import_job_run_task

    now = now or timezone.now()
    stale = ImportJob.objects.filter(status__in=OPEN, updated_at__lt=now - STALE_AFTER)
    ids = list(stale.values_list("pk", flat=True)[:100])
    # Touched, so a job is sent again at most once per period while it waits.
    ImportJob.objects.filter(pk__in=ids).update(updated_at=now)
    return sum(import_job_run_task.enqueue(pk) for pk in ids)
