"""A dispatcher fixes a delivery's location: by village, or by a pin on the map."""

import pytest

from delivery import services
from delivery.errors import DomainError
from delivery.models import EventKind, Status
from delivery.services import Actor
from tests.factories import make_delivery

pytestmark = pytest.mark.django_db
OTHER_VILLAGE = "13.03.05.2001"


def test_picking_a_village_moves_the_point_and_records_an_event(office, dispatcher):
    delivery = make_delivery(Status.QUEUED, office=office)

    services.delivery_fix_location(
        delivery=delivery,
        actor=Actor.staff(dispatcher.user),
        village_code=OTHER_VILLAGE,
    )

    delivery.refresh_from_db()
    event = delivery.events.get(kind=EventKind.LOCATION_FIXED)
    assert delivery.village_code == OTHER_VILLAGE
    assert (delivery.location_quality, delivery.location_source) == (
        "village",
        "gazetteer",
    )
    assert (event.lat, event.lon) == (delivery.lat, delivery.lon)
    assert event.actor == dispatcher.user


def test_a_pin_inside_the_service_area_is_kept_as_pin_quality(office, dispatcher):
    delivery = make_delivery(Status.ON_HOLD, office=office)

    services.delivery_fix_location(
        delivery=delivery, actor=Actor.staff(dispatcher.user), lat=-0.70, lon=100.95
    )

    delivery.refresh_from_db()
    assert (delivery.lat, delivery.lon) == (-0.70, 100.95)
    assert (delivery.location_quality, delivery.location_source) == ("pin", "manual")


@pytest.mark.parametrize(
    ("lat", "lon", "village"), [(100.95, -0.70, None), (None, None, "99.99")]
)
def test_a_bad_pin_or_village_changes_nothing(office, dispatcher, lat, lon, village):
    delivery = make_delivery(Status.QUEUED, office=office)
    before = (delivery.lat, delivery.lon)

    with pytest.raises(DomainError):
        services.delivery_fix_location(
            delivery=delivery, actor=Actor.staff(dispatcher.user),
            lat=lat, lon=lon, village_code=village,
        )  # fmt: skip

    delivery.refresh_from_db()
    assert (delivery.lat, delivery.lon) == before
    assert not delivery.events.filter(kind=EventKind.LOCATION_FIXED).exists()


def test_a_delivery_on_the_road_keeps_its_location(office, dispatcher):
    delivery = make_delivery(Status.OUT_FOR_DELIVERY, office=office)

    with pytest.raises(DomainError):
        services.delivery_fix_location(
            delivery=delivery,
            actor=Actor.staff(dispatcher.user),
            village_code=OTHER_VILLAGE,
        )
