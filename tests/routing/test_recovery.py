"""Plans whose planner died: restarted once, then failed with a reason shown to all."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from routing.models import PlanStatus, RoutePlan
from routing.recovery import route_plans_sweep
from routing.tasks import route_plan_solve_task
from tests.factories import PASSWORD, CourierFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatcher():
    staff = StaffFactory(user__username="petugas")
    CourierFactory(staff__office=staff.office)
    return staff


def _silent_plan(office, *, attempts: int, silent_for: timedelta) -> RoutePlan:
    """A plan as a killed worker leaves it: solving, its last heartbeat long ago."""
    return RoutePlan.objects.create(
        office=office,
        date=timezone.localdate() + timedelta(days=1),
        status=PlanStatus.SOLVING,
        solve_attempts=attempts,
        heartbeat_at=timezone.now() - silent_for,
        parameters={"time_limit_s": 1},
    )


def test_a_plan_whose_planner_died_is_run_once_more(dispatcher):
    plan = _silent_plan(dispatcher.office, attempts=1, silent_for=timedelta(minutes=3))

    counts = route_plans_sweep()

    plan.refresh_from_db()
    assert counts == {"sent": 0, "restarted": 1, "failed": 0}
    assert plan.status == PlanStatus.DRAFT  # the eager worker solved it again
    assert plan.solve_attempts == 2


def test_a_plan_whose_planner_died_twice_fails_with_a_reason_shown_to_the_dispatcher(
    dispatcher, client
):
    plan = _silent_plan(dispatcher.office, attempts=2, silent_for=timedelta(minutes=3))
    client.login(username="petugas", password=PASSWORD)
    api = APIClient()
    api.force_authenticate(dispatcher.user)

    counts = route_plans_sweep()
    redelivered = route_plan_solve_task.delay(plan.pk).get()

    plan.refresh_from_db()
    page = client.get(f"/petugas/rencana/{plan.pk}/").content.decode()
    body = api.get(f"/api/plans/{plan.pk}/").json()
    assert counts["failed"] == 1
    assert redelivered == "already-claimed"
    assert plan.status == PlanStatus.FAILED
    assert "120" in plan.error
    assert body["status"] == "failed"
    assert body["error"] == plan.error
    assert plan.error in page
    assert 'id="plan-again"' in page


def test_a_plan_with_a_recent_heartbeat_is_left_alone(dispatcher):
    plan = _silent_plan(dispatcher.office, attempts=1, silent_for=timedelta(seconds=5))

    counts = route_plans_sweep()

    plan.refresh_from_db()
    assert counts == {"sent": 0, "restarted": 0, "failed": 0}
    assert plan.status == PlanStatus.SOLVING


def test_solving_reports_a_heartbeat(dispatcher, django_capture_on_commit_callbacks):
    from routing.services import route_plan_start

    with django_capture_on_commit_callbacks(execute=True):
        plan = route_plan_start(
            office=dispatcher.office, on_date=timezone.localdate(), actor=None
        )

    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert plan.heartbeat_at is not None
    assert plan.enqueued_at is not None
