"""An applicant's contact changes only through the service: audited, and frozen while
a passport is on its way (else a re-issued handover code could be diverted)."""

import pytest
from django.utils.translation import gettext as _

from delivery import services
from delivery.errors import DomainError
from delivery.models import AuditRecord, Status
from delivery.services.audit import audit_verify
from tests.factories import StaffFactory, make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatcher():
    return StaffFactory().user


def test_a_contact_change_is_audited_with_masked_numbers(dispatcher):
    applicant = make_delivery(Status.QUEUED).document.applicant
    old = applicant.phone

    changed = services.applicant_change_contact(
        applicant=applicant, actor=dispatcher, phone="0812 7777 6543"
    )

    record = AuditRecord.objects.get(action="applicant.contact_changed")
    assert changed.phone == "+6281277776543"
    assert record.actor == dispatcher
    assert record.subject == f"applicant:{applicant.pk}"
    assert record.data["old_phone"] == f"{old[:5]}****{old[-3:]}"
    assert record.data["new_phone"] == "+6281****543"
    assert audit_verify().ok


@pytest.mark.parametrize("status", [Status.SCHEDULED, Status.OUT_FOR_DELIVERY])
def test_a_contact_change_is_refused_while_a_passport_is_on_its_way(dispatcher, status):
    applicant = make_delivery(status).document.applicant
    old = applicant.phone

    with pytest.raises(DomainError) as refused:
        services.applicant_change_contact(
            applicant=applicant, actor=dispatcher, phone="081277776543"
        )

    applicant.refresh_from_db()
    assert refused.value.message == _(
        "The phone number cannot be changed while a passport of this "
        "applicant is scheduled or out for delivery."
    )
    assert applicant.phone == old
    assert not AuditRecord.objects.filter(action="applicant.contact_changed").exists()


def test_an_invalid_number_is_refused(dispatcher):
    applicant = make_delivery(Status.QUEUED).document.applicant

    with pytest.raises(DomainError):
        services.applicant_change_contact(
            applicant=applicant, actor=dispatcher, phone="12"
        )


def test_the_same_number_changes_nothing(dispatcher):
    applicant = make_delivery(Status.QUEUED).document.applicant

    services.applicant_change_contact(
        applicant=applicant, actor=dispatcher, phone=applicant.phone
    )

    assert not AuditRecord.objects.filter(action="applicant.contact_changed").exists()
