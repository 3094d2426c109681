"""Travel matrices: the embedded estimate, the OSRM client (against a double), cache.

No database and no network: OSRM is tests/routing/osrm_double.py on 127.0.0.1.
"""

import json
import socket
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from geopy.distance import geodesic

from delivery.gazetteer import load_gazetteer
from routing.core.geodesic import geodesic_matrix, haversine_m
from routing.core.matrix import (
    CAR,
    MOTORBIKE,
    PROFILES,
    REFERENCE_TRIPS,
    MatrixCache,
    VehicleProfile,
    travel_matrix,
)
from routing.core.osrm import OsrmError, OsrmTableClient
from tests.routing.osrm_double import OsrmDouble, double_distance_m

MUARO = "13.03.04.2001"
PASAR_SAWAHLUNTO = "13.73.01.1004"


def _point(code: str) -> tuple[float, float]:
    place = load_gazetteer().get(code)
    assert place is not None
    return (place.lat, place.lon)


def _village_points(n: int) -> list[tuple[float, float]]:
    return [(p.lat, p.lon) for p in load_gazetteer().villages()[:n]]


def _expected(src, dst) -> np.ndarray:
    return np.array([[round(double_distance_m(a, b)) for b in dst] for a in src])


def _table_shape(path: str) -> tuple[int, int]:
    url = urlsplit(path)
    n_points = len(url.path.rsplit("/", 1)[1].split(";"))
    query = parse_qs(url.query)
    rows = len(query["sources"][0].split(";")) if "sources" in query else n_points
    cols = (
        len(query["destinations"][0].split(";"))
        if "destinations" in query
        else n_points
    )
    return rows, cols


@pytest.fixture
def osrm():
    with OsrmDouble() as double:
        yield double


def test_embedded_matrix_is_symmetric_with_zero_diagonal():
    points = _village_points(151)

    matrix = geodesic_matrix(points)

    assert matrix.distance_m.shape == (151, 151)
    assert (matrix.distance_m == matrix.distance_m.T).all()
    assert (matrix.duration_s == matrix.duration_s.T).all()
    assert not matrix.distance_m.diagonal().any()
    assert matrix.distance_m.dtype == np.int32
    assert matrix.source == "geodesic"


def test_haversine_agrees_with_wgs84_geodesic_from_muaro_to_sawahlunto():
    muaro, sawahlunto = _point(MUARO), _point(PASAR_SAWAHLUNTO)

    straight_m = haversine_m([muaro], [sawahlunto])[0, 0]

    assert 18_000 < straight_m < 23_000
    assert straight_m == pytest.approx(geodesic(muaro, sawahlunto).m, rel=0.005)


def test_embedded_road_distance_and_time_from_muaro_to_sawahlunto():
    muaro, sawahlunto = _point(MUARO), _point(PASAR_SAWAHLUNTO)
    straight_m = haversine_m([muaro], [sawahlunto])[0, 0]

    matrix = geodesic_matrix([muaro], [sawahlunto], profile=MOTORBIKE)

    road_km = 1.4 * straight_m / 1000
    assert matrix.distance_m[0, 0] == round(1.4 * straight_m)
    # 5 km of village track at 25 km/h, 15 km at 35 km/h, the rest at 45 km/h.
    assert 20 < road_km < 40
    expected_s = (5 / 25 + 15 / 35 + (road_km - 20) / 45) * 3600
    assert matrix.duration_s[0, 0] == pytest.approx(expected_s, abs=1)
    assert 40 * 60 < matrix.duration_s[0, 0] < 70 * 60


def test_speed_grows_with_the_length_of_the_trip():
    kilometres = np.array([1, 3, 5, 10, 20, 40, 80, 120, 200])
    for profile in (MOTORBIKE, CAR):
        minutes = np.array([profile.minutes(km) for km in kilometres])
        speeds = kilometres / (minutes / 60)

        assert (np.diff(minutes) > 0).all()  # a longer trip never takes less time
        assert (np.diff(speeds) >= -1e-9).all()  # ... but goes faster on average
        assert speeds[0] < 30
        assert speeds[-1] > 40


def test_a_detour_never_saves_time():
    # Concave time: the straight leg is never slower than two legs summing to it.
    for profile in (MOTORBIKE, CAR):
        for a, b in [(1, 1), (3, 4), (5, 15), (10, 70), (2, 150)]:
            assert profile.minutes(a + b) <= profile.minutes(a) + profile.minutes(b)


@pytest.mark.parametrize("trip", REFERENCE_TRIPS, ids=lambda t: t.name)
def test_profiles_reproduce_each_reference_trip(trip):
    minutes = PROFILES[trip.kind].minutes(trip.road_km)

    assert minutes == pytest.approx(trip.minutes, rel=trip.tolerance)
    assert trip.source  # each figure says where it came from


def test_the_trunk_road_to_pulau_punjung_fits_a_day_by_motorbike():
    office, sungai_dareh = (-0.6636, 100.9433), _point("13.10.02.2001")

    matrix = geodesic_matrix([office], [sungai_dareh], profile=MOTORBIKE)

    # About 100 km of road: two and a half hours, not the 3 h 20 of 30 km/h.
    assert 95_000 < matrix.distance_m[0, 0] < 110_000
    assert 2 * 3600 < matrix.duration_s[0, 0] < 2.75 * 3600


def test_invalid_tiers_are_refused():
    with pytest.raises(ValueError, match="invalid vehicle profile"):
        VehicleProfile(kind="x", speed_kmh=30, tiers=((5, 40),))  # slower later
    with pytest.raises(ValueError, match="invalid vehicle profile"):
        VehicleProfile(kind="x", speed_kmh=50, tiers=((5, 20), (5, 30)))


def test_car_is_slower_on_village_tracks_and_faster_on_the_trunk_road():
    assert CAR.minutes(4) > MOTORBIKE.minutes(4)
    assert CAR.minutes(150) < MOTORBIKE.minutes(150)


def test_profile_road_factor_and_speed_are_used():
    slow = VehicleProfile(kind="bicycle", speed_kmh=12.0, road_factor=1.0)

    matrix = geodesic_matrix([(-0.7, 101.0)], [(-0.7, 101.01)], profile=slow)

    one_hundredth_degree_m = 1_112  # at the equator, cos(0.7 deg) ~ 1
    assert matrix.distance_m[0, 0] == pytest.approx(one_hundredth_degree_m, abs=2)
    assert matrix.duration_s[0, 0] == pytest.approx(
        one_hundredth_degree_m / (12 / 3.6), abs=1
    )


def test_rectangular_matrix_and_lists_for_the_solver():
    matrix = geodesic_matrix(_village_points(3), _village_points(5))

    assert matrix.distance_m.shape == (3, 5)
    assert len(matrix.duration_lists()) == 3
    assert all(isinstance(x, int) for x in matrix.distance_lists()[0])


def test_matrix_arrays_cannot_be_changed_by_a_caller():
    matrix = geodesic_matrix(_village_points(3))

    with pytest.raises(ValueError, match="read-only"):
        matrix.distance_m[0, 1] = 0


@pytest.mark.parametrize(
    "bad", [[(float("nan"), 101.0)], [(101.0, 200.0)], [(100.9, -0.7)]]
)
def test_invalid_points_are_rejected(bad):
    with pytest.raises(ValueError, match="lat, lon"):
        geodesic_matrix(bad)


def test_osrm_table_round_trip(osrm):
    points = _village_points(6)

    matrix = travel_matrix(points, osrm_url=osrm.base_url, cache=None)

    assert len(osrm.requests) == 1
    path = osrm.requests[0]
    assert path.startswith(f"/table/v1/driving/{points[0][1]:.6f},{points[0][0]:.6f};")
    assert "annotations=duration,distance" in path
    assert matrix.source == "osrm"
    assert (matrix.distance_m == _expected(points, points)).all()
    assert (matrix.duration_s == np.rint(_expected(points, points) / 10)).all()


def test_osrm_requests_are_split_into_blocks_within_the_table_limit():
    points = _village_points(23)

    with OsrmDouble(max_table_size=5) as osrm:
        matrix = OsrmTableClient(osrm.base_url, max_block=5).table(points)

    assert len(osrm.requests) == 5 * 5
    assert all(_table_shape(p) <= (5, 5) for p in osrm.requests)
    assert max(len(p) for p in osrm.requests) < 1_000
    assert (matrix.distance_m == _expected(points, points)).all()


def test_osrm_rectangular_request_is_split_and_reassembled():
    sources, destinations = _village_points(7), _village_points(30)[10:]

    with OsrmDouble(max_table_size=4) as osrm:
        client = OsrmTableClient(osrm.base_url, max_block=4)
        matrix = client.table(sources, destinations, profile=CAR)

    assert matrix.distance_m.shape == (7, 20)
    assert (matrix.distance_m == _expected(sources, destinations)).all()
    assert len(osrm.requests) == 2 * 5


def test_osrm_error_code_is_reported(osrm):
    points = _village_points(4)
    osrm.unsnappable.add(points[2])

    with pytest.raises(OsrmError, match="NoSegment.*coordinate 2"):
        travel_matrix(points, osrm_url=osrm.base_url, cache=None)


def test_osrm_table_too_big_is_reported():
    with OsrmDouble(max_table_size=3) as osrm, pytest.raises(OsrmError, match="TooBig"):
        OsrmTableClient(osrm.base_url, max_block=4).table(_village_points(4))


def test_osrm_gateway_error_without_json_is_reported(osrm):
    osrm.raw_response = (502, b"<html>Bad Gateway</html>")

    with pytest.raises(OsrmError, match="HTTP 502"):
        travel_matrix(_village_points(2), osrm_url=osrm.base_url, cache=None)


def test_osrm_timeout_is_reported():
    with OsrmDouble(delay_s=1.0) as osrm, pytest.raises(OsrmError, match="too slow"):
        OsrmTableClient(osrm.base_url, timeout_s=0.2).table(_village_points(2))


def test_osrm_unreachable_is_reported():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the request: refused

    with pytest.raises(OsrmError, match="unreachable"):
        travel_matrix(
            _village_points(2), osrm_url=f"http://127.0.0.1:{port}", cache=None
        )


def test_osrm_pairs_without_route_get_the_embedded_estimate(osrm):
    points = _village_points(4)
    osrm.unroutable.add(points[3])

    matrix = travel_matrix(points, osrm_url=osrm.base_url, cache=None)

    assert matrix.estimated_cells == 6
    estimate = geodesic_matrix(points)
    assert matrix.distance_m[0, 3] == estimate.distance_m[0, 3]
    assert matrix.distance_m[0, 1] == _expected(points[:1], points[1:2])[0, 0]


def test_osrm_base_url_must_be_http():
    with pytest.raises(ValueError, match="http"):
        OsrmTableClient("file:///etc/passwd")


def test_second_identical_request_is_served_from_the_cache(osrm):
    cache = MatrixCache()
    points = _village_points(10)
    first = travel_matrix(points, osrm_url=osrm.base_url, cache=cache)

    nudged = [(lat + 1e-8, lon) for lat, lon in points]  # same after rounding
    second = travel_matrix(nudged, osrm_url=osrm.base_url, cache=cache)

    assert len(osrm.requests) == 1
    assert second is first
    assert (cache.hits, cache.misses) == (1, 1)


def test_cache_keys_differ_by_profile_source_and_points(osrm):
    cache = MatrixCache()
    points = _village_points(5)
    travel_matrix(points, osrm_url=osrm.base_url, cache=cache)

    travel_matrix(points, osrm_url=osrm.base_url, profile=CAR, cache=cache)
    travel_matrix(points[:4], osrm_url=osrm.base_url, cache=cache)
    embedded = travel_matrix(points, cache=cache)

    assert len(osrm.requests) == 3
    assert embedded.source == "geodesic"
    assert cache.hits == 0


def test_cache_evicts_the_least_recently_used():
    cache = MatrixCache(max_entries=2)
    a, b, c = ([(-0.7, 101.0 + i / 10)] for i in range(3))
    travel_matrix(a, cache=cache)
    travel_matrix(b, cache=cache)
    travel_matrix(a, cache=cache)

    travel_matrix(c, cache=cache)
    travel_matrix(a, cache=cache)
    travel_matrix(b, cache=cache)

    assert (cache.hits, cache.misses) == (2, 4)


def test_matrix_module_does_not_import_django():
    code = "import sys, routing.core.matrix; print('django' in sys.modules)"

    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"code": "Ok", "durations": [[0]], "distances": [[0]]}, "table"),
        ({"code": "Ok", "durations": [[0, 1], [1, 0]]}, "older than 5.19"),
    ],
)
def test_osrm_unusable_answer_is_reported(osrm, body, message):
    osrm.raw_response = (200, json.dumps(body).encode())

    with pytest.raises(OsrmError, match=message):
        travel_matrix(_village_points(2), osrm_url=osrm.base_url, cache=None)
