"""A dispatcher's day in headless Chromium: import, plan, map, move, publish, PDF.

The machine has no internet, so the map's tiles fail and the console falls back to the
district points: the plan-map screenshot shows exactly that case.
"""

import io
from datetime import time, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from delivery.models import Courier, Delivery, Status
from delivery.services import delivery_hold_for_collection, delivery_request_window
from notifications.models import SmsMessage
from routing.models import RoutePlan
from tests.browser import shoot
from tests.factories import PASSWORD, make_delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VILLAGES = ["13.03.04.2001", "13.03.04.2009", "13.03.05.2001", "13.03.08.2004",
            "13.73.01.1004", "13.03.07.2001"]  # fmt: skip


def _csv(rows: int) -> bytes:
    today = timezone.localdate().isoformat()
    lines = ["application_number,passport_number,full_name,phone,address,issued_on,"
             "village_code"]  # fmt: skip
    for i in range(rows):
        lines.append(
            f"APP-B{i:03d},E77{i:05d},Pemohon Uji {i},0812345{i:05d},"
            f"Jl. Nagari No. {i},{today},{VILLAGES[i % len(VILLAGES)]}"
        )
    return ("\n".join(lines) + "\n").encode()


def _sign_in(page, base_url):
    page.goto(f"{base_url}/petugas/masuk/")
    page.fill("#id_username", "petugas")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/petugas/")


@pytest.mark.services
def test_dispatcher_imports_plans_moves_publishes_and_prints(
    live_server, desktop_page, dispatcher, couriers, celery_worker
):
    page, base = desktop_page, live_server.url
    Courier.objects.filter(pk__in=[c.pk for c in couriers]).update(capacity=7)
    _sign_in(page, base)

    page.goto(f"{base}/petugas/impor/")
    page.set_input_files("#id_file", files=[{"name": "antrean.csv",
                         "mimeType": "text/csv", "buffer": _csv(12)}])  # fmt: skip
    page.click("form button[type=submit] >> text=Impor")
    assert "12 pengantaran baru" in page.inner_text("#import-report")
    shoot(page, "console-import-report")

    page.goto(f"{base}/petugas/rencana/")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.fill("#id_date", tomorrow.isoformat())
    page.fill("#id_time_limit_s", "2")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#progress-card")
    plan = RoutePlan.objects.get()
    assert page.locator("#plan-progress").is_visible()
    shoot(page, "console-plan-progress")
    # A real Celery worker plans while the page polls the plan's progress.
    page.wait_for_function(
        "() => Number(document.getElementById('progress-card')?.dataset.progress) == 1"
        " || document.getElementById('map')"
    )

    page.wait_for_selector("#map[data-drawn='1']")
    page.wait_for_selector("#map[data-tiles='offline']")
    assert page.locator(".stop-icon").count() >= 2
    assert page.locator("#route-figures tbody tr").count() == 2
    shoot(page, "console-plan-map")

    counts = page.locator("#route-figures .stops-count").all_inner_texts()
    first_stop = page.locator("table.stops").first.locator("form.move").first
    second_route = (
        page.locator("#route-figures tbody tr").nth(1).get_attribute("data-route")
    )
    first_stop.locator("select[name=route]").select_option(second_route)
    first_stop.locator("input[name=position]").fill("1")
    first_stop.locator("button").click()
    page.wait_for_selector(".messages li")
    after = page.locator("#route-figures .stops-count").all_inner_texts()
    assert [int(n) for n in after] == [int(counts[0]) - 1, int(counts[1]) + 1]
    shoot(page, "console-plan-after-move")

    page.click("#publish")
    page.wait_for_selector(".messages li.success")
    planned = Delivery.objects.filter(status=Status.SCHEDULED)
    assert planned.count() == plan.items.filter(stop__isnull=False).count() > 0
    scheduled_sms = SmsMessage.objects.filter(template="scheduled")
    assert scheduled_sms.count() == planned.count()

    with page.expect_download() as download:
        page.locator("a.manifest").first.click()
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(download.value.path().read_bytes())).pages
    )
    route = plan.routes.order_by("id").first()
    for item in route.stops.first().items.select_related(
        "delivery__document__applicant"
    ):
        assert item.delivery.tracking_code_display in text
        assert item.delivery.document.applicant.full_name in text
    assert "Tanda tangan saat muat" in text
    assert "Tanda tangan saat kembali" in text


def test_the_consoles_own_scripts_run_under_its_csp(
    live_server, desktop_page, dispatcher, office
):
    from tests.factories import make_delivery

    page, base = desktop_page, live_server.url
    delivery = make_delivery(Status.QUEUED, office=office)
    make_delivery(Status.QUEUED, office=office)
    _sign_in(page, base)

    page.check("#select-all")
    ticked = page.eval_on_selector_all("input[name=ids]", "b => b.map(x => x.checked)")
    page.goto(f"{base}/petugas/antrean/{delivery.pk}/lokasi/")
    page.click("#map", position={"x": 200, "y": 150})
    latitude = page.input_value("#id_lat")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state()

    assert ticked == [True, True]
    assert latitude
    assert page.locator("html").get_attribute("lang") == "en"


def test_day_page_shows_the_applicants_requests_and_switches_language_both_ways(
    live_server, phone_page, dispatcher
):
    office = dispatcher.office
    window = make_delivery(Status.QUEUED, office=office)
    delivery_request_window(delivery=window, window_start=time(10, 0))
    delivery_hold_for_collection(
        delivery=make_delivery(Status.SCHEDULED, office=office)
    )
    page, base = phone_page, live_server.url
    _sign_in(page, base)

    page.goto(f"{base}/petugas/hari/")
    requests = page.locator("#requests li")
    shoot(page, "console-day-applicants-requests-phone")
    page.select_option("select[name=language]", "en")
    page.wait_for_url(f"{base}/en/petugas/hari/")
    page.select_option("select[name=language]", "id")
    page.wait_for_url(f"{base}/petugas/hari/")

    assert requests.count() == 2
    assert "jam antar: 10:00–12:00" in page.text_content("#requests")
