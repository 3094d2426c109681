"""The OpenAPI schema describes the API's answers as they are: refusals, media types."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def paths(client) -> dict:
    return yaml.safe_load(client.get("/api/schema/").content)["paths"]


def test_every_operation_documents_its_refusals(paths):
    detail = paths["/api/deliveries/{delivery_id}/"]["get"]["responses"]
    hold = paths["/api/deliveries/{delivery_id}/hold/"]["post"]["responses"]
    track = paths["/api/track/{code}/"]["get"]["responses"]

    assert set(detail) == {"200", "403", "404"}
    assert set(hold) == {"200", "400", "403", "404", "409"}
    assert "403" not in track  # public: nobody is refused for their role


def test_the_plan_geojson_is_documented_as_geojson(paths):
    ok = paths["/api/plans/{plan_id}/geojson/"]["get"]["responses"]["200"]

    assert list(ok["content"]) == ["application/geo+json"]


def test_the_batch_intake_takes_only_a_json_list(client, paths):
    from tests.factories import StaffFactory

    body = paths["/api/deliveries/intake/batch/"]["post"]["requestBody"]
    client.force_login(StaffFactory().user)

    response = client.post("/api/deliveries/intake/batch/", {"a": "b"})

    assert list(body["content"]) == ["application/json"]
    assert response.status_code == 415


def test_an_api_url_that_matches_nothing_answers_json_404(client):
    response = client.get("/api/deliveries/not-a-number/")
    page = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Tidak ditemukan."}
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
