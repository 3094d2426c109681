"""The import page: upload, progress while a worker imports, then the report."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from delivery.models import ImportJob, ImportStatus
from tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db
HEADER = "application_number,passport_number,full_name,phone,address,issued_on,"


def _upload(rows: int, name: str = "antrean.csv") -> io.BytesIO:
    day = timezone.localdate()
    lines = [HEADER + "village_code"] + [
        f"APP-7{i:03d},E7{i:06d},Pemohon {i},0812345{i:05d},Jl. Pasar {i},{day},"
        "13.03.04.2001"
        for i in range(rows)
    ]
    upload = io.BytesIO(("\n".join(lines) + "\n").encode())
    upload.name = name
    return upload


def _job(office, **fields) -> ImportJob:
    return ImportJob.objects.create(office=office, file_name="antrean.csv", **fields)


def test_an_upload_starts_a_job_and_shows_its_progress(console, office):
    response = console.post(reverse("console:import"), {"file": _upload(3)})

    job = ImportJob.objects.get()
    page = console.get(response["Location"]).content.decode()
    assert response.status_code == 302
    assert (job.status, job.total_rows, job.office) == ("pending", 3, office)
    assert 'id="import-progress"' in page
    assert "0 dari 3 baris" in page
    assert 'http-equiv="refresh"' in page


def test_a_running_job_shows_how_far_it_got(console, office):
    job = _job(
        office, status=ImportStatus.RUNNING, total_rows=5000, processed_rows=1200
    )

    page = console.get(reverse("console:import-job", args=[job.pk])).content.decode()

    assert "1200 dari 5000 baris" in page
    assert 'value="0.24"' in page


def test_a_finished_job_shows_the_row_report_and_a_new_upload_form(console, office):
    report = {
        "created": ["APP-1", "APP-2"],
        "existing": ["APP-3"],
        "errors": [{"row": 5, "application_number": "APP-4", "errors": ["phone: x"]}],
    }
    job = _job(
        office, status=ImportStatus.DONE, total_rows=4, processed_rows=4, report=report
    )

    page = console.get(reverse("console:import-job", args=[job.pk])).content.decode()

    assert 'id="import-report"' in page
    assert "2 pengantaran baru" in page
    assert '<td class="num">5</td><td>APP-4</td>' in page
    assert 'http-equiv="refresh"' not in page
    assert 'type="file"' in page


def test_a_failed_job_says_where_it_stopped_and_reports_the_rows_before(
    console, office
):
    job = _job(
        office,
        status=ImportStatus.FAILED,
        total_rows=300,
        processed_rows=100,
        report={"created": ["APP-1"], "existing": [], "errors": []},
        error="The import stopped in the rows from 102 on (OperationalError).",
    )

    page = console.get(reverse("console:import-job", args=[job.pk])).content.decode()

    assert 'id="import-error"' in page
    assert "102" in page
    assert "100 dari 300 baris" in page


def test_another_offices_job_is_not_found(console):
    job = _job(OfficeFactory(code="padang"), status=ImportStatus.DONE)

    response = console.get(reverse("console:import-job", args=[job.pk]))

    assert response.status_code == 404


def test_a_file_without_the_columns_is_refused_at_once(console):
    upload = io.BytesIO(b"nama,telepon\nSiti,0812\n")
    upload.name = "salah.csv"

    response = console.post(reverse("console:import"), {"file": upload})

    assert response.status_code == 400
    assert "Kolom" in response.content.decode()
    assert not ImportJob.objects.exists()
