"""The service area's gazetteer: regencies, districts and villages with their points.

Loaded once from the CSV files shipped in delivery/data/ (sources and licences in
delivery/data/README.md). Pure Python, no Django. Intake reads it, and the
planning core's geocoder is handed it as plain data.
Where a village's polygon centroid falls outside its own village, the QC file's
interior point is used instead, so that a stop is never placed in the neighbour village.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Place:
    """One administrative unit of the gazetteer."""

    code: str
    level: str  # "regency", "district" or "village"
    name: str
    parent_code: str
    lat: float
    lon: float
    population: int | None

    @property
    def is_village(self) -> bool:
        return self.level == "village"


@dataclass(frozen=True, slots=True)
class BBox:
    """A latitude/longitude box in WGS84 degrees."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        """Return whether the point lies inside the box (borders included)."""
        return (
            self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon
        )


# The three regencies with a margin: a pin or a geocoded point outside is an error.
SERVICE_AREA = BBox(min_lat=-1.75, max_lat=-0.25, min_lon=100.6, max_lon=101.95)


@dataclass(frozen=True, eq=False)  # hashed by identity: the geocoder caches on it
class Gazetteer:
    """All places of the service area, by code."""

    places: dict[str, Place]
    service_area: BBox = SERVICE_AREA

    def get(self, code: str) -> Place | None:
        """Return the place with this Kemendagri code, or None."""
        return self.places.get(code.strip())

    def villages(self) -> list[Place]:
        """Return every village, in code order."""
        return [p for p in self.places.values() if p.is_village]

    def district_of(self, place: Place) -> Place | None:
        """Return the district a village belongs to."""
        return self.places.get(place.parent_code) if place.is_village else None

    def regency_of(self, place: Place) -> Place | None:
        """Return the regency of a village or district."""
        district = self.district_of(place) if place.is_village else place
        return self.places.get(district.parent_code) if district else None

    def label(self, code: str) -> str:
        """Return 'Village, Kec. District' for display, or the code if unknown."""
        place = self.get(code)
        if place is None:
            return code
        district = self.district_of(place)
        return f"{place.name}, Kec. {district.name}" if district else place.name


def _interior_points() -> dict[str, tuple[float, float]]:
    with (DATA_DIR / "sijunjung_gazetteer_qc.csv").open(newline="") as f:
        return {
            row["code"]: (float(row["interior_lat"]), float(row["interior_lon"]))
            for row in csv.DictReader(f)
            if row["interior_lat"]
        }


@cache
def load_gazetteer() -> Gazetteer:
    """Read the shipped gazetteer once per process."""
    interior = _interior_points()
    places: dict[str, Place] = {}
    with (DATA_DIR / "sijunjung_gazetteer.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            lat, lon = interior.get(row["code"], (float(row["lat"]), float(row["lon"])))
            places[row["code"]] = Place(
                code=row["code"],
                level=row["level"],
                name=row["name"],
                parent_code=row["parent_code"],
                lat=lat,
                lon=lon,
                population=int(row["population"]) if row["population"] else None,
            )
    return Gazetteer(places=places)
