"""Returns and recalls over HTTP: the loop through the API, problem+json for every refusal."""

from __future__ import annotations

import pytest

from otwb.warehouse import service as warehouse
from tests.api.conftest import assert_problem
from tests.integration.test_returns import delivered
from tests.integration.test_transport import depot, van  # noqa: F401


@pytest.fixture
def order(uow, depot, clock):
    van(uow, depot)
    return delivered(uow, depot, clock, n=6)


def test_the_return_loop_over_http(client, keys, order, uow):
    body = {
        "lines": [{"line_no": 1, "quantity": 2, "reason": "changed_mind", "unit_price": "30.00"}],
        "note": "too many",
    }
    put = client.put(
        f"/api/v1/customers/{order.customer_id}/return-policy",
        json={"window_days": 14, "restocking_fee_pct": "10"},
        headers=keys.admin,
    )
    assert put.status_code == 200, put.text
    assert put.json() == {"window_days": 14, "restocking_fee_pct": "10"}
    made = client.post(f"/api/v1/orders/{order.id}/returns", json=body, headers=keys.operator)
    assert made.status_code == 201, made.text
    rma = made.json()
    assert (rma["status"], rma["lines"][0]["sku"], rma["lines"][0]["unit_price"]) == (
        "requested",
        "WINE-6",
        "30.0000",
    )
    rid = rma["id"]
    authorised = client.post(f"/api/v1/returns/{rid}/authorise", headers=keys.operator).json()
    assert authorised["status"] == "pickup_scheduled"
    assert authorised["pickup_tracking"]
    # brought to the warehouse by the customer before the collection
    assert (
        client.post(f"/api/v1/returns/{rid}/receive", headers=keys.operator).json()["status"]
        == "received"
    )
    inspected = client.post(
        f"/api/v1/returns/{rid}/inspect",
        json={"lines": [{"line_no": 1, "quantity": 2, "disposition": "restock"}]},
        headers=keys.operator,
    )
    assert inspected.status_code == 200, inspected.text
    out = inspected.json()
    assert out["status"] == "closed"
    assert out["credit"] == {
        "gross": "60.0000",
        "restocking_fee": "6.0000",
        "net": "54.0000",
        "currency": "EUR",
    }
    listed = client.get("/api/v1/returns", params={"order_id": order.id}, headers=keys.read_only)
    assert [r["id"] for r in listed.json()] == [rid]
    moves = warehouse.movements(uow(), reference=rid)
    assert [(m.kind, m.quantity, m.reason) for m in moves] == [("return", 2, "return_restock")]
    assert warehouse.ledger_discrepancies(uow()) == []


def test_refusals_are_problems(client, keys, order):
    url = f"/api/v1/orders/{order.id}/returns"
    too_many = {"lines": [{"line_no": 1, "quantity": 7, "reason": "defective"}]}
    assert_problem(client.post(url, json=too_many, headers=keys.operator), 409, "not_returnable")
    bad = {"lines": [{"line_no": 1, "quantity": 1, "reason": "bored"}]}
    assert_problem(client.post(url, json=bad, headers=keys.operator), 422, "validation_error")
    nolines = {"lines": [{"line_no": 9, "quantity": 1, "reason": "defective"}]}
    assert_problem(client.post(url, json=nolines, headers=keys.operator), 422, "invalid_input")
    assert_problem(
        client.post(url, json=too_many | {"lines": []}, headers=keys.operator),
        422,
        "validation_error",
    )
    reader = {"lines": [{"line_no": 1, "quantity": 1, "reason": "defective"}]}
    assert_problem(client.post(url, json=reader, headers=keys.read_only), 403, "forbidden")
    assert_problem(client.get("/api/v1/returns/rma_nope", headers=keys.read_only), 404, "not_found")
    made = client.post(url, json=reader, headers=keys.operator).json()
    assert_problem(
        client.post(f"/api/v1/returns/{made['id']}/receive", headers=keys.operator),
        409,
        "invalid_transition",
    )
    assert_problem(
        client.post(
            f"/api/v1/returns/{made['id']}/refuse", json={"reason": ""}, headers=keys.operator
        ),
        422,
        "validation_error",
    )
    refused = client.post(
        f"/api/v1/returns/{made['id']}/refuse", json={"reason": "opened"}, headers=keys.operator
    )
    assert (refused.json()["status"], refused.json()["refused_reason"]) == ("refused", "opened")


def test_recall_over_http(client, keys, order, uow, depot):
    assert_problem(
        client.get(
            "/api/v1/recalls/report", params={"sku": "WINE-6", "lot": "X"}, headers=keys.read_only
        ),
        404,
        "not_found",
    )
    body = {"sku": "WINE-6", "lot": "X", "reason": "cork taint"}
    assert_problem(
        client.post("/api/v1/recalls", json=body, headers=keys.operator), 404, "not_found"
    )
    assert_problem(
        client.post(
            "/api/v1/recalls", json=body | {"credit_per_unit": "-1"}, headers=keys.operator
        ),
        422,
        "validation_error",
    )
    warehouse.create_skus(
        uow(), [warehouse.NewSku("OIL", "Olive oil", 1.0, 0.001, lot_tracked=True)]
    )
    warehouse.receive_stock(uow(), depot.locations[1].id, "OIL", 10, lot="2026-A")
    made = client.post(
        "/api/v1/recalls",
        json={"sku": "OIL", "lot": "2026-A", "reason": "rancid", "create_returns": True},
        headers=keys.operator,
    )
    assert made.status_code == 201, made.text
    out = made.json()
    assert (out["orders"], out["units_in_stock"], out["returns"]) == ([], 10, [])
    assert out["in_stock"][0]["on_hand"] == 10
    csv = client.get(
        "/api/v1/recalls/report",
        params={"sku": "OIL", "lot": "2026-A", "format": "csv"},
        headers=keys.read_only,
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[1].startswith("stock,,,,")
    again = {"sku": "OIL", "lot": "2026-A", "reason": "again"}
    assert_problem(
        client.post("/api/v1/recalls", json=again, headers=keys.operator), 409, "conflict"
    )
