"""Turns an office's queue and couriers into a PlanningProblem, and keeps the way back.

Times are seconds since local midnight of the plan's date; distances in metres.
Deliveries to the same address (same village, same address text, compatible windows)
become one stop. Deliveries that share only a village point stay separate stops at
the same matrix location: they are different houses.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from delivery.models import Courier, Delivery, LocationQuality, Office
from routing.core.matrix import CAR, MOTORBIKE, travel_matrix
from routing.core.problem import Matrix, PlanningProblem, Stop, Vehicle

SERVICE_S = 300  # ID check, name page shown, code, photo
PER_EXTRA_PASSPORT_S = 60
FIRST_VISIT_S = 300  # an address nobody has been to takes longer to find
ROUGH_LOCATION_S = 300  # a village point, not the house: ask the way
_SPACES = re.compile(r"[^a-z0-9]+")


@dataclass
class BuiltProblem:
    """A problem plus what the Django side needs to read its answer."""

    problem: PlanningProblem
    day_start: datetime
    points: list[tuple[float, float]]
    stop_deliveries: dict[str, list[int]] = field(default_factory=dict)
    couriers: dict[str, Courier] = field(default_factory=dict)


def seconds_of(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def local_midnight(on_date: date) -> datetime:
    return timezone.make_aware(datetime.combine(on_date, time.min))


def _address_key(delivery: Delivery) -> tuple:
    address = _SPACES.sub(" ", delivery.address_line.lower()).strip()
    return (delivery.village_code, address, delivery.window_start, delivery.window_end)


def _priority(delivery: Delivery, on_date: date) -> int:
    """Drop-penalty weight: urgent before the 30-day collection deadline."""
    days_left = (delivery.document.collection_deadline - on_date).days
    urgency = 10 if days_left <= 3 else 4 if days_left <= 7 else 0
    return 1 + 2 * delivery.priority + urgency


def _service_s(group: Sequence[Delivery]) -> int:
    first = group[0]
    seconds = SERVICE_S + PER_EXTRA_PASSPORT_S * (len(group) - 1)
    if all(d.failed_attempts == 0 for d in group):
        seconds += FIRST_VISIT_S
    if first.location_quality in (LocationQuality.VILLAGE, LocationQuality.DISTRICT):
        seconds += ROUGH_LOCATION_S
    return seconds


def _group(deliveries: Iterable[Delivery]) -> list[list[Delivery]]:
    groups: dict[tuple, list[Delivery]] = {}
    for delivery in deliveries:
        groups.setdefault(_address_key(delivery), []).append(delivery)
    return list(groups.values())


class _Points:
    """Matrix locations: the office first, then one per distinct point."""

    def __init__(self, depot: tuple[float, float]) -> None:
        self.points = [depot]
        self._index = {self._key(depot): 0}

    @staticmethod
    def _key(point: tuple[float, float]) -> tuple[float, float]:
        return (round(point[0], 5), round(point[1], 5))

    def index(self, point: tuple[float, float]) -> int:
        key = self._key(point)
        if key not in self._index:
            self._index[key] = len(self.points)
            self.points.append(point)
        return self._index[key]


def _position(delivery: Delivery) -> tuple[float, float]:
    # Planning selects only deliveries with a location; one without is a bug.
    if delivery.lat is None or delivery.lon is None:
        raise ValueError(f"delivery {delivery.pk} has no location to plan")
    return (delivery.lat, delivery.lon)


def _stop(stop_id: str, group: list[Delivery], location: int, on_date: date) -> Stop:
    first = group[0]
    window = (first.window_start, first.window_end)
    return Stop(
        stop_id=stop_id,
        location=location,
        demand=len(group),
        service_s=_service_s(group),
        window_start_s=seconds_of(window[0]) if window[0] else None,
        window_end_s=seconds_of(window[1]) if window[1] else None,
        priority=sum(_priority(d, on_date) for d in group),
    )


def _as_matrix(array) -> Matrix:
    return tuple(tuple(int(v) for v in row) for row in array.tolist())


def build_problem(
    *,
    office: Office,
    on_date: date,
    couriers: Sequence[Courier],
    free: Iterable[Delivery],
    locked: dict[int, list[list[Delivery]]] | None = None,
    osrm_url: str | None = None,
) -> BuiltProblem:
    """Build the problem: `free` deliveries to place, `locked` stops per courier."""
    points = _Points((office.lat, office.lon))
    stops: list[Stop] = []
    stop_deliveries: dict[str, list[int]] = {}
    locked_ids: dict[int, list[str]] = {}

    def add(prefix: str, group: list[Delivery]) -> str:
        stop_id = f"{prefix}{len(stops)}"
        stop_deliveries[stop_id] = [d.pk for d in group]
        location = points.index(_position(group[0]))
        stops.append(_stop(stop_id, group, location, on_date))
        return stop_id

    bases = {c.pk: points.index(_base_point(c)) for c in couriers}
    for courier_id, groups in (locked or {}).items():
        locked_ids[courier_id] = [add("L", group) for group in groups]
    for group in _group(free):
        add("S", group)
    bike = travel_matrix(points.points, profile=MOTORBIKE, osrm_url=osrm_url)
    car = travel_matrix(points.points, profile=CAR, osrm_url=osrm_url)
    car_durations = _as_matrix(car.duration_s)
    vehicles = [
        _vehicle(
            courier,
            bases[courier.pk],
            locked_ids.get(courier.pk, ()),
            car_durations if courier.vehicle_kind == "car" else None,
        )
        for courier in couriers
    ]
    problem = PlanningProblem(
        stops=tuple(stops),
        vehicles=tuple(vehicles),
        distance_m=_as_matrix(bike.distance_m),
        duration_s=_as_matrix(bike.duration_s),
    )
    return BuiltProblem(
        problem=problem,
        day_start=local_midnight(on_date),
        points=points.points,
        stop_deliveries=stop_deliveries,
        couriers={f"C{c.pk}": c for c in couriers},
    )


def _base_point(courier: Courier) -> tuple[float, float]:
    base = courier.base()
    return (base.lat, base.lon)


def _vehicle(
    courier: Courier,
    base: int,
    locked_stop_ids: Sequence[str],
    duration_s: Matrix | None,
) -> Vehicle:
    # A courier starts and ends at their base: the office, a depot where the office
    # sent their passports the day before, or their own pin (docs/DESIGN.md).
    shift = (seconds_of(courier.shift_start), seconds_of(courier.shift_end))
    return Vehicle(
        vehicle_id=f"C{courier.pk}",
        start_location=base,
        end_location=base,
        shift_start_s=shift[0],
        shift_end_s=shift[1],
        capacity=courier.capacity,
        duration_s=duration_s,  # cars have their own travel times
        max_duration_s=shift[1] - shift[0],
        locked_stop_ids=tuple(locked_stop_ids),
    )
