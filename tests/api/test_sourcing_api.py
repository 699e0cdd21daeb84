"""O's sourcing over HTTP: the plan of a split order, policies and costs, problem+json errors."""

from __future__ import annotations

from otwb.platform.geo import GeoPoint
from otwb.warehouse import service
from otwb.warehouse.model import WarehouseKind
from tests import factories as f
from tests.api.conftest import assert_problem
from tests.api.test_orders_api import order_body


def test_a_split_order_shows_its_plan(client, keys, uow):
    central = f.site(uow, "CEN", GeoPoint(45.70, 4.95), WarehouseKind.CENTRAL)
    north = f.site(uow, "NOR", GeoPoint(45.79, 4.84), WarehouseKind.FRONT)
    f.skus(uow, "TEA", "COFFEE")
    service.receive_stock(uow(), north.locations[0].id, "TEA", 10)
    service.receive_stock(uow(), central.locations[0].id, "COFFEE", 10)
    customer = f.customer(uow).id

    r = client.put(
        f"/api/v1/warehouses/{central.warehouse.id}/sourcing-costs",
        headers=keys.admin,
        json={"handling_cost": "2.50", "cost_per_km": "0.40"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "warehouse_id": central.warehouse.id,
        "handling_cost": "2.50",
        "cost_per_km": "0.40",
        "currency": "EUR",
    }
    r = client.put(
        f"/api/v1/customers/{customer}/sourcing-policy",
        headers=keys.operator,
        json={"policy": "allow_split"},
    )
    assert r.status_code == 200, r.text
    placed = client.post(
        "/api/v1/orders",
        headers=keys.operator,
        json=order_body(
            customer, [{"sku": "TEA", "quantity": 1}, {"sku": "COFFEE", "quantity": 2}]
        ),
    )
    assert placed.status_code == 201, placed.text
    assert placed.json()["status"] == "allocated"

    got = client.get(f"/api/v1/orders/{placed.json()['id']}/sourcing", headers=keys.read_only)
    assert got.status_code == 200, got.text
    plan = got.json()
    assert (plan["policy"], plan["outcome"]) == ("allow_split", "split")
    by_site = {p["warehouse_id"]: p for p in plan["parts"]}
    assert [x["sku"] for x in by_site[north.warehouse.id]["lines"]] == ["TEA"]
    assert by_site[central.warehouse.id]["lines"][0]["quantity"] == 2
    assert {p["stage"] for p in plan["parts"]} == {"allocated"}
    # central: 2.50 + 11.2 km x 0.40; north: the defaults (0 + km x 1.00)
    cen_cost = by_site[central.warehouse.id]["cost"]
    assert cen_cost == "6.98"
    total = sum(float(p["cost"]) for p in plan["parts"])
    assert abs(float(plan["total_cost"]) - total) < 1e-9


def test_bad_sourcing_input_is_a_problem(client, keys, uow):
    site = f.site(uow)
    customer = f.customer(uow).id
    r = client.put(
        f"/api/v1/customers/{customer}/sourcing-policy",
        headers=keys.operator,
        json={"policy": "whatever"},
    )
    assert_problem(r, 422, "validation_error")
    r = client.put(
        f"/api/v1/warehouses/{site.warehouse.id}/sourcing-costs",
        headers=keys.admin,
        json={"handling_cost": "-1", "cost_per_km": "0.40"},
    )
    assert_problem(r, 422, "validation_error")
    r = client.put(
        f"/api/v1/warehouses/{site.warehouse.id}/sourcing-costs",
        headers=keys.operator,
        json={"handling_cost": "1", "cost_per_km": "0.40"},
    )
    assert r.status_code == 403
    assert_problem(
        client.get("/api/v1/orders/ord-nope/sourcing", headers=keys.read_only), 404, "not_found"
    )
    assert_problem(
        client.put(
            "/api/v1/warehouses/wh-nope/sourcing-costs",
            headers=keys.admin,
            json={"handling_cost": "1", "cost_per_km": "1"},
        ),
        404,
        "not_found",
    )


def test_the_parts_of_a_split_order_are_worked_by_warehouse(client, keys, uow):
    central = f.site(uow, "CEN", GeoPoint(45.70, 4.95), WarehouseKind.CENTRAL)
    north = f.site(uow, "NOR", GeoPoint(45.79, 4.84), WarehouseKind.FRONT)
    f.skus(uow, "TEA", "COFFEE")
    service.receive_stock(uow(), north.locations[0].id, "TEA", 10)
    service.receive_stock(uow(), central.locations[0].id, "COFFEE", 10)
    customer = f.customer(uow).id
    client.put(
        f"/api/v1/customers/{customer}/sourcing-policy",
        headers=keys.operator,
        json={"policy": "allow_split"},
    )
    order = client.post(
        "/api/v1/orders",
        headers=keys.operator,
        json=order_body(
            customer, [{"sku": "TEA", "quantity": 1}, {"sku": "COFFEE", "quantity": 2}]
        ),
    ).json()["id"]

    assert_problem(
        client.post(f"/api/v1/fulfilments/{order}/pick", headers=keys.operator), 409, "conflict"
    )
    r = client.post(
        f"/api/v1/fulfilments/{order}/pick",
        headers=keys.operator,
        params={"warehouse_id": north.warehouse.id},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["warehouse_id"], r.json()["status"]) == (north.warehouse.id, "picked")
    assert client.get(f"/api/v1/orders/{order}", headers=keys.read_only).json()["status"] == (
        "allocated"
    )
    client.post(
        f"/api/v1/fulfilments/{order}/pick",
        headers=keys.operator,
        params={"warehouse_id": central.warehouse.id},
    )
    assert client.get(f"/api/v1/orders/{order}", headers=keys.read_only).json()["status"] == (
        "picked"
    )
