"""Real headless Chromium: an applicant rates the service (from the SMS link) and
files a complaint on a phone, and anyone reads the public figures."""

import pytest

from delivery.models import Complaint, Status, SurveyResponse
from delivery.services.satisfaction import ELEMENTS, survey_submit
from tests.browser import shoot
from tests.factories import make_delivery
from tests.helpers import survey_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_applicant_rates_the_service_and_files_a_complaint_on_a_phone(
    phone_page, live_server
):
    delivery = make_delivery(Status.DELIVERED)
    page = phone_page

    page.goto(live_server.url + survey_path(delivery))  # the link in the SMS
    for n, element in enumerate(ELEMENTS):
        page.locator(f"#q-{element} label.score").nth(3 if n % 2 else 2).click()
    page.fill("textarea[name=comment]", "Kurir ramah dan tepat waktu.")
    shoot(page, "trust-survey-phone")
    page.get_by_role("button", name="Kirim").click()
    page.wait_for_selector("#survey-thanks")

    page.get_by_role("link", name="Ada masalah? Ajukan pengaduan").click()
    page.select_option("select[name=category]", "courier")
    page.fill("textarea[name=text]", "Kurir meminta uang tambahan.")
    page.get_by_role("button", name="Kirim pengaduan").click()
    page.wait_for_selector("#ticket")
    shoot(page, "trust-complaint-timeline-phone")

    survey = SurveyResponse.objects.get()
    complaint = Complaint.objects.get()
    assert [getattr(survey, u) for u in ELEMENTS] == [3, 4, 3, 4, 3, 4, 3, 4, 3]
    assert page.inner_text("#ticket") == complaint.ticket
    assert complaint.delivery_id == delivery.pk
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than the phone


def test_anyone_reads_the_public_figures(phone_page, live_server, settings):
    settings.MIN_CASES_PUBLIC = 2
    for _ in range(2):
        survey_submit(
            delivery=make_delivery(Status.DELIVERED),
            scores=dict.fromkeys(ELEMENTS, 4),
        )
    page = phone_page

    page.goto(f"{live_server.url}/statistik/")
    shoot(page, "trust-figures-phone")

    assert page.get_by_role("heading", name="Kinerja layanan").is_visible()
    ikm = page.locator("section.month").first.locator("dd.ikm")
    assert "100,00" in ikm.inner_text()
    assert "Sangat baik" in ikm.inner_text()
    assert page.locator(".hidden-figure").count() > 0
