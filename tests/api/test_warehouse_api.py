"""W's WMS over HTTP: a day on the floor from racking to hand-over, scanner resends, bad input
that writes nothing (problem+json), roles, and tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from otwb.platform import auth
from otwb.platform.auth import Role
from otwb.platform.tables import outbox
from otwb.warehouse import sscc
from otwb.warehouse.tables import allocations, locations, lots, stock, stock_movements
from otwb.warehouse.work_tables import asns, count_tasks, move_tasks
from tests.api.conftest import assert_problem, headers_for
from tests.api.test_orders_api import order_body

API = "/api/v1"


def counts(runtime) -> dict[str, int]:
    with runtime.db.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (
                stock,
                stock_movements,
                lots,
                asns,
                move_tasks,
                allocations,
                count_tasks,
                locations,
                outbox,
            )
        }


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def site(client, keys) -> dict[str, Any]:
    """A warehouse with a chilled pick zone of 2 aisles, a chilled SKU that expires, a customer."""
    wh = ok(
        client.post(
            f"{API}/warehouses",
            headers=keys.admin,
            json={"code": "LYS", "name": "Lyon", "lat": 45.72, "lon": 4.95, "dock_x_m": 4.0},
        ),
        201,
    )
    zone = ok(
        client.post(
            f"{API}/warehouses/{wh['id']}/zones",
            headers=keys.admin,
            json={"code": "chl", "temperature_class": "chilled"},
        ),
        201,
    )
    assert zone["code"] == "CHL"
    layout = ok(
        client.post(
            f"{API}/warehouses/{wh['id']}/layout",
            headers=keys.admin,
            json={"zone": "CHL", "spec": "K-L x 4 x 2", "bin_capacity_m3": 0.2},
        ),
        201,
    )
    assert (layout["bins"], layout["first_bin"], layout["last_bin"]) == (16, "K-01-1", "L-04-2")
    ok(
        client.post(
            f"{API}/skus",
            headers=keys.admin,
            json={
                "code": "MILK",
                "weight_kg": 1.0,
                "volume_m3": 0.01,
                "temperature_class": "chilled",
                "shelf_life_days": 20,
            },
        ),
        201,
    )
    customer = ok(
        client.post(f"{API}/customers", headers=keys.operator, json={"code": "C1", "name": "B"}),
        201,
    )
    return {"warehouse": wh, "customer": customer["id"]}


def receive(client, keys, site) -> dict[str, Any]:
    asn = ok(
        client.post(
            f"{API}/asns",
            headers=keys.operator,
            json={
                "warehouse_id": site["warehouse"]["id"],
                "reference": "PO-1",
                "supplier": "Laiterie",
                "lines": [
                    {"sku": "MILK", "quantity": 12, "lot": "EARLY", "expires_on": "2026-12-01"},
                    {"sku": "MILK", "quantity": 10, "lot": "LATE", "expires_on": "2026-12-12"},
                ],
            },
        ),
        201,
    )
    receipt = ok(
        client.post(
            f"{API}/asns/{asn['id']}/receipts",
            headers={**keys.operator, "Idempotency-Key": "dock-scan-1"},
            json={
                "lines": [
                    {"line_no": 1, "received": 10, "damaged": 2},
                    {"line_no": 2, "received": 10},
                ]
            },
        ),
        201,
    )
    for task in receipt["putaway"]:
        done = ok(client.post(f"{API}/move-tasks/{task['id']}/confirm", headers=keys.operator))
        again = ok(client.post(f"{API}/move-tasks/{task['id']}/confirm", headers=keys.operator))
        assert done == again
    return asn


def test_a_day_on_the_floor(client, keys, runtime, site):
    asn = receive(client, keys, site)
    closed = ok(client.post(f"{API}/asns/{asn['id']}/close", headers=keys.operator))
    assert [(x["received"], x["damaged"], x["short"]) for x in closed["lines"]] == [
        (10, 2, 0),
        (10, 0, 0),
    ]
    order = ok(
        client.post(
            f"{API}/orders",
            headers=keys.operator,
            json=order_body(site["customer"], [{"sku": "MILK", "quantity": 12}]),
        ),
        201,
    )
    assert order["status"] == "allocated"
    ful = ok(client.get(f"{API}/fulfilments/{order['id']}", headers=keys.read_only))
    stock_lots = {
        s["stock_id"]: s["lot"]
        for s in ok(client.get(f"{API}/stock?sku=MILK", headers=keys.read_only))
    }
    assert sorted((stock_lots[p["stock_id"]], p["quantity"]) for p in ful["picks"]) in (
        [("EARLY", 10), ("LATE", 2)],
        [("EARLY", 2), ("EARLY", 8), ("LATE", 2)],
    )
    [wave] = ok(
        client.post(
            f"{API}/warehouses/{site['warehouse']['id']}/waves",
            headers=keys.operator,
            json={"pickers": ["ann"], "cart_size": 4},
        ),
        201,
    )
    assert 0 < wave["optimised_m"] <= wave["s_shape_m"]
    ok(client.post(f"{API}/waves/{wave['id']}/release", headers=keys.operator))
    [pick_list] = wave["pick_lists"]
    view = ok(client.get(f"{API}/pick-lists/{pick_list['id']}", headers=keys.read_only))
    assert [t["seq"] for t in view["tasks"]] == list(range(1, len(view["tasks"]) + 1))
    assert {t["tote"] for t in view["tasks"]} == {1}
    assert sum(x["quantity"] for x in view["totals"]) == 12  # batch picking: all of it
    for task in view["tasks"]:
        body = {"quantity": task["quantity"]}
        first = ok(
            client.post(
                f"{API}/pick-tasks/{task['task_id']}/confirm", headers=keys.operator, json=body
            )
        )
        resent = ok(
            client.post(
                f"{API}/pick-tasks/{task['task_id']}/confirm", headers=keys.operator, json=body
            )
        )
        assert first == resent
    assert first["fulfilment_status"] == "picked"
    ok(
        client.put(
            f"{API}/boxes/M",
            headers=keys.admin,
            json={"inner_m3": 0.2, "max_weight_kg": 20, "tare_kg": 0.5},
        )
    )
    packed = ok(client.post(f"{API}/fulfilments/{order['id']}/pack", headers=keys.operator))
    assert [(p["box"], sscc.is_valid(p["sscc"])) for p in packed["parcels"]] == [("M", True)]
    ok(client.post(f"{API}/fulfilments/{order['id']}/hand-over", headers=keys.operator))
    ledger = ok(client.get(f"{API}/stock/movements?sku=MILK", headers=keys.read_only))
    assert {m["kind"] for m in ledger} == {"receipt", "move", "pick"}
    assert sum(m["quantity"] for m in ledger) == 8


def test_lots_counts_adjustments_and_rules_over_http(client, keys, runtime, site):
    receive(client, keys, site)
    [early] = ok(client.get(f"{API}/lots?sku=MILK&status=released", headers=keys.read_only))[:1]
    held = ok(
        client.post(
            f"{API}/lots/{early['id']}/status",
            headers=keys.operator,
            json={"status": "quarantined", "reason": "QA"},
        )
    )
    assert held["status"] == "quarantined"
    ok(
        client.put(
            f"{API}/customer-rules/{site['customer']}",
            headers=keys.admin,
            json={"min_shelf_life_days": 5},
        )
    )
    assert ok(client.get(f"{API}/customer-rules", headers=keys.read_only)) == {
        site["customer"]: {"min_shelf_life_days": 5}
    }
    where = next(
        s for s in ok(client.get(f"{API}/stock?sku=MILK", headers=keys.read_only)) if s["on_hand"]
    )
    adjusted = ok(
        client.post(
            f"{API}/stock/adjustments",
            headers=keys.operator,
            json={
                "location_id": where["location_id"],
                "sku": "MILK",
                "lot": where["lot"],
                "quantity": -1,
                "reason": "damaged",
            },
        ),
        201,
    )
    assert adjusted["on_hand"] == where["on_hand"] - 1
    [task] = ok(
        client.post(
            f"{API}/warehouses/{site['warehouse']['id']}/cycle-counts",
            headers=keys.operator,
            json={"bins": [where["location_id"]]},
        ),
        201,
    )
    assert task["lines"] == []  # blind: nothing expected is shown
    in_bin = [
        s
        for s in ok(client.get(f"{API}/stock?sku=MILK", headers=keys.read_only))
        if s["location_id"] == where["location_id"] and s["on_hand"]
    ]
    found = [  # the counter finds 3 of the first lot and the rest as recorded
        {
            "sku": "MILK",
            "lot": s["lot"],
            "quantity": 3 if s["lot"] == where["lot"] else s["on_hand"],
        }
        for s in in_bin
    ]
    counted = ok(
        client.post(
            f"{API}/cycle-counts/{task['id']}/result",
            headers=keys.operator,
            json={"counted_by": "carla", "lines": found},
        )
    )
    assert counted["status"] == "counted"
    approved = ok(
        client.post(
            f"{API}/cycle-counts/{task['id']}/approve", headers=keys.operator, json={"by": "sam"}
        )
    )
    assert approved["status"] == "approved"
    rule = ok(
        client.put(
            f"{API}/replenishment-rules",
            headers=keys.admin,
            json={
                "warehouse_id": site["warehouse"]["id"],
                "sku": "MILK",
                "pick_min": 1,
                "pick_max": 5,
            },
        )
    )
    assert (rule["pick_min"], rule["pick_max"]) == (1, 5)
    reserved = ok(
        client.post(
            f"{API}/reservations",
            headers=keys.operator,
            json={
                "warehouse_id": site["warehouse"]["id"],
                "sku": "MILK",
                "quantity": 2,
                "customer_id": site["customer"],
                "hold_minutes": 30,
            },
        ),
        201,
    )
    assert reserved["status"] == "active"
    assert [r["id"] for r in ok(client.get(f"{API}/reservations", headers=keys.read_only))] == [
        reserved["id"]
    ]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/layout", {"zone": "CHL", "spec": "K-L x 4"}, 422, "invalid_input"),
        ("/layout", {"zone": "NOPE", "spec": "M x 4 x 1"}, 422, "invalid_input"),
        ("/layout", {"zone": "CHL", "spec": "K x 4 x 1"}, 409, "conflict"),
        (
            "/layout",
            {"zone": "CHL", "spec": "M x 4 x 1", "bin_capacity_m3": -1},
            422,
            "validation_error",
        ),
        ("/zones", {"code": "X", "temperature_class": "tepid"}, 422, "validation_error"),
        ("/waves", {"cart_size": 0}, 422, "validation_error"),
        ("/waves", {"pickers": []}, 422, "validation_error"),
    ],
)
def test_bad_warehouse_input_is_refused_and_writes_nothing(
    client, keys, runtime, site, path, body, status, code
):
    before = counts(runtime)
    url = f"{API}/warehouses/{site['warehouse']['id']}{path}"
    headers = keys.operator if path == "/waves" else keys.admin
    assert_problem(client.post(url, headers=headers, json=body), status, code)
    assert counts(runtime) == before


def test_bad_operations_are_refused_and_write_nothing(client, keys, runtime, site):
    asn = receive(client, keys, site)
    before = counts(runtime)
    refusals = [
        (
            f"/asns/{asn['id']}/receipts",
            {"lines": [{"line_no": 7, "received": 1}]},
            422,
            "invalid_input",
        ),
        (
            f"/asns/{asn['id']}/receipts",
            {"lines": [{"line_no": 1, "received": -1}]},
            422,
            "validation_error",
        ),
        (
            "/asns",
            {
                "warehouse_id": site["warehouse"]["id"],
                "reference": "X",
                "supplier": "S",
                "lines": [{"sku": "NOPE", "quantity": 1}],
            },
            422,
            "unknown_sku",
        ),
        (
            "/stock/adjustments",
            {"location_id": "loc_x", "sku": "MILK", "quantity": -1, "reason": "because"},
            422,
            "validation_error",
        ),
        ("/pick-tasks/tsk_missing/confirm", {"quantity": 1}, 404, "not_found"),
        ("/move-tasks/mov_missing/confirm", {}, 404, "not_found"),
        ("/lots/lot_missing/status", {"status": "recalled"}, 404, "not_found"),
        (
            "/reservations",
            {
                "warehouse_id": site["warehouse"]["id"],
                "sku": "MILK",
                "quantity": 999,
                "customer_id": "cus_1",
                "hold_minutes": 5,
            },
            409,
            "out_of_stock",
        ),
        ("/cycle-counts/cnt_missing/result", {"counted_by": "x", "lines": []}, 404, "not_found"),
    ]
    for path, body, status, code in refusals:
        assert_problem(client.post(f"{API}{path}", headers=keys.operator, json=body), status, code)
    assert_problem(
        client.put(f"{API}/sscc-series", headers=keys.admin, json={"company_prefix": "12"}),
        422,
        "validation_error",
    )
    assert_problem(
        client.put(
            f"{API}/boxes/XL",
            headers=keys.admin,
            json={"inner_m3": 0.1, "max_weight_kg": 1, "tare_kg": 2},
        ),
        422,
        "invalid_input",
    )
    assert counts(runtime) == before


def test_roles_and_tenants(client, keys, runtime, site):
    asn = receive(client, keys, site)
    assert_problem(
        client.post(
            f"{API}/warehouses/{site['warehouse']['id']}/layout",
            headers=keys.operator,
            json={"zone": "CHL", "spec": "M x 2 x 1"},
        ),
        403,
        "forbidden",
    )
    other = auth.create_tenant(runtime.uow(), "Rival Foods")
    theirs = headers_for(runtime, other, Role.ADMIN)
    [lot] = ok(client.get(f"{API}/lots?sku=MILK", headers=keys.read_only))[:1]
    for method, path in (
        ("get", f"/asns/{asn['id']}"),
        ("post", f"/asns/{asn['id']}/close"),
        ("post", f"/lots/{lot['id']}/status"),
        ("get", f"/warehouses/{site['warehouse']['id']}/zones"),
        ("post", f"/warehouses/{site['warehouse']['id']}/waves"),
        ("post", f"/warehouses/{site['warehouse']['id']}/cycle-counts"),
    ):
        body = {"status": "recalled"} if "status" in path else {}
        response = getattr(client, method)(
            f"{API}{path}", headers=theirs, **({"json": body} if method == "post" else {})
        )
        assert_problem(response, 404, "not_found")
    assert ok(client.get(f"{API}/asns", headers=theirs)) == []
    assert ok(client.get(f"{API}/lots", headers=theirs)) == []
    assert ok(client.get(f"{API}/move-tasks?status=done", headers=theirs)) == []
    assert ok(client.get(f"{API}/stock/movements", headers=theirs)) == []
    assert ok(client.get(f"{API}/lots?sku=MILK", headers=keys.read_only))[0]["status"] == "released"
