"""Races on real PostgreSQL: the applicant's request against the courier leaving."""

from datetime import timedelta

import pytest

from delivery import services
from delivery.models import Delivery, Status
from delivery.services import Actor
from delivery.workdays import next_working_day
from tests.factories import make_delivery, today
from tests.helpers import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(5))
def test_another_day_racing_the_courier_leaving_has_exactly_one_winner(attempt):
    delivery = make_delivery(Status.SCHEDULED)
    courier_user = delivery.courier.staff.user
    day = next_working_day(today() + timedelta(days=1))

    outcomes = race(
        lambda: services.delivery_request_day(
            delivery=Delivery.objects.get(pk=delivery.pk), on_date=day
        ),
        lambda: services.delivery_start(
            delivery=Delivery.objects.get(pk=delivery.pk),
            actor=Actor.courier(courier_user),
        ),
    )

    delivery.refresh_from_db()
    assert sorted(outcomes) == ["ok", "refused"]
    if outcomes[0] == "ok":
        assert (delivery.status, delivery.requested_date) == (Status.QUEUED, day)
    else:
        assert (delivery.status, delivery.requested_date) == (
            Status.OUT_FOR_DELIVERY,
            None,
        )
    assert delivery.events.filter(from_status=Status.SCHEDULED).count() == 1
