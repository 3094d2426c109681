"""The auditor's view of the trail: by delivery, courier or day; CSV export audited."""

import csv
import io

import pytest
from django.utils import timezone

from delivery.models import AuditRecord, Status
from delivery.services.audit import audit_verify
from tests.factories import OfficeFactory, make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(office, courier):
    return [make_delivery(Status.DELIVERED, office=office, courier=courier)]


def test_auditor_sees_the_trail_of_one_delivery(trail, auditor, client):
    delivery = trail[0]
    client.force_login(auditor.user)

    page = client.get("/petugas/audit/", {"tracking_code": delivery.tracking_code})

    assert page.status_code == 200
    assert page.text.count(f"delivery:{delivery.pk}") == (
        AuditRecord.objects.filter(subject=f"delivery:{delivery.pk}").count()
    )
    assert "delivery.transition" in page.text


def test_auditor_sees_a_couriers_actions_and_a_days_records(
    trail, auditor, courier, client
):
    client.force_login(auditor.user)

    by_courier = client.get("/petugas/audit/", {"courier": courier.pk})
    by_day = client.get("/petugas/audit/", {"day": timezone.localdate().isoformat()})

    assert by_courier.status_code == by_day.status_code == 200
    assert (
        by_courier.context["records"].count()
        == AuditRecord.objects.filter(actor=courier.staff.user).count()
        > 0
    )
    assert by_day.context["records"].count() == AuditRecord.objects.count()


def test_csv_export_holds_the_chain_and_is_itself_audited(trail, auditor, client):
    delivery = trail[0]
    client.force_login(auditor.user)

    answer = client.get(
        "/petugas/audit/", {"tracking_code": delivery.tracking_code, "format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert answer["Content-Type"].startswith("text/csv")
    assert rows[0][:6] == ["id", "at", "actor", "actor_kind", "action", "subject"]
    assert {row[5] for row in rows[1:]} == {f"delivery:{delivery.pk}"}
    export = AuditRecord.objects.get(action="audit.exported")
    assert export.actor == auditor.user
    assert export.data["tracking_code"] == delivery.tracking_code
    assert export.data["rows"] == len(rows) - 1
    assert audit_verify().ok


def test_a_delivery_of_another_office_is_not_found(auditor, client):
    theirs = make_delivery(Status.QUEUED, office=OfficeFactory(code="padang"))
    client.force_login(auditor.user)

    page = client.get("/petugas/audit/", {"tracking_code": theirs.tracking_code})

    assert page.status_code == 404


def test_an_empty_or_bad_filter_is_a_form_error_in_indonesian(auditor, client):
    client.force_login(auditor.user)

    empty = client.get("/petugas/audit/", {"tracking_code": ""})
    bad = client.get("/petugas/audit/", {"tracking_code": "XYZ"})

    assert "Pilih pengantaran, kurir, atau hari." in empty.text
    assert "Kode lacak ini tidak valid." in bad.text


def test_dispatchers_and_couriers_may_not_browse_the_trail(dispatcher, courier, client):
    for user in (dispatcher.user, courier.staff.user):
        client.force_login(user)
        assert client.get("/petugas/audit/").status_code == 403


def test_an_auditor_reads_only_the_records_of_their_own_office(trail, auditor, client):
    from tests.factories import OfficeFactory, make_delivery

    elsewhere = make_delivery("queued", office=OfficeFactory(code="padang"))
    client.force_login(auditor.user)

    by_day = client.get("/petugas/audit/", {"day": timezone.localdate().isoformat()})

    subjects = {record.subject for record in by_day.context["records"]}
    assert f"delivery:{elsewhere.pk}" not in subjects
    assert f"delivery:{trail[0].pk}" in subjects


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_a_day_out_of_range_is_a_400_form_error(auditor, client, day):
    client.force_login(auditor.user)

    page = client.get("/petugas/audit/", {"day": day})

    assert page.status_code == 400
    assert "Pilih tanggal antara tahun 2000 dan hari ini." in page.text
