"""T's HTTP API: vehicles, shipments and tracking, planning, dispatch, delivery; errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from otwb.platform import auth
from otwb.platform.auth import Role
from otwb.warehouse import fulfilment
from otwb.warehouse import service as warehouse
from tests import factories
from tests.api.conftest import assert_problem, headers_for

DAY = "2026-11-26"


@pytest.fixture
def site(uow):
    s = factories.site(uow)
    factories.skus(uow, "WINE-6", weight=9.0, volume=0.012)
    warehouse.receive_stock(uow(), s.locations[0].id, "WINE-6", 100)
    return s


@pytest.fixture
def shipment_id(uow, site, client, keys) -> str:
    """A handed-over order's shipment, waiting at the depot."""
    customer = factories.customer(uow)
    start = datetime(2026, 11, 26, 9, tzinfo=UTC)
    order = factories.place(uow, customer.id, [("WINE-6", 2)], window=(start, timedelta(hours=4)))
    fulfilment.confirm_pick(uow(), order.id)
    fulfilment.pack_order(uow(), order.id)
    fulfilment.hand_over(uow(), order.id)
    (s,) = client.get("/api/v1/shipments", headers=keys.read_only).json()
    return str(s["id"])


def vehicle_body(depot: str, **changes: object) -> dict[str, object]:
    body = {
        "code": "VAN-1",
        "depot_id": depot,
        "label": "12 m³ van",
        "capacity_kg": 900,
        "capacity_m3": 12,
        "cost_per_km": "0.45",
        "cost_per_hour": "32.50",
        "fixed_cost": "40",
        "speed_kmh": 45,
        "shift_start": "07:00",
        "shift_end": "17:00",
    }
    body.update(changes)
    return body


def test_vehicles_admin_creates_everyone_reads(client, keys, site):
    body = vehicle_body(site.warehouse.id)
    assert_problem(
        client.post("/api/v1/vehicles", json=body, headers=keys.operator), 403, "forbidden"
    )
    created = client.post("/api/v1/vehicles", json=body, headers=keys.admin)
    assert created.status_code == 201, created.text
    v = created.json()
    assert v["code"] == "VAN-1"
    assert v["currency"] == "EUR"
    assert Decimal(v["cost_per_hour"]) == Decimal("32.50")
    assert v["shift_start"] == "07:00:00"
    assert v["refrigerated"] is False
    listed = client.get(f"/api/v1/vehicles?depot_id={site.warehouse.id}", headers=keys.read_only)
    assert [x["id"] for x in listed.json()] == [v["id"]]
    again = client.post("/api/v1/vehicles", json=body, headers=keys.admin)
    assert_problem(again, 409, "conflict")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"capacity_kg": -1}, "validation_error"),
        ({"capacity_m3": 0}, "validation_error"),
        ({"speed_kmh": 900}, "validation_error"),
        ({"cost_per_km": "abc"}, "validation_error"),
        ({"cost_per_km": "-0.10"}, "validation_error"),
        ({"fixed_cost": "1.123456"}, "validation_error"),
        ({"shift_start": "25:00"}, "validation_error"),
        ({"colour": "red"}, "validation_error"),
        ({"code": ""}, "validation_error"),
        ({"shift_start": "18:00"}, "invalid_input"),  # after the shift end
        ({"shift_start": "07:00:00+02:00"}, "invalid_input"),
        ({"depot_id": "whs_nowhere"}, "invalid_input"),
    ],
)
def test_bad_vehicles_are_refused_and_nothing_is_written(client, keys, site, changes, code):
    body = vehicle_body(site.warehouse.id, **changes)
    assert_problem(client.post("/api/v1/vehicles", json=body, headers=keys.admin), 422, code)
    assert client.get("/api/v1/vehicles", headers=keys.read_only).json() == []


def test_malformed_json_is_a_problem_too(client, keys):
    response = client.post(
        "/api/v1/vehicles",
        content=b"{not json",
        headers={**keys.admin, "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed_json")


def test_shipments_and_tracking(client, keys, shipment_id, site):
    one = client.get(f"/api/v1/shipments/{shipment_id}", headers=keys.read_only)
    assert one.status_code == 200
    s = one.json()
    assert s["status"] == "ready"
    assert s["depot_id"] == site.warehouse.id
    assert s["weight_kg"] == pytest.approx(18.0)
    assert s["window_start"].startswith("2026-11-26T09:00:00")
    filtered = client.get(
        f"/api/v1/shipments?status=ready&depot_id={site.warehouse.id}", headers=keys.read_only
    )
    assert [x["id"] for x in filtered.json()] == [shipment_id]
    assert client.get("/api/v1/shipments?status=delivered", headers=keys.read_only).json() == []
    bad_status = client.get("/api/v1/shipments?status=lost", headers=keys.read_only)
    assert_problem(bad_status, 422, "validation_error")
    assert_problem(
        client.get("/api/v1/shipments/shp_nope", headers=keys.read_only), 404, "not_found"
    )

    tracked = client.get(f"/api/v1/tracking/{s['tracking_number']}", headers=keys.read_only)
    assert tracked.status_code == 200
    assert tracked.json()["status"] == "ready"
    assert tracked.json()["eta"] is None
    assert_problem(
        client.get("/api/v1/tracking/hello", headers=keys.read_only), 422, "invalid_input"
    )
    number = s["tracking_number"]
    typo = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert client.get(f"/api/v1/tracking/{typo}", headers=keys.read_only).status_code in (404, 422)


def test_plan_dispatch_deliver_over_http(client, keys, site, shipment_id, clock):
    assert (
        client.post(
            "/api/v1/vehicles", json=vehicle_body(site.warehouse.id), headers=keys.admin
        ).status_code
        == 201
    )
    plan = {"depot_id": site.warehouse.id, "service_date": DAY, "time_limit_seconds": 0.3}
    assert_problem(
        client.post("/api/v1/routes/plan", json=plan, headers=keys.read_only), 403, "forbidden"
    )
    planned = client.post("/api/v1/routes/plan", json=plan, headers=keys.operator)
    assert planned.status_code == 201, planned.text
    body = planned.json()
    assert body["unplanned"] == []
    (route,) = body["routes"]
    assert route["status"] == "planned"
    assert [s["shipment_id"] for s in route["stops"]] == [shipment_id]
    assert Decimal(route["planned_cost"]) > Decimal("40")
    assert route["currency"] == "EUR"

    listed = client.get(f"/api/v1/routes?service_date={DAY}", headers=keys.read_only).json()
    assert [r["id"] for r in listed] == [route["id"]]
    assert client.get("/api/v1/routes?service_date=2026-11-27", headers=keys.read_only).json() == []
    shown = client.get(f"/api/v1/routes/{route['id']}", headers=keys.read_only).json()
    assert shown == route

    # A second plan finds the vehicle taken: nothing to plan, nothing created.
    again = client.post("/api/v1/routes/plan", json=plan, headers=keys.operator).json()
    assert again == {"routes": [], "unplanned": []}

    clock.set(datetime(2026, 11, 26, 8, tzinfo=UTC))
    sent = client.post(f"/api/v1/routes/{route['id']}/dispatch", headers=keys.operator)
    assert sent.status_code == 200
    assert sent.json()["status"] == "dispatched"
    assert sent.json()["stops"][0]["status"] == "dispatched"
    twice = client.post(f"/api/v1/routes/{route['id']}/dispatch", headers=keys.operator)
    assert_problem(twice, 409, "invalid_transition")
    number = client.get(f"/api/v1/shipments/{shipment_id}", headers=keys.read_only).json()[
        "tracking_number"
    ]
    tracked = client.get(f"/api/v1/tracking/{number}", headers=keys.read_only).json()
    assert tracked["status"] == "in_transit"
    assert tracked["eta"] == sent.json()["stops"][0]["eta"]

    clock.set(datetime(2026, 11, 26, 10, 15, tzinfo=UTC))
    naive = {"recipient": "M. Durand", "delivered_at": "2026-11-26T10:00:00"}
    url = f"/api/v1/shipments/{shipment_id}/delivery"
    assert_problem(client.post(url, json=naive, headers=keys.operator), 422, "validation_error")
    assert_problem(
        client.post(url, json={"recipient": "  "}, headers=keys.operator), 422, "validation_error"
    )
    future = {"recipient": "M. Durand", "delivered_at": "2026-11-26T11:00:00Z"}
    assert_problem(client.post(url, json=future, headers=keys.operator), 422, "invalid_input")
    assert (
        client.get(f"/api/v1/shipments/{shipment_id}", headers=keys.read_only).json()["status"]
        == "in_transit"
    )
    proof = {"recipient": "M. Durand", "delivered_at": "2026-11-26T11:05:00+01:00"}
    done = client.post(url, json=proof, headers=keys.operator)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "delivered"
    assert done.json()["recipient"] == "M. Durand"
    assert done.json()["delivered_at"].startswith("2026-11-26T10:05:00")
    assert_problem(client.post(url, json=proof, headers=keys.operator), 409, "invalid_transition")
    fail = client.post(
        f"/api/v1/shipments/{shipment_id}/failure", json={"reason": "x"}, headers=keys.operator
    )
    assert_problem(fail, 409, "invalid_transition")

    completed = client.get(f"/api/v1/routes/{route['id']}", headers=keys.read_only).json()
    assert completed["status"] == "completed"
    assert Decimal(completed["actual_cost"]) > Decimal(0)
    summary = client.get(f"/api/v1/fleet/summary?service_date={DAY}", headers=keys.read_only)
    assert summary.json()["vehicles_used"] == 1
    assert summary.json()["delivered"] == 1
    assert Decimal(summary.json()["cost"]) == Decimal(completed["actual_cost"])


def test_failure_over_http(client, keys, site, shipment_id, clock):
    client.post("/api/v1/vehicles", json=vehicle_body(site.warehouse.id), headers=keys.admin)
    plan = {"depot_id": site.warehouse.id, "service_date": DAY, "time_limit_seconds": 0.3}
    (route,) = client.post("/api/v1/routes/plan", json=plan, headers=keys.operator).json()["routes"]
    url = f"/api/v1/shipments/{shipment_id}/failure"
    early = client.post(url, json={"reason": "nobody in"}, headers=keys.operator)
    assert_problem(early, 409, "invalid_transition")  # not dispatched yet
    clock.set(datetime(2026, 11, 26, 8, tzinfo=UTC))
    client.post(f"/api/v1/routes/{route['id']}/dispatch", headers=keys.operator)
    assert_problem(client.post(url, json={}, headers=keys.operator), 422, "validation_error")
    failed = client.post(url, json={"reason": "nobody in"}, headers=keys.operator)
    assert failed.status_code == 200
    assert failed.json()["status"] == "failed"
    assert failed.json()["failure_reason"] == "nobody in"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"service_date": DAY}, 422, "validation_error"),
        ({"depot_id": "DEPOT", "service_date": "26/11/2026"}, 422, "validation_error"),
        (
            {"depot_id": "DEPOT", "service_date": DAY, "time_limit_seconds": 0},
            422,
            "validation_error",
        ),
        (
            {"depot_id": "DEPOT", "service_date": DAY, "time_limit_seconds": 3600},
            422,
            "validation_error",
        ),
        ({"depot_id": "whs_nowhere", "service_date": DAY}, 404, "not_found"),
    ],
)
def test_bad_plan_requests(client, keys, site, shipment_id, body, status, code):
    body = {k: (site.warehouse.id if v == "DEPOT" else v) for k, v in body.items()}
    assert_problem(
        client.post("/api/v1/routes/plan", json=body, headers=keys.operator), status, code
    )
    assert client.get("/api/v1/routes", headers=keys.read_only).json() == []
    shipment = client.get(f"/api/v1/shipments/{shipment_id}", headers=keys.read_only).json()
    assert shipment["status"] == "ready"


def test_unknown_ids_and_other_tenants(client, keys, runtime, site, shipment_id):
    client.post("/api/v1/vehicles", json=vehicle_body(site.warehouse.id), headers=keys.admin)
    plan = {"depot_id": site.warehouse.id, "service_date": DAY, "time_limit_seconds": 0.3}
    (route,) = client.post("/api/v1/routes/plan", json=plan, headers=keys.operator).json()["routes"]
    for path in ("/api/v1/routes/rte_nope", "/api/v1/shipments/shp_nope"):
        assert_problem(client.get(path, headers=keys.read_only), 404, "not_found")
    assert_problem(
        client.post("/api/v1/routes/rte_nope/dispatch", headers=keys.operator), 404, "not_found"
    )
    rival = auth.create_tenant(runtime.uow(), "Rival Logistics")
    theirs = headers_for(runtime, rival, Role.ADMIN)
    assert_problem(client.get(f"/api/v1/routes/{route['id']}", headers=theirs), 404, "not_found")
    assert_problem(
        client.post(f"/api/v1/routes/{route['id']}/dispatch", headers=theirs), 404, "not_found"
    )
    assert_problem(client.get(f"/api/v1/shipments/{shipment_id}", headers=theirs), 404, "not_found")
    assert client.get("/api/v1/routes", headers=theirs).json() == []
    assert (
        client.get(f"/api/v1/routes/{route['id']}", headers=keys.read_only).json()["status"]
        == "planned"
    )
    assert_problem(client.get("/api/v1/vehicles"), 401, "unauthorized")


def test_cancel_a_route_and_reschedule_a_shipment(client, keys, site, shipment_id):
    client.post("/api/v1/vehicles", json=vehicle_body(site.warehouse.id), headers=keys.admin)
    plan = {"depot_id": site.warehouse.id, "service_date": DAY, "time_limit_seconds": 0.3}
    (route,) = client.post("/api/v1/routes/plan", json=plan, headers=keys.operator).json()["routes"]
    url = f"/api/v1/shipments/{shipment_id}/window"
    window = {"window": {"start": "2026-11-27T14:00:00Z", "end": "2026-11-27T16:00:00Z"}}
    assert_problem(client.put(url, json=window, headers=keys.operator), 409, "invalid_transition")
    cancelled = client.post(f"/api/v1/routes/{route['id']}/cancel", headers=keys.operator)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["stops"][0]["status"] == "cancelled"
    again = client.post(f"/api/v1/routes/{route['id']}/cancel", headers=keys.operator)
    assert_problem(again, 409, "invalid_transition")

    backwards = {"window": {"start": "2026-11-27T16:00:00Z", "end": "2026-11-27T14:00:00Z"}}
    assert_problem(client.put(url, json=backwards, headers=keys.operator), 422, "invalid_input")
    naive = {"window": {"start": "2026-11-27T14:00:00", "end": "2026-11-27T16:00:00Z"}}
    assert_problem(client.put(url, json=naive, headers=keys.operator), 422, "validation_error")
    moved = client.put(url, json=window, headers=keys.operator)
    assert moved.status_code == 200
    assert moved.json()["status"] == "ready"
    assert moved.json()["window_start"].startswith("2026-11-27T14:00:00")
    cleared = client.put(url, json={"window": None}, headers=keys.operator).json()
    assert cleared["window_start"] is None
