"""A courier's base: where their routes start and end (the office, a depot or a pin).

Every change is recorded in the audit chain without the pin itself: a courier's base
may be their home, so the trail keeps the kind of base before and after, the depot
and the village only.
"""

import math
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from delivery.errors import DomainError
from delivery.gazetteer import SERVICE_AREA, load_gazetteer
from delivery.models import ActorKind, Courier, Depot
from delivery.services.audit import audit_append

BASE_CHANGED = "courier.base_changed"


@transaction.atomic
def courier_set_base(
    *,
    courier: Courier,
    actor: User | None,
    depot: Depot | None = None,
    village_code: str = "",
    lat: float | None = None,
    lon: float | None = None,
    label: str = "",
) -> Courier:
    """Base the courier at a depot, a gazetteer village or a pin; none: the office.

    Raises
    ------
    DomainError
        For a depot of another office or closed, both a depot and a pin, an unknown
        village, half a pin or a pin outside the service area.
    """
    courier = Courier.objects.select_for_update().get(pk=courier.pk)
    fields = _base_fields(courier, depot, village_code.strip(), lat, lon, label)
    before, old = _kind(courier), _values(courier)
    for name, value in fields.items():
        setattr(courier, name, value)
    if _values(courier) == old:
        return courier  # nothing changed: nothing to record
    courier.save(update_fields=list(fields))
    audit_append(
        action=BASE_CHANGED,
        subject=f"courier:{courier.pk}",
        actor=actor,
        actor_kind=ActorKind.STAFF if actor else ActorKind.SYSTEM,
        data={
            "base_before": before,
            "base_after": _kind(courier),
            "depot_id": courier.depot_id,
            "village_code": courier.base_village_code,
        },
    )
    return courier


def courier_base_check(
    *,
    courier: Courier,
    depot: Depot | None = None,
    village_code: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> None:
    """Raise the DomainError `courier_set_base` would raise for these values."""
    _base_fields(courier, depot, village_code.strip(), lat, lon, "")


def _values(courier: Courier) -> tuple[Any, ...]:
    return (
        courier.depot_id,
        courier.base_label,
        courier.base_village_code,
        courier.base_lat,
        courier.base_lon,
    )


def _base_fields(
    courier: Courier,
    depot: Depot | None,
    village_code: str,
    lat: float | None,
    lon: float | None,
    label: str,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "depot": None,
        "base_label": label.strip()[:200],
        "base_village_code": "",
        "base_lat": None,
        "base_lon": None,
    }
    has_pin = bool(village_code) or lat is not None or lon is not None
    if depot is not None:
        if has_pin:
            raise DomainError(_("Choose a depot or a base of their own, not both."))
        if depot.office_id != courier.staff.office_id or not depot.is_active:
            raise DomainError(_("This depot is not an open depot of the office."))
        return {**fields, "depot": depot, "base_label": depot.name}
    if village_code:
        place = load_gazetteer().get(village_code)
        if place is None or not place.is_village:
            raise DomainError(_("Unknown village code."))
        label = fields["base_label"] or load_gazetteer().label(place.code)
        return {
            **fields,
            "base_label": label,
            "base_village_code": place.code,
            "base_lat": place.lat,
            "base_lon": place.lon,
        }
    if lat is None and lon is None:
        return {**fields, "base_label": ""}  # based at the office
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        raise DomainError(_("Give both latitude and longitude of the base."))
    if not SERVICE_AREA.contains(lat, lon):
        raise DomainError(_("The pin is outside the service area."))
    return {
        **fields,
        "base_label": fields["base_label"] or _("Base"),
        "base_lat": lat,
        "base_lon": lon,
    }


def _kind(courier: Courier) -> str:
    if courier.depot_id:
        return "depot"
    return "office" if courier.base_lat is None else "pin"
