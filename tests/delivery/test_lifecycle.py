"""Every legal and illegal step of the delivery life cycle (DESIGN.md)."""

from datetime import datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delivery import services
from delivery.errors import DomainError, TransitionNotAllowed
from delivery.models import Delivery, DeliveryEvent, Status
from delivery.services import Actor
from tests.factories import CourierFactory, OfficeFactory, make_delivery

pytestmark = pytest.mark.django_db
S = Status


def _window():
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(10)))
    return start, start + timedelta(hours=2)


def _do(action: str, delivery: Delivery, courier) -> Delivery:
    actor = Actor.system()
    start, end = _window()
    steps = {
        "queue": lambda: services.delivery_queue(delivery=delivery, actor=actor),
        "hold": lambda: services.delivery_hold(
            delivery=delivery, actor=actor, reason="r"
        ),
        "release": lambda: services.delivery_release(delivery=delivery, actor=actor),
        "schedule": lambda: services.delivery_schedule(
            delivery=delivery,
            actor=actor,
            courier=courier,
            on_date=timezone.localdate(),
            eta_start_at=start,
            eta_end_at=end,
        ),
        "unschedule": lambda: services.delivery_unschedule(
            delivery=delivery, actor=actor
        ),
        "start": lambda: services.delivery_start(delivery=delivery, actor=actor),
        "deliver": lambda: services.delivery_mark_delivered(
            delivery=delivery, actor=actor
        ),
        "collect": lambda: services.delivery_mark_collected(
            delivery=delivery, actor=actor
        ),
        "fail": lambda: services.delivery_record_failed_attempt(
            delivery=delivery, actor=actor, reason_code="not_at_home"
        ),
        "cancel": lambda: services.delivery_cancel(
            delivery=delivery, actor=actor, reason="r"
        ),
    }
    return steps[action]()


# Written from DESIGN.md's diagram, independently of services.TRANSITIONS.
EXPECTED = {
    "queue": ({S.RECEIVED}, S.QUEUED),
    "hold": ({S.RECEIVED, S.QUEUED, S.SCHEDULED}, S.ON_HOLD),
    "release": ({S.ON_HOLD}, S.QUEUED),
    "schedule": ({S.QUEUED}, S.SCHEDULED),
    "unschedule": ({S.SCHEDULED}, S.QUEUED),
    "start": ({S.SCHEDULED}, S.OUT_FOR_DELIVERY),
    "deliver": ({S.OUT_FOR_DELIVERY}, S.DELIVERED),
    "collect": ({S.ON_HOLD, S.RETURNED_TO_OFFICE}, S.DELIVERED),
    "fail": ({S.OUT_FOR_DELIVERY}, S.QUEUED),
    "cancel": (
        {S.RECEIVED, S.QUEUED, S.SCHEDULED, S.ON_HOLD, S.RETURNED_TO_OFFICE},
        S.CANCELLED,
    ),
}
RESTING = [s for s in S if s != S.ATTEMPT_FAILED]  # attempt_failed never rests


def _received_delivery(courier):
    delivery = make_delivery(S.QUEUED, office=courier.staff.office)
    # A delivery whose address could not be placed stays RECEIVED; build one.
    return services.delivery_create(
        actor=Actor.system(),
        office=delivery.office,
        document=_another_document(delivery),
        tracking_code="0000000000" + "0",
        address_line="Jl. Tak Dikenal",
        village_code=delivery.village_code,
    )


def _another_document(delivery):
    document = delivery.document
    document.pk = None
    document.application_number += "-B"
    document.save()
    return document


def _delivery_in(status, courier):
    if status == S.RECEIVED:
        return _received_delivery(courier)
    return make_delivery(status, office=courier.staff.office, courier=courier)


@pytest.mark.parametrize("status", RESTING)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_action_from_each_status_is_taken_or_refused_as_designed(status, action):
    courier = CourierFactory()
    delivery = _delivery_in(status, courier)
    if action in {"queue", "release"} and status in {S.RECEIVED, S.ON_HOLD}:
        Delivery.objects.filter(pk=delivery.pk).update(lat=-0.66, lon=100.94)
        delivery.refresh_from_db()
    events_before = delivery.events.count()
    allowed_from, target = EXPECTED[action]

    if status in allowed_from:
        _do(action, delivery, courier)
        delivery.refresh_from_db()
        assert delivery.status == target
        assert delivery.events.count() > events_before
        assert delivery.events.last().to_status == target
    else:
        with pytest.raises(TransitionNotAllowed):
            _do(action, delivery, courier)
        delivery.refresh_from_db()
        assert delivery.status == status
        assert delivery.events.count() == events_before


def test_received_without_location_cannot_be_queued():
    courier = CourierFactory()
    delivery = _received_delivery(courier)

    with pytest.raises(DomainError) as refused:
        services.delivery_queue(delivery=delivery, actor=Actor.system())

    delivery.refresh_from_db()
    assert delivery.status == S.RECEIVED
    assert refused.value.message == _(
        "The delivery has no location yet; fix the address first."
    )


def test_third_failed_attempt_returns_passport_to_office():
    delivery = make_delivery(S.RETURNED_TO_OFFICE)

    statuses = list(delivery.events.values_list("to_status", flat=True))

    assert delivery.failed_attempts == 3
    assert statuses.count(S.ATTEMPT_FAILED) == 3
    assert statuses[-2:] == [S.ATTEMPT_FAILED, S.RETURNED_TO_OFFICE]


def test_first_failed_attempt_requeues_with_reason_and_position():
    courier = CourierFactory()
    delivery = make_delivery(S.OUT_FOR_DELIVERY, courier=courier)

    services.delivery_record_failed_attempt(
        delivery=delivery,
        actor=Actor.courier(courier.staff.user),
        reason_code="address_not_found",
        position=services.Position(lat=-0.7, lon=100.9),
    )

    delivery.refresh_from_db()
    failed = delivery.events.get(to_status=S.ATTEMPT_FAILED)
    assert delivery.status == S.QUEUED
    assert delivery.courier is None
    assert (failed.reason_code, failed.lat, failed.actor) == (
        "address_not_found",
        -0.7,
        courier.staff.user,
    )


def test_failed_attempt_with_unknown_reason_is_refused():
    delivery = make_delivery(S.OUT_FOR_DELIVERY)

    with pytest.raises(DomainError):
        services.delivery_record_failed_attempt(
            delivery=delivery, actor=Actor.system(), reason_code="bored"
        )
    with pytest.raises(DomainError):
        services.delivery_record_failed_attempt(
            delivery=delivery, actor=Actor.system(), reason_code="other", note=" "
        )

    delivery.refresh_from_db()
    assert delivery.status == S.OUT_FOR_DELIVERY


def test_hold_and_cancel_need_a_reason():
    delivery = make_delivery(S.QUEUED)

    with pytest.raises(DomainError):
        services.delivery_hold(delivery=delivery, actor=Actor.system(), reason="  ")
    with pytest.raises(DomainError):
        services.delivery_cancel(delivery=delivery, actor=Actor.system(), reason="")

    assert Delivery.objects.get(pk=delivery.pk).status == S.QUEUED


def test_a_stale_copy_cannot_take_a_second_step():
    delivery = make_delivery(S.OUT_FOR_DELIVERY)
    stale = Delivery.objects.get(pk=delivery.pk)
    services.delivery_mark_delivered(delivery=delivery, actor=Actor.system())

    with pytest.raises(TransitionNotAllowed):
        services.delivery_record_failed_attempt(
            delivery=stale, actor=Actor.system(), reason_code="not_at_home"
        )

    assert Delivery.objects.get(pk=delivery.pk).status == S.DELIVERED


def test_second_delivery_confirmation_changes_nothing():
    delivery = make_delivery(S.DELIVERED)
    events = delivery.events.count()

    with pytest.raises(TransitionNotAllowed):
        services.delivery_mark_delivered(delivery=delivery, actor=Actor.system())

    assert delivery.events.count() == events


def test_uncollected_passports_are_cancelled_after_the_deadline():
    office = OfficeFactory()
    old = make_delivery(S.QUEUED, office=office, issued_on=_days_ago(30))
    fresh = make_delivery(S.QUEUED, office=office, issued_on=_days_ago(2))
    riding = make_delivery(S.OUT_FOR_DELIVERY, office=office, issued_on=_days_ago(30))
    later = timezone.localdate() + timedelta(days=1)

    cancelled = services.deliveries_cancel_uncollected(today=later)

    assert cancelled == 1
    assert Delivery.objects.get(pk=old.pk).status == S.CANCELLED
    assert Delivery.objects.get(pk=fresh.pk).status == S.QUEUED
    assert Delivery.objects.get(pk=riding.pk).status == S.OUT_FOR_DELIVERY
    assert services.deliveries_cancel_uncollected(today=later) == 0


def _days_ago(days):
    return (timezone.localdate() - timedelta(days=days)).isoformat()


def _check_history(delivery: Delivery) -> None:
    events = list(
        DeliveryEvent.objects.filter(delivery=delivery, kind="transition").order_by(
            "at", "id"
        )
    )
    assert (events[0].from_status, events[0].to_status) == ("", S.RECEIVED)
    for previous, event in zip(events, events[1:], strict=False):
        assert event.from_status == previous.to_status
        assert event.to_status in services.TRANSITIONS[event.from_status]
    assert events[-1].to_status == delivery.status


class _Rollback(Exception):
    pass


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=st.lists(st.sampled_from(sorted(EXPECTED)), min_size=1, max_size=12))
def test_random_action_sequences_keep_the_invariants(actions):
    try:
        with transaction.atomic():
            courier = CourierFactory()
            delivery = make_delivery(S.QUEUED, office=courier.staff.office)
            for action in actions:
                before = Delivery.objects.get(pk=delivery.pk).status
                allowed_from, _ = EXPECTED[action]
                try:
                    delivery = _do(action, delivery, courier)
                    assert before in allowed_from
                except DomainError:
                    assert before not in allowed_from
                    assert Delivery.objects.get(pk=delivery.pk).status == before
                delivery.refresh_from_db()
                _check_history(delivery)
            raise _Rollback
    except _Rollback:
        pass
