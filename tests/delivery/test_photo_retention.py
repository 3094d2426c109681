"""The retention rule for photos: deleted once, with an audit record, after N days."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from delivery.models import AuditRecord, EventPhoto, ProofOfDelivery, Status
from delivery.services.audit import audit_verify
from delivery.services.photo_retention import photos_purge_expired
from delivery.services.photos import photo_file, photo_read
from delivery.tasks import photos_purge_expired_task
from tests.factories import CourierFactory, OfficeFactory, make_delivery
from tests.photo_files import photo_jpeg


def _photos(age: timedelta):
    office = OfficeFactory()
    courier = CourierFactory(staff__office=office)
    with time_machine.travel(timezone.now() - age, tick=False):
        delivered = make_delivery(Status.DELIVERED, office=office, courier=courier)
        proof = ProofOfDelivery.objects.create(
            delivery=delivered, courier=courier, recipient_kind="holder",
            recipient_name="Siti", photo=photo_file(ContentFile(photo_jpeg())),
        )  # fmt: skip
        failed = make_delivery(Status.QUEUED, office=office, courier=courier)
        event = failed.events.latest("id")
        event_photo = EventPhoto.objects.create(
            event=event, photo=photo_file(ContentFile(photo_jpeg()))
        )
    return proof, event_photo


@pytest.mark.django_db
def test_photos_past_the_retention_rule_are_deleted_once_with_an_audit_record(
    settings, django_capture_on_commit_callbacks
):
    settings.PROOF_PHOTO_RETENTION_DAYS = 90
    old_proof, old_event_photo = _photos(timedelta(days=91))
    new_proof, new_event_photo = _photos(timedelta(days=89))
    old_name = old_proof.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        first = photos_purge_expired_task.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = photos_purge_expired_task.delay().get()

    assert (first, second) == (2, 0)
    old_proof.refresh_from_db()
    old_event_photo.refresh_from_db()
    assert old_proof.photo.name == old_event_photo.photo.name == ""
    assert not new_proof.photo.storage.exists(old_name)
    assert photo_read(new_proof.photo).startswith(b"\xff\xd8")
    assert new_event_photo.photo.storage.exists(new_event_photo.photo.name)
    records = AuditRecord.objects.filter(action="photo.deleted").order_by("id")
    assert [r.subject for r in records] == [
        f"delivery:{old_proof.delivery_id}",
        f"delivery:{old_event_photo.event.delivery_id}",
    ]
    assert records[0].data["reason"] == "retention"
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_photo_under_an_open_complaint_is_kept_past_the_rule(settings):
    from delivery.models import Complaint

    settings.PROOF_PHOTO_RETENTION_DAYS = 90
    proof, _event_photo = _photos(timedelta(days=120))
    now = timezone.now()
    Complaint.objects.create(
        ticket="ADU-1", delivery=proof.delivery, category="other", text="x",
        created_at=now, due_at=now + timedelta(days=5),
    )  # fmt: skip

    deleted = photos_purge_expired()

    proof.refresh_from_db()
    assert deleted == 1  # only the failed attempt's photo
    assert proof.photo.name
