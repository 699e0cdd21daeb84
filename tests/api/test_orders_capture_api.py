"""Capture and changes over HTTP: duplicates (also under concurrent POSTs with different keys),
geocoding, the batch endpoint's per-item results, hold / release / amend, credit hold,
webhook subscriptions -- every refusal a problem+json with its code."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx2
from sqlalchemy import func, select

from otwb.orders.tables import orders as orders_table
from tests.api.conftest import assert_problem
from tests.api.test_idempotency import server  # noqa: F401  (fixture)
from tests.api.test_orders_api import order_body, setup  # noqa: F401  (fixture)


def count_orders(runtime, reference: str) -> int:
    with runtime.db.engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(orders_table)
            .where(orders_table.c.reference == reference)
        ).scalar_one()


def test_a_duplicate_channel_reference_is_409_naming_the_first_order(client, keys, setup):  # noqa: F811
    body = {**order_body(setup, [{"sku": "TEA", "quantity": 1}]), "reference": "WEB-1001"}
    first = client.post("/api/v1/orders", headers=keys.operator, json=body)
    assert first.status_code == 201, first.text
    assert first.json()["channel"] == "api"
    again = client.post(
        "/api/v1/orders", headers={**keys.operator, "Idempotency-Key": "other"}, json=body
    )
    problem = assert_problem(again, 409, "duplicate_order")
    assert problem["existing_order_id"] == first.json()["id"]
    other_channel = client.post(
        "/api/v1/orders", headers=keys.operator, json={**body, "channel": "edi"}
    )
    assert other_channel.status_code == 201


def test_concurrent_posts_of_one_reference_with_different_keys_make_one_order(
    client,
    keys,
    runtime,
    setup,  # noqa: F811
    server,  # noqa: F811
):
    body = {**order_body(setup, [{"sku": "TEA", "quantity": 1}]), "reference": "WEB-RACE"}
    barrier = threading.Barrier(8)

    def post(n: int) -> int:
        with httpx2.Client(base_url=server, timeout=30) as http:
            barrier.wait()
            headers = {**keys.operator, "Idempotency-Key": f"race-{n}"}
            return http.post("/api/v1/orders", headers=headers, json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(post, range(8)))
    assert count_orders(runtime, "WEB-RACE") == 1
    assert statuses.count(201) == 1
    assert set(statuses) == {201, 409}


def test_an_address_without_coordinates_is_geocoded_or_refused(client, keys, setup):  # noqa: F811
    loaded = client.post(
        "/api/v1/postcodes",
        headers=keys.operator,
        json={
            "postcodes": [
                {"country": "FR", "postcode": "69002", "city": "Lyon", "lat": 45.75, "lon": 4.827}
            ]
        },
    )
    assert loaded.json() == {"loaded": 1, "total": 1}
    body = order_body(setup, [{"sku": "TEA", "quantity": 1}])
    ship_to = {k: v for k, v in body["ship_to"].items() if k not in ("lat", "lon")}
    r = client.post("/api/v1/orders", headers=keys.operator, json={**body, "ship_to": ship_to})
    assert r.status_code == 201, r.text
    assert (r.json()["ship_to"]["lat"], r.json()["ship_to"]["lon"]) == (45.75, 4.827)
    far = {**ship_to, "postcode": "13001", "city": "Marseille"}
    assert_problem(
        client.post("/api/v1/orders", headers=keys.operator, json={**body, "ship_to": far}),
        422,
        "address_not_geocoded",
    )
    half = {**ship_to, "lat": 45.7}
    assert_problem(
        client.post("/api/v1/orders", headers=keys.operator, json={**body, "ship_to": half}),
        422,
        "validation_error",
    )


def test_the_batch_endpoint_keeps_good_orders_and_reports_each_bad_one(client, keys, setup):  # noqa: F811
    good = {**order_body(setup, [{"sku": "TEA", "quantity": 1}]), "reference": "B-1"}
    unknown = {**order_body(setup, [{"sku": "NOPE", "quantity": 1}]), "reference": "B-2"}
    duplicate = {**good}
    r = client.post(
        "/api/v1/orders:batch", headers=keys.operator, json={"orders": [good, unknown, duplicate]}
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["placed"], out["refused"]) == (1, 2)
    ok, bad, dup = out["results"]
    assert ok["status"] == 201
    assert ok["order_status"] == "placed"  # as captured; W allocates it right after
    got = client.get(f"/api/v1/orders/{ok['order_id']}", headers=keys.read_only)
    assert got.json()["status"] == "allocated"
    assert (bad["status"], bad["code"]) == (422, "unknown_sku")
    assert (dup["status"], dup["code"]) == (409, "duplicate_order")
    assert dup["extra"]["existing_order_id"] == ok["order_id"]
    assert_problem(
        client.post("/api/v1/orders:batch", headers=keys.operator, json={"orders": []}),
        422,
        "validation_error",
    )


def test_hold_release_amend_and_credit_hold_over_http(client, keys, setup):  # noqa: F811
    placed = client.post(
        "/api/v1/orders",
        headers=keys.operator,
        json=order_body(setup, [{"sku": "TEA", "quantity": 2}]),
    ).json()
    oid = placed["id"]
    held = client.post(
        f"/api/v1/orders/{oid}/hold", headers=keys.operator, json={"reason": "fraud"}
    )
    assert held.json()["status"] == "on_hold"
    assert held.json()["hold_reason"] == "fraud"
    assert_problem(
        client.post(f"/api/v1/orders/{oid}/hold", headers=keys.operator, json={"reason": "x"}),
        409,
        "invalid_transition",
    )
    released = client.post(f"/api/v1/orders/{oid}/release", headers=keys.operator)
    assert released.json()["status"] == "allocated"
    amended = client.post(
        f"/api/v1/orders/{oid}/amend",
        headers=keys.operator,
        json={"lines": [{"sku": "TEA", "quantity": 5}]},
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["status"] == "allocated"
    assert [x["quantity"] for x in amended.json()["lines"]] == [5]
    assert_problem(
        client.post(f"/api/v1/orders/{oid}/amend", headers=keys.operator, json={}),
        422,
        "invalid_input",
    )
    assert client.post(f"/api/v1/orders/{oid}/cancel", headers=keys.operator).status_code == 200
    assert_problem(
        client.post(
            f"/api/v1/orders/{oid}/amend",
            headers=keys.operator,
            json={"lines": [{"sku": "TEA", "quantity": 1}]},
        ),
        409,
        "too_late_to_amend",
    )
    on = client.put(
        f"/api/v1/customers/{setup}/credit-hold", headers=keys.operator, json={"on": True}
    )
    assert on.json()["customer"]["credit_hold"] is True
    second = client.post(
        "/api/v1/orders",
        headers=keys.operator,
        json=order_body(setup, [{"sku": "TEA", "quantity": 1}]),
    ).json()
    assert (second["status"], second["hold_reason"]) == ("on_hold", "credit_hold")
    assert_problem(
        client.post(f"/api/v1/orders/{second['id']}/release", headers=keys.operator),
        409,
        "credit_hold",
    )
    off = client.put(
        f"/api/v1/customers/{setup}/credit-hold", headers=keys.operator, json={"on": False}
    )
    assert off.json()["released_orders"] == [second["id"]]
    got = client.get(f"/api/v1/orders/{second['id']}", headers=keys.read_only).json()
    assert got["status"] == "allocated"


def test_webhook_subscriptions_need_an_admin(client, keys):
    body = {"url": "https://example.com/hooks", "event_types": ["order.placed"]}
    assert_problem(
        client.post("/api/v1/webhooks", headers=keys.operator, json=body), 403, "forbidden"
    )
    made = client.post("/api/v1/webhooks", headers=keys.admin, json=body)
    assert made.status_code == 201, made.text
    assert len(made.json()["secret"]) >= 16
    listed = client.get("/api/v1/webhooks", headers=keys.read_only).json()
    assert [w["id"] for w in listed] == [made.json()["id"]]
    assert listed[0]["secret"] is None
    assert_problem(
        client.post(
            "/api/v1/webhooks",
            headers=keys.admin,
            json={**body, "event_types": ["order.exploded"]},
        ),
        422,
        "invalid_webhook",
    )
    gone = client.delete(f"/api/v1/webhooks/{made.json()['id']}", headers=keys.admin)
    assert gone.status_code == 204
    assert client.get("/api/v1/webhook-deliveries", headers=keys.read_only).json() == []
