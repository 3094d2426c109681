"""The auditor's trail page: readable lines, WIB in page and CSV, complaints in the
day view, and a wrong handover code on the record."""

import csv
import io
import re

import pytest
from django.utils import timezone

from delivery.models import AuditRecord, Delivery, Role, Status
from delivery.services.audit import audit_verify
from delivery.services.complaints import complaint_file
from tests.delivery.test_handover import send_code, verify, wrong
from tests.factories import CourierFactory, StaffFactory, make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pepper(settings):
    settings.HANDOVER_CODE_PEPPER = "test-pepper"


@pytest.fixture
def auditor(client, office):
    staff = StaffFactory(office=office, role=Role.AUDITOR)
    client.force_login(staff.user)
    return staff


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_trail_shows_labelled_lines_in_indonesian_not_dictionaries(
    client, auditor, office
):
    delivery = make_delivery(Status.QUEUED, office=office)

    page = client.get("/petugas/audit/", {"tracking_code": delivery.tracking_code})

    text = _visible(page.content.decode())
    assert "{'" not in text
    assert "delivery.transition" not in text
    assert "Perubahan status" in text
    assert (
        "<dt>Dari</dt><dd>Diterima</dd><dt>Ke</dt><dd>Dalam antrean</dd>"
        in page.content.decode()
    )


def test_page_and_csv_give_the_time_in_wib_with_its_offset(client, auditor, office):
    delivery = make_delivery(Status.QUEUED, office=office)
    record = AuditRecord.objects.filter(subject=f"delivery:{delivery.pk}").first()
    wib = timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M:%S+07:00")
    query = {"tracking_code": delivery.tracking_code}

    page = client.get("/petugas/audit/", query)
    export = client.get("/petugas/audit/", {**query, "format": "csv"})

    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert wib in page.content.decode()
    assert rows[1][1] == wib


def test_a_filed_complaint_is_in_the_day_view(client, auditor, office):
    delivery = make_delivery(Status.QUEUED, office=office)
    complaint = complaint_file(text="Terlambat", category="late", delivery=delivery)

    page = client.get("/petugas/audit/", {"day": timezone.localdate().isoformat()})

    assert f'data-subject="complaint:{complaint.ticket}"' in page.content.decode()
    assert "Pengaduan diajukan" in _visible(page.content.decode())


def test_a_wrong_handover_code_is_on_the_trail(
    client, auditor, office, django_capture_on_commit_callbacks
):
    courier = CourierFactory(staff__office=office)
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    code = send_code(delivery, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        verify(Delivery.objects.get(pk=delivery.pk), wrong(code))
    page = client.get("/petugas/audit/", {"tracking_code": delivery.tracking_code})

    record = AuditRecord.objects.get(action="handover.wrong_code")
    assert record.subject == f"delivery:{delivery.pk}"
    assert record.actor == courier.staff.user
    assert 'data-action="handover.wrong_code"' in page.content.decode()
    assert audit_verify().ok
