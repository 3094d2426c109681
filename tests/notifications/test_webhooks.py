"""Twilio webhooks: signed or refused; status reports deduplicated, forward only."""

import pytest

from notifications import services
from notifications.models import SmsMessage, SmsOptOut, SmsStatus, SmsStatusReport
from tests.twilio_double import twilio_signature

pytestmark = pytest.mark.django_db
TOKEN = "webhook-test-token"
STATUS_URL = "/hooks/twilio/status/"
INBOUND_URL = "/hooks/twilio/inbound/"


@pytest.fixture(autouse=True)
def _twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = "https://antar.example.go.id"


def _post(client, path, params, *, signature=None):
    url = "https://antar.example.go.id" + path
    signature = twilio_signature(TOKEN, url, params) if signature is None else signature
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def _sent_message(sid="SM" + "a" * 32):
    message = services.queue_sms(
        to="+6281234567890", template="queued", context={"link": "x"}, key=f"k-{sid}"
    )
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.SENT, provider_sid=sid
    )
    return message


def _status(sid, status, **extra):
    return {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC1", **extra}


def test_a_signed_callback_moves_the_message_to_delivered(client):
    message = _sent_message()

    response = _post(client, STATUS_URL, _status(message_sid(message), "delivered"))

    message.refresh_from_db()
    assert response.status_code == 204
    assert message.status == SmsStatus.DELIVERED
    assert message.delivered_at is not None


def message_sid(message):
    return SmsMessage.objects.get(pk=message.pk).provider_sid


@pytest.mark.parametrize("signature", ["", "forged==", "c2lnbmF0dXJl"])
def test_missing_or_forged_signatures_get_403_and_change_nothing(client, signature):
    message = _sent_message()
    params = _status(message_sid(message), "delivered")

    response = _post(client, STATUS_URL, params, signature=signature)

    assert response.status_code == 403
    assert SmsMessage.objects.get(pk=message.pk).status == SmsStatus.SENT
    assert SmsStatusReport.objects.count() == 0


def test_an_altered_callback_fails_its_signature(client):
    message = _sent_message()
    signed = _status(message_sid(message), "undelivered")
    signature = twilio_signature(
        TOKEN, "https://antar.example.go.id" + STATUS_URL, signed
    )

    altered = {**signed, "MessageStatus": "delivered"}
    response = client.post(STATUS_URL, altered, HTTP_X_TWILIO_SIGNATURE=signature)

    assert response.status_code == 403
    assert SmsMessage.objects.get(pk=message.pk).status == SmsStatus.SENT


def test_a_callback_arriving_ten_times_is_recorded_once(client):
    message = _sent_message()
    params = _status(message_sid(message), "delivered")

    for _ in range(10):
        assert _post(client, STATUS_URL, params).status_code == 204

    assert SmsStatusReport.objects.count() == 1
    assert SmsMessage.objects.get(pk=message.pk).status == SmsStatus.DELIVERED


def test_out_of_order_callbacks_leave_the_final_status(client):
    message = _sent_message()
    sid = message_sid(message)

    for status in ["delivered", "sent", "queued", "sent", "delivered"]:
        _post(client, STATUS_URL, _status(sid, status))

    assert SmsMessage.objects.get(pk=message.pk).status == SmsStatus.DELIVERED


def test_undelivered_keeps_its_error_code(client):
    message = _sent_message()

    _post(
        client,
        STATUS_URL,
        _status(message_sid(message), "undelivered", ErrorCode="30007"),
    )

    message.refresh_from_db()
    assert (message.status, message.error_code) == (SmsStatus.UNDELIVERED, "30007")


def test_a_callback_without_a_message_id_is_a_400(client):
    assert _post(client, STATUS_URL, {"MessageStatus": "sent"}).status_code == 400


def test_a_get_is_refused(client):
    assert client.get(STATUS_URL).status_code == 405


def _inbound(sid, body, sender="+6281234567890"):
    return {"MessageSid": sid, "From": sender, "To": "+15005550006", "Body": body}


def test_stop_and_start_by_sms(client):
    stop = _post(client, INBOUND_URL, _inbound("SM1", " stop "))
    assert SmsOptOut.objects.filter(phone="+6281234567890").exists()

    _post(client, INBOUND_URL, _inbound("SM2", "MULAI"))

    assert stop.status_code == 200
    assert stop["Content-Type"].startswith("text/xml")
    assert not SmsOptOut.objects.exists()


def test_inbound_replayed_is_handled_once(client):
    _post(client, INBOUND_URL, _inbound("SM1", "BERHENTI"))
    services.sms_opt_in(phone="+6281234567890")

    _post(client, INBOUND_URL, _inbound("SM1", "BERHENTI"))

    assert not SmsOptOut.objects.exists()


def test_inbound_with_a_bad_signature_is_refused(client):
    response = _post(client, INBOUND_URL, _inbound("SM1", "STOP"), signature="nope")

    assert response.status_code == 403
    assert not SmsOptOut.objects.exists()


def test_a_report_that_arrives_before_the_send_returns_is_applied_later(client):
    from notifications.backends import OutgoingSms, get_backend

    message = services.queue_sms(
        to="+6281234567890", template="queued", context={"link": "x"}, key="early"
    )
    SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.UNKNOWN)
    get_backend().sent.append(
        ("SMEARLY", OutgoingSms(to=message.to, body=message.body))
    )
    _post(client, STATUS_URL, _status("SMEARLY", "delivered"))

    services.sms_reconcile(message_id=message.pk)

    message.refresh_from_db()
    assert (message.provider_sid, message.status) == ("SMEARLY", SmsStatus.DELIVERED)
