"""The courier app through the test client: scoping, actions, offline replays."""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from delivery.models import CourierAction, EventPhoto, HandoverCode, Status
from routing.models import PlannedDelivery, PlanStatus, Route, RoutePlan, Stop
from tests.delivery.test_handover import PNG
from tests.factories import CourierFactory, make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pepper(settings):
    settings.HANDOVER_CODE_PEPPER = "test-pepper"


def act(client, action, delivery=None, **fields):
    data = {"client_id": str(uuid.uuid4()), "action": action, **fields}
    if delivery is not None:
        data["delivery"] = delivery.pk
    return client.post("/kurir/aksi/", data, HTTP_ACCEPT="application/json")


def test_a_courier_reaches_no_endpoint_of_another_couriers_stop(
    client, office, courier
):
    other = CourierFactory(staff__office=office)
    theirs = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=other)
    client.force_login(courier.staff.user)
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")

    responses = [
        client.get(f"/kurir/stop/{theirs.pk}/"),
        *(
            act(client, action, theirs, code="123456", reason_code="refused")
            for action in ("heading", "arrived", "resend", "failed", "undo")
        ),
        act(
            client, "handover", theirs, code="123456", recipient_kind="holder",
            recipient_name="X", photo=photo,
        ),
    ]  # fmt: skip

    assert [r.status_code for r in responses] == [404] * 7
    theirs.refresh_from_db()
    assert theirs.status == Status.OUT_FOR_DELIVERY
    assert not theirs.events.exclude(kind="transition").exists()


def test_someone_who_is_not_a_courier_gets_404_and_a_visitor_the_login(client, office):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(office=office).user)
    assert client.get("/kurir/").status_code == 404
    client.logout()
    assert client.get("/kurir/").url.startswith("/kurir/masuk/")


def test_start_route_sends_out_todays_scheduled_deliveries_in_stop_order(
    client, office, courier
):
    first = make_delivery(Status.SCHEDULED, office=office, courier=courier)
    second = make_delivery(Status.SCHEDULED, office=office, courier=courier)
    client.force_login(courier.staff.user)

    response = act(client, "start_route")
    page = client.get("/kurir/").content.decode()

    assert response.json()["outcome"] == "applied"
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.status, second.status} == {Status.OUT_FOR_DELIVERY}
    assert page.index(first.document.applicant.full_name) < page.index(
        second.document.applicant.full_name
    )


def test_an_offline_action_replayed_applies_once_with_its_device_time(
    client, office, courier
):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    client.force_login(courier.staff.user)
    data = {
        "client_id": str(uuid.uuid4()),
        "action": "heading",
        "delivery": delivery.pk,
        "device_at": "2026-01-05T02:03:04Z",
        "lat": "-0.66",
        "lon": "100.94",
    }

    first = client.post("/kurir/aksi/", data, HTTP_ACCEPT="application/json")
    again = client.post("/kurir/aksi/", data, HTTP_ACCEPT="application/json")

    assert first.json()["outcome"] == again.json()["outcome"] == "applied"
    assert CourierAction.objects.count() == 1
    heading = delivery.events.get(kind="heading")
    assert heading.device_at.isoformat() == "2026-01-05T02:03:04+00:00"
    assert heading.lat == -0.66


def test_not_at_home_needs_a_photo_and_an_image_is_checked(client, office, courier):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    client.force_login(courier.staff.user)
    fake = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")

    without = act(client, "failed", delivery, reason_code="not_at_home")
    not_image = act(client, "failed", delivery, reason_code="not_at_home", photo=fake)
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    ok = act(client, "failed", delivery, reason_code="not_at_home", photo=photo)

    assert without.status_code == not_image.status_code == 400
    assert ok.json()["outcome"] == "applied"
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED
    assert EventPhoto.objects.filter(event__delivery=delivery).count() == 1


def test_a_mistaken_failed_attempt_is_undone_within_the_grace_period(
    client, office, courier
):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    client.force_login(courier.staff.user)
    act(client, "failed", delivery, reason_code="refused")

    response = act(client, "undo", delivery)

    delivery.refresh_from_db()
    assert response.json()["outcome"] == "applied"
    assert delivery.status == Status.OUT_FOR_DELIVERY
    assert delivery.failed_attempts == 0
    assert delivery.events.filter(kind="undone").count() == 1
    assert client.get(f"/kurir/stop/{delivery.pk}/").status_code == 200


def test_the_end_of_day_lists_what_to_bring_back(client, office, courier):
    failed = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    make_delivery(Status.DELIVERED, office=office, courier=courier)
    client.force_login(courier.staff.user)
    act(client, "failed", failed, reason_code="refused")

    page = client.get("/kurir/ringkasan/").content.decode()

    assert failed.document.application_number in page
    assert 'id="n-delivered">1<' in page


def test_the_first_load_of_todays_route_is_under_100_kb(client, office, courier):
    import gzip
    from pathlib import Path

    from django.contrib.staticfiles import finders

    for _ in range(15):
        make_delivery(Status.SCHEDULED, office=office, courier=courier)
    client.force_login(courier.staff.user)

    html = client.get("/kurir/").content
    assets = [
        Path(finders.find(f"courier_app/{name}")).read_bytes()
        for name in ("app.css", "app.js")
    ]
    raw = len(html) + sum(len(a) for a in assets)
    compressed = sum(len(gzip.compress(part)) for part in (html, *assets))

    print(f"\nfirst load of today's route (15 stops): {raw} B raw, {compressed} B gzip")
    assert b"//cdn" not in html
    assert b"https://" not in html
    assert raw < 100_000


def test_a_proof_photo_is_shown_only_to_who_may_see_the_delivery(
    client, office, courier
):
    from delivery.models import ProofOfDelivery
    from delivery.services.photos import photo_file

    delivery = make_delivery(Status.DELIVERED, office=office, courier=courier)
    photo = photo_file(SimpleUploadedFile("ktp.png", PNG, content_type="image/png"))
    proof = ProofOfDelivery.objects.create(
        delivery=delivery, courier=courier, recipient_kind="holder",
        recipient_name="Siti", photo=photo,
    )  # fmt: skip
    url = f"/kurir/foto/{proof.pk}/"

    anonymous = client.get(url)
    client.force_login(CourierFactory(staff__office=office).staff.user)
    other_courier = client.get(url)
    client.force_login(courier.staff.user)
    own = client.get(url)

    assert anonymous.status_code == other_courier.status_code == 404
    assert own.status_code == 200
    assert own["Content-Type"] == "image/jpeg"
    assert own.content.startswith(b"\xff\xd8")


def test_the_app_speaks_indonesian_first_and_english_on_request(client, courier):
    client.force_login(courier.staff.user)

    indonesian = client.get("/kurir/").content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/kurir/"})
    english = client.get(switched.url).content.decode()

    assert "Rute hari ini" in indonesian
    assert "Today's route" in english.replace("&#x27;", "'")


@pytest.mark.parametrize(
    "target", ["https://evil.example/kurir/", "//evil.example", "/\\evil.example"]
)
def test_an_action_never_sends_the_courier_off_site(client, courier, target):
    client.force_login(courier.staff.user)

    response = client.post(
        "/kurir/aksi/", {"client_id": str(uuid.uuid4()), "action": "x", "next": target}
    )

    assert response.status_code == 302
    assert response.url == "/kurir/"


def test_an_action_returns_to_the_stop_it_was_sent_from(client, office, courier):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    client.force_login(courier.staff.user)
    page = f"/kurir/stop/{delivery.pk}/"

    response = client.post(
        "/kurir/aksi/", {"client_id": str(uuid.uuid4()), "action": "x", "next": page}
    )

    assert response.url == page


def test_no_courier_page_shows_a_tracking_code(client, office, courier):
    out = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    done = make_delivery(Status.DELIVERED, office=office, courier=courier)
    client.force_login(courier.staff.user)

    pages = [
        client.get(url).content.decode()
        for url in ("/kurir/", f"/kurir/stop/{out.pk}/", "/kurir/ringkasan/")
    ]

    for delivery in (out, done):
        for page in pages:
            assert delivery.tracking_code not in page
            assert delivery.tracking_code_display not in page


def test_the_code_goes_out_on_arrival_not_on_the_way_and_the_page_says_until_when(
    client, office, courier
):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    client.force_login(courier.staff.user)

    act(client, "heading", delivery)
    on_the_way = client.get(f"/kurir/stop/{delivery.pk}/").content.decode()
    sent_on_the_way = HandoverCode.objects.filter(delivery=delivery).count()
    act(client, "arrived", delivery)
    arrived = client.get(f"/kurir/stop/{delivery.pk}/").content.decode()

    assert delivery.events.filter(kind="heading").exists()
    assert sent_on_the_way == 0
    assert "saat Anda menekan Sudah tiba" in on_the_way
    code = HandoverCode.objects.get(delivery=delivery)
    until = timezone.localtime(code.expires_at).strftime("%H.%M")
    assert f"berlaku sampai {until}" in arrived


def switch_language(client, page: str, language: str) -> str:
    """Post the page's own language form; where the switch leads."""
    html = client.get(page).content.decode()
    form = html[html.index('action="/i18n/setlang/"') :]
    next_url = re.search(r'name="next" value="([^"]*)"', form).group(1)
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    return response["Location"]


@pytest.mark.parametrize(
    ("page", "language", "expected"),
    [("/kurir/", "en", "/en/kurir/"), ("/en/kurir/", "id", "/kurir/")],
)
def test_the_language_switch_goes_both_ways(client, courier, page, language, expected):
    client.force_login(courier.staff.user)

    assert switch_language(client, page, language) == expected


def publish_route(office, courier, deliveries):
    """Today's published plan with the deliveries as stops 1, 2, 3... of the route."""
    now = timezone.now()
    plan = RoutePlan.objects.create(
        office=office, date=timezone.localdate(), status=PlanStatus.PUBLISHED
    )
    route = Route.objects.create(plan=plan, courier=courier)
    for sequence, delivery in enumerate(deliveries, start=1):
        stop = Stop.objects.create(
            route=route,
            sequence=sequence,
            lat=-0.66,
            lon=100.94,
            arrival_at=now,
            service_start_at=now,
            eta_start_at=now,
            eta_end_at=now,
        )
        PlannedDelivery.objects.create(plan=plan, delivery=delivery, stop=stop)


def test_a_failed_attempt_renumbers_no_later_stop(client, office, courier):
    stops = [
        make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
        for _ in range(3)
    ]
    publish_route(office, courier, stops)
    client.force_login(courier.staff.user)
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")

    failed = act(client, "failed", stops[0], reason_code="not_at_home", photo=photo)
    page = client.get(f"/kurir/stop/{stops[2].pk}/").content.decode()

    assert failed.json()["outcome"] == "applied"
    assert "<h1>Titik 3:" in page


def test_a_refused_form_without_js_names_the_field_and_returns_to_the_stop(
    client, office, courier
):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office, courier=courier)
    client.force_login(courier.staff.user)

    response = client.post(
        "/kurir/aksi/",
        {"action": "failed", "delivery": delivery.pk, "next": "/kurir/"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"/kurir/stop/{delivery.pk}/"
    assert 'role="alert">Alasan: Kolom ini wajib diisi.' in response.content.decode()
