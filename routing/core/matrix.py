"""Travel matrices between points: integer metres and seconds for the planner.

Pure Python and numpy, no Django. Two sources:

- Embedded default (no network): great-circle distance by the haversine formula on
  the mean Earth radius (IUGG, 6,371,008.8 m), which is within 0.5 % of the WGS84
  ellipsoidal distance, far less than the uncertainty of the road factor; times a
  road factor (1.4 by default: roads in the hills wind and go round rivers); driven
  at a speed that grows with the trip's length: every trip begins and ends on village
  tracks, and a long one spends most of its way on the trans-Sumatra road. The speeds
  are calibrated against the reference trips of `REFERENCE_TRIPS` (sources there and
  in docs/DESIGN.md).
- OSRM's ``table`` service when a base URL is given, requested in blocks so that
  each request stays within OSRM's table-size limit and a bounded URL.

Results are cached per set of points, profile and source (`MatrixCache`).
"""

import hashlib
import http.client
import json
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from routing.core.travel_times import (
    CAR,
    MOTORBIKE,
    PROFILES,
    REFERENCE_TRIPS,
    VehicleProfile,
    seconds_on_road,
)

EARTH_RADIUS_M = 6_371_008.8
# OSRM's default --max-table-size is 100: sources x destinations may not exceed
# 100 x 100 per request. A 100 x 100 block carries 200 coordinates, about 4.5 kB
# of URL, well inside common proxy limits (8 kB).
OSRM_MAX_BLOCK = 100
_ROW_BLOCK = 512  # rows per numpy pass: temporaries stay 512 x n_destinations

__all__ = [
    "CAR",
    "MOTORBIKE",
    "PROFILES",
    "REFERENCE_TRIPS",
    "MatrixCache",
    "OsrmError",
    "OsrmTableClient",
    "TravelMatrix",
    "VehicleProfile",
    "geodesic_matrix",
    "haversine_m",
    "travel_matrix",
]

Points = Sequence[tuple[float, float]] | npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Road distance and travel time from each source to each destination.

    Attributes
    ----------
    distance_m, duration_s
        Read-only int32 arrays of shape (n_sources, n_destinations).
    source
        "geodesic" or "osrm".
    estimated_cells
        OSRM cells without a route (null), filled with the geodesic estimate.
    """

    distance_m: npt.NDArray[np.int32]
    duration_s: npt.NDArray[np.int32]
    source: str
    estimated_cells: int = 0

    def __post_init__(self) -> None:
        # Cached matrices are shared between callers: nobody may change them.
        self.distance_m.flags.writeable = False
        self.duration_s.flags.writeable = False

    @property
    def nbytes(self) -> int:
        """Memory held by the two arrays, in bytes."""
        return self.distance_m.nbytes + self.duration_s.nbytes

    def distance_lists(self) -> list[list[int]]:
        """Return the distances as lists of Python ints (for OR-Tools callbacks)."""
        lists: list[list[int]] = self.distance_m.tolist()
        return lists

    def duration_lists(self) -> list[list[int]]:
        """Return the durations as lists of Python ints."""
        lists: list[list[int]] = self.duration_s.tolist()
        return lists


class OsrmError(RuntimeError):
    """OSRM answered with an error code, an unusable body, or not at all."""


def _as_points(points: Points) -> npt.NDArray[np.float64]:
    array = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if not np.isfinite(array).all():
        raise ValueError("points must be finite (lat, lon) pairs")
    if (np.abs(array[:, 0]) > 90).any() or (np.abs(array[:, 1]) > 180).any():
        raise ValueError("points must be (lat, lon) in degrees")
    return array


def haversine_m(
    sources: Points, destinations: Points | None = None
) -> npt.NDArray[np.float64]:
    """Return great-circle distances in metres, shape (n_sources, n_destinations).

    Parameters
    ----------
    sources, destinations
        (lat, lon) pairs in WGS84 degrees; destinations default to the sources.
    """
    src = np.radians(_as_points(sources))
    dst = src if destinations is None else np.radians(_as_points(destinations))
    out = np.empty((len(src), len(dst)))
    cos_dst = np.cos(dst[:, 0])
    for start in range(0, len(src), _ROW_BLOCK):
        block = src[start : start + _ROW_BLOCK]
        h = np.sin((dst[:, 0] - block[:, :1]) / 2) ** 2
        h += (
            np.cos(block[:, :1]) * cos_dst * np.sin((dst[:, 1] - block[:, 1:]) / 2) ** 2
        )
        np.clip(h, 0.0, 1.0, out=h)
        out[start : start + len(block)] = np.arcsin(np.sqrt(h))
    out *= 2 * EARTH_RADIUS_M
    return out


def _from_straight_m(
    straight_m: npt.NDArray[np.float64], profile: VehicleProfile
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    # Works in place on straight_m (always a fresh array here), rounds straight into
    # int32 arrays, and times the road in blocks of rows: the temporaries of
    # seconds_on_road stay 512 x n_destinations.
    road_m = np.multiply(straight_m, profile.road_factor, out=straight_m)
    distance_m = np.empty(road_m.shape, dtype=np.int32)
    np.rint(road_m, out=distance_m, casting="unsafe")
    duration_s = np.empty(road_m.shape, dtype=np.int32)
    for start in range(0, len(road_m), _ROW_BLOCK):
        rows = slice(start, start + _ROW_BLOCK)
        seconds = seconds_on_road(road_m[rows], profile)
        np.rint(seconds, out=duration_s[rows], casting="unsafe")
    return distance_m, duration_s


def geodesic_matrix(
    sources: Points,
    destinations: Points | None = None,
    *,
    profile: VehicleProfile = MOTORBIKE,
) -> TravelMatrix:
    """Estimate road distance and time from straight-line distance (no network).

    Parameters
    ----------
    sources, destinations
        (lat, lon) pairs; destinations default to the sources (square matrix).
    profile
        Road factor and speed of the vehicle.
    """
    distance_m, duration_s = _from_straight_m(
        haversine_m(sources, destinations), profile
    )
    return TravelMatrix(distance_m=distance_m, duration_s=duration_s, source="geodesic")


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
        src = _as_points(sources)
        dst = src if destinations is None else _as_points(destinations)
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
        est_m, est_s = _from_straight_m(haversine_m(src, dst), profile)
        distance[missing], duration[missing] = est_m[missing], est_s[missing]
    return TravelMatrix(
        distance_m=np.rint(distance).astype(np.int32),
        duration_s=np.rint(duration).astype(np.int32),
        source="osrm",
        estimated_cells=int(missing.sum()),
    )


@dataclass
class MatrixCache:
    """A thread-safe LRU of travel matrices, bounded by entries and bytes.

    Parameters
    ----------
    max_entries
        Most matrices kept.
    max_bytes
        Most array memory kept (a 2,000-point matrix holds 32 MB).
    """

    max_entries: int = 16
    max_bytes: int = 256 * 2**20
    hits: int = 0
    misses: int = 0
    _items: OrderedDict[str, TravelMatrix] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str) -> TravelMatrix | None:
        """Return the cached matrix for key, or None."""
        with self._lock:
            matrix = self._items.get(key)
            if matrix is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return matrix

    def put(self, key: str, matrix: TravelMatrix) -> None:
        """Keep a matrix, evicting the least recently used beyond the bounds."""
        with self._lock:
            self._items[key] = matrix
            self._items.move_to_end(key)
            while len(self._items) > 1 and (
                len(self._items) > self.max_entries
                or sum(m.nbytes for m in self._items.values()) > self.max_bytes
            ):
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every matrix and reset the counters."""
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


DEFAULT_CACHE = MatrixCache()


def cache_key(
    sources: Points,
    destinations: Points | None,
    profile: VehicleProfile,
    origin: str,
) -> str:
    """Return the cache key: coordinates rounded to 1e-6 degree (about 0.1 m)."""
    digest = hashlib.sha256(repr((profile, origin)).encode())
    for points in (sources, destinations):
        if points is None:
            digest.update(b"same")
        else:
            rounded = np.round(_as_points(points), 6) + 0.0  # + 0.0 turns -0.0 to 0.0
            digest.update(rounded.tobytes() + b"|")
    return digest.hexdigest()


def travel_matrix(
    sources: Points,
    destinations: Points | None = None,
    *,
    profile: VehicleProfile = MOTORBIKE,
    osrm_url: str | None = None,
    timeout_s: float = 10.0,
    cache: MatrixCache | None = DEFAULT_CACHE,
) -> TravelMatrix:
    """Return the travel matrix, from OSRM when configured, cached per point set.

    Parameters
    ----------
    sources, destinations
        (lat, lon) pairs; destinations default to the sources (square matrix).
    profile
        Vehicle kind: speed and road factor, or OSRM profile name.
    osrm_url
        OSRM base URL; None uses the embedded geodesic estimate (no network).
    timeout_s
        Per OSRM request.
    cache
        Where matrices are kept; None disables caching.

    Raises
    ------
    OsrmError
        When OSRM fails; the caller decides whether to fall back to
        ``travel_matrix(..., osrm_url=None)`` and to say so.
    """
    key = cache_key(sources, destinations, profile, osrm_url or "geodesic")
    if cache is not None and (cached := cache.get(key)) is not None:
        return cached
    if osrm_url:
        client = OsrmTableClient(osrm_url, timeout_s=timeout_s)
        matrix = client.table(sources, destinations, profile=profile)
    else:
        matrix = geodesic_matrix(sources, destinations, profile=profile)
    if cache is not None:
        cache.put(key, matrix)
    return matrix
