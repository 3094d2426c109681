"""Planning on the Django side: the queue becomes a plan, a plan becomes schedules."""

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from delivery import services as delivery_services
from delivery.errors import DomainError
from delivery.models import Delivery, Role, Status
from delivery.services import Actor
from notifications.models import SmsMessage
from routing import publishing, services
from routing.models import PlannedDelivery, PlanStatus, RoutePlan, Stop
from tests.factories import CourierFactory, OfficeFactory, StaffFactory, make_delivery

pytestmark = pytest.mark.django_db
VILLAGES = [
    "13.03.04.2001", "13.03.04.2009", "13.03.05.2001", "13.03.08.2004",
    "13.73.01.1004", "13.03.07.2001", "13.03.04.2004", "13.03.10.2003",
]  # fmt: skip


def _queue(office, n, **overrides):
    return [
        make_delivery(
            Status.QUEUED, office=office, village_code=VILLAGES[i % 8], **overrides
        )
        for i in range(n)
    ]


def _plan(office, capture, *, couriers=None, seconds=2, on_date=None, replan=False):
    on_date = on_date or timezone.localdate() + timedelta(days=1)
    with capture(execute=True):
        if replan:
            plan = services.route_plan_replan(
                office=office, on_date=on_date, actor=None, time_limit_s=seconds
            )
        else:
            plan = services.route_plan_start(
                office=office, on_date=on_date, actor=None, time_limit_s=seconds,
                courier_ids=[c.pk for c in couriers] if couriers else None,
            )  # fmt: skip
    plan.refresh_from_db()
    return plan


def test_a_day_is_planned_with_every_delivery_placed_once(
    office, django_capture_on_commit_callbacks
):
    deliveries = _queue(office, 12)
    CourierFactory.create_batch(2, staff__office=office)

    plan = _plan(office, django_capture_on_commit_callbacks)

    placed = PlannedDelivery.objects.filter(plan=plan)
    assert plan.status == PlanStatus.DRAFT
    assert plan.progress == 1.0
    assert sorted(placed.values_list("delivery_id", flat=True)) == [
        d.pk for d in deliveries
    ]
    assert not placed.filter(stop__isnull=True).exists()
    assert plan.figures["routes"] >= 1


def test_etas_fall_inside_shifts_and_applicants_windows(
    office, django_capture_on_commit_callbacks
):
    windowed = _queue(office, 3, window_start="13:00", window_end="15:00")
    _queue(office, 5)
    CourierFactory(staff__office=office, shift_start=time(8), shift_end=time(16))

    plan = _plan(office, django_capture_on_commit_callbacks)

    for stop in Stop.objects.filter(route__plan=plan):
        local = timezone.localtime(stop.service_start_at).time()
        assert time(8) <= local <= time(16)
        assert stop.eta_start_at < stop.eta_end_at
    for delivery in windowed:
        stop = PlannedDelivery.objects.get(plan=plan, delivery=delivery).stop
        start = timezone.localtime(stop.service_start_at).time()
        assert time(13) <= start <= time(15)
        assert timezone.localtime(stop.eta_start_at).time() >= time(13)
        assert timezone.localtime(stop.eta_end_at).time() <= time(15)


def test_same_address_deliveries_share_one_stop(
    office, django_capture_on_commit_callbacks
):
    family = _queue(office, 1, address="Jl. Pasar No. 7") + [
        make_delivery(
            Status.QUEUED,
            office=office,
            village_code=VILLAGES[0],
            address="jl pasar no 7",
        )  # fmt: skip
    ]
    CourierFactory(staff__office=office)

    plan = _plan(office, django_capture_on_commit_callbacks)

    stops = {PlannedDelivery.objects.get(plan=plan, delivery=d).stop_id for d in family}
    assert len(stops) == 1


def test_short_capacity_leaves_deliveries_out_with_the_reason(
    office, django_capture_on_commit_callbacks
):
    _queue(office, 8)
    CourierFactory(staff__office=office, capacity=3)

    plan = _plan(office, django_capture_on_commit_callbacks)

    dropped = PlannedDelivery.objects.filter(plan=plan, stop__isnull=True)
    assert dropped.count() == 5
    assert set(dropped.values_list("dropped_reason", flat=True)) == {"capacity"}


def test_publishing_schedules_and_tells_each_applicant(
    office, django_capture_on_commit_callbacks
):
    deliveries = _queue(office, 6)
    courier = CourierFactory(staff__office=office)
    dispatcher = StaffFactory(office=office, role=Role.DISPATCHER).user
    plan = _plan(office, django_capture_on_commit_callbacks)

    publishing.route_plan_publish(plan=plan, actor=dispatcher)

    for delivery in deliveries:
        delivery.refresh_from_db()
        stop = PlannedDelivery.objects.get(plan=plan, delivery=delivery).stop
        assert delivery.status == Status.SCHEDULED
        assert delivery.courier == courier
        assert delivery.scheduled_date == plan.date
        assert (delivery.eta_start_at, delivery.eta_end_at) == (
            stop.eta_start_at, stop.eta_end_at,
        )  # fmt: skip
    assert SmsMessage.objects.filter(template="scheduled").count() == 6
    with pytest.raises(DomainError):
        publishing.route_plan_publish(plan=plan, actor=dispatcher)


def test_replan_keeps_done_and_started_stops_with_their_courier(
    office, django_capture_on_commit_callbacks
):
    _queue(office, 10)
    CourierFactory.create_batch(2, staff__office=office)
    dispatcher = StaffFactory(office=office, role=Role.DISPATCHER).user
    today = timezone.localdate()
    first = _plan(office, django_capture_on_commit_callbacks, on_date=today)
    publishing.route_plan_publish(plan=first, actor=dispatcher)
    route = first.routes.order_by("id").first()
    started = [item.delivery for stop in route.stops.order_by("sequence")[:2]
               for item in stop.items.all()]  # fmt: skip
    for delivery in started:
        delivery_services.delivery_start(delivery=delivery, actor=Actor.system())
    delivery_services.delivery_mark_delivered(delivery=started[0], actor=Actor.system())
    _queue(office, 2)

    second = _plan(
        office, django_capture_on_commit_callbacks, on_date=today, replan=True
    )
    publishing.route_plan_publish(plan=second, actor=dispatcher)

    first.refresh_from_db()
    kept = PlannedDelivery.objects.filter(plan=second, delivery__in=started)
    assert first.status == PlanStatus.SUPERSEDED
    assert {item.stop.route.courier_id for item in kept} == {route.courier_id}
    locked = Stop.objects.filter(route__plan=second, locked=True).order_by("sequence")
    assert [i.delivery_id for s in locked for i in s.items.all()] == [
        d.pk for d in started
    ]
    assert list(locked.values_list("sequence", flat=True)) == list(
        range(1, len(locked) + 1)
    )
    queued_left = Delivery.objects.filter(office=office, status=Status.QUEUED).count()
    dropped = PlannedDelivery.objects.filter(plan=second, stop__isnull=True).count()
    assert queued_left == dropped


def test_the_solve_task_runs_twice_with_one_effect(
    office, django_capture_on_commit_callbacks
):
    from routing.tasks import route_plan_solve_task

    _queue(office, 3)
    CourierFactory(staff__office=office)
    plan = _plan(office, django_capture_on_commit_callbacks)

    assert route_plan_solve_task.delay(plan.pk).get() == "already-claimed"
    assert Stop.objects.filter(route__plan=plan).count() == 3


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_starts_reads_and_publishes_a_plan(
    office, django_capture_on_commit_callbacks
):
    _queue(office, 5)
    CourierFactory(staff__office=office)
    client = _api(StaffFactory(office=office, role=Role.DISPATCHER).user)
    day = (timezone.localdate() + timedelta(days=1)).isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/api/plans/", {"date": day, "time_limit_s": 2}, format="json"
        )
    plan_id = started.json()["id"]
    detail = client.get(f"/api/plans/{plan_id}/").json()
    geojson = client.get(f"/api/plans/{plan_id}/geojson/").json()
    preview = client.get(f"/api/plans/{plan_id}/publish/preview/").json()
    unconfirmed = client.post(f"/api/plans/{plan_id}/publish/")
    published = client.post(
        f"/api/plans/{plan_id}/publish/", {"confirm": True}, format="json"
    )

    assert started.status_code == 202
    assert (preview["scheduled"], preview["sms"]) == (detail_ids(detail), 5)
    assert unconfirmed.status_code == 400
    assert detail["status"] == "draft"
    assert sum(len(r["stops"]) for r in detail["routes"]) == 5
    kinds = [f["properties"]["kind"] for f in geojson["features"]]
    assert kinds.count("depot") == 1
    assert kinds.count("stop") == 5
    assert kinds.count("route") == 1
    assert published.json()["status"] == "published"
    again = client.post(f"/api/plans/{plan_id}/publish/", {"confirm": True})
    assert again.status_code == 400


def detail_ids(detail: dict) -> list[int]:
    return sorted(
        i for r in detail["routes"] for s in r["stops"] for i in s["delivery_ids"]
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"date": "besok"},
        {"date": "2026-12-01", "time_limit_s": 0},
        {"date": "2026-12-01", "courier_ids": "all"},
    ],  # fmt: skip
)
def test_bad_plan_requests_get_400(office, body):
    client = _api(StaffFactory(office=office, role=Role.DISPATCHER).user)

    assert client.post("/api/plans/", body, format="json").status_code == 400
    assert RoutePlan.objects.count() == 0


def test_couriers_cannot_plan_or_read_plans_and_other_offices_get_404(
    office, django_capture_on_commit_callbacks
):
    _queue(office, 2)
    courier = CourierFactory(staff__office=office)
    plan = _plan(office, django_capture_on_commit_callbacks)
    stranger = StaffFactory(office=OfficeFactory(code="padang"), role=Role.DISPATCHER)

    as_courier = _api(courier.staff.user)
    assert as_courier.post("/api/plans/", {"date": "2026-12-01"}).status_code == 403
    assert as_courier.get(f"/api/plans/{plan.pk}/").status_code == 403
    assert _api(stranger.user).get(f"/api/plans/{plan.pk}/").status_code == 404
    assert _api(stranger.user).post(f"/api/plans/{plan.pk}/publish/").status_code == 404


def test_replan_without_a_published_plan_is_refused(office):
    client = _api(StaffFactory(office=office, role=Role.DISPATCHER).user)

    response = client.post("/api/plans/replan/", {"date": "2026-12-01"}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"]


def test_no_promised_window_opens_before_the_courier_leaves(
    office, django_capture_on_commit_callbacks
):
    _queue(office, 6)
    CourierFactory(staff__office=office, shift_start=time(8), shift_end=time(16))

    plan = _plan(office, django_capture_on_commit_callbacks)

    for stop in Stop.objects.filter(route__plan=plan).select_related("route"):
        assert stop.eta_start_at >= stop.route.start_at
        assert stop.eta_start_at <= stop.service_start_at <= stop.eta_end_at


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "yesterday", "+31"])
def test_plans_for_past_or_far_future_days_are_refused_in_indonesian(office, day):
    today = timezone.localdate()
    offsets = {"yesterday": -1, "+31": 31}
    if day in offsets:
        day = (today + timedelta(days=offsets[day])).isoformat()
    client = _api(StaffFactory(office=office, role=Role.DISPATCHER).user)

    response = client.post("/api/plans/", {"date": day}, format="json")

    assert response.status_code == 400
    assert "Rencana" in response.json()["detail"]
    assert RoutePlan.objects.count() == 0


def test_today_and_the_last_allowed_day_may_be_planned(office, settings):
    settings.PLAN_MAX_DAYS_AHEAD = 30
    client = _api(StaffFactory(office=office, role=Role.DISPATCHER).user)
    today = timezone.localdate()

    for day in (today, today + timedelta(days=30)):
        response = client.post("/api/plans/", {"date": day.isoformat()}, format="json")
        assert response.status_code == 202


def test_a_draft_whose_day_has_passed_is_not_published(
    office, django_capture_on_commit_callbacks
):
    _queue(office, 3)
    CourierFactory(staff__office=office)
    plan = _plan(office, django_capture_on_commit_callbacks)
    client = _api(StaffFactory(office=office, role=Role.DISPATCHER).user)

    with time_machine.travel(timezone.now() + timedelta(days=3)):
        response = client.post(
            f"/api/plans/{plan.pk}/publish/", {"confirm": True}, format="json"
        )

    plan.refresh_from_db()
    assert response.status_code == 400
    assert "lewat" in response.json()["detail"]
    assert plan.status == PlanStatus.DRAFT
    assert not SmsMessage.objects.filter(template="scheduled").exists()
