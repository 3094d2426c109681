"""The CSV import page explains its columns, accepts dd/mm/yyyy dates, and gives row
reasons that begin with the column's name in Bahasa Indonesia."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from delivery.models import Document

pytestmark = pytest.mark.django_db
HEADER = "application_number,passport_number,full_name,phone,address,issued_on,village_code\n"  # fmt: skip  # noqa: E501


def _upload(text: str) -> io.BytesIO:
    upload = io.BytesIO(text.encode())
    upload.name = "antrean.csv"
    return upload


def test_the_import_page_shows_the_column_format_with_an_example(console):
    html = console.get(reverse("console:import")).content.decode()

    assert "Format kolom" in html
    assert '<td class="mono">issued_on</td><td>Tanggal terbit</td>' in html
    assert HEADER.split(",")[0] in html.split('id="csv-format"')[1]


def _import(console, capture, text: str):
    """Upload, let the worker's job run (eagerly here), then read the job's page."""
    with capture(execute=True):
        response = console.post(reverse("console:import"), {"file": _upload(text)})
    assert response.status_code == 302
    return console.get(response["Location"])


def test_dd_mm_yyyy_and_iso_dates_are_both_accepted(
    console, office, django_capture_on_commit_callbacks
):
    day = timezone.localdate()
    village = "13.03.04.2001"
    rows = (
        f"APP-9101,E1234501,Siti,081234567811,Jl. 1,{day:%d/%m/%Y},{village}\n"
        f"APP-9102,E1234502,Budi,081234567812,Jl. 2,{day:%Y-%m-%d},{village}\n"
    )

    response = _import(console, django_capture_on_commit_callbacks, HEADER + rows)

    assert response.status_code == 200
    assert set(Document.objects.values_list("issued_on", flat=True)) == {day}
    assert office.deliveries.count() == 2


def test_a_refused_rows_reason_names_the_column_in_indonesian(
    console, office, django_capture_on_commit_callbacks
):
    day = timezone.localdate()
    row = f"APP-9103,bad,Budi,081234567813,Jl. Pasar 3,{day},13.03.04.2001\n"

    response = _import(console, django_capture_on_commit_callbacks, HEADER + row)

    html = response.content.decode()
    assert "<td>Nomor paspor (passport_number): " in html
    assert "passport_number:" not in html
