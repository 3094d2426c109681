"""Indonesian pages show words, not the codes stored behind them: plan statuses,
failure reasons, complaint categories and audit actions."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from delivery.models import Role, Status
from delivery.services.complaints import complaint_file
from routing import services as routing
from tests.factories import StaffFactory, make_delivery

pytestmark = pytest.mark.django_db
RAW_CODES = [
    r"\bDraft\b", r"\bPublished\b", r"\bSuperseded\b", r"\bWaiting for a planner\b",
    r"not_at_home", r"\blate\b", r"\bcourier\b", r"complaint\.filed",
    r"delivery\.transition", r"\bStatus change\b", r"\{'", r"\brequeued\b",
    r"max_attempts",
]  # fmt: skip


def _visible(html: str) -> str:
    body = html.split("<main>")[1].split("</main>")[0]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def _raw_codes(html: str) -> list[str]:
    text = _visible(html)
    return [code for code in RAW_CODES if re.search(code, text)]


@pytest.fixture
def scene(office, couriers, django_capture_on_commit_callbacks):
    failed = make_delivery(
        Status.RETURNED_TO_OFFICE, office=office, courier=couriers[0]
    )
    make_delivery(Status.QUEUED, office=office)
    complaint = complaint_file(text="Terlambat", category="late", delivery=failed)
    complaint_file(text="Kurir kasar", category="courier")
    with django_capture_on_commit_callbacks(execute=True):
        plan = routing.route_plan_start(
            office=office, on_date=timezone.localdate() + timedelta(days=1),
            actor=None, courier_ids=[c.pk for c in couriers], time_limit_s=1,
        )  # fmt: skip
    return {"plan": plan, "complaint": complaint}


def test_dispatcher_pages_in_indonesian_show_no_raw_codes(console, scene):
    pages = [
        reverse("console:plan", args=[scene["plan"].pk]),
        reverse("console:plans"),
        reverse("console:day"),
        reverse("console:figures"),
        reverse("console:complaints"),
        reverse("console:complaint", args=[scene["complaint"].ticket]),
    ]

    found = {page: _raw_codes(console.get(page).content.decode()) for page in pages}

    assert found == {page: [] for page in pages}


def test_the_audit_page_in_indonesian_shows_no_raw_codes(client, office, scene):
    auditor = StaffFactory(office=office, role=Role.AUDITOR)
    client.force_login(auditor.user)

    page = client.get("/petugas/audit/", {"day": timezone.localdate().isoformat()})

    assert "Pengaduan diajukan" in _visible(page.content.decode())
    assert _raw_codes(page.content.decode()) == []


def test_the_admin_index_in_indonesian_names_every_model_in_indonesian(client):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "r@x.id", "pw-123-abc")
    client.force_login(root)
    english = ["Handover attempt", "Event photo", "Courier action", "Route plan",
               "Audit checkpoint", "Complaint update", "Planned deliver", "SMS message",
               "Proofs of delivery", "Survey response"]  # fmt: skip

    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="id").content.decode()

    assert "Pengantaran terencana" in html
    assert [word for word in english if word.lower() in html.lower()] == []
