"""A dispatcher fixes where a delivery goes: a village from the gazetteer, or a pin."""

import math

from django.db import transaction
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.gazetteer import SERVICE_AREA, load_gazetteer
from delivery.models import Delivery, EventKind, LocationQuality, Status
from delivery.services.events import record_event
from delivery.services.transitions import Actor, Position

# Once the passport is on a motorbike (or done) the address is no longer ours to move.
FIXABLE = frozenset({Status.RECEIVED, Status.QUEUED, Status.SCHEDULED, Status.ON_HOLD})


@transaction.atomic
def delivery_fix_location(
    *,
    delivery: Delivery,
    actor: Actor,
    village_code: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> Delivery:
    """Set a delivery's point from a village or a hand-placed pin, with an event."""
    fields = location_fields(village_code, lat, lon)
    updated = Delivery.objects.filter(pk=delivery.pk, status__in=FIXABLE).update(
        **fields
    )
    if updated != 1:
        raise DomainError(_("The location of this delivery can no longer be changed."))
    record_event(
        delivery_id=delivery.pk,
        kind=EventKind.LOCATION_FIXED,
        actor=actor,
        reason_code=fields["location_quality"],
        note=fields.get("village_code", ""),
        position=Position(lat=fields["lat"], lon=fields["lon"]),
    )
    for name, value in fields.items():
        setattr(delivery, name, value)
    return delivery


def location_fix_check(*, delivery: Delivery) -> None:
    """Raise DomainError if the delivery's location may no longer change."""
    if delivery.status not in FIXABLE:
        raise DomainError(_("The location of this delivery can no longer be changed."))


def location_fields(
    village_code: str | None, lat: float | None, lon: float | None
) -> dict:
    """The delivery fields for a village or a pin; DomainError if neither is valid."""
    if village_code:
        place = load_gazetteer().get(village_code)
        if place is None or not place.is_village:
            raise DomainError(_("Unknown village code."))
        return {
            "village_code": place.code,
            "lat": place.lat,
            "lon": place.lon,
            "location_quality": LocationQuality.VILLAGE,
            "location_source": "gazetteer",
        }
    if lat is None or lon is None:
        raise DomainError(_("Choose a village or place a pin on the map."))
    inside = math.isfinite(lat) and math.isfinite(lon)
    if not (inside and SERVICE_AREA.contains(lat, lon)):
        raise DomainError(_("The pin is outside the service area."))
    return {
        "lat": lat,
        "lon": lon,
        "location_quality": LocationQuality.PIN,
        "location_source": "manual",
    }
