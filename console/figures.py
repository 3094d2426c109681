"""The office's figures over a period, per courier and per district.

Every figure is defined once in `delivery.figures` (the public page uses the same);
this module only groups them for the console's tables.
"""

from dataclasses import dataclass
from datetime import date

from delivery.figures import GroupKey, Tally, days_bounds, tally
from delivery.gazetteer import load_gazetteer
from delivery.models import Courier, Delivery, Office


@dataclass
class Figures:
    """All groups of a period; `total` is the whole office."""

    start: date
    end: date
    total: Tally
    couriers: list[Tally]
    districts: list[Tally]


def office_figures(*, office: Office, start: date, end: date) -> Figures:
    """The figures of an office for the days from `start` to `end`."""
    since, until = days_bounds(start, end)

    def grouped(group: GroupKey | None) -> dict[str, Tally]:
        return tally(start=since, end=until, office=office, group=group)

    total = grouped(None).get("", Tally())
    couriers = _named(grouped(_courier_name), district=False)
    districts = _named(grouped(_district), district=True)
    return Figures(start, end, total, couriers, districts)


def _courier_name(delivery: Delivery, courier: Courier | None) -> str:
    return str(courier) if courier else "—"


def _district(delivery: Delivery, courier: Courier | None) -> str:
    return delivery.village_code[:8]


def _named(groups: dict[str, Tally], *, district: bool) -> list[Tally]:
    gazetteer = load_gazetteer()
    for key, group in groups.items():
        place = gazetteer.get(key) if district else None
        group.name = place.name if place else key
    return sorted(groups.values(), key=lambda g: (-g.delivered, g.name))
