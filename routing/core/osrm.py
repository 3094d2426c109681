"""Travel matrices from OSRM's ``table`` service, requested in blocks so that each
request stays within OSRM's table-size limit and a bounded URL. Pure Python and numpy,
no Django.
"""

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.core.geodesic import (
    Points,
    TravelMatrix,
    as_points,
    haversine_m,
    road_estimate,
)
from routing.core.travel_times import MOTORBIKE, VehicleProfile

# OSRM's default --max-table-size is 100: sources x destinations may not exceed
# 100 x 100 per request. A 100 x 100 block carries 200 coordinates, about 4.5 kB
# of URL, well inside common proxy limits (8 kB).
OSRM_MAX_BLOCK = 100


class OsrmError(RuntimeError):
    """OSRM answered with an error code, an unusable body, or not at all."""


@dataclass(frozen=True, slots=True)
class OsrmTableClient:
    """Client of OSRM's ``/table/v1`` service.

    Parameters
    ----------
    base_url
        E.g. "http://osrm.internal:5000" (no trailing path).
    timeout_s
        Per request, for connecting and for reading.
    max_block
        Most sources (and destinations) per request; keep it within the server's
        ``--max-table-size``.
    """

    base_url: str
    timeout_s: float = 10.0
    max_block: int = OSRM_MAX_BLOCK

    def __post_init__(self) -> None:
        # urlopen also opens file:// and ftp:// URLs; only HTTP is an OSRM server.
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"OSRM base URL must be http(s): {self.base_url!r}")
        if self.max_block < 1:
            raise ValueError("max_block must be at least 1")

    def table(
        self,
        sources: Points,
        destinations: Points | None = None,
        *,
        profile: VehicleProfile = MOTORBIKE,
    ) -> TravelMatrix:
        """Return OSRM's road distances and durations, requested block by block.

        Raises
        ------
        OsrmError
            On an OSRM error code, an HTTP error, a timeout or an unusable body.
        """
        src = as_points(sources)
        dst = src if destinations is None else as_points(destinations)
        distance = np.empty((len(src), len(dst)))
        duration = np.empty((len(src), len(dst)))
        for r in range(0, len(src), self.max_block):
            for c in range(0, len(dst), self.max_block):
                rows, cols = slice(r, r + self.max_block), slice(c, c + self.max_block)
                square = destinations is None and r == c
                distance[rows, cols], duration[rows, cols] = self._block(
                    src[rows], dst[cols], square, profile
                )
        return _fill_missing(distance, duration, src, dst, profile)

    def _block(
        self,
        src: npt.NDArray[np.float64],
        dst: npt.NDArray[np.float64],
        square: bool,
        profile: VehicleProfile,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        # A diagonal block of a square matrix is sent once, without sources/
        # destinations; any other block as the sources' then the destinations'
        # coordinates with explicit indices.
        points = src if square else np.concatenate([src, dst])
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        query = "annotations=duration,distance"
        if not square:
            n = len(src)
            query += "&sources=" + ";".join(map(str, range(n)))
            query += "&destinations=" + ";".join(map(str, range(n, n + len(dst))))
        url = f"{self.base_url.rstrip('/')}/table/v1/{profile.osrm_profile}/{coords}"
        body = _get_json(f"{url}?{query}", self.timeout_s)
        distance, duration = (
            _annotation(body, "distances"),
            _annotation(body, "durations"),
        )
        if distance.shape != (len(src), len(dst)) or duration.shape != distance.shape:
            raise OsrmError(f"OSRM answered a {distance.shape} table for {url[:80]}...")
        return distance, duration


def _get_json(url: str, timeout_s: float) -> dict[str, object]:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        # OSRM reports its errors as 400 with a JSON body {"code", "message"}.
        body = error.read()
        if not _json_or_none(body):
            raise OsrmError(f"OSRM answered HTTP {error.code}") from error
    except (OSError, http.client.HTTPException) as error:
        # URLError (refused, DNS) and TimeoutError are OSErrors.
        reason = getattr(error, "reason", error)
        raise OsrmError(f"OSRM unreachable or too slow: {reason}") from error
    data = _json_or_none(body)
    if data is None:
        raise OsrmError("OSRM answered with a body that is not JSON")
    if data.get("code") != "Ok":
        raise OsrmError(f"OSRM error {data.get('code')}: {data.get('message', '')}")
    return data


def _json_or_none(body: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) and "code" in data else None


def _annotation(body: dict[str, object], key: str) -> npt.NDArray[np.float64]:
    if key not in body:
        raise OsrmError(f"OSRM answer has no {key!r}: is the server older than 5.19?")
    # null means "no route"; NaN marks it for _fill_missing.
    return np.array(body[key], dtype=np.float64)


def _fill_missing(
    distance: npt.NDArray[np.float64],
    duration: npt.NDArray[np.float64],
    src: npt.NDArray[np.float64],
    dst: npt.NDArray[np.float64],
    profile: VehicleProfile,
) -> TravelMatrix:
    missing = np.isnan(distance) | np.isnan(duration)
    if missing.any():
        # Unroutable pairs (e.g. a point OSRM snapped to an island of road) get
        # the embedded estimate, so the planner can still decide; counted.
        est_m, est_s = road_estimate(haversine_m(src, dst), profile)
        distance[missing], duration[missing] = est_m[missing], est_s[missing]
    return TravelMatrix(
        distance_m=np.rint(distance).astype(np.int32),
        duration_s=np.rint(duration).astype(np.int32),
        source="osrm",
        estimated_cells=int(missing.sum()),
    )
