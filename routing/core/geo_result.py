"""What geocoding answers: a point, how good it is, and which name matched."""

from dataclasses import dataclass
from typing import Literal

Quality = Literal["pin", "street", "village", "district", "none"]
Source = Literal["gazetteer", "nominatim", "manual"]


@dataclass(frozen=True, slots=True)
class GeoResult:
    """Where an address is, how good that is, and which name matched.

    `lat`/`lon` are None when `quality` is "none". `score` is the name similarity
    (0-100) of the gazetteer match, 100 for pins and village codes, 0 when nothing
    matched. `candidates` lists the codes a dispatcher should choose from when the
    address was ambiguous or contradictory.
    """

    lat: float | None
    lon: float | None
    quality: Quality
    source: Source
    village_code: str | None
    district_code: str | None
    matched_name: str
    score: float
    candidates: tuple[str, ...] = ()
