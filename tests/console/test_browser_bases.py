"""The plan map draws a route from and back to its courier's base when that is not
the office (headless Chromium, dispatcher's desktop)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from delivery.models import Depot, Status
from delivery.services import courier_set_base
from routing import services
from tests.browser import shoot
from tests.factories import PASSWORD, CourierFactory, make_delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FAR_SOUTH = ["13.10.10.2001", "13.10.10.2002", "13.10.10.2003"]


def test_the_plan_map_marks_the_ukk_depot_as_a_routes_start(
    live_server, desktop_page, dispatcher, office
):
    for code in FAR_SOUTH:
        make_delivery(Status.QUEUED, office=office, village_code=code)
    south = CourierFactory(staff__office=office, shift_end=time(15, 0))
    depot = Depot.objects.create(
        office=office, name="UKK Pulau Punjung", lat=-0.9502, lon=101.5113
    )
    courier_set_base(courier=south, actor=None, depot=depot)
    plan = services.route_plan_start(
        office=office, on_date=timezone.localdate() + timedelta(days=1),
        actor=None, courier_ids=[south.pk], time_limit_s=1,
    )  # fmt: skip
    plan.refresh_from_db()
    page, base = desktop_page, live_server.url
    page.goto(f"{base}/petugas/masuk/")
    page.fill("#id_username", dispatcher.user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{base}/petugas/rencana/{plan.pk}/")
    page.wait_for_selector("#map[data-drawn='1']")

    squares = page.locator(".stop-icon .depot").all_inner_texts()
    assert sorted(squares) == ["B", "K"]  # the office, and the route's base
    assert page.locator(".stop-icon .num").count() == 3
    assert "Mulai dan selesai: UKK Pulau Punjung" in page.inner_text("#route-figures")
    shoot(page, "console-plan-map-ukk-base")

    page.goto(f"{base}/petugas/kurir/")
    assert "UKK Pulau Punjung" in page.inner_text(f"tr[data-courier='{south.pk}']")
    shoot(page, "console-couriers-bases")
