"""The handover code's rules (DESIGN.md "Handover"), attacked as a guesser would."""

import contextlib
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from delivery import services
from delivery.errors import DomainError
from delivery.models import (
    Delivery,
    EventKind,
    HandoverAttempt,
    HandoverCode,
    ProofOfDelivery,
    Status,
)
from delivery.services import Proof
from tests.factories import CourierFactory, OfficeFactory, StaffFactory, make_delivery
from tests.helpers import last_sms_code, race_results, sent_sms

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
    b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01"
    b"\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _pepper(settings):
    settings.HANDOVER_CODE_PEPPER = "test-pepper"


def proof() -> Proof:
    photo = SimpleUploadedFile("ktp.png", PNG, content_type="image/png")
    return Proof(recipient_kind="holder", recipient_name="Siti", photo=photo)


def out_for_delivery(courier=None):
    office = OfficeFactory()
    courier = courier or CourierFactory(staff__office=office)
    return make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)


def send_code(delivery, capture=None) -> str:
    """Send a handover code; `capture` runs the on-commit SMS in a test transaction."""
    with capture(execute=True) if capture else contextlib.nullcontext():
        services.handover_code_send(delivery=delivery, courier=delivery.courier)
    return last_sms_code()


def verify(delivery, code):
    return services.handover_code_verify(
        delivery=Delivery.objects.get(pk=delivery.pk),
        courier=delivery.courier,
        code=code,
        proof=proof(),
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.mark.django_db
def test_the_right_code_hands_over_with_proof_and_tells_the_applicant(
    django_capture_on_commit_callbacks,
):
    delivery = out_for_delivery()
    code = send_code(delivery, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = verify(delivery, code)

    delivery.refresh_from_db()
    assert outcome.delivered
    assert delivery.status == Status.DELIVERED
    assert ProofOfDelivery.objects.get(delivery=delivery).recipient_name == "Siti"
    assert "diserahkan" in sent_sms()[-1][1].body
    assert HandoverCode.objects.get(delivery=delivery).used_at is not None


@pytest.mark.django_db
def test_the_code_is_stored_only_as_a_keyed_hash(django_capture_on_commit_callbacks):
    delivery = out_for_delivery()

    code = send_code(delivery, django_capture_on_commit_callbacks)

    stored = HandoverCode.objects.get(delivery=delivery)
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64


@pytest.mark.django_db
def test_a_thousand_wrong_guesses_accept_none_and_lock_after_five(
    django_capture_on_commit_callbacks,
):
    delivery = out_for_delivery()
    code = send_code(delivery, django_capture_on_commit_callbacks)
    guesses = [f"{n:06d}" for n in range(1000) if f"{n:06d}" != code][:1000]

    accepted, refused = 0, 0
    with django_capture_on_commit_callbacks(execute=True):
        for guess in guesses:
            try:
                accepted += verify(delivery, guess).delivered
            except DomainError:
                refused += 1

    delivery.refresh_from_db()
    assert accepted == 0
    assert HandoverAttempt.objects.filter(delivery=delivery).count() == 5
    assert refused == len(guesses) - 5
    assert delivery.handover_locked_at is not None
    assert delivery.events.filter(kind=EventKind.HANDOVER_LOCKED).count() == 1
    assert "dikunci" in sent_sms()[-1][1].body
    with pytest.raises(DomainError):
        verify(delivery, code)


@pytest.mark.django_db
def test_a_code_sent_for_one_delivery_fails_on_another(
    django_capture_on_commit_callbacks,
):
    first = out_for_delivery()
    second = make_delivery(
        Status.OUT_FOR_DELIVERY, office=first.office, courier=first.courier
    )
    code_first = send_code(first, django_capture_on_commit_callbacks)
    send_code(second, django_capture_on_commit_callbacks)

    outcome = verify(second, code_first)

    second.refresh_from_db()
    assert not outcome.delivered
    assert second.status == Status.OUT_FOR_DELIVERY


@pytest.mark.django_db
def test_an_expired_code_fails(django_capture_on_commit_callbacks):
    delivery = out_for_delivery()
    code = send_code(delivery, django_capture_on_commit_callbacks)

    with (
        time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)),
        pytest.raises(DomainError, match="expired|kedaluwarsa"),
    ):
        verify(delivery, code)

    delivery.refresh_from_db()
    assert delivery.status == Status.OUT_FOR_DELIVERY


@pytest.mark.django_db
def test_a_resend_waits_the_cool_down_and_invalidates_the_old_code(
    django_capture_on_commit_callbacks,
):
    delivery = out_for_delivery()
    old = send_code(delivery, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):
        send_code(delivery, django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        new = send_code(delivery, django_capture_on_commit_callbacks)
        old_outcome = verify(delivery, old) if old != new else None
        new_outcome = verify(delivery, new)

    assert old_outcome is None or not old_outcome.delivered
    assert new_outcome.delivered


@pytest.mark.django_db
def test_at_most_three_codes_per_delivery_per_day(django_capture_on_commit_callbacks):
    delivery = out_for_delivery()
    start = timezone.localtime().replace(hour=8, minute=0)

    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            send_code(delivery, django_capture_on_commit_callbacks)
            clock.shift(timedelta(minutes=2))
        with pytest.raises(DomainError):
            send_code(delivery, django_capture_on_commit_callbacks)

    assert HandoverCode.objects.filter(delivery=delivery).count() == 3


@pytest.mark.django_db
def test_a_courier_with_ten_wrong_codes_in_an_hour_is_paused(
    django_capture_on_commit_callbacks,
):
    office = OfficeFactory()
    courier = CourierFactory(staff__office=office)
    deliveries = [out_for_delivery(courier) for _ in range(3)]

    for delivery in deliveries[:2]:
        code = send_code(delivery, django_capture_on_commit_callbacks)
        for _ in range(5):
            verify(delivery, wrong(code))
    code = send_code(deliveries[2], django_capture_on_commit_callbacks)

    courier.refresh_from_db()
    assert courier.paused_until > timezone.now()
    with pytest.raises(DomainError):
        verify(deliveries[2], code)


@pytest.mark.django_db
def test_dispatcher_reissues_a_code_with_a_reason_and_never_sees_it(
    client, django_capture_on_commit_callbacks
):
    delivery = out_for_delivery()
    code = send_code(delivery, django_capture_on_commit_callbacks)
    for _ in range(5):
        verify(delivery, wrong(code))
    dispatcher = StaffFactory(office=delivery.office)
    client.force_login(dispatcher.user)
    url = f"/api/deliveries/{delivery.pk}/handover/reissue/"

    without_reason = client.post(url, {}, content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"reason": "applicant called"}, content_type="application/json"
        )

    new_code = last_sms_code()
    assert without_reason.status_code == 400
    assert response.status_code == 200
    assert new_code not in response.content.decode()
    assert delivery.events.filter(
        kind=EventKind.CODE_REISSUED, note="applicant called"
    ).exists()
    assert verify(delivery, new_code).delivered


@pytest.mark.django_db
def test_dispatcher_fails_a_locked_delivery_and_it_goes_back_to_the_queue(client):
    delivery = out_for_delivery()
    dispatcher = StaffFactory(office=delivery.office)
    client.force_login(dispatcher.user)

    response = client.post(
        f"/api/deliveries/{delivery.pk}/handover/fail/",
        {"reason": "code locked, applicant away"},
        content_type="application/json",
    )

    delivery.refresh_from_db()
    assert response.status_code == 200
    assert delivery.status == Status.QUEUED
    assert delivery.failed_attempts == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_guessers_get_at_most_five_guesses_evaluated():
    delivery = out_for_delivery()
    code = send_code(delivery)
    guesses = [wrong(code)[:5] + str(n % 10) for n in range(50)]
    guesses = [g if g != code else wrong(g) for g in guesses]

    results = race_results(*[lambda g=g: verify(delivery, g) for g in guesses])

    assert not any(getattr(r, "delivered", False) for r in results)
    assert HandoverAttempt.objects.filter(delivery=delivery).count() == 5
    assert Delivery.objects.get(pk=delivery.pk).handover_locked_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_right_code_sent_twice_at_once_hands_over_exactly_once():
    delivery = out_for_delivery()
    code = send_code(delivery)

    results = race_results(
        lambda: verify(delivery, code), lambda: verify(delivery, code)
    )

    delivered = [r for r in results if getattr(r, "delivered", False)]
    assert len(delivered) == 1
    assert ProofOfDelivery.objects.filter(delivery=delivery).count() == 1
    assert delivery.events.filter(to_status=Status.DELIVERED).count() == 1


def test_a_server_without_a_pepper_fails_the_deploy_check(settings):
    from courier_app.checks import handover_pepper_check

    settings.DEBUG = False
    settings.HANDOVER_CODE_PEPPER = ""

    errors = handover_pepper_check(None)

    assert [e.id for e in errors] == ["courier_app.E001"]
