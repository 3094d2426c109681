"""The delivery API: authentication, roles, object-level scoping, clear 4xx errors."""

import json

import pytest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from delivery.models import Delivery, Role, Status
from tests.factories import (
    PASSWORD,
    CourierFactory,
    OfficeFactory,
    StaffFactory,
    intake_data,
    make_delivery,
)

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def dispatcher():
    return StaffFactory(role=Role.DISPATCHER).user


def test_anonymous_callers_are_refused():
    response = _client().get("/api/deliveries/")

    assert response.status_code in (401, 403)


def test_token_authentication_works():
    staff = StaffFactory(role=Role.DISPATCHER)
    token = (
        _client()
        .post(
            "/api/auth/token/", {"username": staff.user.username, "password": PASSWORD}
        )
        .json()["token"]
    )

    response = APIClient().get("/api/deliveries/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert Token.objects.filter(user=staff.user).exists()


def test_intake_creates_then_is_idempotent(dispatcher):
    data = intake_data(phone="0812 3456 7890")

    first = _client(dispatcher).post("/api/deliveries/intake/", data, format="json")
    again = _client(dispatcher).post("/api/deliveries/intake/", data, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == Status.QUEUED
    assert Delivery.objects.count() == 1
    assert Delivery.objects.get().document.applicant.phone == "+6281234567890"


def test_passport_number_is_masked_in_the_api(dispatcher):
    data = intake_data(passport_number="E1234567")

    body = (
        _client(dispatcher).post("/api/deliveries/intake/", data, format="json").json()
    )

    assert body["passport_number"] == "E*****67"
    assert "1234567" not in str(body)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "hello"}, "phone"),
        ({"village_code": "99"}, "village_code"),
        ({"issued_on": "kemarin"}, "issued_on"),
        ({"window_start": "10:00"}, "window_end"),
        ({"window_start": "12:00", "window_end": "10:00"}, "window_end"),
        ({"passport_number": "???"}, "passport_number"),
        ({"lat": 48.85, "lon": 2.35}, "lat"),
        ({"priority": 9}, "priority"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_malformed_intake_gets_400_with_the_field_named(dispatcher, overrides, field):
    response = _client(dispatcher).post(
        "/api/deliveries/intake/", intake_data(**overrides), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"a": {"b": []}}', "null"])
def test_garbage_bodies_get_400_not_500(dispatcher, body):
    client = _client(dispatcher)

    for url in ("/api/deliveries/intake/", "/api/deliveries/intake/batch/"):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, (url, body, response.content)


def test_batch_takes_good_items_and_reports_bad_ones_by_index(dispatcher):
    items = [intake_data(), intake_data(phone="x"), intake_data()]

    response = _client(dispatcher).post(
        "/api/deliveries/intake/batch/", items, format="json"
    )

    body = response.json()
    assert response.status_code == 200
    assert len(body["created"]) == 2
    assert body["errors"][0]["row"] == 1
    assert body["errors"][0]["errors"][0].startswith("phone:")


def test_couriers_and_auditors_cannot_take_in_or_change_deliveries():
    delivery = make_delivery(Status.QUEUED)
    auditor = StaffFactory(role=Role.AUDITOR, office=delivery.office).user
    courier = CourierFactory(staff__office=delivery.office).staff.user

    for user in (auditor, courier):
        client = _client(user)
        assert client.post("/api/deliveries/intake/", intake_data()).status_code == 403
        hold = client.post(f"/api/deliveries/{delivery.pk}/hold/", {"reason": "x"})
        assert hold.status_code == 403


def test_a_courier_sees_only_their_own_deliveries():
    office = OfficeFactory()
    mine, theirs = (
        CourierFactory(staff__office=office),
        CourierFactory(staff__office=office),
    )
    own = make_delivery(Status.SCHEDULED, office=office, courier=mine)
    other = make_delivery(Status.SCHEDULED, office=office, courier=theirs)
    queued = make_delivery(Status.QUEUED, office=office)
    client = _client(mine.staff.user)

    listed = client.get("/api/deliveries/").json()["results"]

    assert [d["id"] for d in listed] == [own.pk]
    assert client.get(f"/api/deliveries/{own.pk}/").status_code == 200
    assert client.get(f"/api/deliveries/{other.pk}/").status_code == 404
    assert client.get(f"/api/deliveries/{queued.pk}/").status_code == 404


def test_a_courier_never_gets_tracking_codes_a_dispatcher_does():
    office = OfficeFactory()
    courier = CourierFactory(staff__office=office)
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    dispatcher = StaffFactory(office=office, role=Role.DISPATCHER).user
    as_courier = _client(courier.staff.user)

    listed = as_courier.get("/api/deliveries/").content.decode()
    detail = as_courier.get(f"/api/deliveries/{delivery.pk}/").content.decode()
    staff_view = _client(dispatcher).get(f"/api/deliveries/{delivery.pk}/").json()

    for body in (listed, detail):
        assert "tracking_code" not in body
        assert delivery.tracking_code not in body
        assert delivery.tracking_code_display not in body
    assert staff_view["tracking_code"] == delivery.tracking_code_display


def test_a_dispatcher_sees_only_their_office():
    here, there = OfficeFactory(code="here"), OfficeFactory(code="there")
    dispatcher = StaffFactory(role=Role.DISPATCHER, office=here).user
    mine, foreign = make_delivery(office=here), make_delivery(office=there)
    client = _client(dispatcher)

    assert client.get(f"/api/deliveries/{mine.pk}/").status_code == 200
    assert client.get(f"/api/deliveries/{foreign.pk}/").status_code == 404
    assert (
        client.post(f"/api/deliveries/{foreign.pk}/hold/", {"reason": "x"}).status_code
        == 404
    )


def test_detail_shows_the_history(dispatcher):
    delivery = make_delivery(Status.QUEUED, office=dispatcher.staff.office)

    body = _client(dispatcher).get(f"/api/deliveries/{delivery.pk}/").json()

    assert [e["to_status"] for e in body["events"]] == ["received", "queued"]


def test_hold_release_cancel_and_an_illegal_step_gets_409(dispatcher):
    delivery = make_delivery(Status.QUEUED, office=dispatcher.staff.office)
    client = _client(dispatcher)
    url = f"/api/deliveries/{delivery.pk}"

    assert client.post(f"{url}/hold/", {}).status_code == 400
    assert (
        client.post(f"{url}/hold/", {"reason": "alamat kurang"}).json()["status"]
        == "on_hold"
    )
    assert client.post(f"{url}/release/", {}).json()["status"] == "queued"
    assert (
        client.post(f"{url}/cancel/", {"reason": "batal"}).json()["status"]
        == "cancelled"
    )
    refused = client.post(f"{url}/release/", {})

    assert refused.status_code == 409
    assert refused.json()["detail"]


def test_collection_at_the_counter_is_recorded_only_for_a_passport_at_the_office(
    dispatcher,
):
    office = dispatcher.staff.office
    held = make_delivery(Status.ON_HOLD, office=office)
    queued = make_delivery(Status.QUEUED, office=office)
    client = _client(dispatcher)

    collected = client.post(f"/api/deliveries/{held.pk}/collected/", {"note": "KTP"})
    refused = client.post(f"/api/deliveries/{queued.pk}/collected/", {})

    assert collected.status_code == 200
    assert collected.json()["status"] == "delivered"
    assert held.events.latest("id").reason_code == "collected_at_office"
    assert refused.status_code == 409


def test_list_filters_by_status(dispatcher):
    office = dispatcher.staff.office
    make_delivery(Status.QUEUED, office=office)
    make_delivery(Status.ON_HOLD, office=office)

    body = _client(dispatcher).get("/api/deliveries/?status=on_hold").json()

    assert [d["status"] for d in body["results"]] == ["on_hold"]
    assert (
        _client(dispatcher).get("/api/deliveries/?status=nonsense").status_code == 400
    )


def test_dispatcher_without_office_gets_a_clear_400():
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "", "pw-123-456")

    response = _client(admin).post(
        "/api/deliveries/intake/", intake_data(), format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == _("Your account is not attached to an office.")


DEEP_JSON = "[" * 100_000 + "]" * 100_000
BODY_ENDPOINTS = [
    "/api/auth/token/",
    "/api/deliveries/intake/",
    "/api/deliveries/intake/batch/",
    "/api/deliveries/{id}/hold/",
    "/api/deliveries/{id}/release/",
    "/api/deliveries/{id}/collected/",
    "/api/deliveries/{id}/cancel/",
    "/api/deliveries/{id}/handover/reissue/",
    "/api/deliveries/{id}/handover/fail/",
    "/api/plans/",
    "/api/plans/replan/",
]


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS)
def test_json_nested_100000_deep_is_a_400_on_every_json_endpoint(endpoint, dispatcher):
    delivery = make_delivery(Status.QUEUED, office=dispatcher.staff.office)
    client = APIClient() if "auth" in endpoint else _client(dispatcher)

    response = client.post(
        endpoint.format(id=delivery.pk), DEEP_JSON, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == _("The JSON is nested too deeply.")


@pytest.mark.parametrize("field", ["language", "priority", "full_name", "notes"])
def test_a_lone_surrogate_in_intake_is_a_400(field, dispatcher):
    body = json.dumps(intake_data(**{field: "\ud800"}))

    response = _client(dispatcher).post(
        "/api/deliveries/intake/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == _(
        "The JSON holds an invalid character (a lone surrogate)."
    )
    assert not Delivery.objects.exists()


def test_a_lone_surrogate_in_a_key_of_a_batch_is_a_400(dispatcher):
    body = json.dumps([{**intake_data(), "\ud800": 1}])

    response = _client(dispatcher).post(
        "/api/deliveries/intake/batch/", body, content_type="application/json"
    )

    assert response.status_code == 400
