"""B over HTTP: tariffs, charges, storage accrual, invoice runs and invoices; money as decimal
strings; bad input is 422 problem+json and writes nothing; other tenants see nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from otwb.billing import service
from otwb.billing.invoice_tables import invoices
from otwb.billing.tables import charges, tariffs
from otwb.orders import service as orders
from otwb.platform import auth
from otwb.platform.auth import Role, Tenant
from otwb.platform.ids import CustomerId, OrderId
from otwb.platform.runtime import Runtime
from otwb.warehouse import service as warehouse
from tests import factories
from tests.api.conftest import Keys, assert_problem, headers_for

TARIFF: dict[str, Any] = {
    "customer_id": None,
    "valid_from": "2026-01-01",
    "currency": "EUR",
    "handling_per_line": "0.45",
    "transport_per_kg_km": "0.0012",
    "transport_per_drop": "3.50",
    "storage_per_unit_day": "0.015",
    "tax_rate": "0.20",
}
NOVEMBER = {"period_start": "2026-11-01", "period_end": "2026-12-01"}
ISSUE = {**NOVEMBER, "issue": True}  # a billing run that issues its drafts at once


def count(runtime: Runtime, table: Any) -> int:
    with runtime.db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def handled(runtime: Runtime, tenant: Tenant, customer_id: str, order: str, lines: int) -> None:
    at = datetime(2026, 11, 10, 9, tzinfo=UTC)
    service.charge_handling(
        runtime.uow(tenant.id), OrderId(order), CustomerId(customer_id), lines, at
    )


def test_put_a_tariff_version_and_list_them(client: TestClient, keys: Keys, uow) -> None:
    customer = factories.customer(uow)
    default = client.put("/api/v1/tariffs", json=TARIFF, headers=keys.admin)
    assert default.status_code == 201, default.text
    body = default.json()
    assert {
        k: body[k] for k in ("customer_id", "valid_from", "valid_to", "currency", "tax_rate")
    } == {
        "customer_id": None,
        "valid_from": TARIFF["valid_from"],
        "valid_to": None,
        "currency": "EUR",
        "tax_rate": "0.2",
    }
    assert [(r["basis"], r["kind"], r["price"]) for r in body["rules"]] == [
        ("line", "handling", "0.45"),
        ("kg_km", "transport", "0.0012"),
        ("drop", "transport", "3.5"),
        ("unit_day", "storage", "0.015"),
    ]
    assert client.get(f"/api/v1/tariffs/{body['id']}", headers=keys.read_only).json() == body
    own = client.put(
        "/api/v1/tariffs",
        json={
            **TARIFF,
            "customer_id": customer.id,
            "valid_from": "2026-11-15",
            "handling_per_line": 0.4,  # a JSON number is taken at its shortest decimal form
            "currency": "eur",
        },
        headers=keys.admin,
    )
    assert own.status_code == 201, own.text
    assert (own.json()["rules"][0]["price"], own.json()["currency"]) == ("0.4", "EUR")

    listed = client.get("/api/v1/tariffs", headers=keys.read_only).json()
    assert [(t["customer_id"], t["valid_from"]) for t in listed] == [
        (None, "2026-01-01"),
        (customer.id, "2026-11-15"),
    ]
    mine = client.get(f"/api/v1/tariffs?customer_id={customer.id}", headers=keys.read_only)
    assert [t["id"] for t in mine.json()] == [own.json()["id"]]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"handling_per_line": "-0.01"}, 422, "validation_error"),
        ({"transport_per_kg_km": "0.0000001"}, 422, "invalid_input"),  # > 6 decimal places
        ({"transport_per_kg_km": 0.30000000000000004}, 422, "invalid_input"),
        ({"transport_per_drop": "NaN"}, 422, "validation_error"),
        ({"transport_per_drop": "lots"}, 422, "validation_error"),
        ({"storage_per_unit_day": "2000000"}, 422, "invalid_input"),
        ({"tax_rate": "1.2"}, 422, "validation_error"),
        ({"currency": "USD"}, 422, "unsupported_currency"),
        ({"currency": "EURO"}, 422, "validation_error"),
        ({"customer_id": "cus_nobody"}, 422, "invalid_input"),
        ({"valid_from": "2026-13-01"}, 422, "validation_error"),
        ({"discount": "0.1"}, 422, "validation_error"),
    ],
)
def test_a_bad_tariff_is_a_problem_and_writes_nothing(
    client: TestClient, keys: Keys, runtime: Runtime, change: dict[str, Any], status: int, code: str
) -> None:
    response = client.put("/api/v1/tariffs", json={**TARIFF, **change}, headers=keys.admin)
    assert_problem(response, status, code)
    assert count(runtime, tariffs) == 0


def test_a_second_version_on_the_same_day_is_a_conflict(client: TestClient, keys: Keys, runtime):
    assert client.put("/api/v1/tariffs", json=TARIFF, headers=keys.admin).status_code == 201
    again = client.put(
        "/api/v1/tariffs", json={**TARIFF, "handling_per_line": "9"}, headers=keys.admin
    )
    assert_problem(again, 409, "conflict")
    assert count(runtime, tariffs) == 1


def test_only_admins_set_tariffs_and_run_invoicing(client: TestClient, keys: Keys) -> None:
    assert_problem(
        client.put("/api/v1/tariffs", json=TARIFF, headers=keys.operator), 403, "forbidden"
    )
    assert_problem(
        client.post("/api/v1/invoices/runs", json=NOVEMBER, headers=keys.operator), 403, "forbidden"
    )
    assert_problem(
        client.post(
            "/api/v1/billing/storage-accruals", json={"day": "2026-11-25"}, headers=keys.read_only
        ),
        403,
        "forbidden",
    )
    assert_problem(client.get("/api/v1/charges"), 401, "unauthorized")


def test_charges_storage_accrual_invoice_run_and_invoices(
    client: TestClient, keys: Keys, runtime: Runtime, tenant: Tenant, uow
) -> None:
    assert client.put("/api/v1/tariffs", json=TARIFF, headers=keys.admin).status_code == 201
    owner = factories.customer(uow, "OWN", "Owner").id
    other = factories.customer(uow, "OTH", "Other").id
    site = factories.site(uow, bins=1)
    warehouse.create_skus(uow(), [warehouse.NewSku("CONS", "C", 1.0, 0.01, owner_id=owner)])
    warehouse.receive_stock(uow(), site.locations[0].id, "CONS", 1250)
    handled(runtime, tenant, owner, "ord_1", 3)
    handled(runtime, tenant, other, "ord_2", 11)

    body = {"day": "2026-11-25"}
    first = client.post("/api/v1/billing/storage-accruals", json=body, headers=keys.operator)
    assert first.status_code == 200, first.text
    again = client.post("/api/v1/billing/storage-accruals", json=body, headers=keys.operator)
    assert (first.json()["created"], again.json()["created"]) == (1, 0)
    [storage] = again.json()["charges"]
    assert (storage["customer_id"], storage["quantity"], storage["amount"]) == (
        owner,
        "1250",
        "18.75",
    )
    assert storage["source_id"] == f"storage:2026-11-25:{site.warehouse.id}:ambient"

    listed = client.get(
        f"/api/v1/charges?customer_id={owner}&status=rated", headers=keys.read_only
    ).json()
    assert [(c["kind"], c["quantity"], c["unit_price"], c["amount"]) for c in listed] == [
        ("handling", "3", "0.45", "1.35"),
        ("storage", "1250", "0.015", "18.75"),
    ]

    run = client.post("/api/v1/invoices/runs", json=ISSUE, headers=keys.admin)
    assert run.status_code == 200, run.text
    issued = run.json()["invoices"]
    by_customer = {i["customer_id"]: i for i in issued}
    assert sorted(i["number"] for i in issued) == ["INV-2026-000001", "INV-2026-000002"]
    mine = by_customer[owner]
    assert (mine["subtotal"], mine["tax"], mine["total"]) == ("20.10", "4.02", "24.12")
    assert [(x["basis"], x["quantity"], x["amount"], x["charges"]) for x in mine["lines"]] == [
        ("line", "3", "1.35", 1),
        ("unit_day", "1250", "18.75", 1),
    ]
    theirs = by_customer[other]
    assert (theirs["subtotal"], theirs["tax"], theirs["total"]) == ("4.95", "0.99", "5.94")

    assert (
        client.post("/api/v1/invoices/runs", json=ISSUE, headers=keys.admin).json()["invoices"]
        == []
    )
    got = client.get(f"/api/v1/invoices/{mine['id']}", headers=keys.read_only)
    assert got.json() == mine
    assert [
        i["id"]
        for i in client.get(f"/api/v1/invoices?customer_id={other}", headers=keys.read_only).json()
    ] == [theirs["id"]]
    covered = client.get(f"/api/v1/invoices/{mine['id']}/charges", headers=keys.read_only).json()
    assert sorted(c["amount"] for c in covered) == ["1.35", "18.75"]
    assert {c["invoice_id"] for c in covered} == {mine["id"]}
    uninvoiced = client.get("/api/v1/charges?invoiced=false", headers=keys.read_only).json()
    assert [(c["basis"], c["status"]) for c in uninvoiced] == [("inbound_line", "unrated")]

    summary = client.get(
        "/api/v1/billing/summary?period_start=2026-11-01&period_end=2026-12-01",
        headers=keys.read_only,
    ).json()
    assert summary["invoice_count"] == 2
    assert summary["totals"] == [
        {"currency": "EUR", "invoices": 2, "subtotal": "25.05", "tax": "5.01", "total": "30.06"}
    ]
    assert [(r["kind"], r["amount"]) for r in summary["revenue_by_kind"]] == [
        ("handling", "6.30"),
        ("storage", "18.75"),
    ]


def test_unrated_charges_are_listed_and_rated_once_a_tariff_covers_them(
    client: TestClient, keys: Keys, runtime: Runtime, tenant: Tenant, uow
) -> None:
    customer = factories.customer(uow).id
    handled(runtime, tenant, customer, "ord_1", 4)
    [unrated] = client.get("/api/v1/charges?status=unrated", headers=keys.read_only).json()
    assert (unrated["amount"], unrated["unit_price"], unrated["tariff_id"]) == (None, None, None)
    run = client.post("/api/v1/invoices/runs", json=ISSUE, headers=keys.admin)
    assert run.json()["invoices"] == []

    assert client.put("/api/v1/tariffs", json=TARIFF, headers=keys.admin).status_code == 201
    rated = client.post("/api/v1/billing/rating-runs", headers=keys.admin)
    assert rated.json() == {"rated": 1}
    [charge] = client.get("/api/v1/charges?status=rated", headers=keys.read_only).json()
    assert charge["amount"] == "1.80"


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        (
            "/api/v1/invoices/runs",
            {"period_start": "2026-12-01", "period_end": "2026-11-01"},
            "invalid_input",
        ),
        ("/api/v1/invoices/runs", {"period_start": "2026-11-01"}, "validation_error"),
        ("/api/v1/invoices/runs", {**NOVEMBER, "dry_run": True}, "validation_error"),
        ("/api/v1/billing/storage-accruals", {"day": "2027-01-01"}, "invalid_input"),  # future
        ("/api/v1/billing/storage-accruals", {"day": "yesterday"}, "validation_error"),
    ],
)
def test_bad_runs_are_problems_and_write_nothing(
    client: TestClient,
    keys: Keys,
    runtime: Runtime,
    tenant: Tenant,
    uow,
    path: str,
    body: dict[str, Any],
    code: str,
) -> None:
    client.put("/api/v1/tariffs", json=TARIFF, headers=keys.admin)
    owner = factories.customer(uow).id
    site = factories.site(uow, bins=1)
    warehouse.create_skus(uow(), [warehouse.NewSku("CONS", "C", 1.0, 0.01, owner_id=owner)])
    warehouse.receive_stock(uow(), site.locations[0].id, "CONS", 10)
    handled(runtime, tenant, owner, "ord_1", 1)
    assert_problem(client.post(path, json=body, headers=keys.admin), 422, code)
    assert count(runtime, invoices) == 0
    assert count(runtime, charges) == 2  # the pick, and the receipt's (unrated) inbound line


def test_malformed_json_and_bad_queries_are_problems(client: TestClient, keys: Keys) -> None:
    response = client.put(
        "/api/v1/tariffs",
        content=b'{"currency": "EUR",',
        headers={**keys.admin, "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed_json")
    assert_problem(
        client.get("/api/v1/charges?status=free", headers=keys.read_only), 422, "validation_error"
    )
    assert_problem(
        client.get("/api/v1/charges?limit=0", headers=keys.read_only), 422, "validation_error"
    )
    assert_problem(
        client.get(
            "/api/v1/billing/summary?period_start=2026-11-02&period_end=2026-11-01",
            headers=keys.read_only,
        ),
        422,
        "invalid_input",
    )
    assert_problem(
        client.get("/api/v1/invoices/inv_missing", headers=keys.read_only), 404, "not_found"
    )
    assert_problem(
        client.get("/api/v1/invoices/inv_missing/charges", headers=keys.read_only), 404, "not_found"
    )


def test_another_tenants_key_sees_and_invoices_nothing_of_ours(
    client: TestClient, keys: Keys, runtime: Runtime, tenant: Tenant, uow
) -> None:
    client.put("/api/v1/tariffs", json=TARIFF, headers=keys.admin)
    customer = factories.customer(uow).id
    handled(runtime, tenant, customer, "ord_1", 2)
    other = auth.create_tenant(runtime.uow(), "Rival Logistics")
    theirs = headers_for(runtime, other, Role.ADMIN)

    assert client.get("/api/v1/charges", headers=theirs).json() == []
    assert client.get("/api/v1/tariffs", headers=theirs).json() == []
    assert client.post("/api/v1/invoices/runs", json=ISSUE, headers=theirs).json()["invoices"] == []
    [ours] = client.post("/api/v1/invoices/runs", json=ISSUE, headers=keys.admin).json()["invoices"]
    assert ours["total"] == "1.08"
    assert_problem(client.get(f"/api/v1/invoices/{ours['id']}", headers=theirs), 404, "not_found")
    assert client.get("/api/v1/invoices", headers=theirs).json() == []
    # their customer id filter cannot reach into our data either
    assert client.get(f"/api/v1/charges?customer_id={customer}", headers=theirs).json() == []
    assert orders.list_customers(runtime.uow(other.id)) == []
