"""A re-plan never wipes the day, a plan that found nothing cannot be published, and
publishing shows its effect and needs consent."""

from datetime import time

import pytest
from django.utils import timezone

from delivery import services as delivery_services
from delivery.errors import DomainError
from delivery.models import Courier, Delivery, DeliveryEvent, Role, Status
from delivery.services import Actor
from notifications.models import SmsMessage
from routing import plan_edits, publishing, services
from routing.models import PlannedDelivery, PlanStatus, RoutePlan, Stop
from routing.review import plan_lateness
from routing.selectors import route_plan_with_routes
from tests.factories import CourierFactory, StaffFactory, make_delivery

pytestmark = pytest.mark.django_db
VILLAGES = ["13.03.04.2001", "13.03.04.2009", "13.03.05.2001", "13.03.08.2004",
            "13.73.01.1004", "13.03.07.2001"]  # fmt: skip


def _queue(office, n):
    return [
        make_delivery(Status.QUEUED, office=office, village_code=VILLAGES[i % 6])
        for i in range(n)
    ]


def _solve(office, capture, *, replan=False, day=None):
    day = day or timezone.localdate()
    start = services.route_plan_replan if replan else services.route_plan_start
    with capture(execute=True):
        plan = start(office=office, on_date=day, actor=None, time_limit_s=2)
    plan.refresh_from_db()
    return plan


def _publish(plan, user, **kwargs):
    return publishing.route_plan_publish_confirmed(
        plan=plan, actor=user, confirm=True, **kwargs
    )


@pytest.fixture
def published_day(office, django_capture_on_commit_callbacks):
    """Two couriers' published day; the first carries a stop that opens at 15:50."""
    _queue(office, 10)
    CourierFactory.create_batch(2, staff__office=office, capacity=6)
    dispatcher = StaffFactory(office=office, role=Role.DISPATCHER).user
    plan = _solve(office, django_capture_on_commit_callbacks)
    _publish(plan, dispatcher, accept_lateness=True)
    # Room enough now for the rest of the day on the other motorbike.
    Courier.objects.filter(staff__office=office).update(capacity=12)
    route = plan.routes.order_by("id").first()
    carried = [i.delivery for i in route.stops.order_by("sequence")[0].items.all()]
    Delivery.objects.filter(pk__in=[d.pk for d in carried]).update(
        window_start=time(15, 50), window_end=time(16, 0)
    )
    for delivery in carried:
        delivery.refresh_from_db()
        delivery_services.delivery_start(delivery=delivery, actor=Actor.system())
    return plan, route.courier, dispatcher


def test_replan_with_a_locked_route_past_shift_end_keeps_every_couriers_day(
    published_day, office, django_capture_on_commit_callbacks
):
    first, late_courier, _ = published_day
    couriers_before = set(first.routes.values_list("courier_id", flat=True))

    replan = _solve(office, django_capture_on_commit_callbacks, replan=True)

    routes = route_plan_with_routes(replan)
    lateness = plan_lateness(replan, routes)
    late_route = next(r for r in routes if r.courier_id == late_courier.pk)
    preview = publishing.route_plan_publish_preview(plan=replan)
    assert replan.status == PlanStatus.DRAFT
    assert {r.courier_id for r in routes if r.stops.all()} == couriers_before
    assert not PlannedDelivery.objects.filter(
        plan=replan, dropped_reason="not_planned"
    ).exists()
    assert lateness[late_route.pk].overtime_s > 0
    assert replan.figures["overtime_s"] == lateness[late_route.pk].overtime_s
    assert preview.couriers_emptied == []
    assert preview.unscheduled == []
    assert preview.needs_late_ack


def test_a_solve_that_finds_nothing_fails_and_cannot_be_published(
    office, django_capture_on_commit_callbacks, monkeypatch
):
    from routing.core import ortools_model

    _queue(office, 3)
    CourierFactory(staff__office=office)
    # The edge: OR-Tools answers "no solution" (as it did for the infeasible model).
    # On one core the search runs in this process, where the patch holds.
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(ortools_model.pywrapcp.RoutingModel, "SolveWithParameters",
                        lambda self, params: None)  # fmt: skip

    plan = _solve(office, django_capture_on_commit_callbacks)

    assert plan.status == PlanStatus.FAILED
    assert plan.error  # says why, in the office's language
    assert not plan.routes.exists()
    with pytest.raises(DomainError):
        _publish(plan, StaffFactory(office=office, role=Role.DISPATCHER).user)


def test_publishing_needs_confirmation_and_a_reason_to_take_back_promises(
    published_day, office, django_capture_on_commit_callbacks
):
    first, _, dispatcher = published_day
    replan = _solve(office, django_capture_on_commit_callbacks, replan=True)
    taken = PlannedDelivery.objects.filter(plan=replan, stop__isnull=False).exclude(
        delivery__status=Status.OUT_FOR_DELIVERY
    )[0]
    plan_edits.route_plan_move_stop(
        plan=replan, stop=taken.stop, to_route_or_None=None, position=1
    )
    preview = publishing.route_plan_publish_preview(plan=replan)

    with pytest.raises(DomainError):
        publishing.route_plan_publish_confirmed(
            plan=replan, actor=dispatcher, confirm=False, accept_lateness=True
        )
    with pytest.raises(DomainError):
        _publish(replan, dispatcher, accept_lateness=True)
    with pytest.raises(DomainError):
        _publish(replan, dispatcher, reason="Kurir sakit")
    sms_before = SmsMessage.objects.count()
    _publish(replan, dispatcher, reason="Kurir sakit", accept_lateness=True)

    assert taken.delivery_id in preview.unscheduled
    assert preview.sms == SmsMessage.objects.count() - sms_before
    event = DeliveryEvent.objects.filter(delivery_id=taken.delivery_id).last()
    assert "Kurir sakit" in event.note
    assert RoutePlan.objects.get(pk=replan.pk).status == PlanStatus.PUBLISHED


def _client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_moves_and_restores_stops_and_flags_overtime(
    office, django_capture_on_commit_callbacks
):
    _queue(office, 6)
    courier = CourierFactory(staff__office=office, shift_end=time(8, 40))
    client = _client(StaffFactory(office=office, role=Role.DISPATCHER).user)
    plan = _solve(office, django_capture_on_commit_callbacks)
    dropped = plan.items.filter(stop__isnull=True).first()
    route = plan.routes.get()
    first_stop = route.stops.order_by("sequence").first()

    restored = client.post(
        f"/api/plans/{plan.pk}/restore/",
        {"delivery_id": dropped.delivery_id, "route_id": route.pk, "position": 99},
        format="json",
    )
    moved = client.post(
        f"/api/plans/{plan.pk}/move-stop/",
        {"stop_id": first_stop.pk, "route_id": route.pk, "position": 99},
        format="json",
    )
    detail = client.get(f"/api/plans/{plan.pk}/").json()
    bad = client.post(
        f"/api/plans/{plan.pk}/move-stop/",
        {"stop_id": 10**6, "route_id": route.pk},
        format="json",
    )

    assert restored.status_code == moved.status_code == 200
    body = detail["routes"][0]
    assert (body["id"], body["courier_id"]) == (route.pk, courier.pk)
    assert body["courier_username"] == courier.staff.user.username
    assert body["shift_end_at"].endswith("08:40:00+07:00")
    assert body["overtime_s"] > 0
    late = [s["id"] for s in body["stops"] if s["late"]]
    assert late == body["late_stop_ids"]
    assert body["late_count"] == len(late) > 0
    assert moved.json()["late_stop_ids"] == late
    assert bad.status_code == 400


def test_only_dispatchers_of_the_plans_office_may_edit_it(
    office, django_capture_on_commit_callbacks
):
    from tests.factories import OfficeFactory

    _queue(office, 2)
    CourierFactory(staff__office=office)
    plan = _solve(office, django_capture_on_commit_callbacks)
    stop = Stop.objects.filter(route__plan=plan).first()
    stranger = StaffFactory(
        office=OfficeFactory(code="padang"), role=Role.DISPATCHER
    ).user
    auditor = StaffFactory(office=office, role=Role.AUDITOR).user
    body = {"stop_id": stop.pk, "route_id": None}

    assert (
        _client(stranger)
        .post(f"/api/plans/{plan.pk}/move-stop/", body, format="json")
        .status_code
        == 404
    )
    assert (
        _client(auditor)
        .post(f"/api/plans/{plan.pk}/move-stop/", body, format="json")
        .status_code
        == 403
    )
    assert (
        _client(stranger).get(f"/api/plans/{plan.pk}/publish/preview/").status_code
        == 404
    )
