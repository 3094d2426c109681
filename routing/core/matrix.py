"""Travel matrices between points: integer metres and seconds for the planner.

Pure Python and numpy, no Django. Two sources:

- Embedded default (no network, routing.core.geodesic): great-circle distance times a
  road factor (1.4 by default: roads in the hills wind and go round rivers); driven
  at a speed that grows with the trip's length: every trip begins and ends on village
  tracks, and a long one spends most of its way on the trans-Sumatra road. The speeds
  are calibrated against the reference trips of `REFERENCE_TRIPS` (sources there and
  in docs/DESIGN.md).
- OSRM's ``table`` service when a base URL is given (routing.core.osrm).

Results are cached per set of points, profile and source (`MatrixCache`).
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from routing.core.geodesic import Points, TravelMatrix, as_points, geodesic_matrix
from routing.core.osrm import OsrmTableClient
from routing.core.travel_times import (
    CAR,
    MOTORBIKE,
    PROFILES,
    REFERENCE_TRIPS,
    VehicleProfile,
)

__all__ = [
    "CAR",
    "MOTORBIKE",
    "PROFILES",
    "REFERENCE_TRIPS",
    "MatrixCache",
    "VehicleProfile",
    "travel_matrix",
]


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
            rounded = np.round(as_points(points), 6) + 0.0  # + 0.0 turns -0.0 to 0.0
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
