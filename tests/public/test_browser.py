"""The applicant in a real headless Chromium at a phone's viewport."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import formats, timezone

from delivery.models import Status
from notifications.models import SmsMessage
from tests.browser import shoot
from tests.factories import make_delivery
from tests.helpers import sent_sms


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_applicant_opens_the_sms_link_sees_the_timeline_and_asks_for_another_day(
    live_server, phone_page
):
    delivery = make_delivery(Status.SCHEDULED)
    sms_link = next(s.body for _, s in sent_sms() if "diantar" in s.body).split()[-1]
    link = sms_link.replace(settings.SHORT_LINK_BASE_URL, live_server.url)
    day = timezone.localdate() + timedelta(days=5)

    phone_page.goto(link)
    timeline = phone_page.locator("ol.timeline li")
    shoot(phone_page, "tracking-page-phone")
    phone_page.get_by_text("Minta hari lain").click()
    phone_page.get_by_label("Antar pada atau setelah").select_option(day.isoformat())
    phone_page.get_by_role("button", name="Minta hari yang dipilih").click()
    phone_page.get_by_role("status").wait_for()
    shoot(phone_page, "tracking-page-phone-after-request")

    assert phone_page.url == f"{live_server.url}/t/{delivery.tracking_code}/"
    assert timeline.count() >= 2
    assert "Anda minta hari lain" in phone_page.locator("ol.timeline").inner_text()
    assert formats.date_format(day, "j F") in phone_page.content()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than a cheap phone's screen
    delivery.refresh_from_db()
    assert (delivery.status, delivery.requested_date) == (Status.QUEUED, day)
    assert SmsMessage.objects.filter(template="request_received").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_applicant_chooses_to_collect_at_the_office_after_confirming(
    live_server, phone_page
):
    delivery = make_delivery(Status.SCHEDULED)
    phone_page.goto(f"{live_server.url}/t/{delivery.tracking_code}/")
    button = phone_page.get_by_role(
        "button", name="Hentikan pengantaran, saya ambil sendiri"
    )

    assert button.is_visible()
    phone_page.get_by_label("Ya, hentikan pengantaran").check()
    shoot(phone_page, "tracking-collect-at-office-confirm")
    button.click()
    phone_page.get_by_role("status").wait_for()
    shoot(phone_page, "tracking-collect-at-office-done")

    delivery.refresh_from_db()
    assert delivery.status == Status.ON_HOLD
    assert "Cara mengambil di kantor" in phone_page.content()
