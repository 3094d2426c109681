"""An auditor in the console: starts at the audit trail, sees no forms they may not
use, and a refused step answers with the console's own page in Bahasa Indonesia."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from delivery.models import Role, Status
from routing import services as routing
from tests.factories import PASSWORD, StaffFactory, make_delivery

pytestmark = pytest.mark.django_db
SIGN_OUT_AND_LANGUAGE = {"/petugas/keluar/", "/i18n/setlang/"}


@pytest.fixture
def auditor(client, office):
    staff = StaffFactory(office=office, role=Role.AUDITOR, user__username="auditor")
    client.login(username="auditor", password=PASSWORD)
    return staff


@pytest.fixture
def draft(office, couriers, django_capture_on_commit_callbacks):
    make_delivery(Status.QUEUED, office=office)
    with django_capture_on_commit_callbacks(execute=True):
        return routing.route_plan_start(
            office=office,
            on_date=timezone.localdate() + timedelta(days=1),
            actor=None,
            courier_ids=[c.pk for c in couriers],
            time_limit_s=1,
        )


def _post_forms(html: str) -> set[str]:
    forms = re.findall(r"<form[^>]*>", html)
    posting = [f for f in forms if 'method="post"' in f]
    actions = {(re.search(r'action="([^"]*)"', f) or [None, ""])[1] for f in posting}
    return actions - SIGN_OUT_AND_LANGUAGE


def test_an_auditor_signing_in_lands_on_the_audit_trail(client, office):
    StaffFactory(office=office, role=Role.AUDITOR, user__username="auditor")

    response = client.post(
        reverse("console:login"), {"username": "auditor", "password": PASSWORD}
    )

    assert response["Location"] == reverse("console:audit")


def test_an_auditor_sees_no_form_they_may_not_use(client, auditor, office, draft):
    make_delivery(Status.QUEUED, office=office)
    pages = [
        reverse("console:queue"),
        reverse("console:plans"),
        reverse("console:plan", args=[draft.pk]),
        reverse("console:day"),
    ]

    html = {page: client.get(page).content.decode() for page in pages}

    assert {page: _post_forms(text) for page, text in html.items()} == {
        page: set() for page in pages
    }
    assert 'name="ids"' not in html[reverse("console:queue")]
    assert "manifes" not in html[reverse("console:plan", args=[draft.pk])]
    assert reverse("console:import") not in "".join(html.values())


def test_a_refused_step_is_a_403_in_indonesian_in_the_console_layout(
    client, auditor, office
):
    delivery = make_delivery(Status.QUEUED, office=office)

    post = client.post(
        reverse("console:bulk"), {"action": "hold", "reason": "x", "ids": [delivery.pk]}
    )
    page = client.get(reverse("console:import"))

    for response in (post, page):
        text = response.content.decode()
        assert response.status_code == 403
        assert "Tidak diizinkan" in text
        assert 'class="top"' in text
        assert reverse("console:audit") in text
