"""The planning horizon: days in sequence, urgency by deadline, why some miss."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from delivery.models import Delivery, Role, Status
from delivery.workdays import next_working_day
from routing import horizon as routing_horizon
from routing.core import horizon
from routing.models import PlanForecast
from routing.services import route_plan_start
from tests.factories import CourierFactory, OfficeFactory, StaffFactory, make_delivery

VILLAGES = ["13.03.04.2001", "13.03.04.2009", "13.03.05.2001", "13.03.04.2004"]


# --- the arithmetic (no database) --------------------------------------------


def test_fewer_days_left_weigh_more():
    days = [date(2027, 8, 16), date(2027, 8, 18), date(2027, 8, 19)]
    today = days[0]
    weights = [
        horizon.urgency_priority(base=1, days=days, today=today, deadline=deadline)
        for deadline in (days[0], days[1], days[2], date(2027, 9, 30))
    ]
    assert weights[0] > weights[1] > weights[2] > weights[3] == 1


@pytest.mark.parametrize(
    ("drops", "deadline", "located", "expected"),
    [
        (["capacity"], date(2027, 8, 18), True, "capacity"),
        (["not_reachable_in_time"] * 2, date(2027, 8, 18), True, "too_far"),
        (["time_window"], date(2027, 8, 18), True, "time_window"),
        (["not_reachable_in_time", "capacity"], date(2027, 8, 18), True, "capacity"),
        ([], date(2027, 8, 1), True, "deadline_passed"),
        ([], date(2027, 8, 18), False, "no_location"),
        ([], date(2027, 8, 18), True, "requested_late"),
    ],
)
def test_the_reason_a_delivery_is_at_risk(drops, deadline, located, expected):
    reason = horizon.risk_reason(
        deadline=deadline,
        start=date(2027, 8, 16),
        has_location=located,
        drop_reasons=drops,
    )
    assert reason == expected


def test_courier_days_needed_follow_the_pace():
    assert horizon.courier_days_needed(short=0, served=10, courier_days=2) == 0
    assert horizon.courier_days_needed(short=7, served=10, courier_days=2) == 2
    assert horizon.courier_days_needed(short=3, served=0, courier_days=0) == 3


# --- working days --------------------------------------------------------------


def test_the_horizon_skips_weekends_and_public_holidays(settings):
    settings.OFFICE_CLOSED_DAYS = frozenset({date(2027, 8, 19)})
    # Friday 13 August 2027; 17 August is Independence Day, 19 August closed.
    days = routing_horizon.horizon_days(date(2027, 8, 13), 4)
    assert days == [
        date(2027, 8, 13),
        date(2027, 8, 16),
        date(2027, 8, 18),
        date(2027, 8, 20),
    ]


# --- solving the days in sequence ------------------------------------------------


def _due(office, deadline: date, village=VILLAGES[0], **extra) -> Delivery:
    """A queued delivery whose collection deadline is `deadline`."""
    issued = deadline - timedelta(days=30)
    return make_delivery(
        Status.QUEUED,
        office=office,
        village_code=village,
        issued_on=issued.isoformat(),
        **extra,
    )


def _days(count: int) -> list[date]:
    return routing_horizon.horizon_days(next_working_day(timezone.localdate()), count)


def _compute(office, days, deliveries):
    return routing_horizon.forecast_compute(
        office=office,
        days=days,
        deliveries=list(
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries])
            .select_related("document")
            .order_by("id")
        ),
        day_budget_s=1,
    )


def _by_delivery(result: dict) -> dict[int, dict]:
    return {item["delivery_id"]: item for item in result["items"]}


@pytest.mark.django_db
def test_an_earlier_deadline_gets_an_earlier_day(office):
    days = _days(3)
    CourierFactory(staff__office=office, capacity=2)
    late = [_due(office, days[2] + timedelta(days=20), VILLAGES[i]) for i in (0, 1)]
    urgent = [_due(office, days[0], VILLAGES[i]) for i in (2, 3)]

    result = _compute(office, days, late + urgent)

    items = _by_delivery(result)
    assert {items[d.pk]["day"] for d in urgent} == {days[0].isoformat()}
    assert {items[d.pk]["day"] for d in late} == {days[1].isoformat()}
    assert result["days"][0]["total"] == 2
    assert result["summary"] == {
        "planned": 4, "at_risk": 0, "later": 0, "courier_days_needed": 0,
    }  # fmt: skip


@pytest.mark.django_db
def test_overflow_beyond_capacity_is_at_risk_for_capacity(office):
    days = _days(2)
    CourierFactory(staff__office=office, capacity=1)
    due = [_due(office, days[1], VILLAGES[i]) for i in range(3)]
    beyond = _due(office, days[1] + timedelta(days=20), VILLAGES[3])

    result = _compute(office, days, [*due, beyond])

    items = _by_delivery(result)
    planned = [d for d in due if items[d.pk]["day"]]
    missed = [d for d in due if not items[d.pk]["day"]]
    assert len(planned) == 2
    assert len(missed) == 1
    assert items[missed[0].pk]["risk"] == "capacity"
    # The one with a later deadline waits: it is not at risk.
    assert items[beyond.pk] | {"delivery_id": 0} == {
        "delivery_id": 0, "day": None, "courier_id": None, "risk": "", "later": True,
    }  # fmt: skip
    assert result["summary"]["at_risk"] == 1
    assert result["summary"]["courier_days_needed"] == 1


@pytest.mark.django_db
def test_a_stop_out_of_reach_of_every_shift_is_at_risk_for_distance(office):
    days = _days(2)
    CourierFactory(staff__office=office, shift_start=time(8), shift_end=time(8, 40))
    near = _due(office, days[1], VILLAGES[0])
    # Its deadline lies beyond the horizon: waiting would not bring it in reach.
    far = _due(office, days[1] + timedelta(days=20), VILLAGES[1])
    # Far to the south-east of the office, well over an hour away by motorbike.
    Delivery.objects.filter(pk=far.pk).update(
        lat=office.lat - 0.45, lon=office.lon + 0.5
    )

    result = _compute(office, days, [near, far])

    items = _by_delivery(result)
    assert items[near.pk]["day"] == days[0].isoformat()
    assert items[far.pk]["risk"] == "too_far"


@pytest.mark.django_db
def test_a_deferred_delivery_is_not_planned_before_its_day(office):
    days = _days(3)
    CourierFactory(staff__office=office)
    deferred = _due(office, days[2] + timedelta(days=10))
    Delivery.objects.filter(pk=deferred.pk).update(not_before=days[2])

    result = _compute(office, days, [deferred])

    assert _by_delivery(result)[deferred.pk]["day"] == days[2].isoformat()


# --- with a plan, through the planning task ----------------------------------------


@pytest.mark.django_db
def test_a_plan_forecasts_its_horizon_from_its_own_day(
    office, django_capture_on_commit_callbacks
):
    CourierFactory(staff__office=office, capacity=2)
    deliveries = [_due(office, timezone.localdate() + timedelta(days=25), v)
                  for v in VILLAGES]  # fmt: skip
    day = next_working_day(timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        plan = route_plan_start(
            office=office, on_date=day, actor=None, time_limit_s=2, horizon_days=3
        )
    forecast = PlanForecast.objects.get(plan=plan)

    items = _by_delivery(forecast.result)
    first = set(
        plan.items.filter(stop__isnull=False).values_list("delivery_id", flat=True)
    )
    assert len(first) == 2
    assert {items[pk]["day"] for pk in first} == {day.isoformat()}
    others = [d.pk for d in deliveries if d.pk not in first]
    assert {items[pk]["day"] for pk in others} == {next_working_day(day).isoformat()}
    assert forecast.days == 3
    assert len(forecast.result["days"]) == 3
    assert forecast.result["day_budget_s"] == 1.0


@pytest.mark.django_db
def test_the_forecast_api_is_scoped_to_the_callers_office(
    office, django_capture_on_commit_callbacks
):
    CourierFactory(staff__office=office)
    delivery = _due(office, timezone.localdate() + timedelta(days=20))
    day = next_working_day(timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        plan = route_plan_start(
            office=office, on_date=day, actor=None, time_limit_s=2, horizon_days=2
        )
    mine = StaffFactory(office=office, role=Role.AUDITOR)
    other = StaffFactory(office=OfficeFactory(code="padang"), role=Role.DISPATCHER)
    client = APIClient()
    url = f"/api/plans/{plan.pk}/forecast/"

    client.force_authenticate(mine.user)
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.json()["items"][0]["delivery_id"] == delivery.pk
    assert answer.json()["summary"]["planned"] == 1
    client.force_authenticate(other.user)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_day_planner_leaves_a_deferred_delivery_until_its_day(office):
    from delivery.selectors import deliveries_to_plan

    days = _days(2)
    deferred = _due(office, days[1] + timedelta(days=10))
    Delivery.objects.filter(pk=deferred.pk).update(not_before=days[1])

    def planned(day):
        rows = deliveries_to_plan(office_id=office.pk, exclude_ids=set(), on_date=day)
        return list(rows.values_list("pk", flat=True))

    assert planned(days[0]) == []
    assert planned(days[1]) == [deferred.pk]
