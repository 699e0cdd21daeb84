"""O and W over HTTP: auth, roles, problem+json errors that write nothing, tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from otwb.orders.tables import orders as orders_table
from otwb.platform import auth
from otwb.platform.auth import Role
from otwb.platform.tables import outbox
from tests.api.conftest import assert_problem, headers_for

ORDER: dict[str, Any] = {
    "ship_to": {
        "name": "Bistro du Parc",
        "street": "12 rue de la République",
        "city": "Lyon",
        "postcode": "69002",
        "country": "FR",
        "lat": 45.7578,
        "lon": 4.832,
    },
    "service_level": "next_day",
    "delivery_window": {"start": "2026-11-26T12:00:00Z", "end": "2026-11-26T14:00:00+00:00"},
}


@pytest.fixture
def setup(client, keys):
    wh = client.post(
        "/api/v1/warehouses",
        headers=keys.admin,
        json={"code": "CEN", "name": "Central", "kind": "central", "lat": 45.72, "lon": 4.95},
    )
    assert wh.status_code == 201, wh.text
    locs = client.post(
        f"/api/v1/warehouses/{wh.json()['id']}/locations",
        headers=keys.admin,
        json={"codes": ["A-01", "A-02"]},
    )
    assert locs.status_code == 201, locs.text
    for code in ("TEA", "COFFEE"):
        r = client.post(
            "/api/v1/skus",
            headers=keys.admin,
            json={"code": code, "name": code.title(), "weight_kg": 1.5, "volume_m3": 0.004},
        )
        assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/stock/receipts",
        headers=keys.operator,
        json={"location_id": locs.json()[0]["id"], "sku": "TEA", "quantity": 10},
    )
    assert r.status_code == 201, r.text
    assert r.json()["on_hand"] == 10
    customer = client.post(
        "/api/v1/customers", headers=keys.operator, json={"code": "C001", "name": "Bistro du Parc"}
    )
    assert customer.status_code == 201, customer.text
    return customer.json()["id"]


def order_body(customer_id: str, lines: list[dict]) -> dict:
    return {**ORDER, "customer_id": customer_id, "lines": lines}


def counts(runtime) -> tuple[int, int]:
    with runtime.db.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(orders_table)).scalar_one(),
            conn.execute(select(func.count()).select_from(outbox)).scalar_one(),
        )


def test_an_order_placed_over_http_comes_back_allocated_with_its_timeline(client, keys, setup):
    r = client.post(
        "/api/v1/orders",
        headers=keys.operator,
        json=order_body(setup, [{"sku": "TEA", "quantity": 3}]),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "allocated"
    assert [t["kind"] for t in body["timeline"]] == ["placed", "allocated"]
    assert body["delivery_window"]["start"].startswith("2026-11-26T12:00:00")
    got = client.get(f"/api/v1/orders/{body['id']}", headers=keys.read_only)
    assert got.status_code == 200
    assert got.json()["lines"] == [
        {"id": body["lines"][0]["id"], "line_no": 1, "sku": "TEA", "quantity": 3}
    ]
    stock = client.get("/api/v1/stock?sku=TEA", headers=keys.read_only).json()
    assert [(s["on_hand"], s["allocated"], s["available"]) for s in stock] == [(10, 3, 7)]
    sku = client.get("/api/v1/skus/TEA", headers=keys.read_only).json()
    assert (sku["code"], sku["weight_kg"], sku["temperature_class"]) == ("TEA", 1.5, "ambient")
    listed = client.get("/api/v1/orders?status=allocated", headers=keys.read_only).json()
    assert [o["id"] for o in listed] == [body["id"]]


def test_missing_bad_or_revoked_keys_are_refused(client, keys, runtime, tenant):
    assert_problem(client.get("/api/v1/orders"), 401, "unauthorized")
    assert_problem(
        client.get("/api/v1/orders", headers={"Authorization": "Bearer nope"}), 401, "unauthorized"
    )
    key = auth.create_api_key(runtime.uow(tenant.id), Role.OPERATOR)
    forged = key.token[:-4] + "AAAA"
    assert_problem(
        client.get("/api/v1/orders", headers={"Authorization": f"Bearer {forged}"}),
        401,
        "unauthorized",
    )
    auth.revoke_api_key(runtime.uow(tenant.id), key.id)
    assert_problem(
        client.get("/api/v1/orders", headers={"Authorization": f"Bearer {key.token}"}),
        401,
        "unauthorized",
    )


def test_roles_limit_what_a_key_may_do(client, keys, setup):
    body = order_body(setup, [{"sku": "TEA", "quantity": 1}])
    assert_problem(
        client.post("/api/v1/orders", headers=keys.read_only, json=body), 403, "forbidden"
    )
    assert_problem(
        client.post(
            "/api/v1/skus",
            headers=keys.operator,
            json={"code": "X", "weight_kg": 1, "volume_m3": 0.1},
        ),
        403,
        "forbidden",
    )
    assert_problem(
        client.post("/api/v1/api-keys", headers=keys.operator, json={"role": "admin"}),
        403,
        "forbidden",
    )
    made = client.post("/api/v1/api-keys", headers=keys.admin, json={"role": "read_only"})
    assert made.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {made.json()['token']}"})
    assert me.json()["role"] == "read_only"


@pytest.mark.parametrize(
    ("lines", "status", "code"),
    [
        ([{"sku": "NOPE", "quantity": 1}], 422, "unknown_sku"),
        ([{"sku": "TEA", "quantity": -2}], 422, "validation_error"),
        ([{"sku": "TEA", "quantity": 0}], 422, "validation_error"),
        ([{"sku": "TEA", "quantity": "lots"}], 422, "validation_error"),
        ([], 422, "validation_error"),
    ],
)
def test_bad_order_lines_get_problem_json_and_write_nothing(
    client, keys, runtime, setup, lines, status, code
):
    before = counts(runtime)
    r = client.post("/api/v1/orders", headers=keys.operator, json=order_body(setup, lines))
    assert_problem(r, status, code)
    assert counts(runtime) == before


def test_malformed_json_and_bad_fields_are_refused(client, keys, runtime, setup):
    before = counts(runtime)
    r = client.post(
        "/api/v1/orders",
        headers={**keys.operator, "Content-Type": "application/json"},
        content=b'{"customer_id": "x", "lines": [',
    )
    assert_problem(r, 400, "malformed_json")
    body = order_body(setup, [{"sku": "TEA", "quantity": 1}])
    for broken in (
        {**body, "ship_to": {**ORDER["ship_to"], "lat": 123}},
        {
            **body,
            "delivery_window": {"start": "2026-11-26T14:00:00Z", "end": "2026-11-26T12:00:00Z"},
        },
        {**body, "delivery_window": {"start": "2026-11-26T12:00:00", "end": "2026-11-26T14:00:00"}},
        {**body, "unexpected": True},
        {**body, "customer_id": "cus_unknown"},
    ):
        r = client.post("/api/v1/orders", headers=keys.operator, json=broken)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert counts(runtime) == before


def test_an_illegal_transition_is_a_409_that_changes_nothing(client, keys, runtime, setup):
    placed = client.post(
        "/api/v1/orders",
        headers=keys.operator,
        json=order_body(setup, [{"sku": "TEA", "quantity": 2}]),
    ).json()
    pack = client.post(f"/api/v1/fulfilments/{placed['id']}/pack", headers=keys.operator)
    assert_problem(pack, 409, "invalid_transition")
    assert (
        client.post(
            f"/api/v1/orders/{placed['id']}/cancel",
            headers=keys.operator,
            json={"reason": "duplicate"},
        ).json()["status"]
        == "cancelled"
    )
    before = counts(runtime)
    body = assert_problem(
        client.post(f"/api/v1/orders/{placed['id']}/cancel", headers=keys.operator),
        409,
        "invalid_transition",
    )
    assert body["current"] == "cancelled"
    assert counts(runtime) == before
    stock = client.get("/api/v1/stock?sku=TEA", headers=keys.read_only).json()
    assert stock[0]["allocated"] == 0


def test_unknown_ids_and_routes_are_404_problems(client, keys, setup):
    assert_problem(
        client.get("/api/v1/orders/ord_missing", headers=keys.read_only), 404, "not_found"
    )
    assert_problem(
        client.post("/api/v1/fulfilments/ord_missing/pick", headers=keys.operator), 404, "not_found"
    )
    assert_problem(client.get("/api/v1/nothing-here", headers=keys.read_only), 404, "not_found")


def test_a_key_of_one_tenant_never_reaches_another_tenants_records(client, keys, runtime, setup):
    order = client.post(
        "/api/v1/orders",
        headers=keys.operator,
        json=order_body(setup, [{"sku": "TEA", "quantity": 1}]),
    ).json()
    other = auth.create_tenant(runtime.uow(), "Rival Foods")
    theirs = headers_for(runtime, other, Role.ADMIN)

    assert_problem(client.get(f"/api/v1/orders/{order['id']}", headers=theirs), 404, "not_found")
    assert_problem(
        client.post(f"/api/v1/orders/{order['id']}/cancel", headers=theirs), 404, "not_found"
    )
    assert_problem(
        client.post(f"/api/v1/fulfilments/{order['id']}/pick", headers=theirs), 404, "not_found"
    )
    assert_problem(client.get(f"/api/v1/customers/{setup}", headers=theirs), 404, "not_found")
    assert client.get("/api/v1/orders", headers=theirs).json() == []
    assert client.get("/api/v1/stock", headers=theirs).json() == []
    assert client.get("/api/v1/skus", headers=theirs).json() == []
    # Their own order may not use our customer nor see our SKUs.
    r = client.post(
        "/api/v1/orders", headers=theirs, json=order_body(setup, [{"sku": "TEA", "quantity": 1}])
    )
    assert r.status_code == 422
    assert (
        client.get(f"/api/v1/orders/{order['id']}", headers=keys.read_only).json()["status"]
        == "allocated"
    )


def test_openapi_is_served(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "OTWB"
    assert "/api/v1/orders" in spec["paths"]
    assert "/api/v1/fulfilments/{order_id}/pick" in spec["paths"]
