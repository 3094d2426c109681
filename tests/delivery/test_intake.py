"""Intake: CSV import and batch, idempotent on the application number."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from delivery import services
from delivery.errors import DomainError
from delivery.models import Delivery, DeliveryEvent, LocationQuality, Status
from delivery.services import Actor
from tests.factories import OfficeFactory, intake_data, issued_days_ago

pytestmark = pytest.mark.django_db
COLUMNS = [
    "application_number",
    "passport_number",
    "full_name",
    "phone",
    "address",
    "village_code",
    "village",
    "issued_on",
    "window_start",
    "window_end",
    "priority",
]


def _csv(rows, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=COLUMNS, delimiter=delimiter, extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _mixed_rows():
    good = [intake_data() for _ in range(3)]
    bad_phone = intake_data(phone="12345")
    unknown_village = intake_data(village_code="13.99.99.9999")
    missing_name = intake_data(full_name="")
    duplicate = dict(good[0], full_name="Someone Else")
    return [
        good[0],
        bad_phone,
        good[1],
        unknown_village,
        missing_name,
        duplicate,
        good[2],
    ]


def _import(content):
    return services.deliveries_import_csv(
        office=OfficeFactory(), actor=Actor.system(), content=content
    )


def test_csv_with_good_and_bad_rows_imports_good_rows_once_and_reports_each_bad_row():
    content = _csv(_mixed_rows())

    first = _import(content)
    second = _import(content)
    third = _import(content)

    assert len(first.created) == 3
    assert Delivery.objects.count() == 3
    assert [e.row for e in first.errors] == [3, 5, 6, 7]
    assert "phone" in first.errors[0].errors[0]
    assert "village_code" in first.errors[1].errors[0]
    assert "full_name" in first.errors[2].errors[0]
    assert first.errors[3].errors == [_("Duplicate of row %(row)s.") % {"row": 2}]
    for again in (second, third):
        assert again.created == []
        assert sorted(again.existing) == sorted(first.created)
        assert [e.row for e in again.errors] == [3, 5, 6, 7]
    assert DeliveryEvent.objects.count() == 3 * 2  # received + queued, once each


def test_imported_rows_are_queued_with_village_location_and_tracking_code():
    row = intake_data(window_start="09:00", window_end="11:00", priority="1")

    _import(_csv([row]))

    delivery = Delivery.objects.get()
    assert delivery.status == Status.QUEUED
    assert delivery.location_quality == LocationQuality.VILLAGE
    assert delivery.lat == pytest.approx(-0.66, abs=0.05)
    assert delivery.priority == 1
    assert len(delivery.tracking_code) == 11


def test_semicolon_csv_from_a_spreadsheet_with_bom_and_village_names():
    row = intake_data(village_code="", village="Lubuak Tarok")

    report = _import(b"\xef\xbb\xbf" + _csv([row], delimiter=";"))

    assert len(report.created) == 1
    assert Delivery.objects.get().village_code == "13.03.07.2001"


def test_ambiguous_village_name_asks_for_the_code():
    report = _import(_csv([intake_data(village_code="", village="Koto Baru")]))

    assert report.errors[0].row == 2
    assert "village" in report.errors[0].errors[0]


def test_expired_and_future_issue_dates_are_refused():
    rows = [
        intake_data(issued_on=issued_days_ago(31)),
        intake_data(issued_on=issued_days_ago(-1)),
    ]

    report = _import(_csv(rows))

    assert [e.row for e in report.errors] == [2, 3]
    assert Delivery.objects.count() == 0


def test_a_file_without_the_required_columns_is_refused_whole():
    with pytest.raises(DomainError, match="phone"):
        _import(b"application_number,full_name\nA1,Budi\n")


def test_latin1_file_is_read():
    row = intake_data(full_name="Andr\xe9 Putra", address="Jl. Caf\xe9 No. 1")
    content = _csv([row]).decode().encode("latin-1")

    report = _import(content)

    assert len(report.created) == 1


def test_management_command_prints_a_report(tmp_path, capsys):
    OfficeFactory()
    path = tmp_path / "in.csv"
    path.write_bytes(_csv(_mixed_rows()))

    call_command("import_deliveries", str(path))

    out = capsys.readouterr().out
    assert "3 imported, 0 already present, 4 refused" in out
    assert "row 3" in out


def test_management_command_errors_are_clear(tmp_path):
    OfficeFactory()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_deliveries", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="No office"):
        call_command("import_deliveries", str(tmp_path / "x.csv"), office="nowhere")


HEADER = b"application_number,passport_number,full_name,phone,address,issued_on\n"


def test_a_field_over_the_csv_limit_is_refused_with_its_line():
    content = HEADER + b"A" * 140_000 + b",E1234567,Budi,0812,Jl. 1,2026-01-01\n"

    with pytest.raises(DomainError) as refused:
        _import(content)

    assert refused.value.message == _(
        "Line %(line)s cannot be read as CSV: a field is longer than "
        "%(max)s characters or the line is broken."
    ) % {"line": 2, "max": 131072}
    assert Delivery.objects.count() == 0


def test_a_binary_file_is_refused_whole():
    with pytest.raises(DomainError) as refused:
        _import(HEADER + bytes(range(256)) * 20)

    assert refused.value.message == _("This is not a CSV text file.")


def test_a_file_with_old_mac_line_ends_is_read():
    content = _csv([intake_data(), intake_data()]).replace(b"\r\n", b"\r")

    report = _import(content)

    assert len(report.created) == 2
