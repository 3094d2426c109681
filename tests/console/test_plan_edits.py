"""A dispatcher's hand edits of a draft plan: move, drop and put back stops."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from delivery.errors import DomainError
from delivery.models import Courier, Status
from routing import plan_edits, publishing, services
from routing.models import PlannedDelivery, PlanStatus, Route, Stop
from tests.factories import make_delivery

pytestmark = pytest.mark.django_db
VILLAGES = ["13.03.04.2001", "13.03.04.2009", "13.03.05.2001", "13.03.08.2004",
            "13.73.01.1004", "13.03.07.2001"]  # fmt: skip


@pytest.fixture
def draft(office, couriers, django_capture_on_commit_callbacks):
    # Room for six passports each: ten deliveries need both couriers.
    Courier.objects.filter(pk__in=[c.pk for c in couriers]).update(capacity=6)
    for i in range(10):
        make_delivery(Status.QUEUED, office=office, village_code=VILLAGES[i % 6])
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.route_plan_start(
            office=office,
            on_date=timezone.localdate() + timedelta(days=1),
            actor=None,
            courier_ids=[c.pk for c in couriers],
            time_limit_s=1,
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    return plan


def _sequences(route: Route) -> list[int]:
    return list(route.stops.order_by("sequence").values_list("sequence", flat=True))


def _two_routes(plan):
    routes = list(plan.routes.order_by("id"))
    assert len(routes) == 2
    return routes


def test_moved_stop_lands_at_its_position_and_both_routes_are_renumbered(draft):
    source, target = _two_routes(draft)
    stop = source.stops.order_by("sequence").first()
    target_before = target.stops.count()

    plan_edits.route_plan_move_stop(
        plan=draft, stop=stop, to_route_or_None=target, position=1
    )

    stop.refresh_from_db()
    assert (stop.route_id, stop.sequence) == (target.pk, 1)
    assert _sequences(target) == list(range(1, target_before + 2))
    assert _sequences(source) == list(range(1, source.stops.count() + 1))


def test_moving_a_stop_recomputes_the_routes_figures_from_shift_start(draft):
    source, target = _two_routes(draft)
    stop = source.stops.order_by("sequence").last()
    load_before = (source.load, target.load)

    plan_edits.route_plan_move_stop(
        plan=draft, stop=stop, to_route_or_None=target, position=99
    )

    source.refresh_from_db()
    target.refresh_from_db()
    moved = stop.items.count()
    assert (source.load, target.load) == (
        load_before[0] - moved,
        load_before[1] + moved,
    )
    shift_start = timezone.localtime(target.start_at).time()
    assert shift_start == target.courier.shift_start
    assert target.end_at - target.start_at == timedelta(seconds=target.duration_s)
    stops = list(target.stops.order_by("sequence"))
    assert stops[-1].pk == stop.pk
    assert all(
        a.arrival_at < b.arrival_at for a, b in zip(stops, stops[1:], strict=False)
    )


def test_dropped_stop_leaves_its_deliveries_out_with_reason_dispatcher(draft):
    route = draft.routes.order_by("id").first()
    stop = route.stops.order_by("sequence").first()
    ids = list(stop.items.values_list("delivery_id", flat=True))

    plan_edits.route_plan_move_stop(
        plan=draft, stop=stop, to_route_or_None=None, position=1
    )

    items = PlannedDelivery.objects.filter(plan=draft, delivery_id__in=ids)
    assert {i.dropped_reason for i in items} == {"dispatcher"}
    assert all(i.stop_id is None for i in items)
    assert not Stop.objects.filter(pk=stop.pk).exists()
    assert _sequences(route) == list(range(1, route.stops.count() + 1))


def test_a_dropped_delivery_can_be_put_back_on_a_route(draft):
    route = draft.routes.order_by("id").first()
    stop = route.stops.order_by("sequence").first()
    plan_edits.route_plan_move_stop(
        plan=draft, stop=stop, to_route_or_None=None, position=1
    )
    item = PlannedDelivery.objects.filter(plan=draft, stop__isnull=True).first()

    plan_edits.route_plan_restore_delivery(
        plan=draft, item=item, route=route, position=2
    )

    item.refresh_from_db()
    assert (item.dropped_reason, item.stop.sequence) == ("", 2)
    assert item.stop.route_id == route.pk


def test_stop_pushed_past_its_window_is_reported_late(draft, office):
    route = draft.routes.order_by("id").first()
    stop = route.stops.order_by("sequence").first()
    delivery = stop.items.first().delivery
    # The applicant wants it by 08:05, but the courier only leaves at 08:00.
    type(delivery).objects.filter(pk=delivery.pk).update(
        window_start=time(7, 0), window_end=time(8, 5)
    )

    late = plan_edits.route_plan_move_stop(
        plan=draft, stop=stop, to_route_or_None=route, position=99
    )

    assert stop.pk in late


def test_a_published_plan_cannot_be_edited(draft, dispatcher):
    publishing.route_plan_publish(plan=draft, actor=dispatcher.user)
    stop = Stop.objects.filter(route__plan=draft).first()

    with pytest.raises(DomainError):
        plan_edits.route_plan_move_stop(
            plan=draft, stop=stop, to_route_or_None=None, position=1
        )

    assert Stop.objects.filter(pk=stop.pk).exists()


def test_a_stop_put_back_past_the_shift_is_flagged_everywhere_with_one_count(
    draft, console
):
    import re

    route = draft.routes.order_by("id").first()
    stop = route.stops.order_by("sequence").first()
    plan_edits.route_plan_move_stop(
        plan=draft, stop=stop, to_route_or_None=None, position=1
    )
    item = PlannedDelivery.objects.filter(plan=draft, stop__isnull=True).first()
    # The courier's shift ends at 08:30: a route of several stops cannot make it.
    Courier.objects.filter(pk=route.courier_id).update(shift_end=time(8, 30))

    console.post(
        f"/petugas/rencana/{draft.pk}/kembalikan/",
        {"item": item.pk, "route": route.pk, "position": 99},
        follow=True,
    )
    page = console.get(f"/petugas/rencana/{draft.pk}/").content.decode()
    banner = console.get(f"/api/plans/{draft.pk}/").json()["routes"]

    figures_row = re.search(rf'<tr data-route="{route.pk}">.*?</tr>', page, re.S)[0]
    cells = re.findall(r'<td class="num[^"]*">(\d+)</td>', figures_row)
    table = re.search(rf'data-route="{route.pk}"><thead>.*?</table>', page, re.S)[0]
    late_rows = len(re.findall(r'<tr data-stop="\d+" class="late">', table))
    api_route = next(r for r in banner if r["id"] == route.pk)
    assert late_rows > 0
    assert int(cells[-2]) == late_rows == api_route["late_count"]
    assert int(cells[-1]) > 0  # overtime minutes
    assert api_route["overtime_s"] > 0
    assert "melewati jam kerja" in page  # the plan's lateness notice
    assert 'id="plan-search"' in page  # which search made the plan


def test_the_console_publishes_only_with_confirmation_and_lateness_consent(
    draft, console
):
    url = f"/petugas/rencana/{draft.pk}/terbitkan/"
    route = draft.routes.order_by("id").first()
    Courier.objects.filter(pk=route.courier_id).update(shift_end=time(8, 30))

    preview = console.get(url).content.decode()
    unconfirmed = console.post(url, {}).content.decode()
    no_consent = console.post(url, {"confirm": "on"}).content.decode()
    draft.refresh_from_db()
    status_before = draft.status
    done = console.post(url, {"confirm": "on", "accept_lateness": "on"})

    draft.refresh_from_db()
    assert 'id="publish-preview"' in preview
    assert "Centang kotak untuk mengonfirmasi penerbitan." in unconfirmed
    assert "konfirmasikan hal itu secara tegas" in no_consent
    assert status_before == PlanStatus.DRAFT
    assert done.status_code == 302
    assert draft.status == PlanStatus.PUBLISHED
