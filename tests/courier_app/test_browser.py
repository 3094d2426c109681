"""A courier's day in real headless Chromium at a phone's size (360 x 740)."""

import pytest

from delivery.models import CourierAction, Delivery, Status
from tests.browser import shoot
from tests.delivery.test_handover import PNG
from tests.factories import PASSWORD, CourierFactory, OfficeFactory, make_delivery
from tests.helpers import last_sms_code, sent_sms, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
PHOTO = {"name": "ktp.png", "mimeType": "image/png", "buffer": PNG}


def button(page, action: str):
    return page.locator(f"form:has(input[name=action][value={action}]) button")


def status_of(delivery) -> str:
    return Delivery.objects.get(pk=delivery.pk).status


def test_a_courier_hands_over_fails_and_works_offline(
    phone_page, live_server, settings
):
    settings.HANDOVER_CODE_PEPPER = "test-pepper"
    office = OfficeFactory()
    courier = CourierFactory(staff__office=office, staff__user__username="kurir1")
    stops = [
        make_delivery(Status.SCHEDULED, office=office, courier=courier)
        for _ in range(3)
    ]
    page = phone_page
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": -0.66, "longitude": 100.94})

    page.goto(f"{live_server.url}/kurir/")
    page.fill("input[name=username]", "kurir1")
    page.fill("input[name=password]", PASSWORD)
    shoot(page, "courier-1-login")
    page.click("button.primary")
    page.wait_for_selector("ol.stops")
    shoot(page, "courier-2-route")

    button(page, "start_route").click()
    page.wait_for_selector(".s-out_for_delivery")
    assert {status_of(d) for d in stops} == {Status.OUT_FOR_DELIVERY}
    shoot(page, "courier-3-route-started")

    page.click(f"a[href='/kurir/stop/{stops[0].pk}/']")
    # The app moves on by itself once the step is sent: wait for that, or it may
    # abort the page.goto below (it did once in CI).
    with page.expect_navigation():
        button(page, "arrived").click()
    assert wait_until(lambda: any("Kode" in s.body for _, s in sent_sms()), timeout=15)
    code = last_sms_code()
    page.goto(f"{live_server.url}/kurir/stop/{stops[0].pk}/")
    page.wait_for_selector("#handover")
    assert "berlaku sampai" in page.text_content("#code-sent")
    shoot(page, "courier-3b-code-sent-until")
    page.fill("input[name=recipient_name]", "Siti Aminah")
    page.set_input_files("#handover input[name=photo]", PHOTO)
    page.fill("input[name=code]", code)
    shoot(page, "courier-4-handover")
    page.click("#handover button.primary")
    assert wait_until(lambda: status_of(stops[0]) == Status.DELIVERED, timeout=15)
    assert wait_until(lambda: "diserahkan" in sent_sms()[-1][1].body, timeout=15)
    page.wait_for_selector("#sent:not([hidden])")
    shoot(page, "courier-5-delivered")

    page.goto(f"{live_server.url}/kurir/stop/{stops[1].pk}/")
    page.click("details.fail summary")
    page.select_option("select[name=reason_code]", "not_at_home")
    page.set_input_files("#failed input[name=photo]", PHOTO)
    shoot(page, "courier-6-failed-attempt")
    page.click("#failed button.danger")
    assert wait_until(lambda: status_of(stops[1]) == Status.QUEUED, timeout=15)
    page.wait_for_selector("form.undo")
    shoot(page, "courier-7-after-failed-attempt")

    page.goto(f"{live_server.url}/kurir/stop/{stops[2].pk}/")
    page.context.set_offline(True)
    button(page, "arrived").click()
    page.wait_for_selector("#outbox:not([hidden])")
    assert page.text_content("#outbox-count") == "1"
    offline_arrival = CourierAction.objects.filter(action="arrived", delivery=stops[2])
    assert not offline_arrival.exists()
    shoot(page, "courier-8-offline-queued")

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert wait_until(
        lambda: (
            offline_arrival.filter(outcome="applied").exclude(device_at=None).exists()
        ),
        timeout=20,
    )
    page.wait_for_selector("#sent:not([hidden])")
    page.wait_for_selector("#outbox", state="hidden")
    arrived = Delivery.objects.get(pk=stops[2].pk).events.get(kind="arrived")
    action = offline_arrival.get()
    assert arrived.device_at == action.device_at
    assert action.device_at < action.received_at
    shoot(page, "courier-9-synced")


def test_todays_stops_open_without_signal_after_one_visit(phone_page, live_server):
    office = OfficeFactory()
    courier = CourierFactory(staff__office=office, staff__user__username="kurir2")
    stop = make_delivery(Status.SCHEDULED, office=office, courier=courier)
    page = phone_page
    page.goto(f"{live_server.url}/kurir/masuk/")
    page.fill("input[name=username]", "kurir2")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("ol.stops")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_timeout(500)

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/kurir/stop/{stop.pk}/")

    assert stop.document.applicant.full_name in page.text_content("h1")
    assert page.is_visible("#net")
    shoot(page, "courier-10-offline-manifest")


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/kurir/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("ol.stops")


def test_a_wrong_code_is_a_red_alert_that_keeps_the_form_and_says_tries_left(
    phone_page, live_server, settings
):
    settings.HANDOVER_CODE_PEPPER = "test-pepper"
    office = OfficeFactory()
    courier = CourierFactory(staff__office=office, staff__user__username="kurir3")
    stop = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    page = phone_page
    sign_in(page, live_server, "kurir3")
    page.goto(f"{live_server.url}/kurir/stop/{stop.pk}/")
    button(page, "arrived").click()
    assert wait_until(lambda: any("Kode" in s.body for _, s in sent_sms()), timeout=15)
    code = last_sms_code()
    page.wait_for_selector("#handover")
    wrong = "000000" if code != "000000" else "111111"

    page.fill("input[name=recipient_name]", "Siti Aminah")
    page.set_input_files("#handover input[name=photo]", PHOTO)
    page.fill("input[name=code]", wrong)
    page.click("#handover button.primary")
    alert = page.wait_for_selector("[role=alert]:not([hidden])")
    shoot(page, "courier-11-wrong-code")

    assert "Kode salah. Sisa percobaan: 4." in alert.text_content()
    assert page.input_value("input[name=recipient_name]") == "Siti Aminah"
    assert page.eval_on_selector("#handover input[name=photo]", "e => e.files.length")
    assert page.url.endswith(f"/kurir/stop/{stop.pk}/")
    assert status_of(stop) == Status.OUT_FOR_DELIVERY

    page.fill("input[name=code]", code)
    page.click("#handover button.primary")
    notice = page.wait_for_selector("#notice:not([hidden])")
    shoot(page, "courier-12-handed-over")

    assert "Paspor sudah diserahkan" in notice.text_content()
    assert status_of(stop) == Status.DELIVERED


def test_a_refused_failed_attempt_names_the_field_and_stays_on_the_stop(
    phone_page, live_server
):
    office = OfficeFactory()
    courier = CourierFactory(staff__office=office, staff__user__username="kurir4")
    stop = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    page = phone_page
    sign_in(page, live_server, "kurir4")
    page.goto(f"{live_server.url}/kurir/stop/{stop.pk}/")

    page.click("details.fail summary")
    page.select_option("select[name=reason_code]", "not_at_home")
    page.click("#failed button.danger")
    alert = page.wait_for_selector("[role=alert]:not([hidden])")
    shoot(page, "courier-13-failed-attempt-refused")

    assert "Foto:" in alert.text_content()
    assert page.url.endswith(f"/kurir/stop/{stop.pk}/")
    assert status_of(stop) == Status.OUT_FOR_DELIVERY
