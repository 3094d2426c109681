"""Passport numbers at rest: encrypted, found again only through their keyed index."""

import pytest
from django.core.exceptions import FieldError
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from console.selectors import queue_deliveries
from delivery.checks import data_encryption_key_check
from delivery.models import Document, EventPhoto, ProofOfDelivery, Status
from delivery.services.photos import photo_read
from tests.factories import CourierFactory, OfficeFactory, StaffFactory, make_delivery
from tests.photo_files import SCRIPT, photo_jpeg


def stored_passport_number(document: Document) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT passport_number FROM delivery_document WHERE id = %s",
            [document.pk],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_passport_number_is_stored_encrypted_and_read_back_plain():
    document = make_delivery(passport_number="E1234567").document

    raw = stored_passport_number(document)
    again = Document.objects.get(pk=document.pk)

    assert "1234567" not in raw
    assert raw.startswith("gAAAAA")  # a Fernet token
    assert again.passport_number == "E1234567"
    assert again.masked_passport_number == "E*****67"


@pytest.mark.django_db
def test_filtering_on_the_encrypted_column_is_refused_not_silently_empty():
    with pytest.raises(FieldError):
        Document.objects.filter(passport_number="E1234567").exists()


@pytest.mark.django_db
def test_the_queue_finds_a_delivery_by_its_exact_passport_number():
    office = OfficeFactory()
    wanted = make_delivery(office=office, passport_number="C7654321")
    make_delivery(office=office, passport_number="C7654322")

    found = queue_deliveries(office=office, q="c 7654321")

    assert list(found) == [wanted]


@pytest.mark.django_db
def test_the_admin_finds_a_passport_by_its_exact_number(client):
    wanted = make_delivery(passport_number="X1112223").document
    make_delivery(passport_number="X1112224")
    admin_user = StaffFactory(user__is_staff=True, user__is_superuser=True).user
    client.force_login(admin_user)

    page = client.get("/admin/delivery/document/", {"q": "X1112223"})

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [wanted]


def test_the_deploy_check_fails_without_a_valid_data_key(settings):
    settings.DEBUG = False

    settings.DATA_ENCRYPTION_KEY = ""
    missing = data_encryption_key_check(None)
    settings.DATA_ENCRYPTION_KEY = "not-a-fernet-key"
    malformed = data_encryption_key_check(None)
    settings.DATA_ENCRYPTION_KEY = "YW50YXItdGVzdC1kYXRhLWtleS1mb3ItcHl0ZXN0ISE="
    valid = data_encryption_key_check(None)

    assert [e.id for e in missing + malformed] == ["delivery.E001"] * 2
    assert valid == []


def _migrate_around_encryption(direction: str) -> None:
    executor = MigrationExecutor(connection)
    names = executor.loader.disk_migrations
    ours = next(k for k in names if k[1].endswith("encrypt_personal_data"))
    before = next(d for d in names[ours].dependencies if d[0] == "delivery")
    targets = [before] if direction == "back" else executor.loader.graph.leaf_nodes()
    executor.migrate(targets)


def _unencrypted_photos(courier) -> tuple:
    """Photos as they were stored before: the uploaded bytes under the uploaded name."""
    delivered = make_delivery(Status.DELIVERED, courier=courier)
    proof = ProofOfDelivery.objects.create(
        delivery=delivered, courier=courier, recipient_kind="holder",
        recipient_name="Siti", photo=ContentFile(photo_jpeg(), name="ktp.jpg"),
    )  # fmt: skip
    event = make_delivery(Status.QUEUED, courier=courier).events.latest("id")
    html = EventPhoto.objects.create(
        event=event, photo=ContentFile(SCRIPT, name="evil.html")
    )
    return proof, html


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_numbers_and_photos():
    courier = CourierFactory()
    document = make_delivery(courier=courier, passport_number="E7777777").document
    proof, html = _unencrypted_photos(courier)
    old_proof_name, old_html_name = proof.photo.name, html.photo.name
    _migrate_around_encryption("back")
    assert stored_passport_number(document) == "E7777777"

    _migrate_around_encryption("forward")

    again = Document.objects.get(pk=document.pk)
    assert again.passport_number == "E7777777"
    assert "7777777" not in stored_passport_number(document)
    assert list(queue_deliveries(office=again.office, q="E7777777")) != []
    proof.refresh_from_db()
    html.refresh_from_db()
    assert proof.photo.name.endswith(".jpg.enc")
    assert photo_read(proof.photo).startswith(b"\xff\xd8")
    assert html.photo.name == ""
    storage = proof.photo.storage
    assert not storage.exists(old_proof_name)
    assert not storage.exists(old_html_name)


@pytest.mark.django_db
def test_the_admin_links_a_proof_to_its_checked_photo_page_not_a_media_url(client):
    from delivery.services.photos import photo_file

    courier = CourierFactory()
    delivered = make_delivery(Status.DELIVERED, courier=courier)
    proof = ProofOfDelivery.objects.create(
        delivery=delivered, courier=courier, recipient_kind="holder",
        recipient_name="Siti", photo=photo_file(ContentFile(photo_jpeg())),
    )  # fmt: skip
    client.force_login(StaffFactory(user__is_staff=True, user__is_superuser=True).user)

    page = client.get(f"/admin/delivery/proofofdelivery/{proof.pk}/change/")

    assert page.status_code == 200
    assert f"/kurir/foto/{proof.pk}/" in page.content.decode()
    assert "/media/" not in page.content.decode()
