"""The public tracking API: the page's data as JSON, with the page's refusals."""

import pytest

from delivery import tracking_codes
from delivery.models import Status
from tests.factories import make_delivery

pytestmark = pytest.mark.django_db


def test_api_gives_status_eta_timeline_deadline_and_office(client):
    delivery = make_delivery(Status.SCHEDULED)

    response = client.get(f"/api/track/{delivery.tracking_code}/")

    data = response.json()
    assert response.status_code == 200
    assert data["code"] == tracking_codes.display(delivery.tracking_code)
    assert (data["status"], data["status_label"]) == ("scheduled", "Dijadwalkan")
    assert data["eta_start_at"].endswith("+07:00")
    assert data["collection_deadline"] == str(delivery.document.collection_deadline)
    assert data["office"]["name"] == delivery.office.name
    assert [e["kind"] for e in data["timeline"]][:2] == ["transition", "transition"]
    assert data["timeline"][0]["label"] == "Dijadwalkan"  # newest first


def test_api_speaks_english_under_en(client):
    delivery = make_delivery(Status.QUEUED)

    data = client.get(f"/en/api/track/{delivery.tracking_code}/").json()

    assert data["status_label"] == "Queued"
    assert data["eta_start_at"] is None


def test_api_refuses_typos_unknown_codes_and_needs_no_login(client):
    code = make_delivery(Status.QUEUED).tracking_code

    wrong_check = "X" if code[-1] != "X" else "Y"  # never the code itself
    typo = client.get(f"/api/track/{code[:-1]}{wrong_check}/")
    unknown = client.get(f"/api/track/{tracking_codes.generate()}/")
    other_unknown = client.get(f"/api/track/{tracking_codes.generate()}/")

    assert typo.status_code == 400
    assert "salah ketik" in typo.json()["detail"]
    assert unknown.status_code == other_unknown.status_code == 404
    assert unknown.content == other_unknown.content


def test_api_shares_the_page_budget(client, settings):
    settings.TRACKING_RATE_LIMIT = 2
    code = make_delivery(Status.QUEUED).tracking_code

    client.get(f"/t/{code}/")
    client.get(f"/api/track/{code}/")
    throttled = client.get(f"/api/track/{code}/")

    assert throttled.status_code == 429
    assert "detail" in throttled.json()


def test_api_answers_get_as_drf_did_and_other_methods_through_drf(client):
    code = make_delivery(Status.QUEUED).tracking_code
    url = f"/api/track/{code}/"

    get = client.get(url)
    head = client.head(url)
    post = client.post(url)
    options = client.options(url)

    assert get["Content-Type"] == "application/json"
    assert get["Allow"] == head["Allow"] == post["Allow"] == "GET, HEAD, OPTIONS"
    assert "no-store" in get["Cache-Control"]
    assert head.status_code == options.status_code == 200
    assert post.status_code == 405
    assert "detail" in post.json()
    assert options.json()["renders"] == ["application/json"]
