"""Rules of the TMS, pure: rate cards and rate shopping, connectors (golden files), CO2, load
planning, drivers' breaks, pickups, traffic incidents, distance providers, benchmark files."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest

from otwb.platform.errors import InvalidInput
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CarrierId
from otwb.platform.values import TemperatureClass
from otwb.transport import benchfiles, emissions, loadplan, planning, rateshop, routing
from otwb.transport.connectors.base import Address, HttpResponse, TenderRequest
from otwb.transport.connectors.registry import connector
from otwb.transport.distance import EuclideanProvider, HaversineProvider
from otwb.transport.fleet_model import Driver, DriverId, Fuel
from otwb.transport.model import ShipmentKind
from otwb.transport.osrm import DistanceUnavailable, OsrmProvider
from otwb.transport.rating import Carrier, RateCard
from otwb.transport.traffic import Incident, affected, slowed
from otwb.transport.vrp import check_plan
from tests.unit.transport.builders import DAY, DEPOT, EVE, at, scattered, shipment, vehicle

GOLDEN = Path(__file__).parent / "golden"
DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "vrp"
PROVIDER = HaversineProvider(Decimal("1.3"))
CARD: dict = {
    "zones": [
        {"name": "city", "max_km": "30", "transit_days": 1},
        {"name": "region", "max_km": "150", "transit_days": 2},
    ],
    "breaks": [
        {"max_kg": "30", "per_kg": {"city": "0.90", "region": "1.20"}},
        {"max_kg": "1000", "per_kg": {"city": "0.50", "region": "0.70"}},
    ],
    "minimum": "12.00",
    "surcharges": [
        {"name": "fuel", "basis": "percent", "amount": "10"},
        {"name": "cold", "basis": "flat", "amount": "8", "applies_to": "refrigerated"},
    ],
    "cold_chain": True,
}


# -- rate cards ------------------------------------------------------------------------------
def test_rate_card_zones_breaks_minimum_and_surcharges():
    card = RateCard.parse("EUR", CARD)
    small = card.quote(Decimal(5), Decimal("0.01"), 1, Decimal(10), cold=False)
    assert small is not None
    assert small.amount.amount == Decimal("13.20")  # minimum 12 + 10 % fuel
    heavy = card.quote(Decimal(100), Decimal("0.1"), 2, Decimal(40), cold=True)
    assert heavy is not None
    assert heavy.zone == "region"
    assert heavy.amount.amount == Decimal("85.00")  # 100 kg x 0.70 = 70 + 7 fuel + 8 cold
    bulky = card.quote(Decimal(10), Decimal("1.0"), 1, Decimal(10), cold=False)
    assert bulky is not None
    assert bulky.chargeable_kg == Decimal(250)  # volumetric weight wins
    assert card.quote(Decimal(5), Decimal("0.01"), 1, Decimal(500), cold=False) is None
    assert card.quote(Decimal(2000), Decimal("0.01"), 1, Decimal(5), cold=False) is None
    assert RateCard.parse("EUR", card.document()) == card


def test_rate_card_refuses_nonsense():
    with pytest.raises(InvalidInput):
        RateCard.parse("EUR", {**CARD, "breaks": [{"max_kg": "30", "per_kg": {"city": "1"}}]})
    with pytest.raises(InvalidInput):
        RateCard.parse("EUR", {**CARD, "minimum": "-1"})
    with pytest.raises(InvalidInput):
        RateCard.parse("EUR", {"zones": []})


def test_transit_time_counts_business_days_and_the_cutoff():
    card = RateCard.parse("EUR", CARD)
    thursday_morning = datetime(2026, 11, 26, 9, tzinfo=UTC)
    assert card.delivered_by(thursday_morning, 1).date().isoformat() == "2026-11-27"
    thursday_late = datetime(2026, 11, 26, 17, tzinfo=UTC)  # after the 16:00 cut-off
    assert card.delivered_by(thursday_late, 1).date().isoformat() == "2026-11-30"  # Monday


def test_rate_shopping_picks_the_cheapest_option_that_meets_the_promise():
    s = shipment(1, kg=20.0, window=(at(9), at(12)))
    cheap_slow = RateCard.parse(
        "EUR", {**CARD, "zones": [{**CARD["zones"][0], "transit_days": 3}, CARD["zones"][1]]}
    )
    dear_fast = RateCard.parse("EUR", {**CARD, "minimum": "40"})
    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    a = Carrier("car_A", "A", "Slow", "generic", None)
    b = Carrier("car_B", "B", "Fast", "generic", None)
    options = [
        rateshop.own_fleet(None, None, s.deadline),
        rateshop.carrier_option(a, "eco", cheap_slow, s, Decimal(10), now),
        rateshop.carrier_option(b, "std", dear_fast, s, Decimal(10), now),
    ]
    assert not options[0].feasible and not options[1].meets_deadline
    chosen = rateshop.choose(options)
    assert chosen is not None and chosen.carrier_id == CarrierId("car_B")
    own = rateshop.own_fleet(rateshop.Money.of("30", "EUR"), at(10), s.deadline)  # type: ignore[attr-defined]
    assert rateshop.choose([*options, own]) == own  # cheaper and on time
    late_own = rateshop.own_fleet(rateshop.Money.of("1", "EUR"), at(13), s.deadline)  # type: ignore[attr-defined]
    late_choice = rateshop.choose([*options, late_own])
    assert late_choice is not None
    assert late_choice.carrier_id == CarrierId("car_B")


# -- connectors: golden request / response -----------------------------------------------------
def tender_request() -> TenderRequest:
    return TenderRequest(
        reference="OT-0000-0000-0001-1",
        service_level="standard",
        ship_from=Address("Lyon East", "Lyon East", 45.72, 4.95),
        ship_to=Address("Bistro du Parc", "12 rue de la République", 45.76, 4.84),
        weight_kg=35.5,
        volume_m3=0.12,
        parcels=3,
        temperature_class="chilled",
        deliver_by=datetime(2026, 11, 27, 18, tzinfo=UTC),
        expected_cost=Decimal("41.90"),
        currency="EUR",
    )


def test_generic_connector_builds_the_golden_tender_request():
    request = connector("generic").build_tender("https://carrier.test/api/", tender_request())
    assert request.method == "POST"
    assert request.url == "https://carrier.test/api/shipments"
    assert json.loads(request.body) == json.loads(
        (GOLDEN / "generic_tender_request.json").read_text()
    )


def test_generic_connector_parses_the_golden_responses():
    c = connector("generic")
    confirmation = c.parse_tender(
        HttpResponse(200, (GOLDEN / "generic_tender_response.json").read_bytes())
    )
    assert confirmation.accepted and confirmation.carrier_reference == "GX123456789"
    events = c.parse_tracking(
        HttpResponse(200, (GOLDEN / "generic_tracking_response.json").read_bytes())
    )
    assert [e.status for e in events] == ["picked_up", "delivered"]
    assert events[1].signature_name == "M. Durand"
    assert events[1].photo_ref == "https://pod.example/GX123456789.jpg"
    from otwb.transport.connectors.base import CarrierRefused

    with pytest.raises(CarrierRefused):
        c.parse_tender(HttpResponse(500, b"oops"))
    with pytest.raises(InvalidInput):
        connector("nobody")


# -- CO2 -------------------------------------------------------------------------------------
def test_co2_depends_on_distance_load_and_vehicle():
    full = emissions.default_co2_kg_per_km(Fuel.DIESEL, 1000)
    assert full == Decimal("0.3564")  # 11 l/100 km x 3.24 kg/l
    assert emissions.default_co2_kg_per_km(Fuel.ELECTRIC, 1000) < full
    empty = emissions.leg_co2(Decimal(10), 0, 1000, full)
    loaded = emissions.leg_co2(Decimal(10), 1000, 1000, full)
    assert empty == full * 10 * Decimal("0.75") and loaded == full * 10
    # 10 km out with 500 kg, drop it all, 10 km back empty.
    total = emissions.route_co2([10_000, 10_000], [500.0], [0.0], 1000, full)
    assert total == (emissions.leg_co2(Decimal(10), 500, 1000, full) + empty).quantize(
        Decimal("0.001")
    )
    shares = emissions.allocate(Decimal("3.000"), [1.0, 2.0])
    assert shares == [Decimal("1.000"), Decimal("2.000")]
    assert sum(emissions.allocate(Decimal("1.000"), [1.0, 1.0, 1.0])) == Decimal("1.000")
    assert emissions.carrier_co2(500, Decimal(100), Decimal(110)) == Decimal("5.500")


# -- load planning ---------------------------------------------------------------------------
def test_load_planning_consolidates_by_weight_volume_and_pallets():
    big = vehicle("BIG", kg=1000, m3=10)
    small = vehicle("SMALL", kg=300, m3=3)
    items = [shipment(n, kg=200.0, m3=0.5) for n in range(6)]
    plan = loadplan.consolidate([small, big], items)
    assert [lo.vehicle.code for lo in plan.loads] == ["BIG", "SMALL"]
    assert len(plan.loads[0].shipments) == 5 and len(plan.loads[1].shipments) == 1
    assert plan.loads[0].utilisation() == {"kg": 100.0, "m3": 25.0}
    assert plan.left == []
    from dataclasses import replace

    pallets = replace(big, capacity_pallets=2)
    palletised = [replace(shipment(n, kg=10.0, m3=1.5), pallets=2) for n in range(3)]
    plan = loadplan.consolidate([pallets], palletised)
    assert len(plan.loads[0].shipments) == 1 and len(plan.left) == 2
    cold = [shipment(1, temperature=TemperatureClass.FROZEN)]
    assert loadplan.consolidate([big], cold).left == cold


# -- routing: breaks, pickups, several depots, range -----------------------------------------
def assert_checked(p, result):
    assert check_plan(p.problem, result) == []


def test_drivers_breaks_are_placed_and_kept():
    driver = Driver(DriverId("drv_1"), "D1", "Ann", DEPOT.id, time(7), time(17), 4 * 3600, 45 * 60)
    v = vehicle("V1", kg=3000, m3=30)
    items = scattered(40, 3, windows=False)
    p = planning.build(DEPOT, [v], items, DAY, EVE, PROVIDER, [driver])
    result = routing.solve(p.problem, 1.0)
    assert_checked(p, result)
    (route,) = result.routes
    assert route.duration_s > 4 * 3600  # a long day ...
    assert route.breaks  # ... with its break
    routes, _ = planning.drafts(p, result)
    assert routes[0].driver == driver
    assert routes[0].break_s == 45 * 60 * len(route.breaks)


def test_a_vehicle_without_a_free_driver_stays_home():
    driver = Driver(DriverId("drv_1"), "D1", "Ann", DEPOT.id, time(7), time(17))
    p = planning.build(
        DEPOT, [vehicle("V1")], scattered(3, 1), DAY, EVE, PROVIDER, [driver], {driver.id}
    )
    assert p.problem.vehicles == ()
    assert {u.reason for u in p.excluded} == {planning.NO_DRIVER}


def test_pickups_ride_back_and_capacity_holds_at_every_moment():
    from dataclasses import replace

    deliveries = [shipment(n, GeoPoint(45.74 + 0.01 * n, 4.90), kg=60.0) for n in range(4)]
    pickups = [
        replace(
            shipment(10 + n, GeoPoint(45.75, 4.92 + 0.01 * n), kg=60.0),
            kind=ShipmentKind.PICKUP,
            order_id=None,
        )
        for n in range(4)
    ]
    v = vehicle("V1", kg=250, m3=10)  # 4 x 60 out, 4 x 60 back: never more than 240 on board
    p = planning.build(DEPOT, [v], deliveries + pickups, DAY, EVE, PROVIDER)
    result = routing.solve(p.problem, 1.0)
    assert_checked(p, result)
    assert result.unplanned == ()
    tight = replace(
        p.problem,
        vehicles=(
            replace(p.problem.vehicles[0], capacity=(200_000, *p.problem.vehicles[0].capacity[1:])),
        ),
    )
    assert any("over its capacity" in x for x in check_plan(tight, result))


def test_several_depots_serve_their_own_goods_and_ev_range_binds():
    from dataclasses import replace

    from otwb.platform.ids import WarehouseId
    from otwb.transport.model import Depot

    north = Depot(WarehouseId("whs_N"), "North", GeoPoint(45.85, 4.85))
    south = DEPOT
    items = [
        replace(s, depot_id=north.id if s.id < "shp_000010" else south.id)
        for s in scattered(20, 5, windows=False)
    ]
    vn = replace(vehicle("N1", kg=2000, m3=20), depot_id=north.id)
    vs = replace(
        vehicle("S1", kg=2000, m3=20), depot_id=south.id, fuel=Fuel.ELECTRIC, range_km=40.0
    )
    p = planning.build([north, south], [vn, vs], items, DAY, EVE, PROVIDER)
    result = routing.solve(p.problem, 1.0)
    assert_checked(p, result)
    for r in result.routes:
        v = p.vehicles[r.vehicle]
        assert all(p.shipments[x.stop].depot_id == v.depot_id for x in r.visits)
        if v.code == "S1":
            assert r.distance_m <= 40_000


# -- traffic -------------------------------------------------------------------------------
def test_a_closed_segment_blocks_the_legs_that_cross_it():
    west, east = GeoPoint(45.76, 4.80), GeoPoint(45.76, 4.90)
    north, south = GeoPoint(45.80, 4.85), GeoPoint(45.72, 4.85)
    closure = Incident("inc", "segment", north, south, 50.0, None, at(0), at(23))
    north_west = GeoPoint(45.80, 4.80)
    hit = affected([west, east, north_west], closure)
    assert hit[0, 1] and hit[1, 0]  # west <-> east crosses the closed road
    assert not hit[0, 2]  # west -> north-west stays on its side
    d = PROVIDER.duration_s([west, east], 40.0)
    assert slowed(d, [west, east], [closure])[0, 1] > d[0, 1] + 3600
    jam = Incident("inc", "area", GeoPoint(45.76, 4.85), None, 500.0, 2.0, at(0), at(23))
    assert slowed(d, [west, east], [jam])[0, 1] == 2 * d[0, 1]
    with pytest.raises(InvalidInput):
        Incident("inc", "area", west, None, 50.0, 0.5, at(0), at(1))


# -- distance providers ----------------------------------------------------------------------
def test_euclidean_conventions():
    xy = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert EuclideanProvider(10, truncate=True).matrix(xy)[0, 1] == 14  # 1.414 -> 1.4
    assert EuclideanProvider(1).matrix(xy)[0, 1] == 1


class _FakeOsrm(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        n = self.path.split("/")[-1].split("?")[0].count(";") + 1
        body = {
            "code": "Ok",
            "distances": [[0 if i == j else 1000.0 * (i + j) for j in range(n)] for i in range(n)],
            "durations": [[0 if i == j else 60.0 * (i + j) for j in range(n)] for i in range(n)],
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def test_osrm_provider_against_a_local_server():
    server = HTTPServer(("127.0.0.1", 0), _FakeOsrm)
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        osrm = OsrmProvider(f"http://127.0.0.1:{server.server_port}")
        points = [GeoPoint(45.76, 4.84), GeoPoint(45.75, 4.85), GeoPoint(45.74, 4.86)]
        assert osrm.distance_m(points)[0, 2] == 2000
        assert osrm.duration_s(points, 200.0)[0, 2] == 120  # OSRM's time
        assert osrm.duration_s(points, 30.0)[0, 2] == 240  # 2 km at 30 km/h is slower
        paths = server.paths  # type: ignore[attr-defined]
        assert len(paths) == 1  # one table for all three matrices
        assert paths[0].startswith("/table/v1/driving/4.840000,45.760000;")
    finally:
        server.shutdown()
    with pytest.raises(DistanceUnavailable):
        OsrmProvider(f"http://127.0.0.1:{server.server_port}", timeout_s=1).distance_m(points)


# -- benchmark files --------------------------------------------------------------------------
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/vrp is not here")


@needs_data
@pytest.mark.parametrize(("name", "kind"), [("C101", "vrptw"), ("X-n101-k25", "cvrp")])
def test_solve_file_reads_solves_and_costs_by_the_bks_convention(name, kind):
    r = benchfiles.solve_file(DATA / f"{name}.vrp", time_limit_s=1.0)
    assert r.instance.kind == kind
    assert r.feasible
    assert sorted(c for route in r.routes for c in route) == list(range(1, 101))
    assert r.best_known is not None and r.gap_pct is not None
    assert 0 <= r.gap_pct < 10
    # The cost is recomputed independently from the routes, by the convention.
    m = benchfiles.distance_matrix(r.instance)
    total = sum(
        int(m[0, rt[0]]) + sum(int(m[a, b]) for a, b in zip(rt, rt[1:])) + int(m[rt[-1], 0])
        for rt in r.routes
    )
    assert r.cost == pytest.approx(total / r.instance.scale)


def test_solve_file_reads_the_solomon_text_format(tmp_path):
    rows = [
        "0 40 50 0 0 1236 0",
        "1 45 68 10 912 967 90",
        "2 45 70 30 825 870 90",
        "3 42 66 10 65 146 90",
    ]
    text = (
        "TINY\n\nVEHICLE\nNUMBER     CAPACITY\n  25         200\n\nCUSTOMER\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
        + "\n".join(rows)
        + "\n"
    )
    path = tmp_path / "tiny.txt"
    path.write_text(text)
    r = benchfiles.solve_file(path, 0.5)
    assert r.instance.kind == "vrptw" and r.feasible
    assert sorted(c for route in r.routes for c in route) == [1, 2, 3]
    with pytest.raises(InvalidInput):
        bad = tmp_path / "bad.vrp"
        bad.write_text("hello")
        benchfiles.solve_file(bad, 0.5)


def test_rerouting_avoids_a_closed_segment():
    from dataclasses import replace

    # Depot south; two customers east and west of a north-south road that closes.
    items = [
        shipment(1, GeoPoint(45.76, 4.90)),
        shipment(2, GeoPoint(45.76, 4.99)),
        shipment(3, GeoPoint(45.80, 4.95)),
    ]
    p = planning.build(DEPOT, [vehicle("V1", kg=2000, m3=20)], items, DAY, EVE, PROVIDER)
    points = [DEPOT.point, *(s.ship_to for s in items)]
    closure = Incident(
        "inc", "segment", GeoPoint(45.79, 4.945), GeoPoint(45.70, 4.945), 20.0, None, at(0), at(23)
    )
    hit = affected(points, closure)
    closed = replace(
        p.problem, durations_s=tuple(slowed(d, points, [closure]) for d in p.problem.durations_s)
    )
    result = routing.solve(closed, 0.5)
    assert check_plan(closed, result) == [] and result.unplanned == ()
    (route,) = result.routes
    path = [0, *(closed.stops[v.stop].location for v in route.visits), 0]
    crossings = sum(bool(hit[a, b]) for a, b in zip(path, path[1:]))
    assert crossings == 0 or crossings <= min(
        sum(bool(hit[a, b]) for a, b in zip(q, q[1:])) for q in ([0, 1, 3, 2, 0], [0, 2, 3, 1, 0])
    )
    assert not hit[1, 2] or (
        (1, 2) not in set(zip(path, path[1:])) and (2, 1) not in set(zip(path, path[1:]))
    )
