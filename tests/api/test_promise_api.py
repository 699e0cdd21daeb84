"""Delivery promises, options and the tracking page over HTTP: roles, problem+json errors that
write nothing, tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest

from otwb.platform import auth
from otwb.platform.auth import Role
from tests.api.conftest import assert_problem, headers_for
from tests.api.test_orders_api import ORDER, setup  # noqa: F401  (the fixture)

NEAR = {"lat": 45.7578, "lon": 4.832}


@pytest.fixture
def promising(client, keys, setup):  # noqa: F811
    [wh] = client.get("/api/v1/warehouses", headers=keys.read_only).json()
    r = client.put(
        f"/api/v1/warehouses/{wh['id']}/promise-profile",
        headers=keys.operator,
        json={"time_zone": "Europe/Paris", "country": "fr", "working_days": "12345"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["cutoff"], r.json()["country"]) == ("15:00", "FR")
    return wh, setup


def checkout_body(customer_id: str, **delivery: Any) -> dict:
    order = {k: v for k, v in ORDER.items() if k not in ("delivery_window", "service_level")}
    return {
        "order": {**order, "customer_id": customer_id, "lines": [{"sku": "TEA", "quantity": 1}]},
        "promise_level": "next_day",
        "delivery": delivery,
    }


def test_quote_profiles_and_holidays(client, keys, promising):
    wh, _ = promising
    r = client.post(
        "/api/v1/holidays",
        headers=keys.operator,
        json=[{"scope": "country", "code": "fr", "day": "2026-11-26", "name": "Fête"}],
    )
    assert r.json() == {"added": 1, "renamed": 0}
    listed = client.get("/api/v1/holidays?since=2026-11-01", headers=keys.read_only).json()
    assert listed == [{"scope": "country", "code": "FR", "day": "2026-11-26", "name": "Fête"}]
    r = client.post("/api/v1/promises:quote", headers=keys.read_only, json={"ship_to": NEAR})
    assert r.status_code == 200, r.text
    assert [(q["service_level"], q["delivery_day"]) for q in r.json()] == [
        ("same_day", "2026-11-25"),
        ("211", "2026-11-25"),
        ("next_day", "2026-11-27"),  # Thursday is a holiday
        ("standard", "2026-11-30"),
    ]
    assert r.json()[0]["warehouse_code"] == "CEN"
    assert r.json()[0]["promised_by"] == "2026-11-25T19:00:00Z"
    far = {"ship_to": {"lat": 48.8566, "lon": 2.3522}, "service_level": "same_day"}
    body = assert_problem(
        client.post("/api/v1/promises:quote", headers=keys.read_only, json=far),
        422,
        "service_level_unavailable",
    )
    assert body["offered"] == ["standard"]
    profiles = client.get("/api/v1/promise-profiles", headers=keys.read_only).json()
    assert [p["warehouse_code"] for p in profiles] == ["CEN"]
    assert_problem(
        client.put(
            f"/api/v1/warehouses/{wh['id']}/promise-profile",
            headers=keys.operator,
            json={"time_zone": "Mars/Olympus", "country": "FR"},
        ),
        422,
        "invalid_input",
    )
    assert_problem(
        client.put(
            f"/api/v1/warehouses/{wh['id']}/promise-profile",
            headers=keys.read_only,
            json={"time_zone": "Europe/Paris", "country": "FR"},
        ),
        403,
        "forbidden",
    )


def test_checkout_with_a_slot_then_the_tracking_page(runtime, client, keys, promising):
    wh, customer_id = promising
    r = client.post(
        "/api/v1/delivery-slots",
        headers=keys.operator,
        json={
            "warehouse_id": wh["id"],
            "first_day": "2026-11-26",
            "last_day": "2026-11-26",
            "spans": ["08:00-10:00", "10:00-12:00"],
            "capacity": 1,
        },
    )
    assert r.status_code == 201, r.text
    slot = r.json()[1]
    assert (slot["starts_at"], slot["free"]) == ("2026-11-26T09:00:00Z", 1)
    body = checkout_body(
        customer_id,
        slot_id=slot["id"],
        installation=True,
        cash_on_delivery={"amount": "39.90", "currency": "EUR"},
    )
    r = client.post("/api/v1/checkout", headers=keys.operator, json=body)
    assert r.status_code == 201, r.text
    placed = r.json()
    assert placed["promise"]["promised_by"] == "2026-11-26T11:00:00Z"
    assert placed["options"]["cash_on_delivery"] == {"amount": "39.90", "currency": "EUR"}
    order_id, token = placed["order_id"], placed["options"]["tracking_token"]
    order = client.get(f"/api/v1/orders/{order_id}", headers=keys.read_only).json()
    assert order["delivery_window"]["start"] == "2026-11-26T09:00:00Z"
    assert_problem(
        client.post("/api/v1/checkout", headers=keys.operator, json=body), 409, "slot_full"
    )
    free = client.get(
        "/api/v1/delivery-slots?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z&free_only=true",
        headers=keys.read_only,
    ).json()
    assert [s["starts_at"] for s in free] == ["2026-11-26T07:00:00Z"]
    promise = client.get(f"/api/v1/orders/{order_id}/promise", headers=keys.read_only).json()
    assert (promise["service_level"], promise["on_time"]) == ("next_day", None)
    options = client.get(f"/api/v1/orders/{order_id}/delivery-options", headers=keys.read_only)
    assert options.json()["installation"] is True

    page = client.post(
        "/api/v1/tracking-page",
        headers=keys.read_only,
        json={"number": order_id, "verifier": token},
    )
    assert page.status_code == 200, page.text
    assert page.json()["status"] == "preparing"
    assert [s["label"] for s in page.json()["steps"]] == ["Order received", "Being prepared"]
    wrong = client.post(
        "/api/v1/tracking-page",
        headers=keys.read_only,
        json={"number": order_id, "verifier": "75001"},
    )
    unknown = client.post(
        "/api/v1/tracking-page",
        headers=keys.read_only,
        json={"number": "ord_NOPE", "verifier": "69002"},
    )
    other = auth.create_tenant(runtime.uow(), "Other Shop")
    theirs = client.post(
        "/api/v1/tracking-page",
        headers=headers_for(runtime, other, Role.READ_ONLY),
        json={"number": order_id, "verifier": token},
    )
    bodies = [assert_problem(x, 404, "not_found") for x in (wrong, unknown, theirs)]
    assert bodies[0] == bodies[1] == bodies[2]
    report = client.get("/api/v1/promises/on-time", headers=keys.read_only)
    assert report.json() == []


def test_pickup_points_and_bad_choices(client, keys, promising):
    _, customer_id = promising
    point = {
        "code": "ST-1", "kind": "store", "name": "Boutique", "street": "1 rue Neuve",
        "city": "Lyon", "postcode": "69001", "country": "FR", "lat": 45.767, "lon": 4.834,
    }  # fmt: skip
    assert (
        client.post("/api/v1/pickup-points", headers=keys.operator, json=point).status_code == 201
    )
    assert_problem(
        client.post("/api/v1/pickup-points", headers=keys.operator, json=point), 409, "conflict"
    )
    r = client.post(
        "/api/v1/checkout",
        headers=keys.operator,
        json=checkout_body(customer_id, method="pickup", pickup_point="ST-1"),
    )
    assert r.status_code == 201, r.text
    assert len(r.json()["options"]["pickup_code"]) == 6
    bad: list[tuple[dict[str, Any], str]] = [
        ({"method": "pickup"}, "invalid_input"),
        ({"method": "pickup", "pickup_point": "ST-1", "installation": True}, "invalid_input"),
        ({"slot_id": "dsl_nope"}, "slot_unavailable"),
        ({"cash_on_delivery": {"amount": "0", "currency": "EUR"}}, "validation_error"),
        ({"cash_on_delivery": {"amount": "1.234", "currency": "EUR"}}, "invalid_input"),
    ]
    for delivery, code in bad:
        response = client.post(
            "/api/v1/checkout", headers=keys.operator, json=checkout_body(customer_id, **delivery)
        )
        assert_problem(response, 422, code)
    r = client.patch("/api/v1/pickup-points/ST-1", headers=keys.operator, json={"active": False})
    assert r.json()["active"] is False
    assert client.get("/api/v1/pickup-points", headers=keys.read_only).json() == []
    orders = client.get("/api/v1/orders", headers=keys.read_only).json()
    assert len(orders) == 1


def test_a_retried_checkout_books_once(client, keys, promising):
    wh, customer_id = promising
    r = client.post(
        "/api/v1/delivery-slots",
        headers=keys.operator,
        json={
            "warehouse_id": wh["id"],
            "first_day": "2026-11-26",
            "last_day": "2026-11-26",
            "spans": ["14:00-16:00"],
            "capacity": 3,
        },
    )
    [slot] = r.json()
    body = checkout_body(customer_id, slot_id=slot["id"])
    headers = {**keys.operator, "Idempotency-Key": "checkout-42"}
    first = client.post("/api/v1/checkout", headers=headers, json=body)
    again = client.post("/api/v1/checkout", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    [booked] = client.get(
        "/api/v1/delivery-slots?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z",
        headers=keys.read_only,
    ).json()
    assert booked["booked"] == 1
    assert len(client.get("/api/v1/orders", headers=keys.read_only).json()) == 1
    bad = client.get(
        "/api/v1/delivery-slots?since=2026-11-27T00:00:00Z&until=2026-11-26T00:00:00Z",
        headers=keys.read_only,
    )
    assert_problem(bad, 422, "invalid_input")
    on_time = client.get(
        f"/api/v1/promises/on-time?warehouse_id={wh['id']}&since=2026-11-01T00:00:00Z",
        headers=keys.read_only,
    )
    assert on_time.json() == []
