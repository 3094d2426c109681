"""The tracking page and its API never show the applicant's personal data.

Every response of every page, state, language, request and refusal is searched for
canaries seeded into the applicant's name, phone, address and passport number.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from delivery import tracking_codes
from delivery.models import Status
from delivery.workdays import next_working_day
from tests.factories import StaffFactory, make_delivery

pytestmark = pytest.mark.django_db

CANARIES = {
    "full_name": "Zulkifli Kenarimerah",
    "phone": "+6281299887766",
    "address": "Jl. Kenariputih No. 77, Jorong Kenarikuning",
    "passport_number": "XC9988776",
    "application_number": "CANARY-APP-4711",
}
# Forms the same data may take on a page: the local number, the digits alone.
VARIANTS = ["Kenarimerah", "Kenariputih", "Kenarikuning", "81299887766", "9988776"]
STATES = [
    Status.QUEUED,
    Status.SCHEDULED,
    Status.OUT_FOR_DELIVERY,
    Status.DELIVERED,
    Status.ON_HOLD,
    Status.RETURNED_TO_OFFICE,
    Status.CANCELLED,
]


def seeded(status):
    return make_delivery(
        status,
        full_name=CANARIES["full_name"],
        phone=CANARIES["phone"],
        address=CANARIES["address"],
        passport_number=CANARIES["passport_number"],
        application_number=f"{CANARIES['application_number']}-{STATES.index(status)}",
    )


def responses_for(client, delivery):
    code = delivery.tracking_code
    day = next_working_day(timezone.localdate() + timedelta(days=1)).isoformat()
    yield client.get(f"/t/{code}/")
    yield client.get(f"/en/t/{code}/")
    yield client.get(f"/api/track/{code}/")
    yield client.get(f"/en/api/track/{code}/")
    yield client.get("/lacak/", {"code": tracking_codes.display(code)}, follow=True)
    yield client.post(f"/t/{code}/hari-lain/", {"day": "not-a-day"})
    yield client.post(f"/t/{code}/jam/", {"start": "10:00"}, follow=True)
    yield client.post(f"/t/{code}/hari-lain/", {"day": day}, follow=True)
    yield client.post(f"/t/{code}/sms/", {"sms": "off"}, follow=True)
    yield client.post(f"/en/t/{code}/sms/", {"sms": "on"}, follow=True)
    yield client.post(f"/t/{code}/ambil-di-kantor/", follow=True)
    yield client.post(f"/t/{code}/ambil-di-kantor/", {"confirm": "on"}, follow=True)
    yield client.get(f"/t/{code[:-1]}/")


def leaks(response) -> list[str]:
    body = response.content.decode().lower()
    needles = [*CANARIES.values(), *VARIANTS]
    return [needle for needle in needles if needle.lower() in body]


def test_no_response_of_the_tracking_page_or_api_contains_personal_data(
    client, settings
):
    settings.TRACKING_RATE_LIMIT = 1_000
    deliveries = [seeded(status) for status in STATES]

    responses = [r for d in deliveries for r in responses_for(client, d)]
    responses += [client.get(f"/t/{tracking_codes.generate()}/")]

    statuses = {r.status_code for r in responses}
    assert {200, 400, 404, 409} <= statuses  # pages, refusals and errors all searched
    found = {(r.request["PATH_INFO"], r.status_code): leaks(r) for r in responses}
    assert {where: what for where, what in found.items() if what} == {}


def test_the_search_finds_the_canaries_where_they_are_shown(client):
    delivery = seeded(Status.QUEUED)
    client.force_login(StaffFactory(office=delivery.office).user)

    back_office = client.get(f"/api/deliveries/{delivery.pk}/")

    assert back_office.status_code == 200
    assert {"Kenarimerah", "Kenariputih"} <= set(leaks(back_office))


def test_a_public_look_up_never_reads_the_passport_number(client, settings):
    settings.TRACKING_RATE_LIMIT = 1_000
    delivery = seeded(Status.SCHEDULED)
    code = delivery.tracking_code

    with CaptureQueriesContext(connection) as queries:
        pages = [client.get(f"/t/{code}/"), client.get(f"/api/track/{code}/")]

    assert [page.status_code for page in pages] == [200, 200]
    read = [q["sql"] for q in queries if '"delivery_document"' in q["sql"]]
    assert read  # the look-ups did read the passport's row (its deadline)
    assert not [sql for sql in read if '"passport_number"' in sql]
