"""Idempotency-Key: a retried POST gets the first answer; two concurrent duplicates make one."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
import uvicorn
from sqlalchemy import func, select

from otwb.api import create_app
from otwb.orders.tables import orders
from otwb.platform import auth
from otwb.platform.auth import Role
from tests.api.conftest import assert_problem, headers_for
from tests.api.test_orders_api import order_body


def order_count(runtime) -> int:
    with runtime.db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(orders)).scalar_one()


def stocked(client, keys) -> str:
    wh = client.post(
        "/api/v1/warehouses",
        headers=keys.admin,
        json={"code": "CEN", "name": "Central", "lat": 45.72, "lon": 4.95},
    ).json()
    [loc] = client.post(
        f"/api/v1/warehouses/{wh['id']}/locations", headers=keys.admin, json={"codes": ["A-01"]}
    ).json()
    client.post(
        "/api/v1/skus",
        headers=keys.admin,
        json={"code": "TEA", "weight_kg": 1.0, "volume_m3": 0.002},
    )
    client.post(
        "/api/v1/stock/receipts",
        headers=keys.operator,
        json={"location_id": loc["id"], "sku": "TEA", "quantity": 50},
    )
    return client.post(
        "/api/v1/customers", headers=keys.operator, json={"code": "C1", "name": "Bistro"}
    ).json()["id"]


def test_a_retry_gets_the_first_answer_and_writes_nothing_more(client, keys, runtime):
    customer = stocked(client, keys)
    body = order_body(customer, [{"sku": "TEA", "quantity": 2}])
    headers = {**keys.operator, "Idempotency-Key": "po-778-attempt"}
    first = client.post("/api/v1/orders", headers=headers, json=body)
    again = client.post("/api/v1/orders", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert order_count(runtime) == 1
    # A refused request is remembered too: the retry gets the same problem, nothing is written.
    bad = {**keys.operator, "Idempotency-Key": "bad-one"}
    unknown = order_body(customer, [{"sku": "NOPE", "quantity": 1}])
    assert_problem(client.post("/api/v1/orders", headers=bad, json=unknown), 422, "unknown_sku")
    replay = client.post("/api/v1/orders", headers=bad, json=unknown)
    assert_problem(replay, 422, "unknown_sku")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert order_count(runtime) == 1


def test_the_same_key_with_another_body_is_refused(client, keys, runtime):
    customer = stocked(client, keys)
    headers = {**keys.operator, "Idempotency-Key": "k-1"}
    client.post(
        "/api/v1/orders",
        headers=headers,
        json=order_body(customer, [{"sku": "TEA", "quantity": 2}]),
    )
    other = client.post(
        "/api/v1/orders",
        headers=headers,
        json=order_body(customer, [{"sku": "TEA", "quantity": 3}]),
    )
    assert_problem(other, 422, "idempotency_key_reused")
    assert order_count(runtime) == 1
    assert_problem(
        client.post(
            "/api/v1/orders", headers={**keys.operator, "Idempotency-Key": "x" * 300}, json={}
        ),
        400,
        "invalid_idempotency_key",
    )


def test_keys_belong_to_their_tenant(client, keys, runtime):
    customer = stocked(client, keys)
    body = order_body(customer, [{"sku": "TEA", "quantity": 1}])
    client.post("/api/v1/orders", headers={**keys.operator, "Idempotency-Key": "same"}, json=body)
    other = auth.create_tenant(runtime.uow(), "Rival Foods")
    theirs = {**headers_for(runtime, other, Role.OPERATOR), "Idempotency-Key": "same"}
    response = client.post("/api/v1/orders", headers=theirs, json=body)
    assert response.status_code == 422  # their own request ran (our customer is unknown to them)
    assert "Idempotent-Replayed" not in response.headers


@pytest.fixture
def server(runtime):
    """The app on a real socket, so that requests really run at the same time."""
    config = uvicorn.Config(create_app(runtime), host="127.0.0.1", port=0, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.01)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)


def test_concurrent_duplicates_make_exactly_one_order(client, keys, runtime, server):
    customer = stocked(client, keys)
    body = order_body(customer, [{"sku": "TEA", "quantity": 1}])
    headers = {**keys.operator, "Idempotency-Key": "burst-1"}
    barrier = threading.Barrier(12)

    def post(_: int) -> int:
        with httpx2.Client(base_url=server, timeout=30) as http:
            barrier.wait()
            return http.post("/api/v1/orders", headers=headers, json=body).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(post, range(12)))
    assert order_count(runtime) == 1
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}  # the first, its replays, or "still in progress"
