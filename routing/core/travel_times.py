"""Vehicle profiles: how straight-line distance becomes road distance and time.

The embedded travel-time model of `routing.core.matrix` (no OSRM): road distance is
the straight-line distance times a road factor, driven at a speed that grows with the
trip's length. Every trip begins and ends on village tracks; a long one spends most of
its way on the trans-Sumatra road (Muaro Sijunjung - Kiliran Jao - Sitiung - Pulau
Punjung). Each tier is a stretch of the trip at its own speed; the figures are
calibrated against `REFERENCE_TRIPS`, published door-to-door trips with their sources
(docs/DESIGN.md, "Travel times"). Pure Python and numpy, no Django.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class VehicleProfile:
    """How a kind of vehicle turns straight-line distance into road time.

    Parameters
    ----------
    kind
        "motorbike", "car", ...
    speed_kmh
        Average speed, stops and slopes included, on the road beyond the last of
        ``tiers`` (on the whole trip without tiers). Embedded estimate only: with
        OSRM, the server's profile gives the times.
    road_factor
        Road distance over straight-line distance (embedded estimate only).
    osrm_profile
        The profile name in OSRM URLs (``/table/v1/{osrm_profile}/...``).
    tiers
        ``(up_to_road_km, speed_kmh)`` pairs in increasing order: the first
        ``up_to_road_km`` of a trip are driven at the first speed, the road up to the
        next bound at the next, and so on; speeds may not decrease, so a longer trip
        never takes less time and a detour never saves time.
    """

    kind: str
    speed_kmh: float
    road_factor: float = 1.4
    osrm_profile: str = "driving"
    tiers: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        bounds = [km for km, _ in self.tiers]
        speeds = [kmh for _, kmh in self.tiers] + [self.speed_kmh]
        if (
            not all(v > 0 for v in speeds)
            or not self.road_factor >= 1
            or any(b <= a for a, b in zip([0.0, *bounds], bounds, strict=False))
            or any(b < a for a, b in zip(speeds, speeds[1:], strict=False))
        ):
            raise ValueError(f"invalid vehicle profile {self!r}")

    def minutes(self, road_km: float) -> float:
        """Return the embedded estimate of the time to drive `road_km` of road."""
        seconds = seconds_on_road(np.array([road_km * 1000.0]), self)
        return float(seconds[0]) / 60


# Speeds by trip length (docs/DESIGN.md, "Travel times"): the first 5 km of road of
# any trip on village tracks, up to 20 km on district roads, the rest on the
# trans-Sumatra road. Calibrated against REFERENCE_TRIPS below.
MOTORBIKE = VehicleProfile(
    kind="motorbike", speed_kmh=45.0, tiers=((5.0, 25.0), (20.0, 35.0))
)
CAR = VehicleProfile(kind="car", speed_kmh=50.0, tiers=((5.0, 20.0), (20.0, 35.0)))
PROFILES = {p.kind: p for p in (MOTORBIKE, CAR)}


@dataclass(frozen=True, slots=True)
class ReferenceTrip:
    """A door-to-door trip with a published time, to calibrate a profile against.

    ``road_km`` and ``minutes`` are the published figures (or, where ``source`` says
    so, an estimate); ``tolerance`` is the relative error the model may make.
    """

    name: str
    kind: str
    road_km: float
    minutes: float
    tolerance: float
    source: str


REFERENCE_TRIPS = (
    ReferenceTrip(
        "Bandara Minangkabau - Kamang Baru (Kab. Sijunjung)",
        "car",
        182,
        249,
        0.15,
        "Google Maps as quoted by kangnawar.net, 'Ke Sijunjung ... Travel Plat "
        "Hitam': 182 km, 4 h 9 min",
    ),
    ReferenceTrip(
        "Padang - Sawahlunto",
        "car",
        95,
        120,
        0.15,
        "sumbarprov.go.id news 14236 (Dinas Pariwisata, 2018): 95 km, "
        "'sekitar 2 jam dengan mobil'",
    ),
    ReferenceTrip(
        "Pariaman - Jambi via Sawahlunto, Pulau Punjung, Sungai Rumbai",
        "car",
        554,
        780,
        0.15,
        "paticbaradja.blogspot.com: 554 km in 17 h including 4 h of rest",
    ),
    ReferenceTrip(
        "Sungai Penuh - Muko-muko (provincial road)",
        "motorbike",
        138,
        210,
        0.15,
        "kompasiana.com/fathadi (2022), by motorbike: 138 km, 3.5 h",
    ),
    ReferenceTrip(
        "Padang - Pulau Punjung (Dharmasraya)",
        "motorbike",
        190,
        330,
        0.25,
        "kompasiana.com/aditya69252 (2024): about 6 h by motorbike with two stops "
        "(30 min taken off); 190 km is our estimate of the road, not published",
    ),
)


def seconds_on_road(
    road_m: npt.NDArray[np.float64], profile: VehicleProfile
) -> npt.NDArray[np.float64]:
    """Seconds to drive `road_m` metres: piecewise linear and concave in distance.

    With speeds that never decrease, each tier's line lies above the curve outside
    its tier, so the time is the least of the lines: one temporary array, whatever
    the number of tiers.
    """
    bounds = [km * 1000 for km, _ in profile.tiers]
    speeds = [kmh / 3.6 for _, kmh in profile.tiers] + [profile.speed_kmh / 3.6]
    seconds = road_m / speeds[0]
    line = np.empty_like(seconds)
    start_m, start_s = 0.0, 0.0
    for i in range(1, len(speeds)):
        start_s += (bounds[i - 1] - start_m) / speeds[i - 1]
        start_m = bounds[i - 1]
        np.subtract(road_m, start_m, out=line)
        line /= speeds[i]
        line += start_s
        np.minimum(seconds, line, out=seconds)
    return seconds
