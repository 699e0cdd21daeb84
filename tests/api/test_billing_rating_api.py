"""B over HTTP: rate cards of rules, the fuel index, value-added services, charge filters,
re-rating runs and their audit; bad rules are 422 problem+json and write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from otwb.billing.tables import tariff_rules, tariffs
from otwb.platform.runtime import Runtime
from tests import factories
from tests.api.conftest import Keys, assert_problem
from tests.api.test_billing_api import count

CARD: dict[str, Any] = {
    "valid_from": "2026-01-01",
    "currency": "EUR",
    "tax_rate": "0.20",
    "rules": [
        {"basis": "service", "price": "45", "service": "installation"},
        {"basis": "cod", "price": "2.50", "percent": "1.5"},
        {"basis": "zone_weight", "price": "9", "zone": "Z1", "max_km": 50, "max_kg": 30},
        {"basis": "pallet_day", "price": "1.10", "temperature_class": "frozen"},
        {"basis": "minimum", "price": "25", "scope": "period"},
    ],
}


def test_a_rate_card_services_and_a_rerating_run_over_http(
    client: TestClient, keys: Keys, uow
) -> None:
    customer = factories.customer(uow).id
    put = client.put("/api/v1/tariffs", json={**CARD, "customer_id": customer}, headers=keys.admin)
    assert put.status_code == 201, put.text
    card = put.json()
    assert [(r["basis"], r["kind"]) for r in card["rules"]] == [
        ("service", "vas"),
        ("cod", "vas"),
        ("zone_weight", "transport"),
        ("pallet_day", "storage"),
        ("minimum", "minimum"),
    ]
    assert card["rules"][2]["max_km"] == "50"
    fuel = {"valid_from": "2026-11-01", "percent": "12.35"}
    assert client.put("/api/v1/billing/fuel-index", json=fuel, headers=keys.admin).json() == fuel
    assert client.get("/api/v1/billing/fuel-index", headers=keys.read_only).json() == [fuel]

    body = {
        "customer_id": customer,
        "source_type": "order",
        "source_id": "ord_1",
        "services": [
            {"service": "installation"},
            {"service": "cod", "amount_basis": "249.90"},
        ],
        "at": "2026-11-20T10:00:00Z",
    }
    services = client.post("/api/v1/billing/services", json=body, headers=keys.operator)
    assert services.status_code == 200, services.text
    assert services.json()["created"] == 3
    listed = client.get(
        f"/api/v1/charges?customer_id={customer}&kind=vas&source_type=order&source_id=ord_1",
        headers=keys.read_only,
    ).json()
    assert sorted((c["basis"], c["service"], c["amount"]) for c in listed) == [
        ("cod", "cod", "3.75"),
        ("service", "cod", "2.50"),
        ("service", "installation", "45.00"),
    ]
    assert all(c["rule_id"] and c["tariff_id"] == card["id"] for c in listed)

    corrected = {
        **CARD,
        "customer_id": customer,
        "valid_from": "2026-11-01",
        "rules": [{"basis": "service", "price": "40", "service": "installation"}],
    }
    assert client.put("/api/v1/tariffs", json=corrected, headers=keys.admin).status_code == 201
    rerun = {"period_start": "2026-11-01", "period_end": "2026-12-01", "reason": "fee typo"}
    assert_problem(
        client.post("/api/v1/billing/rerating-runs", json=rerun, headers=keys.operator),
        403,
        "forbidden",
    )
    run = client.post("/api/v1/billing/rerating-runs", json=rerun, headers=keys.admin)
    assert run.status_code == 200, run.text
    result = run.json()
    assert (result["examined"], result["changed"], result["credit_notes_needed"]) == (3, 3, 0)
    assert result["reason"] == "fee typo"
    assert result["actor"].startswith("key:")
    amounts = sorted(
        ((c["old"] or {}).get("amount"), (c["new"] or {}).get("amount")) for c in result["changes"]
    )
    # installation re-priced; the COD lines lose their rule (the correction has none): unrated
    assert amounts == [("2.50", None), ("3.75", None), ("45.00", "40.00")]
    runs = client.get("/api/v1/billing/rerating-runs", headers=keys.read_only).json()
    assert [r["id"] for r in runs] == [result["id"]]
    assert runs[0]["changes"] is None
    audit = client.get(f"/api/v1/billing/rerating-runs/{result['id']}", headers=keys.read_only)
    assert audit.json()["changes"] == result["changes"]
    assert_problem(
        client.get("/api/v1/billing/rerating-runs/rrr_nope", headers=keys.read_only),
        404,
        "not_found",
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"rules": [{"basis": "zone_weight", "price": "9", "max_km": 50}]}, 422, "invalid_input"),
        ({"rules": [{"basis": "kg"}]}, 422, "invalid_input"),
        ({"rules": [{"basis": "per_smile", "price": "1"}]}, 422, "validation_error"),
        ({"rules": []}, 422, "validation_error"),
        ({"handling_per_line": "0.45"}, 422, "validation_error"),  # rules and flat prices
        ({"rules": None}, 422, "validation_error"),  # neither
        ({"valid_to": "2025-12-31"}, 422, "invalid_input"),
    ],
)
def test_a_bad_rate_card_is_a_problem_and_writes_nothing(
    client: TestClient,
    keys: Keys,
    runtime: Runtime,
    change: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = client.put("/api/v1/tariffs", json={**CARD, **change}, headers=keys.admin)
    assert_problem(response, status, code)
    assert (count(runtime, tariffs), count(runtime, tariff_rules)) == (0, 0)
