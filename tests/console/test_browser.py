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
    page.wait_for_selector("#publish-preview")
    page.check("#id_confirm")
    if page.locator("#id_accept_lateness").count():
        page.check("#id_accept_lateness")
    page.click("#confirm-publish")
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
    with page.expect_navigation():  # the switch submits itself (console.js)
        page.select_option("select[name=language]", "en")

    assert ticked == [True, True]
    assert latitude
    assert page.locator("html").get_attribute("lang") == "en"


def test_publishing_shows_the_change_and_needs_confirmation(
    live_server, browser, dispatcher, couriers, office
):
    from delivery.models import DeliveryEvent
    from routing import plan_edits, publishing, services
    from routing.models import PlanStatus
    from tests.factories import make_delivery

    for i in range(8):
        make_delivery(Status.QUEUED, office=office, village_code=VILLAGES[i % 6])
    Courier.objects.filter(pk__in=[c.pk for c in couriers]).update(capacity=5)
    today = timezone.localdate()
    first = services.route_plan_start(
        office=office, on_date=today, actor=None, time_limit_s=1
    )
    publishing.route_plan_publish(plan=RoutePlan.objects.get(pk=first.pk), actor=None)
    draft = services.route_plan_replan(
        office=office, on_date=today, actor=None, time_limit_s=1
    )
    draft = RoutePlan.objects.get(pk=draft.pk)
    taken = draft.routes.order_by("id").first().stops.order_by("sequence").first()
    taken_ids = list(taken.items.values_list("delivery_id", flat=True))
    plan_edits.route_plan_move_stop(
        plan=draft, stop=taken, to_route_or_None=None, position=1
    )
    # The other courier's shift now ends before their route does: overtime.
    Courier.objects.filter(pk=draft.routes.order_by("id").last().courier_id).update(
        shift_end=time(9, 0)
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768},
                                  locale="id-ID")  # fmt: skip
    page = context.new_page()
    _sign_in(page, live_server.url)

    page.goto(f"{live_server.url}/petugas/rencana/{draft.pk}/")
    overtime_shown = page.locator(".overtime").count()
    page.click("#publish")
    page.wait_for_selector("#publish-preview")
    unscheduled = page.inner_text("#n-unscheduled")
    shoot(page, "console-publish-preview")
    page.click("#confirm-publish")  # nothing ticked: the browser keeps the page
    still_there = page.locator("#publish-preview").count()
    page.check("#id_confirm")
    page.check("#id_accept_lateness")
    page.fill("#id_reason", "Alamat pemohon ditunda")
    page.click("#confirm-publish")
    page.wait_for_selector(".messages li.success")
    context.close()

    assert overtime_shown >= 1
    assert unscheduled == str(len(taken_ids))
    assert still_there == 1
    assert RoutePlan.objects.get(pk=draft.pk).status == PlanStatus.PUBLISHED
    notes = DeliveryEvent.objects.filter(delivery_id__in=taken_ids).values_list(
        "note", flat=True
    )
    assert any("Alamat pemohon ditunda" in n for n in notes)


def _draft_with_many_left_out(office, couriers):
    from routing import services as routing
    from tests.factories import make_delivery

    # Ten to a village, room for one village each: 40 of the 60 are left out.
    Courier.objects.filter(pk__in=[c.pk for c in couriers]).update(capacity=10)
    for i in range(60):
        make_delivery(Status.QUEUED, office=office, village_code=VILLAGES[i % 6])
    plan = routing.route_plan_start(
        office=office,
        on_date=timezone.localdate() + timedelta(days=1),
        actor=None,
        courier_ids=[c.pk for c in couriers],
        time_limit_s=1,
    )
    plan.refresh_from_db()
    return plan


def test_plan_page_fits_1366_and_left_out_list_is_compact(
    live_server, desktop_page, dispatcher, office, couriers
):
    page, base = desktop_page, live_server.url
    plan = _draft_with_many_left_out(office, couriers)
    left_out = plan.items.filter(stop__isnull=True).count()
    page.set_viewport_size({"width": 1366, "height": 768})
    _sign_in(page, base)

    page.goto(f"{base}/petugas/rencana/{plan.pk}/")
    page.wait_for_selector("#map[data-drawn='1']")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    height = page.evaluate("document.scrollingElement.scrollHeight")
    manifest_right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('a.manifest')]"
        ".map(a => a.getBoundingClientRect().right))"
    )
    shoot(page, "console-plan-1366")
    page.locator("#dropped details summary").first.click()
    page.locator("#dropped input[name=item]").first.check()
    page.click("#restore-form button[type=submit]")
    page.wait_for_selector(".messages li")

    assert left_out > 20
    assert width <= 1366
    assert manifest_right <= 1366
    assert height < 3000
    assert page.locator("#dropped select[name=route]").count() == 1  # one shared form
    assert plan.items.filter(stop__isnull=True).count() == left_out - 1


def test_publishing_shows_progress_and_cannot_be_sent_twice(
    live_server, desktop_page, dispatcher, office, couriers
):
    page, base = desktop_page, live_server.url
    plan = _draft_with_many_left_out(office, couriers)
    _sign_in(page, base)
    page.goto(f"{base}/petugas/rencana/{plan.pk}/")
    page.click("#publish")  # to the preview, where publishing is confirmed
    page.wait_for_selector("#publish-preview")
    page.check("#id_confirm")
    # Registered after the console's own handler: sees the button as it leaves.
    page.evaluate(
        """() => document.getElementById('publish-form').addEventListener('submit',
        () => { const b = document.getElementById('confirm-publish');
        sessionStorage.setItem('publish', JSON.stringify([b.disabled, b.textContent]));
        })"""
    )

    page.click("#confirm-publish")
    page.wait_for_selector(".messages li.success")

    state = page.evaluate("JSON.parse(sessionStorage.getItem('publish'))")
    assert state == [True, "Menerbitkan…"]


def test_bulk_cancel_asks_first_and_a_no_cancels_nothing(
    live_server, desktop_page, dispatcher, office
):
    from tests.factories import make_delivery

    page, base = desktop_page, live_server.url
    delivery = make_delivery(Status.QUEUED, office=office)
    _sign_in(page, base)
    page.select_option("select[name=action]", "cancel")
    page.fill("input[name=reason]", "Pemohon mengambil sendiri")
    page.check("input[name=ids]")
    questions: list[str] = []

    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    page.click("#bulk button[type=submit]")
    page.wait_for_timeout(300)
    delivery.refresh_from_db()
    after_no = delivery.status
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
    page.click("#bulk button[type=submit]")
    page.wait_for_selector(".messages li")
    delivery.refresh_from_db()

    assert questions[0].startswith("Batalkan pengantaran yang dipilih?")
    assert len(questions) == 2
    assert after_no == Status.QUEUED
    assert delivery.status == Status.CANCELLED


def test_the_plan_heading_follows_the_status_while_it_polls(
    live_server, desktop_page, dispatcher, office
):
    import json

    page, base = desktop_page, live_server.url
    # A plan no worker takes: the page's polls are answered here, as a planner would.
    plan = RoutePlan.objects.create(office=office, date=timezone.localdate())
    answer = {"status": "solving", "progress": 0.5, "best_cost": 1234}
    page.route(
        "**/api/**",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(answer)
        ),
    )
    _sign_in(page, base)

    page.goto(f"{base}/petugas/rencana/{plan.pk}/")
    page.wait_for_function("document.getElementById('plan-best').textContent == '1234'")

    assert page.inner_text("#plan-status") == "Sedang merencanakan"


def _fits_and_shoot(page, url: str, name: str) -> int:
    page.goto(url)
    shoot(page, name)
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_the_dispatchers_changed_pages_fit_1366(
    live_server, desktop_page, dispatcher, office, couriers
):
    from delivery.services.complaints import complaint_file
    from tests.factories import make_delivery

    page, base = desktop_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    failed = make_delivery(
        Status.RETURNED_TO_OFFICE, office=office, courier=couriers[0]
    )
    queued = make_delivery(Status.QUEUED, office=office, full_name="Rahmi Yulianti")
    complaint = complaint_file(text="Terlambat", category="late", delivery=failed)
    _sign_in(page, base)
    pages = {
        "console-queue-1366": f"{base}/petugas/?q=rahmi",
        "console-import-format-1366": f"{base}/petugas/impor/",
        "console-location-1366": f"{base}/petugas/antrean/{queued.pk}/lokasi/",
        "console-day-1366": f"{base}/petugas/hari/",
        "console-figures-1366": f"{base}/petugas/angka/",
        "console-complaints-1366": f"{base}/petugas/pengaduan/",
        "console-complaint-1366": f"{base}/petugas/pengaduan/{complaint.ticket}/",
    }

    widths = {name: _fits_and_shoot(page, url, name) for name, url in pages.items()}

    assert {name: w for name, w in widths.items() if w > 1366} == {}


def test_the_auditors_pages_fit_1366(live_server, desktop_page, office, couriers):
    from delivery.models import Role
    from delivery.services.complaints import complaint_file
    from tests.factories import StaffFactory, make_delivery

    page, base = desktop_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    StaffFactory(office=office, role=Role.AUDITOR, user__username="auditor")
    failed = make_delivery(
        Status.RETURNED_TO_OFFICE, office=office, courier=couriers[0]
    )
    complaint_file(text="Terlambat", category="late", delivery=failed)
    page.goto(f"{base}/petugas/masuk/")
    page.fill("#id_username", "auditor")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/petugas/audit/")
    day = timezone.localdate().isoformat()
    pages = {
        "console-audit-day-1366": f"{base}/petugas/audit/?day={day}",
        "console-audit-delivery-1366": (
            f"{base}/petugas/audit/?tracking_code={failed.tracking_code}"
        ),
        "console-auditor-queue-1366": f"{base}/petugas/",
        "console-403-1366": f"{base}/petugas/impor/",
    }

    widths = {name: _fits_and_shoot(page, url, name) for name, url in pages.items()}

    assert {name: w for name, w in widths.items() if w > 1366} == {}
    assert "Tidak diizinkan" in page.inner_text("main")


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
