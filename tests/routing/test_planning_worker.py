"""The demo's queue planned by a real Celery worker over Redis, on PostgreSQL."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from delivery.models import Delivery, Staff, Status
from routing.models import PlannedDelivery, PlanStatus, RoutePlan
from tests.helpers import wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_worker_plans_the_demo_queue_with_visible_progress(celery_worker):
    call_command("seed_demo")
    client = APIClient()
    client.force_authenticate(Staff.objects.get(user__username="petugas").user)
    day = (timezone.localdate() + timedelta(days=1)).isoformat()

    started = client.post(
        "/api/plans/", {"date": day, "time_limit_s": 8}, format="json"
    )
    plan_id = started.json()["id"]
    seen = []

    def finished() -> bool:
        body = client.get(f"/api/plans/{plan_id}/").json()
        seen.append((body["status"], body["progress"], body["best_cost"]))
        return body["status"] in (PlanStatus.DRAFT, PlanStatus.FAILED)

    assert wait_until(finished, timeout=90, interval=0.3)
    detail = client.get(f"/api/plans/{plan_id}/").json()
    geojson = client.get(f"/api/plans/{plan_id}/geojson/").json()
    published = client.post(
        f"/api/plans/{plan_id}/publish/",
        {"confirm": True, "accept_lateness": True},
        format="json",
    )

    assert started.status_code == 202
    assert any(s == "solving" and 0 < p < 1 and c is not None for s, p, c in seen)
    assert detail["status"] == "draft"
    planned = PlannedDelivery.objects.filter(plan_id=plan_id, stop__isnull=False)
    assert planned.count() + len(detail["dropped"]) == 150
    assert all(stop["eta_start_at"] for r in detail["routes"] for stop in r["stops"])
    assert (
        len([f for f in geojson["features"] if f["properties"]["kind"] == "stop"]) > 0
    )
    assert published.status_code == 200
    scheduled = Delivery.objects.filter(status=Status.SCHEDULED)
    assert scheduled.count() == planned.count()
    assert RoutePlan.objects.get(pk=plan_id).status == PlanStatus.PUBLISHED
