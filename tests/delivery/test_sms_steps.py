"""Every step that concerns the applicant sends its SMS, exactly once."""

import pytest

from delivery import services
from delivery.models import Status
from delivery.services import Actor
from notifications.models import SmsMessage
from notifications.services import sms_opt_out
from tests.factories import CourierFactory, make_delivery

pytestmark = pytest.mark.django_db
S = Status


def _templates(delivery):
    keys = SmsMessage.objects.filter(key__startswith=f"delivery:{delivery.pk}:")
    return list(keys.order_by("id").values_list("template", flat=True))


def test_the_happy_path_sends_one_sms_per_step():
    delivery = make_delivery(S.DELIVERED)

    assert _templates(delivery) == [
        "queued",
        "scheduled",
        "out_for_delivery",
        "delivered",
    ]


def test_failed_attempts_tell_what_happens_next():
    delivery = make_delivery(S.RETURNED_TO_OFFICE)

    templates = _templates(delivery)

    assert templates[-1] == "returned_to_office"
    assert templates.count("attempt_failed") == 2  # the third says "returned" instead
    body = SmsMessage.objects.filter(template="attempt_failed").first().body
    assert "tidak ada di rumah" in body


def test_rescheduling_hold_and_cancel_are_told():
    delivery = make_delivery(S.SCHEDULED)
    services.delivery_unschedule(delivery=delivery, actor=Actor.system())
    services.delivery_hold(
        delivery=delivery, actor=Actor.system(), reason="internal note"
    )
    services.delivery_cancel(delivery=delivery, actor=Actor.system(), reason="x")

    templates = _templates(delivery)

    assert templates[-3:] == ["unscheduled", "on_hold", "cancelled"]
    assert not SmsMessage.objects.filter(body__contains="internal note").exists()


def test_every_message_carries_the_tracking_link_and_brand(settings):
    delivery = make_delivery(S.DELIVERED)

    bodies = SmsMessage.objects.values_list("body", flat=True)

    for body in bodies:
        assert body.startswith(settings.ANTAR_BRAND)
        assert f"/t/{delivery.tracking_code}" in body


def test_the_scheduled_sms_names_the_day_and_window_in_indonesian():
    delivery = make_delivery(S.SCHEDULED)

    body = SmsMessage.objects.get(template="scheduled").body

    assert "09.00-11.00 WIB" in body
    assert delivery.tracking_code in body


def test_an_applicant_who_chose_english_gets_english():
    make_delivery(S.QUEUED, language="en")

    assert SmsMessage.objects.get().body.startswith("IMIGRASI SIJUNJUNG: Your passport")


def test_an_opted_out_applicant_gets_no_status_sms():
    courier = CourierFactory()
    delivery = make_delivery(S.QUEUED, office=courier.staff.office)
    sms_opt_out(phone=delivery.document.applicant.phone, source="sms")

    services.delivery_hold(delivery=delivery, actor=Actor.system(), reason="x")

    assert SmsMessage.objects.get(template="on_hold").status == "suppressed"
