"""The queue shows who and where, so a search by name shows why a row matched."""

import pytest
from django.urls import reverse

from delivery.models import Role, Status
from tests.factories import PASSWORD, StaffFactory, make_delivery

pytestmark = pytest.mark.django_db


def test_a_search_by_name_shows_the_name_and_address_of_the_match(console, office):
    make_delivery(Status.QUEUED, office=office, full_name="Rahmi Yulianti",
                  address="Jl. Pemuda No. 3, Jorong Koto")  # fmt: skip
    make_delivery(Status.QUEUED, office=office, full_name="Budi Santoso")

    page = console.get(reverse("console:queue"), {"q": "rahmi"})

    html = page.content.decode()
    assert '<td class="applicant">Rahmi Yulianti</td>' in html
    assert '<td class="address">Jl. Pemuda No. 3, Jorong Koto</td>' in html
    assert "Budi Santoso" not in html


def test_an_auditor_of_the_office_sees_the_name_and_address_too(client, office):
    StaffFactory(office=office, role=Role.AUDITOR, user__username="auditor")
    make_delivery(Status.QUEUED, office=office, full_name="Rahmi Yulianti")
    client.login(username="auditor", password=PASSWORD)

    page = client.get(reverse("console:queue"))

    assert '<td class="applicant">Rahmi Yulianti</td>' in page.content.decode()
