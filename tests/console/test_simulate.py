"""Driving a route in a fixed order: times, waits for windows, late stops."""

from routing.core.simulate import SimStop, simulate_route

# Depot 0 and two places: 10 minutes between any two of them, 5 km.
DURATION = [[0, 600, 600], [600, 0, 600], [600, 600, 0]]
DISTANCE = [[0, 5000, 5000], [5000, 0, 5000], [5000, 5000, 0]]
EIGHT, FOUR_PM = 8 * 3600, 16 * 3600


def _drive(stops, start_s=EIGHT):
    return simulate_route(
        stops,
        start_s=start_s,
        shift_end_s=FOUR_PM,
        duration_s=DURATION,
        distance_m=DISTANCE,
    )


def test_route_is_driven_in_order_from_the_depot_and_back():
    route = _drive([SimStop(1, 300), SimStop(2, 300)])

    assert [v.arrival_s for v in route.visits] == [EIGHT + 600, EIGHT + 1500]
    assert route.end_s == EIGHT + 2400
    assert route.distance_m == 15000
    assert route.duration_s == 2400
    assert not any(v.late for v in route.visits)


def test_courier_waits_for_a_window_to_open():
    opens = 10 * 3600

    route = _drive([SimStop(1, 300, window_start_s=opens, window_end_s=opens + 3600)])

    assert route.visits[0].arrival_s == EIGHT + 600
    assert route.visits[0].service_start_s == opens
    assert route.visits[0].late is False


def test_stop_reached_after_its_window_closes_is_flagged_late():
    route = _drive([SimStop(1, 3 * 3600), SimStop(2, 300, window_end_s=EIGHT + 3600)])

    assert [v.late for v in route.visits] == [False, True]


def test_route_returning_after_the_shift_is_over_shift():
    route = _drive([SimStop(1, 300)], start_s=FOUR_PM - 600)

    assert route.over_shift is True
    assert route.visits[0].late is False  # served exactly at the end of the shift
