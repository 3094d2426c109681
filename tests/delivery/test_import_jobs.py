"""CSV import jobs: all rows in bounded batches and one report, or a told part."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from delivery import services
from delivery.errors import DomainError
from delivery.models import Delivery, ImportJob, ImportStatus
from delivery.tasks import import_job_run_task
from tests.factories import OfficeFactory, StaffFactory, intake_data

pytestmark = pytest.mark.django_db
COLUMNS = [
    "application_number", "passport_number", "full_name", "phone", "address",
    "village_code", "issued_on",
]  # fmt: skip


def csv_of(rows: list[dict]) -> bytes:
    """A CSV file as a dispatcher's spreadsheet exports it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def staff():
    return StaffFactory(office=OfficeFactory())


def _start(staff, content: bytes) -> ImportJob:
    return services.import_job_start(
        office=staff.office, user=staff.user, content=content, file_name="a.csv"
    )


def test_a_file_is_imported_in_batches_into_one_complete_report(
    staff, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BATCH_ROWS = 10
    rows = [intake_data() for _ in range(24)]
    rows.append(dict(rows[3], full_name="Orang Lain"))  # row 5 again, in batch 3
    rows.append(intake_data(phone="12345"))

    with django_capture_on_commit_callbacks(execute=True):
        job = _start(staff, csv_of(rows))

    job.refresh_from_db()
    report = services.import_job_report(job)
    assert (job.status, job.processed_rows, job.total_rows) == ("done", 26, 26)
    assert len(report.created) == 24
    assert [(e.row, e.errors) for e in report.errors][0] == (
        26,
        ["Duplikat baris 5."],
    )
    assert report.errors[1].row == 27
    assert Delivery.objects.count() == 24
    assert job.content == ""  # applicants' details are not kept once imported
    assert job.finished_at is not None


def test_the_task_run_again_on_a_finished_job_changes_nothing(
    staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(staff, csv_of([intake_data() for _ in range(3)]))
    job.refresh_from_db()

    again = import_job_run_task.delay(job.pk).get()

    assert again == "stopped"
    assert ImportJob.objects.get(pk=job.pk).report == job.report
    assert Delivery.objects.count() == 3


def test_a_batch_that_fails_stops_the_job_and_says_where(staff, settings):
    settings.IMPORT_BATCH_ROWS = 2
    job = _start(staff, csv_of([intake_data() for _ in range(5)]))
    assert services.import_job_run_batch(job_id=job.pk)
    # The stored file no longer reads as the import expects (e.g. damaged on disk).
    ImportJob.objects.filter(pk=job.pk).update(content="garbage\n1\n")

    with pytest.raises(Exception, match="Kolom"):
        services.import_job_run_batch(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "baris 4" in job.error
    assert len(job.report["created"]) == 2


def test_the_sweep_resumes_a_job_whose_worker_died(staff, settings):
    settings.IMPORT_BATCH_ROWS = 2
    job = _start(staff, csv_of([intake_data() for _ in range(5)]))
    assert services.import_job_run_batch(job_id=job.pk)  # then the worker is killed

    resumed = services.import_jobs_sweep(now=timezone.now() + timedelta(minutes=3))

    job.refresh_from_db()
    assert resumed == 1
    assert (job.status, job.processed_rows) == (ImportStatus.DONE, 5)
    assert len(job.report["created"]) == 5


def test_a_file_over_the_limit_is_refused_before_any_job(staff):
    rows = [intake_data()] * 5001

    with pytest.raises(DomainError, match="5000"):
        _start(staff, csv_of(rows))

    assert not ImportJob.objects.exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_documented_maximum_file_is_imported_whole_by_a_real_worker(
    celery_worker, staff
):
    from delivery.services.intake import MAX_CSV_ROWS
    from tests.helpers import wait_until

    rows = [intake_data() for _ in range(MAX_CSV_ROWS)]

    job = _start(staff, csv_of(rows))

    def finished() -> bool:
        job.refresh_from_db()
        return job.status not in (ImportStatus.PENDING, ImportStatus.RUNNING)

    assert wait_until(finished, timeout=1500, interval=1)
    report = services.import_job_report(job)
    assert (job.status, job.processed_rows) == (ImportStatus.DONE, 5000)
    assert len(report.created) == 5000
    assert report.existing == report.errors == []
    assert Delivery.objects.filter(office=staff.office).count() == 5000
