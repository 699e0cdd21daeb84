"""T's TMS routes over HTTP: fleet resources, carriers and rate cards, rate shopping, carrier
reports and polling, pickups, positions and ETAs, arrivals, incidents and re-routing,
breakdowns, customer tracking, multi-depot planning, backhaul, load plans, CO2. Each with its
happy path, bad input (422, nothing written), unknown ids (404), roles and other tenants."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from otwb.platform import auth
from otwb.platform.auth import Role
from tests.api import test_transport_api
from tests.api.conftest import assert_problem, headers_for
from tests.api.test_transport_api import DAY, vehicle_body
from tests.unit.transport.test_tms_rules import CARD

# The fixtures of T's first API tests: a stocked depot; a handed-over order's shipment there.
site = test_transport_api.site
shipment_id = test_transport_api.shipment_id

API = "/api/v1"
GOLDEN = Path(__file__).resolve().parents[1] / "unit" / "transport" / "golden"
CARD_BODY = {"valid_from": "2026-11-01", "card": CARD}
# 2 x WINE-6: 18 kg chargeable, about 13 road km from the depot (city zone): 18 x 0.90 = 16.20,
# + 10 % fuel = 17.82; tendered on Wednesday 25 at 07:00, delivered by the end of Thursday 26.
QUOTE = Decimal("17.82")
VEHICLE_TYPE = {
    "code": "EVAN",
    "label": "e-van 3.5 t",
    "capacity_kg": 900,
    "capacity_m3": 10,
    "capacity_pallets": 4,
    "fuel": "electric",
    "range_km": 180,
    "co2_kg_per_km": "0.06",
}


def rival(runtime, role: Role = Role.ADMIN) -> dict[str, str]:
    """A key of another tenant, Rival Logistics."""
    tenants = [t for t in auth.list_tenants(runtime.uow()) if t.name == "Rival Logistics"]
    tenant = tenants[0] if tenants else auth.create_tenant(runtime.uow(), "Rival Logistics")
    return headers_for(runtime, tenant, role)


def get(client, path: str, headers) -> Any:
    response = client.get(f"{API}{path}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def add_carrier(client, keys, endpoint: str | None = None) -> str:
    body = {"code": "GX", "name": "Gexpress", "endpoint": endpoint}
    carrier = ok(client.post(f"{API}/carriers", json=body, headers=keys.admin), 201)
    ok(
        client.put(
            f"{API}/carriers/{carrier['id']}/rate-cards/standard",
            json=CARD_BODY,
            headers=keys.admin,
        )
    )
    return str(carrier["id"])


def planned_route(client, keys, site, code: str = "VAN-1") -> dict:
    ok(
        client.post(
            f"{API}/vehicles", json=vehicle_body(site.warehouse.id, code=code), headers=keys.admin
        ),
        201,
    )
    plan = {"depot_id": site.warehouse.id, "service_date": DAY, "time_limit_seconds": 0.3}
    (route,) = ok(client.post(f"{API}/routes/plan", json=plan, headers=keys.operator), 201)[
        "routes"
    ]
    return route


def on_the_road(client, keys, site, clock) -> dict:
    route = planned_route(client, keys, site)
    clock.set(datetime(2026, 11, 26, 8, tzinfo=UTC))
    return ok(client.post(f"{API}/routes/{route['id']}/dispatch", headers=keys.operator))


# -- fleet: vehicle types and drivers -------------------------------------------------------
def test_vehicle_types_admin_creates_everyone_reads(client, keys, runtime):
    url = f"{API}/vehicle-types"
    assert_problem(client.post(url, json=VEHICLE_TYPE, headers=keys.operator), 403, "forbidden")
    assert_problem(client.post(url, json=VEHICLE_TYPE, headers=keys.read_only), 403, "forbidden")
    created = ok(client.post(url, json=VEHICLE_TYPE, headers=keys.admin), 201)
    assert created["id"].startswith("vty_")
    assert (created["code"], created["label"], created["fuel"]) == (
        "EVAN",
        "e-van 3.5 t",
        "electric",
    )
    assert (created["capacity_kg"], created["capacity_pallets"], created["range_km"]) == (
        900,
        4,
        180,
    )
    assert Decimal(created["co2_kg_per_km"]) == Decimal("0.06")
    (listed,) = get(client, "/vehicle-types", keys.read_only)
    assert Decimal(listed.pop("co2_kg_per_km")) == Decimal(created.pop("co2_kg_per_km"))
    assert listed == created
    assert_problem(client.post(url, json=VEHICLE_TYPE, headers=keys.admin), 409, "conflict")
    assert get(client, "/vehicle-types", rival(runtime)) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"capacity_kg": 0}, "validation_error"),
        ({"capacity_pallets": 67}, "validation_error"),
        ({"fuel": "coal"}, "validation_error"),
        ({"co2_kg_per_km": "-1"}, "validation_error"),
        ({"wheels": 4}, "validation_error"),
        ({"code": " "}, "validation_error"),
        ({"range_km": None}, "invalid_input"),  # an electric vehicle type needs its range
    ],
)
def test_bad_vehicle_types_are_refused_and_nothing_is_written(client, keys, changes, code):
    body = {**VEHICLE_TYPE, **changes}
    response = client.post(f"{API}/vehicle-types", json=body, headers=keys.admin)
    assert_problem(response, 422, code)
    assert get(client, "/vehicle-types", keys.read_only) == []


def test_drivers_of_a_depot(client, keys, site, runtime):
    depot = site.warehouse.id
    body = {
        "code": "D1",
        "name": "Ana Lopes",
        "depot_id": depot,
        "shift_start": "06:00",
        "shift_end": "14:00",
        "break_after_s": 14400,
        "break_s": 1800,
    }
    url = f"{API}/drivers"
    assert_problem(client.post(url, json=body, headers=keys.operator), 403, "forbidden")
    created = ok(client.post(url, json=body, headers=keys.admin), 201)
    assert created["id"].startswith("drv_")
    assert created["depot_id"] == depot
    assert (created["shift_start"], created["shift_end"]) == ("06:00:00", "14:00:00")
    assert (created["break_after_s"], created["break_s"], created["active"]) == (14400, 1800, True)
    assert get(client, f"/drivers?depot_id={depot}", keys.read_only) == [created]
    assert get(client, "/drivers?depot_id=whs_elsewhere", keys.read_only) == []
    assert_problem(client.post(url, json=body, headers=keys.admin), 409, "conflict")
    for changes, code in (
        ({"depot_id": "whs_nowhere"}, "invalid_input"),
        ({"shift_start": "15:00"}, "invalid_input"),  # after the shift's end
        ({"break_s": 99999}, "validation_error"),
        ({"name": ""}, "validation_error"),
    ):
        bad = {**body, "code": "D2", **changes}
        assert_problem(client.post(url, json=bad, headers=keys.admin), 422, code)
    assert [d["code"] for d in get(client, "/drivers", keys.read_only)] == ["D1"]
    assert get(client, "/drivers", rival(runtime)) == []


# -- carriers and rate cards ----------------------------------------------------------------
def test_carriers_and_their_rate_cards(client, keys, runtime):
    url = f"{API}/carriers"
    body = {"code": "GX", "name": "Gexpress", "endpoint": "https://api.gexpress.test/v1"}
    assert_problem(client.post(url, json=body, headers=keys.operator), 403, "forbidden")
    carrier = ok(client.post(url, json=body, headers=keys.admin), 201)
    assert carrier["id"].startswith("car_")
    assert (carrier["code"], carrier["connector"], carrier["active"]) == ("GX", "generic", True)
    assert carrier["endpoint"] == "https://api.gexpress.test/v1"
    assert get(client, "/carriers", keys.read_only) == [carrier]
    assert_problem(client.post(url, json=body, headers=keys.admin), 409, "conflict")
    for changes, code in (
        ({"connector": "pigeon"}, "invalid_input"),
        ({"endpoint": "ftp://gexpress.test"}, "invalid_input"),
        ({"name": ""}, "validation_error"),
        ({"code": "X" * 33}, "validation_error"),
    ):
        bad = {**body, "code": "GY", **changes}
        assert_problem(client.post(url, json=bad, headers=keys.admin), 422, code)
    assert [c["code"] for c in get(client, "/carriers", keys.read_only)] == ["GX"]

    card_url = f"{url}/{carrier['id']}/rate-cards/standard"
    assert_problem(client.put(card_url, json=CARD_BODY, headers=keys.operator), 403, "forbidden")
    card = ok(client.put(card_url, json=CARD_BODY, headers=keys.admin))
    assert (card["carrier_id"], card["service_level"]) == (carrier["id"], "standard")
    assert (card["valid_from"], card["currency"], card["cutoff"]) == (
        "2026-11-01",
        "EUR",
        "16:00:00",
    )
    assert [(z["name"], Decimal(z["max_km"]), z["transit_days"]) for z in card["zones"]] == [
        ("city", Decimal(30), 1),
        ("region", Decimal(150), 2),
    ]
    assert Decimal(card["breaks"][0]["per_kg"]["city"]) == Decimal("0.90")
    assert Decimal(card["minimum"]) == Decimal("12.00")
    assert card["cold_chain"] is True
    assert [s["name"] for s in card["surcharges"]] == ["fuel", "cold"]
    assert Decimal(card["co2_g_per_tkm"]) == Decimal(110)
    assert_problem(client.put(card_url, json=CARD_BODY, headers=keys.admin), 409, "conflict")
    theirs = rival(runtime)
    assert get(client, "/carriers", theirs) == []
    assert_problem(client.put(card_url, json=CARD_BODY, headers=theirs), 404, "not_found")
    unknown = f"{url}/car_nope/rate-cards/standard"
    assert_problem(client.put(unknown, json=CARD_BODY, headers=keys.admin), 404, "not_found")


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ({**CARD, "zones": []}, "validation_error"),
        (
            {**CARD, "surcharges": [{"name": "x", "basis": "per_moon", "amount": "1"}]},
            "validation_error",
        ),
        ({**CARD, "minimum": "-5"}, "validation_error"),
        ({**CARD, "colour": "red"}, "validation_error"),
        ({**CARD, "breaks": [{"max_kg": "30", "per_kg": {"city": "0.90"}}]}, "invalid_input"),
        ({**CARD, "zones": list(reversed(CARD["zones"]))}, "invalid_input"),
    ],
)
def test_bad_rate_cards_are_refused_and_nothing_is_written(client, keys, shipment_id, card, code):
    carrier = ok(
        client.post(f"{API}/carriers", json={"code": "GX", "name": "Gexpress"}, headers=keys.admin),
        201,
    )
    url = f"{API}/carriers/{carrier['id']}/rate-cards/standard"
    body = {"valid_from": "2026-11-01", "card": card}
    assert_problem(client.put(url, json=body, headers=keys.admin), 422, code)
    options = get(client, f"/shipments/{shipment_id}/rates", keys.read_only)
    assert [o["name"] for o in options] == ["own fleet"]  # no card, no carrier option


# -- rate shopping, tender, what the carrier reports -----------------------------------------
def test_rates_and_shopping_tender_to_the_cheapest_carrier(client, keys, shipment_id, runtime):
    carrier = add_carrier(client, keys)
    rates = get(client, f"/shipments/{shipment_id}/rates", keys.read_only)
    own, gx = rates
    assert (own["carrier_id"], own["cost"], own["feasible"]) == (None, None, False)
    assert own["note"] == "not on a planned route"
    assert (gx["carrier_id"], gx["name"], gx["service_level"]) == (carrier, "Gexpress", "standard")
    assert (Decimal(gx["cost"]), gx["currency"], gx["feasible"]) == (QUOTE, "EUR", True)
    assert gx["delivered_by"].startswith("2026-11-26T23:59:59")
    assert gx["note"] == "zone city"

    url = f"{API}/shipments/{shipment_id}/shop"
    assert_problem(client.post(url, headers=keys.read_only), 403, "forbidden")
    decision = ok(client.post(url, headers=keys.operator))
    assert decision["shipment_id"] == shipment_id
    assert decision["chosen"] == gx
    assert decision["options"] == rates
    shipment = get(client, f"/shipments/{shipment_id}", keys.read_only)
    assert (shipment["status"], shipment["carrier_id"]) == ("tendered", carrier)
    assert shipment["service_level"] == "standard"
    assert Decimal(shipment["expected_cost"]) == QUOTE
    assert shipment["carrier_reference"] == shipment["tracking_number"]  # no API: ours
    assert_problem(client.post(url, headers=keys.operator), 409, "invalid_transition")

    theirs = rival(runtime)
    assert_problem(client.post(url, headers=theirs), 404, "not_found")
    for path in (f"/shipments/{shipment_id}/rates", "/shipments/shp_nope/rates"):
        who = theirs if "nope" not in path else keys.read_only
        assert_problem(client.get(f"{API}{path}", headers=who), 404, "not_found")
    assert_problem(
        client.post(f"{API}/shipments/shp_nope/shop", headers=keys.operator), 404, "not_found"
    )


def test_carrier_reports_move_the_shipment_and_its_order(client, keys, shipment_id, clock, runtime):
    url = f"{API}/shipments/{shipment_id}/carrier-events"
    at = "2026-11-25T09:00:00Z"
    early = client.post(url, json={"status": "picked_up", "at": at}, headers=keys.operator)
    assert_problem(early, 409, "invalid_transition")  # not with a carrier yet
    carrier = add_carrier(client, keys)
    ok(client.post(f"{API}/shipments/{shipment_id}/shop", headers=keys.operator))
    clock.set(datetime(2026, 11, 25, 10, tzinfo=UTC))
    for body, code in (
        ({"status": "lost", "at": at}, "validation_error"),
        ({"status": "picked_up", "at": "2026-11-25T09:00:00"}, "validation_error"),  # naive
        ({"status": "picked_up", "at": at, "driver": "Bob"}, "validation_error"),
        ({"status": "picked_up", "at": "2026-11-25T06:00:00Z"}, "invalid_input"),  # before
        ({"status": "picked_up", "at": "2026-11-25T11:00:00Z"}, "invalid_input"),  # future
        ({"status": "delivered", "at": at}, "invalid_input"),  # no proof
        ({"status": "delivered", "at": at, "signature_name": "  "}, "invalid_input"),
    ):
        assert_problem(client.post(url, json=body, headers=keys.operator), 422, code)
    shipment = get(client, f"/shipments/{shipment_id}", keys.read_only)
    assert shipment["status"] == "tendered"
    order_url = f"/orders/{shipment['order_id']}"
    assert get(client, order_url, keys.read_only)["status"] == "packed"
    picked = {"status": "picked_up", "at": at}
    assert_problem(client.post(url, json=picked, headers=keys.read_only), 403, "forbidden")
    assert_problem(
        client.post(url, json=picked, headers=rival(runtime, Role.OPERATOR)), 404, "not_found"
    )
    unknown = f"{API}/shipments/shp_nope/carrier-events"
    assert_problem(client.post(unknown, json=picked, headers=keys.operator), 404, "not_found")
    assert ok(client.post(url, json=picked, headers=keys.operator))["status"] == "in_transit"
    assert get(client, order_url, keys.read_only)["status"] == "shipped"

    view = get(client, f"/tracking/{shipment['tracking_number']}/view", keys.read_only)
    assert view == {
        "tracking_number": shipment["tracking_number"],
        "status": "in_transit",
        "eta": None,
        "stops_before": None,
        "carrier": "Gexpress",
        "delivered_at": None,
    }
    proof = {
        "status": "delivered",
        "at": "2026-11-25T09:45:00+00:00",
        "signature_name": "M. Durand",
        "photo_ref": "pod/123.jpg",
    }
    done = ok(client.post(url, json=proof, headers=keys.operator))
    assert (done["status"], done["carrier_id"]) == ("delivered", carrier)
    assert (done["recipient"], done["signature_name"], done["photo_ref"]) == (
        "M. Durand",
        "M. Durand",
        "pod/123.jpg",
    )
    assert done["delivered_at"].startswith("2026-11-25T09:45:00")
    assert_problem(client.post(url, json=proof, headers=keys.operator), 409, "invalid_transition")
    order = get(client, order_url, keys.read_only)
    assert order["status"] == "delivered"
    # The CO2 of the carrier's shipment: 18 kg x ~13 km x 110 g/tkm, about 0.03 kg.
    (co2,) = get(client, "/co2/customers?start=2026-11-25&end=2026-11-26", keys.read_only)
    assert co2["customer_id"] == order["customer_id"]
    assert Decimal("0.01") < Decimal(co2["co2_kg"]) < Decimal("0.05")
    assert get(client, "/co2/customers?start=2026-11-26&end=2026-11-27", keys.read_only) == []
    assert get(client, "/co2/customers?start=2026-11-25&end=2026-11-26", rival(runtime)) == []
    for query, code in (
        ("start=2026-11-26&end=2026-11-25", "invalid_input"),
        ("start=yesterday&end=2026-11-25", "validation_error"),
        ("start=2026-11-25", "validation_error"),
    ):
        response = client.get(f"{API}/co2/customers?{query}", headers=keys.read_only)
        assert_problem(response, 422, code)


class _FakeCarrier(BaseHTTPRequestHandler):
    """A carrier's API speaking the generic connector: accepts tenders, tells what happened."""

    def _answer(self, name: str) -> None:
        data = (GOLDEN / name).read_bytes()
        self.server.seen.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self._answer("generic_tender_response.json")

    def do_GET(self) -> None:
        self._answer("generic_tracking_response.json")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_carrier() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _FakeCarrier)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_tender_through_the_carrier_api_and_poll_its_reports(
    client,
    keys,
    shipment_id,
    clock,
    fake_carrier,
    runtime,
):
    carrier = add_carrier(client, keys, f"http://127.0.0.1:{fake_carrier.server_port}")
    ok(client.post(f"{API}/shipments/{shipment_id}/shop", headers=keys.operator))
    shipment = get(client, f"/shipments/{shipment_id}", keys.read_only)
    assert shipment["carrier_reference"] == "GX123456789"  # the carrier's own number
    url = f"{API}/carriers/{carrier}/poll"
    assert_problem(client.post(url, headers=keys.read_only), 403, "forbidden")
    assert_problem(client.post(url, headers=rival(runtime, Role.OPERATOR)), 404, "not_found")
    assert_problem(
        client.post(f"{API}/carriers/car_nope/poll", headers=keys.operator), 404, "not_found"
    )
    clock.set(datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert ok(client.post(url, headers=keys.operator)) == {"applied": 2}  # picked up, delivered
    assert fake_carrier.seen == [
        "POST /shipments",
        "GET /shipments/GX123456789/events",
    ]
    done = get(client, f"/shipments/{shipment_id}", keys.read_only)
    assert (done["status"], done["signature_name"]) == ("delivered", "M. Durand")
    assert done["photo_ref"] == "https://pod.example/GX123456789.jpg"
    assert get(client, f"/orders/{done['order_id']}", keys.read_only)["status"] == "delivered"
    assert ok(client.post(url, headers=keys.operator)) == {"applied": 0}  # nothing open

    offline = ok(
        client.post(f"{API}/carriers", json={"code": "PH", "name": "By phone"}, headers=keys.admin),
        201,
    )
    no_api = client.post(f"{API}/carriers/{offline['id']}/poll", headers=keys.operator)
    assert_problem(no_api, 422, "invalid_input")


# -- pickups ------------------------------------------------------------------------------------
PICKUP = {
    "customer_id": "cus_returns",
    "name": "Returns desk",
    "address": "1 quai Perrache",
    "lat": 45.78,
    "lon": 4.93,
    "weight_kg": 30,
    "volume_m3": 0.2,
    "window_start": "2026-11-26T13:00:00Z",
    "window_end": "2026-11-26T16:00:00Z",
}


def test_pickups(client, keys, site, runtime):
    body = {**PICKUP, "depot_id": site.warehouse.id}
    url = f"{API}/pickups"
    for changes, code in (
        ({"window_end": None}, "validation_error"),  # half a window
        ({"lat": 100}, "validation_error"),
        ({"weight_kg": 0}, "validation_error"),
        ({"temperature_class": "warm"}, "validation_error"),
        ({"window_end": "2026-11-26T12:00:00Z"}, "invalid_input"),  # ends before it starts
        ({"depot_id": "whs_nowhere"}, "invalid_input"),
    ):
        assert_problem(client.post(url, json={**body, **changes}, headers=keys.operator), 422, code)
    assert get(client, "/shipments", keys.read_only) == []
    assert_problem(client.post(url, json=body, headers=keys.read_only), 403, "forbidden")
    pickup = ok(client.post(url, json=body, headers=keys.operator), 201)
    assert (pickup["kind"], pickup["order_id"], pickup["status"]) == ("pickup", None, "ready")
    assert (pickup["ship_to_name"], pickup["lat"], pickup["weight_kg"]) == (
        "Returns desk",
        45.78,
        30,
    )
    assert pickup["window_start"].startswith("2026-11-26T13:00:00")
    assert get(client, "/shipments", keys.read_only) == [pickup]
    # Carriers take deliveries only: rate shopping a pickup leaves it with the own fleet.
    add_carrier(client, keys)
    decision = ok(client.post(f"{API}/shipments/{pickup['id']}/shop", headers=keys.operator))
    assert decision["chosen"] is None
    assert [o["name"] for o in decision["options"]] == ["own fleet"]
    assert get(client, f"/shipments/{pickup['id']}", keys.read_only)["status"] == "ready"
    assert get(client, "/shipments", rival(runtime)) == []


# -- on the road: positions, arrivals, incidents, re-routing, breakdowns, tracking ----------
def test_positions_update_the_etas_of_a_route_on_the_road(
    client, keys, site, shipment_id, clock, runtime
):
    url = f"{API}/vehicles/{{}}/positions"
    depot = {"lat": site.warehouse.point.lat, "lon": site.warehouse.point.lon}
    route = planned_route(client, keys, site)
    vehicle = route["vehicle_id"]
    assert ok(client.post(url.format(vehicle), json=depot, headers=keys.operator)) == []  # parked
    clock.set(datetime(2026, 11, 26, 8, tzinfo=UTC))
    ok(client.post(f"{API}/routes/{route['id']}/dispatch", headers=keys.operator))
    for body, code in (
        ({**depot, "lat": 91}, "validation_error"),
        ({**depot, "at": "2026-11-26T07:59:00"}, "validation_error"),  # naive
        ({**depot, "at": "2026-11-26T09:00:00Z"}, "invalid_input"),  # future
        ({"lat": 45.7}, "validation_error"),
    ):
        assert_problem(
            client.post(url.format(vehicle), json=body, headers=keys.operator), 422, code
        )
    assert_problem(
        client.post(url.format(vehicle), json=depot, headers=keys.read_only), 403, "forbidden"
    )
    assert_problem(
        client.post(url.format("veh_nope"), json=depot, headers=keys.operator), 404, "not_found"
    )
    assert_problem(
        client.post(url.format(vehicle), json=depot, headers=rival(runtime, Role.OPERATOR)),
        404,
        "not_found",
    )
    # At 08:00 at the depot: the stop (window from 09:00) is expected when its window opens.
    (eta,) = ok(client.post(url.format(vehicle), json=depot, headers=keys.operator))
    assert (eta["seq"], eta["shipment_id"]) == (1, shipment_id)
    assert eta["eta"].startswith("2026-11-26T09:00:00")
    clock.set(datetime(2026, 11, 26, 12, tzinfo=UTC))
    near = {"lat": 45.7578, "lon": 4.8400, "at": "2026-11-26T11:55:00Z"}
    (later,) = ok(client.post(url.format(vehicle), json=near, headers=keys.operator))
    assert "2026-11-26T11:55:00" < later["eta"] < "2026-11-26T12:00:00"
    number = get(client, f"/shipments/{shipment_id}", keys.read_only)["tracking_number"]
    view = get(client, f"/tracking/{number}/view", keys.read_only)
    assert (view["status"], view["stops_before"], view["carrier"]) == ("in_transit", 0, None)
    assert view["eta"] == later["eta"]
    assert get(client, f"/tracking/{number}", keys.read_only)["eta"] == later["eta"]


def test_arrivals(client, keys, site, shipment_id, clock, runtime):
    url = f"{API}/shipments/{shipment_id}/arrival"
    assert_problem(client.post(url, headers=keys.operator), 409, "invalid_transition")  # no route
    route = planned_route(client, keys, site)
    assert_problem(client.post(url, headers=keys.operator), 409, "invalid_transition")  # planned
    clock.set(datetime(2026, 11, 26, 8, tzinfo=UTC))
    ok(client.post(f"{API}/routes/{route['id']}/dispatch", headers=keys.operator))
    assert_problem(client.post(url, headers=keys.read_only), 403, "forbidden")
    assert_problem(client.post(url, headers=rival(runtime, Role.OPERATOR)), 404, "not_found")
    assert_problem(
        client.post(f"{API}/shipments/shp_nope/arrival", headers=keys.operator), 404, "not_found"
    )
    clock.set(datetime(2026, 11, 26, 9, 5, tzinfo=UTC))
    arrived = ok(client.post(url, headers=keys.operator))
    assert (arrived["id"], arrived["status"], arrived["route_id"]) == (
        shipment_id,
        "in_transit",
        route["id"],
    )


def test_incidents_reroute_the_routes_they_touch(client, keys, site, shipment_id, clock, runtime):
    route = on_the_road(client, keys, site, clock)
    url = f"{API}/traffic-incidents"
    # Far away (Paris): nothing to re-plan.
    far = {"lat": 48.85, "lon": 2.35, "radius_m": 500, "factor": 2.0, "note": "Paris"}
    assert ok(client.post(url, json=far, headers=keys.operator), 201) == {"replanned": []}
    for changes, code in (
        ({"to_lat": 45.75}, "validation_error"),  # a segment's end without its longitude
        ({"factor": 0.5}, "validation_error"),
        ({"radius_m": 0}, "validation_error"),
        ({"minutes": 0}, "validation_error"),
    ):
        bad = {**far, **changes}
        assert_problem(client.post(url, json=bad, headers=keys.operator), 422, code)
    assert_problem(client.post(url, json=far, headers=keys.read_only), 403, "forbidden")
    # A closure on the only way from the depot to the customer: the stop will be late.
    closure = {"lat": 45.74, "lon": 4.89, "radius_m": 1500, "minutes": 60, "note": "bridge"}
    (replan,) = ok(client.post(url, json=closure, headers=keys.operator), 201)["replanned"]
    assert (replan["route_id"], replan["order"]) == (route["id"], [shipment_id])
    assert replan["late"] == [shipment_id]
    assert replan["etas_published"] == 1
    (stop,) = get(client, f"/routes/{route['id']}", keys.read_only)["stops"]
    assert stop["eta"] > "2026-11-26T13:00:00"  # after its window: the detour is long
    # A rival's incident touches none of our routes.
    assert ok(client.post(url, json=closure, headers=rival(runtime, Role.OPERATOR)), 201) == {
        "replanned": []
    }


def test_reroute_on_request(client, keys, site, shipment_id, clock, runtime):
    route = planned_route(client, keys, site)
    url = f"{API}/routes/{route['id']}/reroute"
    assert_problem(client.post(url, headers=keys.operator), 409, "invalid_transition")  # planned
    clock.set(datetime(2026, 11, 26, 8, tzinfo=UTC))
    ok(client.post(f"{API}/routes/{route['id']}/dispatch", headers=keys.operator))
    assert_problem(client.post(url, headers=keys.read_only), 403, "forbidden")
    assert_problem(client.post(url, headers=rival(runtime, Role.OPERATOR)), 404, "not_found")
    assert_problem(
        client.post(f"{API}/routes/rte_nope/reroute", headers=keys.operator), 404, "not_found"
    )
    replan = ok(client.post(url, headers=keys.operator))
    assert replan == {
        "route_id": route["id"],
        "order": [shipment_id],
        "late": [],
        "etas_published": 0,
    }
    shown = get(client, f"/routes/{route['id']}", keys.read_only)
    assert [s["shipment_id"] for s in shown["stops"]] == [shipment_id]


def test_breakdowns_hand_the_load_to_a_free_vehicle(
    client, keys, site, shipment_id, clock, runtime
):
    url = f"{API}/vehicles/{{}}/breakdown"
    assert_problem(client.post(url.format("veh_nope"), headers=keys.operator), 404, "not_found")
    route = on_the_road(client, keys, site, clock)
    spare = ok(
        client.post(
            f"{API}/vehicles",
            json=vehicle_body(site.warehouse.id, code="VAN-2"),
            headers=keys.admin,
        ),
        201,
    )
    parked = ok(client.post(url.format(spare["id"]), headers=keys.operator))
    assert parked == {"route_id": None, "rescues": [], "failed": []}  # not on the road
    assert_problem(
        client.post(url.format(route["vehicle_id"]), headers=keys.read_only), 403, "forbidden"
    )
    assert_problem(
        client.post(url.format(route["vehicle_id"]), headers=rival(runtime, Role.OPERATOR)),
        404,
        "not_found",
    )
    broken = ok(client.post(url.format(route["vehicle_id"]), headers=keys.operator))
    assert broken["route_id"] == route["id"]
    assert broken["failed"] == []
    (rescue,) = broken["rescues"]
    taken = get(client, f"/routes/{rescue}", keys.read_only)
    assert (taken["vehicle_id"], taken["status"]) == (spare["id"], "dispatched")
    assert [s["shipment_id"] for s in taken["stops"]] == [shipment_id]
    assert get(client, f"/shipments/{shipment_id}", keys.read_only)["route_id"] == rescue


def test_customer_tracking_view(client, keys, shipment_id, runtime):
    number = get(client, f"/shipments/{shipment_id}", keys.read_only)["tracking_number"]
    view = get(client, f"/tracking/{number}/view", keys.read_only)
    assert view == {
        "tracking_number": number,
        "status": "ready",
        "eta": None,
        "stops_before": None,
        "carrier": None,
        "delivered_at": None,
    }
    assert_problem(
        client.get(f"{API}/tracking/hello/view", headers=keys.read_only), 422, "invalid_input"
    )
    assert_problem(
        client.get(f"{API}/tracking/{number}/view", headers=rival(runtime)), 404, "not_found"
    )
    assert_problem(client.get(f"{API}/tracking/{number}/view"), 401, "unauthorized")


# -- planning: several depots, backhaul, load plans ------------------------------------------
def test_plan_several_depots(client, keys, site, shipment_id, runtime):
    ok(
        client.post(f"{API}/vehicles", json=vehicle_body(site.warehouse.id), headers=keys.admin),
        201,
    )
    url = f"{API}/routes/plan-depots"
    body = {"depot_ids": [site.warehouse.id], "service_date": DAY, "time_limit_seconds": 0.3}
    for changes, status, code in (
        ({"depot_ids": []}, 422, "validation_error"),
        ({"depot_ids": [site.warehouse.id] * 2}, 422, "invalid_input"),
        ({"time_limit_seconds": 0}, 422, "validation_error"),
        ({"service_date": "tomorrow"}, 422, "validation_error"),
        ({"depot_ids": ["whs_nowhere"]}, 404, "not_found"),
    ):
        response = client.post(url, json={**body, **changes}, headers=keys.operator)
        assert_problem(response, status, code)
    assert get(client, "/routes", keys.read_only) == []
    assert_problem(client.post(url, json=body, headers=keys.read_only), 403, "forbidden")
    assert_problem(
        client.post(url, json=body, headers=rival(runtime, Role.OPERATOR)), 404, "not_found"
    )
    plan = ok(client.post(url, json=body, headers=keys.operator), 201)
    assert plan["unplanned"] == []
    (route,) = plan["routes"]
    assert (route["depot_id"], route["service_date"], route["status"]) == (
        site.warehouse.id,
        DAY,
        "planned",
    )
    assert [s["shipment_id"] for s in route["stops"]] == [shipment_id]
    assert get(client, "/routes", keys.read_only) == [route]


def test_backhaul_puts_a_pickup_on_the_way_home(client, keys, site, shipment_id, runtime):
    route = planned_route(client, keys, site)
    pickup = ok(
        client.post(
            f"{API}/pickups",
            json={
                **PICKUP,
                "depot_id": site.warehouse.id,
                "window_start": None,
                "window_end": None,
            },
            headers=keys.operator,
        ),
        201,
    )
    query = f"depot_id={site.warehouse.id}&service_date={DAY}"
    url = f"{API}/backhaul"
    for bad, status, code in (
        (f"{query}&max_detour_km=0", 422, "validation_error"),
        (f"depot_id={site.warehouse.id}", 422, "validation_error"),
        (f"depot_id=whs_nowhere&service_date={DAY}", 404, "not_found"),
    ):
        assert_problem(client.post(f"{url}?{bad}", headers=keys.operator), status, code)
    assert_problem(client.post(f"{url}?{query}", headers=keys.read_only), 403, "forbidden")
    assert_problem(
        client.post(f"{url}?{query}", headers=rival(runtime, Role.OPERATOR)), 404, "not_found"
    )
    assert get(client, f"/shipments/{pickup['id']}", keys.read_only)["status"] == "ready"
    (match,) = ok(client.post(f"{url}?{query}&max_detour_km=15", headers=keys.operator))
    assert (match["route_id"], match["shipment_id"]) == (route["id"], pickup["id"])
    assert 0 <= match["detour_km"] <= 15
    assert match["empty_km_saved"] > 0
    stops = get(client, f"/routes/{route['id']}", keys.read_only)["stops"]
    assert [s["shipment_id"] for s in stops] == [shipment_id, pickup["id"]]
    assert ok(client.post(f"{url}?{query}", headers=keys.operator)) == []  # nothing left


def test_load_plan(client, keys, site, shipment_id, runtime):
    url = f"/load-plan?depot_id={site.warehouse.id}"
    assert get(client, url, keys.read_only) == {"loads": [], "left": [shipment_id]}  # no vehicle
    van = ok(
        client.post(f"{API}/vehicles", json=vehicle_body(site.warehouse.id), headers=keys.admin),
        201,
    )
    plan = get(client, url, keys.read_only)
    # 18 kg of 900 kg, 0.024 m³ of 12 m³; a van without pallet places.
    assert plan == {
        "loads": [
            {
                "vehicle_id": van["id"],
                "vehicle": "VAN-1",
                "shipments": [shipment_id],
                "kg_pct": 2.0,
                "m3_pct": 0.2,
                "pallets_pct": None,
            }
        ],
        "left": [],
    }
    assert_problem(
        client.get(f"{API}/load-plan?depot_id=whs_nowhere", headers=keys.read_only),
        404,
        "not_found",
    )
    assert_problem(client.get(f"{API}{url}", headers=rival(runtime)), 404, "not_found")
    assert_problem(client.get(f"{API}/load-plan", headers=keys.read_only), 422, "validation_error")


def test_every_tms_route_is_typed_in_openapi(client):
    spec = client.get("/openapi.json").json()
    paths = {
        "/vehicle-types": ("get", "post"),
        "/drivers": ("get", "post"),
        "/carriers": ("get", "post"),
        "/carriers/{carrier_id}/rate-cards/{service_level}": ("put",),
        "/carriers/{carrier_id}/poll": ("post",),
        "/shipments/{shipment_id}/rates": ("get",),
        "/shipments/{shipment_id}/shop": ("post",),
        "/shipments/{shipment_id}/carrier-events": ("post",),
        "/shipments/{shipment_id}/arrival": ("post",),
        "/pickups": ("post",),
        "/vehicles/{vehicle_id}/positions": ("post",),
        "/vehicles/{vehicle_id}/breakdown": ("post",),
        "/traffic-incidents": ("post",),
        "/routes/{route_id}/reroute": ("post",),
        "/routes/plan-depots": ("post",),
        "/backhaul": ("post",),
        "/load-plan": ("get",),
        "/co2/customers": ("get",),
        "/tracking/{tracking_number}/view": ("get",),
    }
    for path, methods in paths.items():
        for method in methods:
            responses = spec["paths"][f"{API}{path}"][method]["responses"]
            (good,) = [r for code, r in responses.items() if code.startswith("2")]
            schema = json.dumps(good["content"]["application/json"]["schema"])
            assert "$ref" in schema, (method, path, schema)
