"""The applicant's requests from the tracking page, at the service level."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import translation

from delivery.errors import DomainError, TransitionNotAllowed
from delivery.models import ActorKind, Delivery, EventKind, Status
from delivery.selectors import deliveries_to_plan
from delivery.services import (
    delivery_hold_for_collection,
    delivery_request_day,
    delivery_request_window,
    delivery_sms_opt_in,
    delivery_sms_opt_out,
)
from delivery.services.applicant_requests import request_day_choices
from notifications import gsm
from notifications.models import SmsMessage, SmsStatus
from routing.models import PlannedDelivery
from routing.services import route_plan_start
from tests.factories import (
    CourierFactory,
    OfficeFactory,
    issued_days_ago,
    make_delivery,
    today,
)
from tests.helpers import sent_sms

pytestmark = pytest.mark.django_db
# Monday 7 September 2026, 10.00 WIB: the days ahead in these tests are working days.
MONDAY = datetime(2026, 9, 7, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def on_a_monday():
    with time_machine.travel(MONDAY):
        yield


def last_event(delivery):
    return delivery.events.order_by("-at", "-id").first()


def test_another_day_for_a_queued_delivery_is_recorded_and_confirmed_by_sms(
    django_capture_on_commit_callbacks,
):
    delivery = make_delivery(Status.QUEUED, language="id")
    day = today() + timedelta(days=3)

    with django_capture_on_commit_callbacks(execute=True):
        delivery_request_day(delivery=delivery, on_date=day)

    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED
    assert delivery.requested_date == day
    event = last_event(delivery)
    assert event.kind == EventKind.APPLICANT_REQUEST
    assert event.actor_kind == ActorKind.APPLICANT
    assert event.reason_code == "another_day"
    body = sent_sms()[-1][1].body
    assert body.startswith("IMIGRASI SIJUNJUNG: Permintaan diterima")
    assert f"/t/{delivery.tracking_code}" in body


def test_another_day_for_a_scheduled_delivery_takes_it_off_the_plan():
    delivery = make_delivery(Status.SCHEDULED)
    day = today() + timedelta(days=2)

    delivery_request_day(delivery=delivery, on_date=day)

    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED
    assert delivery.courier_id is None
    assert delivery.eta_start_at is None
    assert delivery.requested_date == day
    unscheduled = delivery.events.get(from_status=Status.SCHEDULED)
    assert unscheduled.actor_kind == ActorKind.APPLICANT


@pytest.mark.parametrize("days_ahead", [0, -1, 15])
def test_a_day_outside_the_next_14_days_is_refused_and_changes_nothing(days_ahead):
    delivery = make_delivery(Status.SCHEDULED)
    events_before = delivery.events.count()

    with pytest.raises(DomainError):
        delivery_request_day(
            delivery=delivery, on_date=today() + timedelta(days=days_ahead)
        )

    delivery.refresh_from_db()
    assert delivery.status == Status.SCHEDULED
    assert delivery.requested_date is None
    assert delivery.events.count() == events_before


@pytest.mark.parametrize(
    "day",
    [date(2026, 9, 12), date(2026, 9, 13), date(2026, 9, 9)],
    ids=["saturday", "sunday", "office-closed-day"],
)
def test_a_day_the_office_does_not_work_is_neither_offered_nor_accepted(day, settings):
    settings.OFFICE_CLOSED_DAYS = frozenset({date(2026, 9, 9)})
    delivery = make_delivery(Status.QUEUED)
    events_before = delivery.events.count()

    offered = request_day_choices(delivery=delivery)
    with pytest.raises(DomainError):
        delivery_request_day(delivery=delivery, on_date=day)

    assert day not in offered
    assert date(2026, 9, 14) in offered  # the Monday after
    assert delivery.events.count() == events_before


def test_national_holidays_are_not_offered():
    with time_machine.travel(datetime(2026, 12, 21, 3, 0, tzinfo=UTC)):
        delivery = make_delivery(Status.QUEUED)
        offered = request_day_choices(delivery=delivery)

    assert date(2026, 12, 24) in offered
    assert date(2026, 12, 25) not in offered  # Christmas Day


def test_a_day_on_or_after_the_collection_deadline_is_refused():
    delivery = make_delivery(Status.QUEUED, issued_on=issued_days_ago(25))
    deadline = delivery.document.collection_deadline

    with pytest.raises(DomainError):
        delivery_request_day(delivery=delivery, on_date=deadline)
    delivery_request_day(delivery=delivery, on_date=deadline - timedelta(days=1))

    delivery.refresh_from_db()
    assert delivery.requested_date == deadline - timedelta(days=1)


def test_nothing_can_be_changed_once_the_passport_left_the_office():
    delivery = make_delivery(Status.OUT_FOR_DELIVERY)

    with pytest.raises(TransitionNotAllowed):
        delivery_request_day(delivery=delivery, on_date=today() + timedelta(days=1))
    with pytest.raises(TransitionNotAllowed):
        delivery_request_window(delivery=delivery, window_start=time(10, 0))
    with pytest.raises(TransitionNotAllowed):
        delivery_hold_for_collection(delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == Status.OUT_FOR_DELIVERY


def test_time_window_is_two_hours_and_the_next_plan_must_honour_it(
    django_capture_on_commit_callbacks,
):
    delivery = make_delivery(Status.SCHEDULED, language="en")
    tomorrow = today() + timedelta(days=1)
    Delivery.objects.filter(pk=delivery.pk).update(scheduled_date=tomorrow)

    with django_capture_on_commit_callbacks(execute=True):
        delivery_request_window(delivery=delivery, window_start=time(13, 0))

    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED
    assert (delivery.window_start, delivery.window_end) == (time(13, 0), time(15, 0))
    assert last_event(delivery).reason_code == "time_window"
    assert "13.00-15.00 WIB" in sent_sms()[-1][1].body


@pytest.mark.parametrize("start", [time(7, 0), time(15, 0), time(9, 30)])
def test_a_window_outside_08_to_16_or_off_the_hour_is_refused(start):
    delivery = make_delivery(Status.QUEUED)

    with pytest.raises(DomainError):
        delivery_request_window(delivery=delivery, window_start=start)

    delivery.refresh_from_db()
    assert delivery.window_start is None


def test_hold_for_collection_takes_it_off_planning_with_event_and_sms(
    django_capture_on_commit_callbacks,
):
    delivery = make_delivery(Status.SCHEDULED)

    with django_capture_on_commit_callbacks(execute=True):
        delivery_hold_for_collection(delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == Status.ON_HOLD
    assert delivery.courier_id is None
    event = last_event(delivery)
    assert (event.to_status, event.actor_kind) == (Status.ON_HOLD, ActorKind.APPLICANT)
    assert "ditunda" in sent_sms()[-1][1].body


def test_sms_opt_out_silences_status_sms_until_opted_in_again():
    delivery = make_delivery(Status.QUEUED)

    delivery_sms_opt_out(delivery=delivery)
    delivery_request_day(delivery=delivery, on_date=today() + timedelta(days=1))
    silenced = SmsMessage.objects.filter(template="request_received").get()
    delivery_sms_opt_in(delivery=delivery)
    delivery_request_window(delivery=delivery, window_start=time(8, 0))

    assert silenced.status == SmsStatus.SUPPRESSED
    latest = SmsMessage.objects.filter(template="request_received").latest("id")
    assert latest.status != SmsStatus.SUPPRESSED
    reasons = list(
        delivery.events.filter(kind=EventKind.APPLICANT_REQUEST).values_list(
            "reason_code", flat=True
        )
    )
    assert reasons == ["sms_opt_out", "another_day", "sms_opt_in", "time_window"]


def test_planning_leaves_a_delivery_for_its_requested_day():
    delivery = make_delivery(Status.QUEUED)
    requested = today() + timedelta(days=3)
    delivery_request_day(delivery=delivery, on_date=requested)

    def planned_on(day):
        ids = deliveries_to_plan(
            office_id=delivery.office_id, exclude_ids=set(), on_date=day
        ).values_list("id", flat=True)
        return delivery.id in ids

    assert not planned_on(requested - timedelta(days=1))
    assert planned_on(requested)
    assert planned_on(requested + timedelta(days=1))


def test_a_plan_for_tomorrow_leaves_out_a_delivery_asked_for_later(
    django_capture_on_commit_callbacks,
):
    office = OfficeFactory()
    CourierFactory(staff__office=office)
    waiting, later = make_delivery(office=office), make_delivery(office=office)
    tomorrow = today() + timedelta(days=1)
    delivery_request_day(delivery=later, on_date=tomorrow + timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        plan = route_plan_start(
            office=office, on_date=tomorrow, actor=None, time_limit_s=1
        )

    planned = set(
        PlannedDelivery.objects.filter(plan=plan).values_list("delivery_id", flat=True)
    )
    assert planned == {waiting.pk}


def test_collect_at_office_sms_says_it_was_the_applicants_request(
    django_capture_on_commit_callbacks,
):
    from delivery.services.applicant_requests import delivery_hold_for_collection
    from notifications.models import SmsMessage
    from tests.factories import make_delivery

    delivery = make_delivery("queued")

    delivery_hold_for_collection(delivery=delivery)

    body = SmsMessage.objects.get(template="on_hold").body
    assert "atas permintaan Anda" in body


def test_a_window_for_a_delivery_on_todays_route_is_refused_and_changes_nothing():
    delivery = make_delivery(Status.SCHEDULED)

    with translation.override("en"), pytest.raises(DomainError, match="today's route"):
        delivery_request_window(delivery=delivery, window_start=time(13, 0))

    delivery.refresh_from_db()
    assert delivery.status == Status.SCHEDULED
    assert delivery.scheduled_date == today()
    assert delivery.window_start is None
    assert not delivery.events.filter(kind=EventKind.APPLICANT_REQUEST).exists()


def test_another_day_is_named_in_the_sms_with_its_year(
    django_capture_on_commit_callbacks,
):
    delivery = make_delivery(Status.QUEUED, language="id")

    with django_capture_on_commit_callbacks(execute=True):
        delivery_request_day(delivery=delivery, on_date=date(2026, 9, 10))

    body = sent_sms()[-1][1].body
    assert "paspor diantar mulai Kamis, 10 Sep 2026." in body
    assert gsm.segments(body) == 1, body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "diantar mulai Selasa, 8 Sep 2026 13.00-15.00 WIB."),
        ("en", "delivery from Tuesday, 8 Sep 2026 13.00-15.00 WIB."),
    ],
)
def test_a_window_on_a_later_planned_day_names_that_day_in_the_sms(
    django_capture_on_commit_callbacks, language, expected
):
    delivery = make_delivery(Status.SCHEDULED, language=language)
    Delivery.objects.filter(pk=delivery.pk).update(scheduled_date=date(2026, 9, 8))

    with django_capture_on_commit_callbacks(execute=True):
        delivery_request_window(delivery=delivery, window_start=time(13, 0))

    body = sent_sms()[-1][1].body
    assert expected in body
    assert gsm.segments(body) == 1, body


def test_a_window_with_no_day_planned_names_no_day(django_capture_on_commit_callbacks):
    delivery = make_delivery(Status.QUEUED, language="id")

    with django_capture_on_commit_callbacks(execute=True):
        delivery_request_window(delivery=delivery, window_start=time(8, 0))

    assert "paspor diantar 08.00-10.00 WIB." in sent_sms()[-1][1].body
