"""The console on a 360 px phone: the menu folds behind a button, no page scrolls
sideways; and answering a complaint in the browser announces the answer by SMS."""

from datetime import timedelta

import pytest
from django.utils import timezone

from delivery.models import Role, Status
from delivery.services.complaints import complaint_file
from notifications.models import SmsMessage
from routing.services import route_plan_start
from tests.browser import shoot
from tests.factories import PASSWORD, StaffFactory, make_delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONG_ADDRESS = (
    "Jalan Lintas Sumatera Kilometer 12 Nomor 145 RT 003 RW 007, Jorong Koto Baru "
    "Simpang Tigo, Nagari Muaro Sijunjung"
)
VILLAGES = ["13.03.04.2001", "13.03.04.2009", "13.03.05.2001", "13.03.08.2004",
            "13.73.01.1004", "13.03.07.2001"]  # fmt: skip
WIDTH = "document.scrollingElement.scrollWidth"


def _sign_in(page, base_url, username: str, landing: str) -> None:
    page.goto(f"{base_url}/petugas/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}{landing}")


def _overflowing(page, pages: dict[str, str]) -> dict[str, int]:
    """Visit each page, keep its screenshot; the ones wider than the screen."""
    wider = {}
    for name, url in pages.items():
        page.goto(url)
        shoot(page, name)
        # Against the phone's own width: a mobile browser widens its layout
        # viewport (and innerWidth) to fit a page that is too wide.
        width, inner = page.evaluate(f"[{WIDTH}, window.innerWidth]")
        if max(width, inner) > page.viewport_size["width"]:
            wider[name] = max(width, inner)
    return wider


def _small_plan(office, couriers):
    """A draft plan of six stops in three districts, for the plan page."""
    for village in VILLAGES:
        make_delivery(Status.QUEUED, office=office, village_code=village)
    return route_plan_start(
        office=office,
        on_date=timezone.localdate() + timedelta(days=1),
        actor=None,
        courier_ids=[c.pk for c in couriers],
        time_limit_s=1,
    )


def test_the_dispatchers_pages_fit_a_360_px_phone(
    live_server, phone_page, dispatcher, office, couriers
):
    page, base = phone_page, live_server.url
    queued = make_delivery(Status.QUEUED, office=office, address=LONG_ADDRESS)
    failed = make_delivery(
        Status.RETURNED_TO_OFFICE, office=office, courier=couriers[0]
    )
    complaint = complaint_file(text="Terlambat " * 40, category="late", delivery=failed)
    plan = _small_plan(office, couriers)
    _sign_in(page, base, "petugas", "/petugas/")
    pages = {
        "console-queue-360": f"{base}/petugas/",
        "console-plan-360": f"{base}/petugas/rencana/{plan.pk}/",
        "console-import-360": f"{base}/petugas/impor/",
        "console-plans-360": f"{base}/petugas/rencana/",
        "console-location-360": f"{base}/petugas/antrean/{queued.pk}/lokasi/",
        "console-day-360": f"{base}/petugas/hari/",
        "console-figures-360": f"{base}/petugas/angka/",
        "console-complaints-360": f"{base}/petugas/pengaduan/",
        "console-complaint-360": f"{base}/petugas/pengaduan/{complaint.ticket}/",
    }

    assert _overflowing(page, pages) == {}


def test_the_auditors_pages_fit_a_360_px_phone(live_server, phone_page, office):
    page, base = phone_page, live_server.url
    StaffFactory(office=office, role=Role.AUDITOR, user__username="auditor")
    delivery = make_delivery(Status.QUEUED, office=office, address=LONG_ADDRESS)
    _sign_in(page, base, "auditor", "/petugas/audit/")
    day = timezone.localdate().isoformat()
    pages = {
        "console-audit-day-360": f"{base}/petugas/audit/?day={day}",
        "console-audit-delivery-360": (
            f"{base}/petugas/audit/?tracking_code={delivery.tracking_code}"
        ),
    }

    assert _overflowing(page, pages) == {}


def test_the_menu_folds_behind_a_button_on_a_phone(live_server, phone_page, dispatcher):
    page, base = phone_page, live_server.url
    _sign_in(page, base, "petugas", "/petugas/")
    toggle = page.locator("#menu-toggle")
    complaints = page.locator("#top-menu nav >> text=Pengaduan")

    assert toggle.is_visible()
    assert not complaints.is_visible()
    shoot(page, "console-menu-closed-360")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert complaints.is_visible()
    assert page.evaluate(f"[{WIDTH}, window.innerWidth]") == [360, 360]
    shoot(page, "console-menu-open-360")
    complaints.click()
    page.wait_for_url(f"{base}/petugas/pengaduan/")


def test_the_menu_stays_a_row_of_links_on_a_desktop(
    live_server, desktop_page, dispatcher
):
    page, base = desktop_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    _sign_in(page, base, "petugas", "/petugas/")

    assert not page.locator("#menu-toggle").is_visible()
    assert page.locator("#top-menu nav >> text=Pengaduan").is_visible()
    header = page.locator("header.top").bounding_box()
    assert header["height"] < 60  # one line
    shoot(page, "console-menu-1366")


def test_answering_a_complaint_in_the_console_sends_the_complainant_an_sms(
    live_server, desktop_page, phone_page, dispatcher
):
    page, base = desktop_page, live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    complaint = complaint_file(
        text="Jam buka tidak jelas.",
        category="information",
        contact_phone="+6281277005566",
    )
    _sign_in(page, base, "petugas", "/petugas/")
    page.goto(f"{base}/petugas/pengaduan/{complaint.ticket}/")
    assert "SMS" in page.inner_text("#id_public_note_helptext")
    shoot(page, "console-complaint-answer-form-1366")

    page.select_option("#id_status", "resolved")
    page.fill("#id_public_note", "Jam buka Senin-Jumat 08.00-16.00 WIB.")
    page.click("form button[type=submit] >> text=Simpan")
    page.wait_for_url(f"{base}/petugas/pengaduan/{complaint.ticket}/")
    shoot(page, "console-complaint-answered-1366")

    sms = SmsMessage.objects.get(template="complaint_answered")
    assert sms.to == "+6281277005566"
    assert complaint.ticket in sms.body
    assert "Jam buka Senin-Jumat" in page.inner_text("main")
    assert sms.segments == 1
    # The SMS's link, on the complainant's phone: the answer, not the complaint.
    link = sms.body.rsplit(" ", 1)[-1]
    assert link.endswith(f"/pengaduan/{complaint.ticket}")
    phone_page.goto(f"{base}/pengaduan/{complaint.ticket}/")
    shoot(phone_page, "public-complaint-answered-360")
    public = phone_page.inner_text("main")
    assert "Jam buka Senin-Jumat 08.00-16.00 WIB." in public
    assert "Jam buka tidak jelas" not in public
    assert "+6281277005566" not in public
