"""Invoicing over HTTP: drafts, issue, pay, void, re-bill, credit notes, PDF and CSV with their
media types, exchange rates; bad input is problem+json and writes nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from otwb.billing.invoice_tables import exchange_rates, invoices
from otwb.billing.tables import charges
from otwb.platform.auth import Tenant
from otwb.platform.runtime import Runtime
from tests import factories
from tests.api.conftest import Keys, assert_problem
from tests.api.test_billing_api import NOVEMBER, TARIFF, count, handled


@pytest.fixture
def customer(client: TestClient, keys: Keys, runtime: Runtime, tenant: Tenant, uow) -> str:
    """A customer with 3 + 7 order lines handled in November at 0.45 (20 % tax)."""
    assert client.put("/api/v1/tariffs", json=TARIFF, headers=keys.admin).status_code == 201
    owner = factories.customer(uow).id
    handled(runtime, tenant, owner, "ord_1", 3)  # 1.35
    handled(runtime, tenant, owner, "ord_2", 7)  # 3.15
    return owner


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_a_draft_is_issued_paid_and_credited(client: TestClient, keys: Keys, customer) -> None:
    admin, ro = keys.admin, keys.read_only
    [draft] = ok(client.post("/api/v1/invoices/runs", json=NOVEMBER, headers=admin))["invoices"]
    assert (draft["status"], draft["number"], draft["total"]) == ("draft", None, "5.40")
    assert [x["amount"] for x in draft["lines"]] == ["4.50"]
    drafts = ok(client.get("/api/v1/invoices?status=draft", headers=ro))
    assert [d["id"] for d in drafts] == [draft["id"]]

    issued = ok(client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=admin))
    assert (issued["status"], issued["number"]) == ("issued", "INV-2026-000001")
    assert_problem(
        client.post(f"/api/v1/invoices/{draft['id']}/issue", headers=admin),
        409,
        "invalid_transition",
    )
    note = ok(
        client.post(
            f"/api/v1/invoices/{draft['id']}/credit-notes",
            json={"reason": "goodwill", "lines": [{"line_no": 1, "amount": "1.00"}]},
            headers=admin,
        ),
        201,
    )
    assert (note["doc_type"], note["number"], note["total"]) == (
        "credit_note",
        "CN-2026-000001",
        "-1.20",
    )
    paid = ok(client.post(f"/api/v1/invoices/{draft['id']}/pay", headers=admin))
    assert (paid["status"], paid["paid_amount"], paid["balance"], paid["credited"]) == (
        "paid",
        "4.20",
        "0.00",
        "-1.20",
    )
    assert_problem(
        client.post(f"/api/v1/invoices/{draft['id']}/void", json={"reason": "x"}, headers=admin),
        409,
        "invalid_transition",
    )
    notes = ok(client.get(f"/api/v1/invoices/{draft['id']}/credit-notes", headers=ro))
    assert [n["id"] for n in notes] == [note["id"]]
    listed = ok(client.get("/api/v1/invoices?doc_type=credit_note", headers=ro))
    assert [n["number"] for n in listed] == ["CN-2026-000001"]

    # documents, with their media types, readable with a read-only key
    pdf = client.get(f"/api/v1/invoices/{draft['id']}/pdf", headers=ro)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="INV-2026-000001.pdf"' in pdf.headers["content-disposition"]
    assert pdf.content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Invoice INV-2026-000001" in text
    assert "5.40 EUR" in text
    got = client.get(f"/api/v1/invoices/{note['id']}/csv", headers=ro)
    assert got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert sum(Decimal(r["line_total"]) for r in rows) == Decimal("-1.20")
    assert {r["number"] for r in rows} == {"CN-2026-000001"}
    note_pdf = client.get(f"/api/v1/invoices/{note['id']}/pdf", headers=ro).content
    assert "Credit note CN-2026-000001" in PdfReader(io.BytesIO(note_pdf)).pages[0].extract_text()


def test_discard_rerun_void_and_rebill(
    client: TestClient, keys: Keys, runtime: Runtime, tenant: Tenant, customer
) -> None:
    admin = keys.admin
    [draft] = ok(client.post("/api/v1/invoices/runs", json=NOVEMBER, headers=admin))["invoices"]
    assert ok(client.delete(f"/api/v1/invoices/{draft['id']}", headers=admin)) == {
        "released_charges": 2
    }
    assert count(runtime, invoices) == 0
    [again] = ok(client.post("/api/v1/invoices/runs", json=NOVEMBER, headers=admin))["invoices"]
    handled(runtime, tenant, customer, "ord_3", 2)  # late: 0.90
    [rerun] = ok(client.post(f"/api/v1/invoices/{again['id']}/rerun", headers=admin))["invoices"]
    assert rerun["subtotal"] == "5.40"
    issued = ok(client.post(f"/api/v1/invoices/{rerun['id']}/issue", headers=admin))
    assert_problem(
        client.post(f"/api/v1/invoices/{issued['id']}/void", json={"reason": ""}, headers=admin),
        422,
        "validation_error",
    )
    void = ok(
        client.post(
            f"/api/v1/invoices/{issued['id']}/void", json={"reason": "wrong"}, headers=admin
        )
    )
    assert (void["status"], void["number"], void["balance"]) == (
        "void",
        "INV-2026-000001",
        "0.00",
    )
    [rebilled] = ok(client.post(f"/api/v1/invoices/{void['id']}/rebill", headers=admin))["invoices"]
    assert (rebilled["status"], rebilled["total"]) == ("draft", "6.48")
    assert_problem(
        client.post(f"/api/v1/invoices/{void['id']}/rebill", headers=admin),
        409,
        "invalid_transition",
    )


def test_billing_in_another_currency_needs_a_stored_rate(
    client: TestClient, keys: Keys, runtime: Runtime, customer
) -> None:
    admin, ro = keys.admin, keys.read_only
    setting = ok(
        client.put(
            f"/api/v1/billing/customers/{customer}/currency",
            json={"currency": "usd"},
            headers=admin,
        )
    )
    assert setting == {"customer_id": customer, "currency": "USD"}
    assert ok(client.get("/api/v1/billing/currencies", headers=ro)) == [setting]
    body = assert_problem(
        client.post("/api/v1/invoices/runs", json={**NOVEMBER, "issue": True}, headers=admin),
        422,
        "missing_exchange_rate",
    )
    assert (body["from_currency"], body["to_currency"], body["day"]) == (
        "EUR",
        "USD",
        "2026-11-30",
    )
    assert count(runtime, invoices) == 0
    rate = {"from_currency": "EUR", "to_currency": "USD", "day": "2026-11-20", "rate": "1.0842"}
    assert ok(client.put("/api/v1/exchange-rates", json=rate, headers=admin)) == rate
    assert ok(client.get("/api/v1/exchange-rates?from_currency=EUR", headers=ro)) == [rate]
    [invoice] = ok(
        client.post("/api/v1/invoices/runs", json={**NOVEMBER, "issue": True}, headers=admin)
    )["invoices"]
    assert (invoice["currency"], invoice["subtotal"], invoice["total"]) == ("USD", "4.88", "5.86")
    [line] = invoice["lines"]
    assert (line["charge_currency"], line["charge_amount"], line["exchange_rate"]) == (
        "EUR",
        "4.50",
        "1.0842",
    )


def rate_body(rate: str, to: str = "USD") -> dict[str, str]:
    return {"from_currency": "EUR", "to_currency": to, "day": "2026-11-01", "rate": rate}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("put", "/api/v1/exchange-rates", rate_body("abc"), 422, "validation_error"),
        ("put", "/api/v1/exchange-rates", rate_body("0"), 422, "validation_error"),
        ("put", "/api/v1/exchange-rates", rate_body("1", to="EUR"), 422, "invalid_input"),
        ("put", "/api/v1/exchange-rates", rate_body("1.00000000001"), 422, "invalid_input"),
        (
            "put",
            "/api/v1/billing/customers/c1/currency",
            {"currency": "EURO"},
            422,
            "validation_error",
        ),
        ("post", "/api/v1/invoices/inv_nope/issue", None, 404, "not_found"),
        ("post", "/api/v1/invoices/inv_nope/credit-notes", {"reason": "x"}, 404, "not_found"),
        ("get", "/api/v1/invoices/inv_nope/pdf", None, 404, "not_found"),
        ("get", "/api/v1/invoices?status=billed", None, 422, "validation_error"),
    ],
)
def test_bad_requests_are_problems_and_write_nothing(
    client: TestClient,
    keys: Keys,
    runtime: Runtime,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    code: str,
) -> None:
    response = client.request(method.upper(), path, json=body, headers=keys.admin)
    assert_problem(response, status, code)
    assert count(runtime, exchange_rates) == 0
    assert count(runtime, invoices) == 0


def test_bad_credit_notes_and_roles(client: TestClient, keys: Keys, runtime, customer) -> None:
    admin = keys.admin
    [invoice] = ok(
        client.post("/api/v1/invoices/runs", json={**NOVEMBER, "issue": True}, headers=admin)
    )["invoices"]
    path = f"/api/v1/invoices/{invoice['id']}/credit-notes"
    for body, code in [
        ({"reason": "x", "lines": [{"line_no": 1, "amount": "4.51"}]}, "invalid_input"),
        ({"reason": "x", "lines": [{"line_no": 2}]}, "invalid_input"),
        ({"reason": "x", "lines": [{"line_no": 1, "amount": "-1"}]}, "validation_error"),
        ({"reason": "x", "lines": [{"line_no": 1, "qty": 1}]}, "validation_error"),
        ({"lines": []}, "validation_error"),
    ]:
        assert_problem(client.post(path, json=body, headers=admin), 422, code)
    for key in (keys.operator, keys.read_only):
        assert_problem(client.post(path, json={"reason": "x"}, headers=key), 403, "forbidden")
        assert_problem(
            client.post(f"/api/v1/invoices/{invoice['id']}/pay", headers=key), 403, "forbidden"
        )
    assert count(runtime, invoices) == 1
    assert count(runtime, charges) == 2
