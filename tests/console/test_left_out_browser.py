"""The grouped left-out list and the forecast page in Chromium at 1366x768."""

from datetime import timedelta

import pytest
from django.utils import timezone

from delivery.models import Courier, Delivery, Status
from routing import services as routing
from tests.browser import shoot
from tests.console.test_browser import VILLAGES, _sign_in
from tests.factories import make_delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft(office, couriers):
    # Room for ten each: 20 of the 45 are left out, in groups by reason and district.
    Courier.objects.filter(pk__in=[c.pk for c in couriers]).update(capacity=10)
    for i in range(45):
        make_delivery(
            Status.QUEUED,
            office=office,
            village_code=VILLAGES[i % 6],
            address=f"Jl. Uji No. {i}",
            window_start="13:00" if i % 5 == 0 else None,
            window_end="15:00" if i % 5 == 0 else None,
        )
    plan = routing.route_plan_start(
        office=office,
        on_date=timezone.localdate() + timedelta(days=1),
        actor=None,
        courier_ids=[c.pk for c in couriers],
        time_limit_s=2,
        horizon_days=3,
    )
    plan.refresh_from_db()
    return plan


def test_the_grouped_left_out_list_fits_1366_and_a_group_is_held_in_one_click(
    live_server, desktop_page, dispatcher, office, couriers
):
    page, base = desktop_page, live_server.url
    plan = _draft(office, couriers)
    left_out = plan.items.filter(stop__isnull=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    _sign_in(page, base)

    page.goto(f"{base}/petugas/rencana/{plan.pk}/")
    page.wait_for_selector("#map[data-drawn='1']")
    groups = page.locator("#dropped details.group")
    for i in range(groups.count()):
        groups.nth(i).locator("summary").click()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    page.locator("#dropped").screenshot(
        path=str(
            shoot(page, "console-plan-left-out-groups-1366").parent
            / "console-plan-left-out-list-1366.png"
        )  # fmt: skip
    )
    first = groups.first
    heading = first.locator("summary").inner_text()
    in_group = first.locator("tbody tr").count()
    first.locator("button", has_text="Tahan semua").click()
    page.wait_for_selector(".messages li")

    assert left_out.count() > 10
    assert groups.count() >= 2
    assert f"({in_group})" in heading
    assert width <= 1366
    held = Delivery.objects.filter(status=Status.ON_HOLD).count()
    assert held == in_group
    assert f"{in_group} pengantaran ditahan." in page.inner_text(".messages")


def test_the_forecast_page_fits_1366(
    live_server, desktop_page, dispatcher, office, couriers
):
    page, base = desktop_page, live_server.url
    plan = _draft(office, couriers)
    page.set_viewport_size({"width": 1366, "height": 768})
    _sign_in(page, base)

    page.goto(f"{base}/petugas/rencana/{plan.pk}/")
    page.click("#forecast-link")
    page.wait_for_selector("#forecast-days")
    shoot(page, "console-forecast-1366")

    assert page.inner_text("h1").startswith("Perkiraan 3 hari kerja")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1366
    assert page.locator("#forecast-days tbody tr").count() == 3  # 2 couriers + total
