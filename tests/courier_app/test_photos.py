"""Proof photos through the courier app: stored XSS and bombs, as an attacker sends."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from delivery.models import EventPhoto, ProofOfDelivery, Status
from tests.courier_app.test_views import act
from tests.delivery.test_handover import send_code
from tests.factories import CourierFactory, OfficeFactory, StaffFactory, make_delivery
from tests.photo_files import bomb_png, gif_html_polyglot, photo_jpeg, truncated_png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pepper(settings):
    settings.HANDOVER_CODE_PEPPER = "test-pepper"


@pytest.fixture
def courier():
    return CourierFactory(staff__office=OfficeFactory())


@pytest.fixture
def delivery(courier):
    office = courier.staff.office
    return make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)


def upload(content: bytes, name: str = "ktp.jpg", kind: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=kind)


def hand_over(client, delivery, photo, capture):
    code = send_code(delivery, capture)
    with capture(execute=True):
        return act(
            client, "handover", delivery, code=code, recipient_kind="holder",
            recipient_name="Siti", photo=photo,
        )  # fmt: skip


def test_a_gif_html_polyglot_is_stored_and_served_as_a_plain_jpeg(
    client, courier, delivery, django_capture_on_commit_callbacks
):
    client.force_login(courier.staff.user)
    evil = upload(gif_html_polyglot(), name="evil.html", kind="text/html")

    sent = hand_over(client, delivery, evil, django_capture_on_commit_callbacks)
    proof = ProofOfDelivery.objects.get(delivery=delivery)
    client.force_login(StaffFactory(office=courier.staff.office).user)
    served = client.get(f"/kurir/foto/{proof.pk}/")

    assert sent.json()["outcome"] == "applied"
    assert not proof.photo.name.endswith(".html")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["Content-Disposition"] == f'inline; filename="proof-{proof.pk}.jpg"'
    assert "private" in served["Cache-Control"]
    assert b"<script" not in served.content
    assert Image.open(io.BytesIO(served.content)).format == "JPEG"


@pytest.mark.parametrize(
    ("content", "message"),
    [(bomb_png(), "terlalu banyak piksel"), (truncated_png(), "terlalu banyak piksel")],
    ids=["bomb-20000px", "truncated-12000px"],
)
def test_a_bomb_or_truncated_photo_gets_400_and_nothing_is_stored(
    client, courier, delivery, content, message, django_capture_on_commit_callbacks
):
    client.force_login(courier.staff.user)

    handover = hand_over(
        client, delivery, upload(content, "p.png"), django_capture_on_commit_callbacks
    )
    failed = act(
        client, "failed", delivery, reason_code="not_at_home",
        photo=upload(content, "p.png"),
    )  # fmt: skip

    assert handover.status_code == failed.status_code == 400
    assert message in handover.json()["message"]
    assert not ProofOfDelivery.objects.exists()
    assert not EventPhoto.objects.exists()
    delivery.refresh_from_db()
    assert delivery.status == Status.OUT_FOR_DELIVERY


def test_a_failed_visit_photo_is_stored_encrypted_as_jpeg(client, courier, delivery):
    from delivery.services.photos import photo_read

    client.force_login(courier.staff.user)

    sent = act(
        client, "failed", delivery, reason_code="not_at_home",
        photo=upload(gif_html_polyglot(), name="evil.html", kind="text/html"),
    )  # fmt: skip

    assert sent.json()["outcome"] == "applied"
    stored = EventPhoto.objects.get(event__delivery=delivery).photo
    with stored.open("rb") as raw:
        assert b"<script" not in raw.read()
    assert photo_read(stored).startswith(b"\xff\xd8")


def test_an_honest_photo_still_hands_over(
    client, courier, delivery, django_capture_on_commit_callbacks
):
    client.force_login(courier.staff.user)

    sent = hand_over(
        client, delivery, upload(photo_jpeg()), django_capture_on_commit_callbacks
    )

    assert sent.json()["outcome"] == "applied"
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
