"""Travel matrices and their embedded estimate from straight-line distance.

Great-circle distance by the haversine formula on the mean Earth radius (IUGG,
6,371,008.8 m), which is within 0.5 % of the WGS84 ellipsoidal distance, far less than
the uncertainty of the road factor; turned into road distance and time by a vehicle
profile (routing.core.travel_times). Pure Python and numpy, no Django.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.core.travel_times import MOTORBIKE, VehicleProfile, seconds_on_road

EARTH_RADIUS_M = 6_371_008.8
_ROW_BLOCK = 512  # rows per numpy pass: temporaries stay 512 x n_destinations

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


def as_points(points: Points) -> npt.NDArray[np.float64]:
    """Return (lat, lon) pairs as an (n, 2) array, or raise ValueError."""
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
    src = np.radians(as_points(sources))
    dst = src if destinations is None else np.radians(as_points(destinations))
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


def road_estimate(
    straight_m: npt.NDArray[np.float64], profile: VehicleProfile
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Return the road metres and seconds a profile gives straight-line metres."""
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
    distance_m, duration_s = road_estimate(haversine_m(sources, destinations), profile)
    return TravelMatrix(distance_m=distance_m, duration_s=duration_s, source="geodesic")
