"""The routing adapter and the planner around it: every plan it returns is feasible.

Plans are checked twice: by ``check_plan`` on the integer problem, and here again on the domain
objects (kilograms, cubic metres, datetimes, refrigeration), independently of both.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal

import numpy as np
import pytest

from otwb.platform.geo import GeoPoint
from otwb.platform.values import TemperatureClass
from otwb.transport import planning, routing
from otwb.transport.distance import HaversineProvider
from otwb.transport.model import (
    Shipment,
    Vehicle,
    service_seconds,
)
from otwb.transport.planning import RouteDraft, Unplanned
from otwb.transport.vrp import (
    PlannedVisit,
    RoutingDepot,
    RoutingProblem,
    RoutingStop,
    RoutingVehicle,
    check_plan,
)
from tests.unit.transport.builders import DAY, DEPOT, EVE, at, scattered, shipment, vehicle

PROVIDER = HaversineProvider(Decimal("1.3"))
LIMIT = 0.5


def plan(vehicles, shipments, now=EVE, day: date = DAY, limit: float = LIMIT, seed: int = 0):
    p = planning.build(DEPOT, vehicles, shipments, day, now, PROVIDER)
    result = routing.solve(p.problem, limit, seed)
    assert check_plan(p.problem, result) == []
    routes, unplanned = planning.drafts(p, result)
    return p, routes, unplanned


def assert_feasible(
    routes: list[RouteDraft], unplanned: list[Unplanned], shipments: list[Shipment], now=EVE
):
    """The domain's own reading of feasibility, from kilometres and clock times."""
    seen: list[str] = []
    for r in routes:
        v = r.vehicle
        carried = [s.shipment for s in r.stops]
        assert sum(s.weight_kg for s in carried) <= v.capacity_kg + 1e-9
        assert sum(s.volume_m3 for s in carried) <= v.capacity_m3 + 1e-9
        for s in carried:
            assert v.can_carry(s.temperature_class), f"{s.id} is cold, {v.code} is not"
        assert r.start >= max(at(0) + timedelta(seconds=v.shift_start_s), now)
        assert r.end <= at(0) + timedelta(seconds=v.shift_end_s)
        previous = r.start
        for stop in r.stops:
            s = stop.shipment
            if s.window is not None:
                assert s.window.start <= stop.arrival <= s.window.end, s.id
            assert stop.arrival >= previous
            previous = stop.arrival + timedelta(seconds=service_seconds(s.parcel_count))
        assert r.end >= previous
        assert len({s.id for s in carried}) == len(carried)
        seen.extend(s.id for s in carried)
    seen.extend(u.shipment_id for u in unplanned)
    assert sorted(seen) == sorted(s.id for s in shipments)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_plans_are_feasible_mixed_fleet_windows_and_cold(seed):
    fleet = [
        vehicle("V1", kg=700, m3=6),
        vehicle("V2", kg=500, m3=4, refrigerated=True, speed=50),
        vehicle("V3", kg=300, m3=3, shift=(time(9), time(15))),
    ]
    items = scattered(45, seed, windows=True, cold_every=6)
    # 45 stops with windows on a tight fleet: a loaded machine gets few iterations in 0.5 s of
    # wall time, so give it 3 s (the router stops earlier once it stops improving)
    p, routes, unplanned = plan(fleet, items, seed=seed, limit=3.0)
    assert routes
    assert len(p.problem.durations_s) == 2  # one profile per distinct speed
    assert_feasible(routes, unplanned, items)
    cold = [
        s.shipment for r in routes for s in r.stops if s.shipment.temperature_class != "ambient"
    ]
    assert cold
    assert all(r.vehicle.refrigerated for r in routes for s in r.stops if s.shipment in cold)


def test_everything_fits_so_everything_is_planned():
    items = scattered(12, 7, windows=False)
    _, routes, unplanned = plan([vehicle("V1", kg=2000, m3=20)], items)
    assert unplanned == []
    assert sum(len(r.stops) for r in routes) == 12


def test_overflow_leaves_shipments_unplanned_instead_of_overloading():
    items = [shipment(n, GeoPoint(45.75 + n * 0.003, 4.85), kg=30.0) for n in range(10)]
    _, routes, unplanned = plan([vehicle("V1", kg=100.0, m3=10)], items)
    assert len(routes) == 1
    assert len(routes[0].stops) == 3  # 3 x 30 kg fit in 100 kg, a fourth does not
    assert len(unplanned) == 7
    assert {u.reason for u in unplanned} == {planning.FLEET_FULL}
    assert_feasible(routes, unplanned, items)


def test_volume_is_a_capacity_too():
    items = [shipment(n, kg=1.0, m3=0.4) for n in range(5)]
    _, routes, unplanned = plan([vehicle("V1", kg=1000, m3=1.0)], items)
    assert sum(len(r.stops) for r in routes) == 2
    assert len(unplanned) == 3


def test_impossible_shipments_are_left_out_up_front_with_their_reason():
    near = GeoPoint(45.74, 4.90)
    items = [
        shipment(1, near, window=(at(5), at(6))),  # before every shift starts
        shipment(2, near, window=(at(-20), at(-18))),  # yesterday
        shipment(3, near, window=(at(30), at(32))),  # tomorrow
        shipment(4, near, temperature=TemperatureClass.FROZEN),
        shipment(5, near, kg=5000.0),
        shipment(6, near, window=(at(7), at(7, 5))),  # 7:00 departure, ~10 min away
        shipment(7, near, window=(at(10), at(12))),  # fine
    ]
    _, routes, unplanned = plan([vehicle("V1")], items)
    reasons = {u.shipment_id: u.reason for u in unplanned}
    assert reasons == {
        "shp_000001": planning.WINDOW_MISSED,
        "shp_000002": planning.WINDOW_MISSED,
        "shp_000003": planning.OUTSIDE_SHIFTS,
        "shp_000004": planning.NEEDS_COLD,
        "shp_000005": planning.TOO_BIG,
        "shp_000006": planning.WINDOW_MISSED,
    }
    assert [s.shipment.id for r in routes for s in r.stops] == ["shp_000007"]
    assert_feasible(routes, unplanned, items)


def test_no_free_vehicle_means_nothing_is_planned():
    items = scattered(3, 1)
    _, routes, unplanned = plan([vehicle("V1", active=False)], items)
    assert routes == []
    assert [u.reason for u in unplanned] == [planning.NO_VEHICLE] * 3
    # A shift already over counts as not free.
    _, routes, unplanned = plan([vehicle("V1")], items, now=at(18))
    assert routes == []
    assert len(unplanned) == 3


def test_vehicles_leave_now_when_the_shift_has_begun():
    items = scattered(8, 4, windows=False)
    _, routes, unplanned = plan([vehicle("V1", kg=2000, m3=20)], items, now=at(12, 30))
    assert routes
    assert routes[0].start >= at(12, 30)
    assert_feasible(routes, unplanned, items, now=at(12, 30))


def test_shift_end_bounds_the_route():
    # Far-flung stops, a short shift: the vehicle must be back by 10:00.
    items = [
        shipment(n, GeoPoint(45.72 + 0.15 * (n % 3), 4.95 + 0.2 * (n // 3)), kg=5.0)
        for n in range(9)
    ]
    _, routes, unplanned = plan([vehicle("V1", shift=(time(8), time(10)))], items)
    assert unplanned  # two hours are not enough for nine stops tens of km apart
    assert all(r.end <= at(10) for r in routes)
    assert_feasible(routes, unplanned, items)


def test_the_router_minimises_money():
    dear = vehicle("DEAR", per_km="2.00", per_hour="60", fixed="100")
    cheap = vehicle("CHEAP", per_km="0.40", per_hour="25", fixed="20")
    items = scattered(6, 9, windows=False, kg=(5, 10))
    _, routes, _ = plan([dear, cheap], items)
    assert [r.vehicle.code for r in routes] == ["CHEAP"]
    r = routes[0]
    hours = Decimal(r.duration_s) / 3600
    expected = Decimal(20) + Decimal(r.distance_m) / 1000 * Decimal("0.40") + hours * 25
    assert r.cost.amount == expected.quantize(Decimal("0.01"))


# -- the adapter on its own: several depots, and check_plan catching broken plans -----------
def two_depot_problem() -> RoutingProblem:
    points = [
        GeoPoint(45.76, 4.84),  # depot Lyon
        GeoPoint(45.19, 5.72),  # depot Grenoble
        *(GeoPoint(45.76 + 0.02 * k, 4.84 + 0.02 * k) for k in range(1, 5)),
        *(GeoPoint(45.19 + 0.02 * k, 5.72 - 0.02 * k) for k in range(1, 5)),
    ]
    d = PROVIDER.distance_m(points)
    t = PROVIDER.duration_s(points, 50.0)
    return RoutingProblem(
        dimensions=("weight_g",),
        coordinates=np.array([[p.lon, p.lat] for p in points]),
        distance_m=d,
        durations_s=(t,),
        depots=(RoutingDepot(0, "LYS"), RoutingDepot(1, "GNB")),
        vehicles=(
            RoutingVehicle("LYS-1", 0, (100_000,), 25_200, 61_200, 5_000_000, 50, 833),
            RoutingVehicle("GNB-1", 1, (100_000,), 25_200, 61_200, 5_000_000, 50, 833),
        ),
        stops=tuple(RoutingStop(f"S{i}", i, (10_000,), 300, 0, 86_400) for i in range(2, 10)),
    )


def test_several_depots_each_vehicle_serves_its_own_region():
    problem = two_depot_problem()
    result = routing.solve(problem, LIMIT)
    assert check_plan(problem, result) == []
    assert result.unplanned == ()
    by_vehicle = {r.vehicle: sorted(v.stop for v in r.visits) for r in result.routes}
    assert by_vehicle == {0: [0, 1, 2, 3], 1: [4, 5, 6, 7]}


def test_check_plan_catches_what_breaks_the_rules():
    problem = two_depot_problem()
    good = routing.solve(problem, LIMIT)
    route = good.routes[0]
    assert check_plan(problem, good) == []

    tight = replace(
        problem, vehicles=(replace(problem.vehicles[0], capacity=(30_000,)), problem.vehicles[1])
    )
    assert any("over its capacity" in p for p in check_plan(tight, good))

    early_end = replace(
        problem,
        vehicles=(replace(problem.vehicles[0], tw_late=route.end_s - 1), problem.vehicles[1]),
    )
    assert any("after its shift" in p for p in check_plan(early_end, good))

    first = route.visits[0]
    closed = list(problem.stops)
    closed[first.stop] = replace(closed[first.stop], tw_late=first.start_s - 1)
    assert any("outside" in p for p in check_plan(replace(problem, stops=tuple(closed)), good))

    twice = replace(route, visits=(*route.visits, route.visits[0]))
    doubled = replace(good, routes=(twice, *good.routes[1:]))
    assert any("served twice" in p for p in check_plan(problem, doubled))

    teleport = replace(
        route,
        visits=(
            PlannedVisit(
                first.stop,
                route.start_s,
                route.start_s,
                route.start_s + problem.stops[first.stop].service_s,
            ),
            *route.visits[1:],
        ),
    )
    assert any(
        "before the vehicle can be there" in p
        for p in check_plan(problem, replace(good, routes=(teleport, *good.routes[1:])))
    )

    lost = replace(good, routes=good.routes[1:])
    assert any("neither planned nor" in p for p in check_plan(problem, lost))


def test_a_problem_with_inconsistent_data_is_refused():
    problem = two_depot_problem()
    with pytest.raises(ValueError, match="capacity"):
        replace(problem, vehicles=(replace(problem.vehicles[0], capacity=(1, 2)),))
    with pytest.raises(ValueError, match="matrix"):
        replace(problem, distance_m=problem.distance_m[:3, :3])
    with pytest.raises(ValueError, match="no location"):
        replace(problem, stops=(replace(problem.stops[0], location=99),))


def test_prize_outweighs_any_single_stop():
    problem = two_depot_problem()
    prize = routing.prize(problem)
    v = problem.vehicles[0]
    worst = v.fixed_cost + v.cost_per_m * 2 * int(problem.distance_m.max()) + v.cost_per_s * 61_200
    assert prize > worst


def test_vehicle_types_match_what_a_vehicle_is():
    v: Vehicle = vehicle("R1", kg=1234.5678, m3=2.5, refrigerated=True)
    assert planning.capacity(v, 7) == (1_234_567, 2_500_000, 7)
    assert planning.capacity(vehicle("A1"), 7)[2] == 0
    s = shipment(1, kg=0.0015, m3=0.0000015, temperature=TemperatureClass.CHILLED)
    assert planning.demand(s) == (2, 2, 1)  # demands round up, capacities down


def test_a_small_problem_does_not_wait_for_the_time_limit():
    problem = two_depot_problem()
    result = routing.solve(problem, time_limit_s=30.0)
    assert result.runtime_s < 10.0
    assert result.unplanned == ()
    assert check_plan(problem, result) == []


def test_extreme_rates_are_scaled_not_overflowed():
    problem = two_depot_problem()
    rich = tuple(
        replace(v, fixed_cost=10**14, cost_per_m=10**13, cost_per_s=10**13)
        for v in problem.vehicles
    )
    problem = replace(problem, vehicles=rich)
    assert routing._cost_scale(problem, routing.prize(problem)) > 1
    result = routing.solve(problem, LIMIT)
    assert check_plan(problem, result) == []
    assert result.unplanned == ()
    r = result.routes[0]
    assert r.cost == 10**14 + 10**13 * (r.distance_m + r.duration_s)


def test_when_windows_not_capacity_rule_out_some_stops_the_rest_is_still_planned():
    # The fleet carries everything (required stops are tried first), but two customers far
    # apart want the same ten minutes: one van cannot serve both, so one is left out.
    window = (at(10), at(10) + timedelta(minutes=10))
    items = [
        shipment(1, GeoPoint(45.60, 4.70), window=window),
        shipment(2, GeoPoint(45.90, 5.20), window=window),
        shipment(3, GeoPoint(45.73, 4.96)),
    ]
    fleet = [vehicle("V1", kg=2000, m3=20)]
    p = planning.build(DEPOT, fleet, items, DAY, EVE, PROVIDER)
    assert routing.fleet_covers_demand(p.problem)
    _, routes, unplanned = plan(fleet, items, limit=1.0)
    assert len(unplanned) == 1
    assert unplanned[0].shipment_id in {items[0].id, items[1].id}
    assert sum(len(r.stops) for r in routes) == 2
    assert_feasible(routes, unplanned, items)


def test_a_fleet_too_small_for_the_demand_is_detected_before_searching():
    items = [shipment(n, kg=400.0) for n in range(3)]
    p = planning.build(DEPOT, [vehicle("V1", kg=1000, m3=20)], items, DAY, EVE, PROVIDER)
    assert not routing.fleet_covers_demand(p.problem)
