"""The location page: the known village is preselected, and saving it as shown
changes nothing."""

import re

import pytest
from django.urls import reverse

from delivery.models import EventKind, Status
from tests.factories import VILLAGE_MUARO, make_delivery

pytestmark = pytest.mark.django_db


def _shown_values(html: str) -> dict[str, str]:
    """What a browser would send back for the form as rendered."""
    select = html[html.index('name="village_code"') :].split("</select>")[0]
    selected = re.search(r'<option value="([^"]*)" selected>', select)
    values = dict(re.findall(r'name="(lat|lon)" value="([^"]*)"', html))
    return {"village_code": selected.group(1) if selected else "", **values}


def test_the_known_village_is_preselected(console, office):
    delivery = make_delivery(Status.QUEUED, office=office, village_code=VILLAGE_MUARO)

    page = console.get(reverse("console:location", args=[delivery.pk]))

    assert _shown_values(page.content.decode())["village_code"] == VILLAGE_MUARO


def test_saving_the_location_as_shown_changes_nothing(console, office):
    delivery = make_delivery(Status.QUEUED, office=office, village_code=VILLAGE_MUARO)
    url = reverse("console:location", args=[delivery.pk])
    before = (delivery.location_quality, delivery.lat, delivery.lon)

    response = console.post(url, _shown_values(console.get(url).content.decode()))

    delivery.refresh_from_db()
    assert response.status_code == 302
    assert (delivery.location_quality, delivery.lat, delivery.lon) == before
    assert not delivery.events.filter(kind=EventKind.LOCATION_FIXED).exists()


def test_a_moved_pin_is_saved_although_the_village_stays_selected(console, office):
    delivery = make_delivery(Status.QUEUED, office=office, village_code=VILLAGE_MUARO)
    url = reverse("console:location", args=[delivery.pk])
    shown = _shown_values(console.get(url).content.decode())

    console.post(url, {**shown, "lat": "-0.70", "lon": "100.95"})

    delivery.refresh_from_db()
    assert (delivery.lat, delivery.lon, delivery.location_quality) == (
        -0.70,
        100.95,
        "pin",
    )
