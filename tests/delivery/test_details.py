"""Staff corrections of a delivery's details go through one audited service."""

from datetime import time

import pytest

from delivery.errors import DomainError
from delivery.models import AuditRecord, Role, Status
from delivery.services.details import delivery_update_details
from delivery.services.staff import staff_create
from tests.factories import OfficeFactory, make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatcher():
    office = OfficeFactory()
    return staff_create(office=office, role=Role.DISPATCHER, username="d", password="p")


def _update(delivery, dispatcher, **changes):
    return delivery_update_details(
        delivery_id=delivery.pk, actor=dispatcher.user, changes=changes
    )


@pytest.mark.parametrize(
    "window",
    [
        {"window_start": time(9)},  # half a window
        {"window_start": time(11), "window_end": time(9)},  # backwards
    ],
)
def test_a_broken_window_is_refused_and_nothing_is_recorded(dispatcher, window):
    delivery = make_delivery(Status.QUEUED, office=dispatcher.office)

    with pytest.raises(DomainError):
        _update(delivery, dispatcher, **window)

    delivery.refresh_from_db()
    assert delivery.window_start is None
    assert not AuditRecord.objects.filter(action="delivery.details_changed").exists()


def test_notes_may_change_while_out_for_delivery_but_not_the_address(dispatcher):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=dispatcher.office)

    _update(delivery, dispatcher, notes="Rumah cat hijau", priority=2)
    with pytest.raises(DomainError):
        _update(delivery, dispatcher, address_line="Dialihkan")

    delivery.refresh_from_db()
    record = AuditRecord.objects.get(action="delivery.details_changed")
    assert delivery.notes == "Rumah cat hijau"
    assert record.data["fields"] == ["notes", "priority"]
    assert "hijau" not in str(record.data)


def test_an_unchanged_save_records_nothing(dispatcher):
    delivery = make_delivery(Status.QUEUED, office=dispatcher.office)

    _update(delivery, dispatcher, address_line=delivery.address_line)

    assert not AuditRecord.objects.filter(action="delivery.details_changed").exists()


def test_fields_outside_the_list_are_refused(dispatcher):
    delivery = make_delivery(Status.QUEUED, office=dispatcher.office)

    with pytest.raises(DomainError, match="survey_key_hash"):
        _update(delivery, dispatcher, survey_key_hash="x")
