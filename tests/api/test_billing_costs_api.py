"""B's carrier settlement and cost report over HTTP: the audit of the sample invoice, decisions,
the payable, rules, cost rates and the report -- with problem+json for bad input."""

from __future__ import annotations

from decimal import Decimal

from otwb.transport import carriers
from tests.api.conftest import assert_problem
from tests.integration.test_billing_settlement import EXPECTED, SAMPLE, tendered

API = "/api/v1/billing"


def test_audit_decide_and_pay_a_carrier_invoice(client, keys, uow) -> None:
    carrier = carriers.add_carrier(uow(), "GEO", "Geodis")
    for tracking, cost in EXPECTED.items():
        tendered(uow, carrier.id, tracking, cost)

    body = {"carrier_id": carrier.id, "csv": SAMPLE.read_text()}
    assert_problem(
        client.post(f"{API}/carrier-invoices", json=body, headers=keys.read_only), 403, "forbidden"
    )
    r = client.post(f"{API}/carrier-invoices", json=body, headers=keys.operator)
    assert r.status_code == 201, r.text
    audit = r.json()
    assert [e["row"] for e in audit["errors"]] == [10, 11]
    invoice = audit["invoice"]
    assert invoice["findings"] == {
        "ok": 3,
        "overcharge": 2,
        "unknown_shipment": 1,
        "duplicate": 1,
        "currency_mismatch": 1,
    }
    assert invoice["lines"][2]["surcharges"] == {"fuel": "4.00", "residential": "2.75"}
    assert_problem(
        client.post(f"{API}/carrier-invoices", json=body, headers=keys.operator), 409, "conflict"
    )

    url = f"{API}/carrier-invoices/{invoice['id']}"
    assert_problem(
        client.post(f"{url}/lines/5/approve", json={"amount": "41.50"}, headers=keys.operator),
        422,
        "invalid_input",
    )
    assert_problem(
        client.post(f"{url}/lines/5/approve", json={"amount": "lots"}, headers=keys.operator),
        422,
        "validation_error",
    )
    r = client.post(
        f"{url}/lines/5/approve",
        json={"amount": "41.50", "reason": "agreed"},
        headers=keys.operator,
    )
    assert r.json()["lines"][4]["approved_amount"] == "41.50"
    client.post(f"{url}/approve-all", headers=keys.operator)
    assert_problem(client.post(f"{url}/payable", headers=keys.admin), 409, "conflict")
    r = client.post(f"{url}/lines/6/reject", json={"reason": "no"}, headers=keys.operator)
    assert r.json()["lines"][5]["status"] == "rejected"
    r = client.post(f"{url}/reject-rest", json={"reason": "not ours"}, headers=keys.operator)
    assert [ln["status"] for ln in r.json()["lines"]][6:] == ["rejected", "rejected"]
    assert_problem(
        client.post(f"{url}/lines/6/approve", json={}, headers=keys.operator), 409, "conflict"
    )
    r = client.post(f"{url}/payable", headers=keys.admin)
    assert r.status_code == 201, r.text
    assert (r.json()["total"], r.json()["lines"]) == ("158.30", 5)
    document = client.get(f"{API}/carrier-payables/{r.json()['id']}", headers=keys.read_only).json()
    assert sorted(i["tracking_number"] for i in document["items"]) == [
        f"TRK-00{n}" for n in range(1, 6)
    ]
    assert sum(Decimal(i["paid_amount"]) for i in document["items"]) == Decimal("158.30")
    paid = client.get(f"{API}/expected-payables", params={"status": "paid"}, headers=keys.read_only)
    assert len(paid.json()) == 5
    assert [
        p["total"] for p in client.get(f"{API}/carrier-payables", headers=keys.read_only).json()
    ] == ["158.30"]
    assert_problem(
        client.get(f"{API}/carrier-invoices/cinv_nope", headers=keys.read_only), 404, "not_found"
    )


def test_rules_rates_and_the_report(client, keys, uow) -> None:
    carrier = carriers.add_carrier(uow(), "DHL", "DHL")
    url = f"{API}/carrier-rules/{carrier.id}"
    r = client.put(url, json={"pay_on_delivery": True, "tolerance_pct": "5"}, headers=keys.admin)
    assert r.json() == {
        "carrier_id": carrier.id,
        "pay_on_delivery": True,
        "tolerance_abs": "1",
        "tolerance_pct": "5",
    }
    assert client.get(url, headers=keys.read_only).json()["pay_on_delivery"] is True
    assert_problem(
        client.put(url, json={"tolerance_pct": "101"}, headers=keys.admin), 422, "validation_error"
    )
    assert_problem(
        client.put(f"{API}/carrier-rules/car_x", json={}, headers=keys.admin), 404, "not_found"
    )
    assert_problem(
        client.post(f"{API}/carrier-settlements/{carrier.id}", headers=keys.admin), 409, "conflict"
    )

    r = client.put(f"{API}/cost-rates/pick_line", json={"rate": "0.40"}, headers=keys.admin)
    assert r.json() == {"pick_line": "0.4", "parcel": "0", "unit_day": "0"}
    assert_problem(
        client.put(f"{API}/cost-rates/forklift", json={"rate": "1"}, headers=keys.admin),
        422,
        "invalid_input",
    )

    report = client.get(f"{API}/cost-report", params={"period": "2026-11"}, headers=keys.read_only)
    assert report.status_code == 200
    assert report.json()["total"]["revenue"] == "0"
    assert [s["category"] for s in report.json()["cost_shares"]] == [
        "transport",
        "storage",
        "handling",
    ]
    assert_problem(
        client.get(f"{API}/cost-report", params={"period": "2026-13"}, headers=keys.read_only),
        422,
        "invalid_input",
    )
    assert_problem(
        client.get(f"{API}/cost-report", params={"period": "nov"}, headers=keys.read_only),
        422,
        "validation_error",
    )
    assert (
        client.get(
            f"{API}/route-costs", params={"period": "2026-11"}, headers=keys.read_only
        ).json()
        == []
    )
