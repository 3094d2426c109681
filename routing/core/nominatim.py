"""Street-level points from a Nominatim server, kept only when they are plausible."""

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.location import Location

from routing.core.geo_result import GeoResult
from routing.core.places import Gazetteer

DEFAULT_USER_AGENT = "antar-passport-delivery/0.1 (Kantor Imigrasi Sijunjung)"
# A Nominatim hit farther than this from the gazetteer's point is some other street
# of the same name, not the applicant's.
_MAX_STREET_OFFSET_KM = {"village": 15.0, "district": 30.0}


@dataclass(frozen=True, slots=True)
class NominatimConfig:
    """Where a Nominatim server is, e.g. NominatimConfig(domain="nominatim.example")."""

    domain: str
    scheme: str = "https"
    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: float = 5.0


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Haversine on the mean Earth radius: plenty for a 15-30 km plausibility check.
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


@lru_cache(maxsize=8)
def _nominatim(config: NominatimConfig) -> Callable[..., Location | None]:
    # One limiter per server for the whole process, so that 1 request/s holds
    # across calls (Nominatim's usage policy). Errors give None: the gazetteer's
    # answer stands when the server is down.
    geocoder = Nominatim(
        domain=config.domain,
        scheme=config.scheme,
        user_agent=config.user_agent,
        timeout=config.timeout_s,
    )
    limited: Callable[..., Location | None] = RateLimiter(
        geocoder.geocode, min_delay_seconds=1.0, max_retries=0, swallow_exceptions=True
    )
    return limited


def _street_hit(
    address: str, config: NominatimConfig, gazetteer: Gazetteer
) -> Location | None:
    area = gazetteer.service_area
    location = _nominatim(config)(
        address,
        exactly_one=True,
        country_codes="id",
        viewbox=[(area.max_lat, area.min_lon), (area.min_lat, area.max_lon)],
        bounded=True,
    )
    if location is None or not area.contains(location.latitude, location.longitude):
        return None
    # A village or boundary hit is no better than the gazetteer: not a "street".
    if location.raw.get("class") in {"place", "boundary"}:
        return None
    return location


def refine_to_street(
    address: str,
    base: GeoResult,
    config: NominatimConfig | None,
    gazetteer: Gazetteer,
) -> GeoResult:
    """Replace `base` with a Nominatim street hit near it; without `config`, keep it."""
    if config is None or not address.strip():
        return base
    hit = _street_hit(address, config, gazetteer)
    if hit is None:
        return base
    if base.lat is not None and base.lon is not None:
        offset_km = _distance_km(base.lat, base.lon, hit.latitude, hit.longitude)
        if offset_km > _MAX_STREET_OFFSET_KM[base.quality]:
            return base
    return replace(
        base,
        lat=hit.latitude,
        lon=hit.longitude,
        quality="street",
        source="nominatim",
        matched_name=hit.address,
        candidates=(),
    )
