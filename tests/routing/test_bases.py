"""Courier bases (multi-depot): a courier starts and ends at the office, a depot of
the office or a pin of their own; stops too far from the office are served from a
base nearer to them."""

import io
import math
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from delivery import services as delivery_services
from delivery.errors import DomainError
from delivery.models import AuditRecord, Depot, Role, Status
from delivery.services.staff import staff_create
from routing import plan_edits, services
from routing.core.preparation import prepare, split_servable
from routing.core.problem import PlanningProblem, Stop, Vehicle
from routing.core.solver import solve
from routing.models import PlannedDelivery, PlanStatus
from tests.factories import CourierFactory, OfficeFactory, StaffFactory, make_delivery

HOUR = 3600
# Asam Jujuhan, the far south of Dharmasraya: 115-120 km straight from Muaro
# Sijunjung (165 km of road, nearly 4 h each way by motorbike), beyond a round trip
# from the office in a 7-hour shift.
FAR_SOUTH = ["13.10.10.2001", "13.10.10.2002", "13.10.10.2003"]
SEVEN_HOURS = {"shift_start": time(8, 0), "shift_end": time(15, 0)}
UKK = {"name": "UKK Pulau Punjung", "lat": -0.9502, "lon": 101.5113}


# --- The pure planner ---------------------------------------------------------------


def _line_problem(vehicles: list[Vehicle]) -> PlanningProblem:
    """Locations on a line, in metres: 0 the office, 1 a depot 100 km away, 2-3 near
    the depot; travel at 10 m/s."""
    xs = [0, 100_000, 105_000, 110_000]
    dist = tuple(tuple(abs(a - b) for b in xs) for a in xs)
    dur = tuple(tuple(math.ceil(d / 10) for d in row) for row in dist)
    stops = (Stop("a", 2, service_s=300), Stop("b", 3, service_s=300))
    return PlanningProblem(stops, tuple(vehicles), dist, dur)


def _van(vehicle_id: str, base: int) -> Vehicle:
    return Vehicle(vehicle_id, base, base, 8 * HOUR, 12 * HOUR, 10)


def test_a_stop_is_too_far_only_if_no_vehicle_reaches_it_from_its_own_start():
    office_only = prepare(_line_problem([_van("office", 0)]), seed=0)
    with_depot = prepare(_line_problem([_van("office", 0), _van("south", 1)]), seed=0)

    assert [d.reason for d in split_servable(office_only)[1]] == [
        "not_reachable_in_time",
        "not_reachable_in_time",
    ]
    assert split_servable(with_depot)[1] == []


def test_the_vehicle_based_near_the_stops_serves_them_from_and_back_to_its_base():
    problem = _line_problem([_van("office", 0), _van("south", 1)])

    plan = solve(problem, time_limit_s=1)

    office, south = plan.routes
    assert plan.dropped == ()
    assert office.stops == ()
    assert [s.stop_id for s in south.stops] == ["a", "b"]
    assert south.stops[0].distance_from_previous_m == 5_000  # from the depot
    assert south.distance_m == 20_000  # 5 + 5 out, 10 back to the depot
    assert south.start_s >= 8 * HOUR
    assert south.end_s <= 12 * HOUR


def test_a_vehicle_may_end_somewhere_else_than_it_starts():
    # Starts at the office, ends at the depot: a one-way day is still one shift.
    problem = _line_problem([Vehicle("v", 0, 1, 8 * HOUR, 12 * HOUR, 10)])

    plan = solve(problem, time_limit_s=1)

    assert plan.dropped == ()
    assert plan.routes[0].distance_m == 110_000 + 10_000


# --- Planning an office's day -------------------------------------------------------


def _far_queue(office):
    return [
        make_delivery(Status.QUEUED, office=office, village_code=code)
        for code in FAR_SOUTH
    ]


def _plan(office, capture, couriers):
    with capture(execute=True):
        plan = services.route_plan_start(
            office=office, on_date=timezone.localdate() + timedelta(days=1),
            actor=None, courier_ids=[c.pk for c in couriers], time_limit_s=2,
        )  # fmt: skip
    plan.refresh_from_db()
    return plan


@pytest.mark.django_db
def test_the_office_alone_cannot_reach_the_far_south(
    office, django_capture_on_commit_callbacks
):
    _far_queue(office)
    at_office = CourierFactory(staff__office=office, **SEVEN_HOURS)

    plan = _plan(office, django_capture_on_commit_callbacks, [at_office])

    reasons = set(PlannedDelivery.objects.filter(plan=plan).values_list(
        "dropped_reason", flat=True))  # fmt: skip
    assert reasons == {"not_reachable_in_time"}


@pytest.mark.django_db
def test_a_courier_at_the_ukk_depot_serves_the_far_south(
    office, django_capture_on_commit_callbacks
):
    deliveries = _far_queue(office)
    at_office = CourierFactory(staff__office=office, **SEVEN_HOURS)
    south = CourierFactory(staff__office=office, **SEVEN_HOURS)
    depot = Depot.objects.create(office=office, **UKK)
    delivery_services.courier_set_base(courier=south, actor=None, depot=depot)

    plan = _plan(office, django_capture_on_commit_callbacks, [at_office, south])

    assert plan.status == PlanStatus.DRAFT
    route = plan.routes.get()
    assert route.courier == south
    assert route.base() == ("UKK Pulau Punjung", UKK["lat"], UKK["lon"])
    placed = PlannedDelivery.objects.filter(plan=plan, stop__route=route)
    assert {p.delivery_id for p in placed} == {d.pk for d in deliveries}


@pytest.mark.django_db
def test_a_courier_living_in_the_south_starts_and_ends_at_home(
    office, django_capture_on_commit_callbacks
):
    _far_queue(office)
    home = CourierFactory(staff__office=office, **SEVEN_HOURS)
    delivery_services.courier_set_base(
        courier=home, actor=None, village_code="13.10.04.2001", label="Rumah, Sitiung"
    )

    plan = _plan(office, django_capture_on_commit_callbacks, [home])

    route = plan.routes.get()
    assert route.base()[0] == "Rumah, Sitiung"
    assert not plan.items.filter(stop__isnull=True).exists()
    # A hand edit drives the route again from the same base, not from the office.
    before = route.distance_m
    stop = route.stops.order_by("sequence").last()
    plan_edits.route_plan_move_stop(plan=plan, stop=stop, to_route_or_None=route,
                                  position=1)  # fmt: skip
    route.refresh_from_db()
    assert route.distance_m < before * 1.5


@pytest.mark.django_db
def test_the_plan_api_map_manifest_and_courier_app_show_the_start_point(
    client, office, django_capture_on_commit_callbacks
):
    _far_queue(office)
    south = CourierFactory(staff__office=office, **SEVEN_HOURS)
    depot = Depot.objects.create(office=office, **UKK)
    delivery_services.courier_set_base(courier=south, actor=None, depot=depot)
    plan = _plan(office, django_capture_on_commit_callbacks, [south])
    route = plan.routes.get()
    dispatcher = staff_create(
        office=office, role=Role.DISPATCHER, username="petugas", password="pw"
    )
    api = APIClient()
    api.force_authenticate(dispatcher.user)

    detail = api.get(f"/api/plans/{plan.pk}/").json()
    geojson = api.get(f"/api/plans/{plan.pk}/geojson/").json()
    client.force_login(dispatcher.user)
    pdf = client.get(reverse("console:manifest", args=[plan.pk, route.pk]))
    console = client.get(reverse("console:plan", args=[plan.pk])).content.decode()
    client.force_login(south.staff.user)
    page = client.get(reverse("courier:today_route")).content.decode()
    summary = client.get(reverse("courier:summary")).content.decode()

    assert detail["routes"][0]["base"] == {
        "name": "UKK Pulau Punjung", "lat": UKK["lat"], "lon": UKK["lon"]
    }  # fmt: skip
    bases = [f for f in geojson["features"] if f["properties"]["kind"] == "base"]
    assert bases[0]["geometry"]["coordinates"] == [UKK["lon"], UKK["lat"]]
    line = next(f for f in geojson["features"] if f["properties"]["kind"] == "route")
    assert line["geometry"]["coordinates"][0] == [UKK["lon"], UKK["lat"]]
    assert line["geometry"]["coordinates"][-1] == [UKK["lon"], UKK["lat"]]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "UKK Pulau Punjung" in text
    assert "Mulai dan selesai: UKK Pulau Punjung" in console
    assert "Mulai dan selesai: <b>UKK Pulau Punjung</b>" in page
    assert "Bawa kembali ke UKK Pulau Punjung" in summary


# --- Changing a base ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_change_of_base_is_audited_without_the_pin(office):
    courier = CourierFactory(staff__office=office, **SEVEN_HOURS)
    dispatcher = StaffFactory(office=office, role=Role.DISPATCHER)

    delivery_services.courier_set_base(
        courier=courier, actor=dispatcher.user, lat=-1.0, lon=101.5, label="Rumah"
    )
    delivery_services.courier_set_base(  # the same again: nothing to record
        courier=courier, actor=dispatcher.user, lat=-1.0, lon=101.5, label="Rumah"
    )

    record = AuditRecord.objects.get(action="courier.base_changed")
    assert record.subject == f"courier:{courier.pk}"
    assert record.actor == dispatcher.user
    assert record.data == {
        "base_before": "office",
        "base_after": "pin",
        "depot_id": None,
        "village_code": "",
    }
    courier.refresh_from_db()
    assert courier.base().kind == "pin"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lat": -1.0}, "Isi lintang dan bujur pangkalan"),
        ({"lat": 3.6, "lon": 98.7}, "di luar wilayah layanan"),
        ({"village_code": "99.99.99.9999"}, "Kode desa tidak dikenal"),
        ({"other_depot": True}, "bukan depo"),
        ({"depot": True, "lat": -1.0, "lon": 101.5}, "bukan keduanya"),
    ],
)
def test_a_bad_base_is_refused_in_indonesian(office, kwargs, message):
    courier = CourierFactory(staff__office=office, **SEVEN_HOURS)
    if kwargs.pop("depot", False):
        kwargs["depot"] = Depot.objects.create(office=office, **UKK)
    if kwargs.pop("other_depot", False):
        other = OfficeFactory(code="padang", lat=-0.95, lon=100.35)
        kwargs["depot"] = Depot.objects.create(office=other, **UKK)

    with pytest.raises(DomainError, match=message):
        delivery_services.courier_set_base(courier=courier, actor=None, **kwargs)
    assert not AuditRecord.objects.filter(action="courier.base_changed").exists()


@pytest.mark.django_db
def test_the_admin_sets_a_depot_through_the_audited_service(client, office):
    courier = CourierFactory(staff__office=office, capacity=30)
    depot = Depot.objects.create(office=office, **UKK)
    dispatcher = staff_create(
        office=office, role=Role.DISPATCHER, username="petugas", password="pw"
    )
    client.force_login(dispatcher.user)
    url = reverse("admin:delivery_courier_change", args=[courier.pk])
    form = {
        "staff": courier.staff_id, "vehicle_kind": "motorbike", "capacity": 25,
        "shift_start": "08:00:00", "shift_end": "16:00:00", "is_active": "on",
        "depot": depot.pk, "base_village_code": "", "base_lat": "", "base_lon": "",
        "base_label": "",
    }  # fmt: skip

    response = client.post(url, form)
    refused = client.post(url, {**form, "base_lat": "-1.0", "base_lon": "101.5"})

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response.url.endswith("/delivery/courier/"), response.url
    courier.refresh_from_db()
    assert courier.depot == depot
    assert courier.capacity == 25
    assert AuditRecord.objects.filter(action="courier.base_changed").count() == 1
    assert refused.status_code == 200
    assert "bukan keduanya" in refused.content.decode()
