"""The courier's manifest carries what the courier needs at the door: the street
address and the applicant's phone."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.console.test_views import _published_plan

pytestmark = pytest.mark.django_db


def test_manifest_pdf_has_each_stops_street_address_and_phone(
    console, office, couriers, dispatcher, django_capture_on_commit_callbacks
):
    plan = _published_plan(
        office, couriers, django_capture_on_commit_callbacks, dispatcher
    )
    route = plan.routes.first()

    response = console.get(reverse("console:manifest", args=[plan.pk, route.pk]))

    text = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages
    )
    words = " ".join(text.split())
    for stop in route.stops.all():
        for item in stop.items.select_related("delivery__document__applicant"):
            assert " ".join(item.delivery.address_line.split()) in words
            assert item.delivery.document.applicant.phone in words
