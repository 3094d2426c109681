"""Races on real PostgreSQL: two requests at once can never both win."""

import pytest
from django.db import connection

from delivery import services
from delivery.intake_input import IntakeInput
from delivery.models import Delivery, Status
from delivery.services import Actor
from tests.factories import OfficeFactory, intake_data, make_delivery
from tests.helpers import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(5))
def test_handover_and_failed_attempt_racing_leave_exactly_one_outcome(attempt):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY)

    outcomes = race(
        lambda: services.delivery_mark_delivered(
            delivery=Delivery.objects.get(pk=delivery.pk), actor=Actor.system()
        ),
        lambda: services.delivery_record_failed_attempt(
            delivery=Delivery.objects.get(pk=delivery.pk),
            actor=Actor.system(),
            reason_code="not_at_home",
        ),
    )

    delivery.refresh_from_db()
    assert sorted(outcomes) == ["ok", "refused"]
    decided = delivery.events.filter(from_status=Status.OUT_FOR_DELIVERY).count()
    assert decided == 1


def test_the_same_application_taken_in_twice_at_once_gives_one_delivery():
    office = OfficeFactory()
    form = IntakeInput(data=intake_data())
    form.is_valid(raise_exception=True)
    results = []

    def take_in():
        delivery, created = services.delivery_intake(
            office=office, actor=Actor.system(), data=form.validated_data
        )
        results.append((delivery.pk, created))

    race(take_in, take_in, take_in)

    assert Delivery.objects.count() == 1
    assert sorted(created for _, created in results) == [False, False, True]
    assert len({pk for pk, _ in results}) == 1


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"
