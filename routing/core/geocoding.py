"""Geocoding of applicants' addresses: gazetteer names, Nominatim, manual pins.

Pure Python (geopy and rapidfuzz, no Django). The gazetteer's answer comes from
routing.core.gazetteer_match; Nominatim (routing.core.nominatim), when configured,
may sharpen it to a street; a dispatcher's pin replaces both.
"""

import math
from dataclasses import asdict
from typing import Any

from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from routing.core.gazetteer_match import match_names, place_result
from routing.core.geo_result import GeoResult
from routing.core.nominatim import DEFAULT_USER_AGENT, NominatimConfig, refine_to_street
from routing.core.places import Gazetteer, Place


def resolve_address(
    address: str,
    *,
    gazetteer: Gazetteer,
    village_code: str | None = None,
    nominatim: NominatimConfig | None = None,
) -> GeoResult:
    """Locate an applicant's address as well as the sources allow.

    Parameters
    ----------
    address
        Free text as the applicant wrote it.
    gazetteer
        The service area's places (the project ships one; any object with the
        `Gazetteer` protocol's fields will do).
    village_code
        Kemendagri code of the village when the applicant chose it from a list; it
        then replaces the name matching.
    nominatim
        A Nominatim server to ask for a street-level point; None (the default)
        means no network at all.

    Returns
    -------
    GeoResult
        Quality "street" from Nominatim when it found a street or building inside
        the service area and near the gazetteer's answer, otherwise the
        gazetteer's "village", "district" or "none".

    Raises
    ------
    ValueError
        If `village_code` is not a village of the gazetteer.
    """
    if village_code is None:
        base = match_names(address, gazetteer)
    else:
        place = gazetteer.get(village_code)
        if place is None or not place.is_village:
            raise ValueError(f"{village_code!r} is not a village code of the gazetteer")
        base = place_result(place, 100.0)
    return refine_to_street(address, base, nominatim, gazetteer)


def pin(lat: float, lon: float, *, gazetteer: Gazetteer) -> GeoResult:
    """Return a dispatcher's hand-placed point, checked against the service area.

    Parameters
    ----------
    lat, lon
        WGS84 decimal degrees.
    gazetteer
        Its `service_area` is the box a pin must fall in.

    Raises
    ------
    ValueError
        If the point is not a finite number pair inside the service area.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError(f"pin ({lat}, {lon}) is not a pair of finite numbers")
    area = gazetteer.service_area
    if not area.contains(lat, lon):
        hint = " (latitude and longitude swapped?)" if area.contains(lon, lat) else ""
        raise ValueError(
            f"pin ({lat}, {lon}) is outside the service area: latitude must be in "
            f"{area.min_lat}..{area.max_lat} and longitude in "
            f"{area.min_lon}..{area.max_lon}{hint}"
        )
    return GeoResult(lat, lon, "pin", "manual", None, None, "", 100.0)


class GazetteerGeocoder(Geocoder):  # type: ignore[misc]  # geopy has no type hints
    """A geopy geocoder over the shipped gazetteer; it never touches the network.

    ``geocode("Nagari Palangki, Kec. IV Nagari")`` returns a
    `geopy.location.Location` at the village (or the district when only that is
    certain); its ``raw`` is the `GeoResult` as a dict.
    """

    def __init__(
        self, *, gazetteer: Gazetteer, user_agent: str = DEFAULT_USER_AGENT
    ) -> None:
        super().__init__(user_agent=user_agent)
        self.gazetteer = gazetteer

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL
    ) -> Location | list[Location] | None:
        """Resolve an address; with ``exactly_one=False`` list the candidates too.

        Parameters
        ----------
        query
            The address.
        exactly_one
            True: the resolved point or None. False: the resolved point (if any)
            followed by the ambiguous candidates, or None when there are neither.
        timeout
            Ignored (no network); kept for geopy's interface.
        """
        result = resolve_address(query, gazetteer=self.gazetteer)
        places = self.gazetteer.places
        resolved = result.lat is not None
        codes = [result.village_code or result.district_code] if resolved else []
        if not exactly_one:
            codes += [c for c in result.candidates if c not in codes]
        locations = [self._location(places[c], result) for c in codes if c]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    def _location(self, place: Place, result: GeoResult) -> Location:
        raw = {**asdict(result), "code": place.code, "level": place.level}
        label = self.gazetteer.label(place.code)
        return Location(label, (place.lat, place.lon), raw)
