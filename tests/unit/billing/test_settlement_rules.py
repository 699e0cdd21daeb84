"""The pure rules of carrier settlement: tolerance, matching findings, approvals, route cost
split and allocation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otwb.billing.fleet_cost import allocate, split_route_cost
from otwb.billing.freight_audit import (
    BilledLine,
    Finding,
    InvoiceLine,
    LineStatus,
    audit_lines,
    parse_invoice_csv,
)
from otwb.billing.settlement import ExpectedPayable, SettlementRule
from otwb.platform.errors import Conflict, InvalidInput
from otwb.platform.ids import CarrierId, CustomerId, OrderId, ShipmentId, WarehouseId

GEO = CarrierId("car_geo")


def payable(tracking: str, amount: str, carrier: str = GEO, paid: bool = False) -> ExpectedPayable:
    return ExpectedPayable(
        id=f"pay_{tracking}",
        shipment_id=ShipmentId(f"shp_{tracking}"),
        order_id=OrderId("ord_1"),
        customer_id=CustomerId("cus_1"),
        depot_id=WarehouseId("whs_1"),
        carrier_id=CarrierId(carrier),
        tracking_number=tracking,
        service_level="standard",
        weight_kg=Decimal(10),
        expected_amount=Decimal(amount),
        currency="EUR",
        tendered_at=datetime(2026, 11, 2, tzinfo=UTC),
        payable_id="cpay_1" if paid else None,
    )


def test_tolerance_is_the_larger_of_absolute_and_percent() -> None:
    rule = SettlementRule(GEO, tolerance_abs=Decimal("1.00"), tolerance_pct=Decimal(2))
    assert rule.allowed_excess(Decimal(10)) == Decimal("1.00")
    assert rule.allowed_excess(Decimal(100)) == Decimal(2)
    with pytest.raises(InvalidInput):
        SettlementRule(GEO, tolerance_abs=Decimal(-1))


def test_findings_in_their_order_of_precedence() -> None:
    known = {
        "A": payable("A", "10.00"),
        "B": payable("B", "10.00"),
        "C": payable("C", "10.00", carrier="car_other"),
        "P": payable("P", "10.00", paid=True),
        "E": payable("E", "10.00"),
    }
    lines = [
        BilledLine(2, "A", Decimal("11.00"), "EUR"),  # +1.00: within
        BilledLine(3, "B", Decimal("11.01"), "EUR"),  # +1.01: over
        BilledLine(4, "A", Decimal("10.00"), "EUR"),  # twice on this invoice
        BilledLine(5, "C", Decimal("10.00"), "EUR"),  # another carrier's shipment
        BilledLine(6, "P", Decimal("10.00"), "EUR"),  # already paid
        BilledLine(7, "E", Decimal("10.00"), "USD"),
        BilledLine(8, "Z", Decimal("10.00"), "USD"),  # unknown wins over currency
    ]
    audited = audit_lines(lines, SettlementRule(GEO), known.get, lambda _: False)
    assert [a.finding for a in audited] == [
        Finding.OK,
        Finding.OVERCHARGE,
        Finding.DUPLICATE,
        Finding.UNKNOWN_SHIPMENT,
        Finding.DUPLICATE,
        Finding.CURRENCY_MISMATCH,
        Finding.UNKNOWN_SHIPMENT,
    ]
    elsewhere = audit_lines(lines[:1], SettlementRule(GEO), known.get, lambda _: True)
    assert elsewhere[0].finding is Finding.DUPLICATE


def line(finding: Finding, amount: str = "12.00", expected: str | None = "10.00") -> InvoiceLine:
    return InvoiceLine(
        1, "A", "shp_A", Decimal(amount), "EUR", Decimal(expected) if expected else None, finding
    )


def test_approvals() -> None:
    assert line(Finding.OK, "9.50").approved().approved_amount == Decimal("9.50")
    over = line(Finding.OVERCHARGE)
    assert over.approved().approved_amount == Decimal("10.00")
    kept = over.approved(Decimal("11.005"), " agreed ")
    assert (kept.status, kept.approved_amount, kept.override_reason) == (
        LineStatus.APPROVED,
        Decimal("11.01"),
        "agreed",
    )
    with pytest.raises(InvalidInput):
        over.approved(Decimal(11))
    with pytest.raises(Conflict):
        kept.approved()
    with pytest.raises(Conflict):
        line(Finding.UNKNOWN_SHIPMENT, expected=None).approved()
    assert line(Finding.DUPLICATE).rejected("twice").status is LineStatus.REJECTED


def test_csv_rows_with_errors_are_reported_and_the_rest_kept() -> None:
    parsed = parse_invoice_csv(
        "\ufeffInvoice_Number,Invoice_Date,Reference,Amount,Currency,Surcharge_Fuel\n"
        "F-1,2026-11-30,T1,10.005,eur,1\n"
        "F-1,2026-11-31,T2,10,EUR,\n"
        "F-2,2026-11-30,T3,10,EUR,\n"
        "F-1,2026-11-30,T4,10,EURO,\n"
        "F-1,2026-11-30,T5,1,EUR,2\n"
        "F-1,2026-11-30,T6,1e12,EUR,\n"
        ",,,,,\n"
    )
    assert (parsed.number, str(parsed.invoice_date)) == ("F-1", "2026-11-30")
    [kept] = parsed.lines
    assert (kept.reference, kept.amount, kept.currency, kept.surcharges) == (
        "T1",
        Decimal("10.01"),
        "EUR",
        {"fuel": Decimal(1)},
    )
    assert [e.row for e in parsed.errors] == [3, 4, 5, 6, 7]


def test_route_cost_parts_add_up_to_the_total() -> None:
    # 40 fixed + 42.317 km x 0.45 + 7,400 s x 32.50/h = 125.8482 -> T's total 125.85
    parts = split_route_cost(
        Decimal("125.85"), Decimal("42.317"), Decimal("0.45"), Decimal(40), "EUR"
    )
    assert (parts.fixed, parts.distance, parts.time) == (
        Decimal(40),
        Decimal("19.04"),
        Decimal("66.81"),
    )
    squeezed = split_route_cost(Decimal(50), Decimal(100), Decimal(1), Decimal(40), "EUR")
    assert (squeezed.fixed, squeezed.distance, squeezed.time) == (
        Decimal(40),
        Decimal(10),
        Decimal(0),
    )
    assert split_route_cost(Decimal(10), Decimal(1), Decimal(1), Decimal(40), "EUR").fixed == 10


def test_allocation_by_weight_to_the_cent() -> None:
    shares = allocate(Decimal("100.00"), {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)}, "EUR")
    assert shares == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    assert allocate(Decimal(9), {"x": Decimal(0), "y": Decimal(0)}, "EUR") == {
        "x": Decimal("4.50"),
        "y": Decimal("4.50"),
    }
    assert allocate(Decimal(5), {}, "EUR") == {}


@given(
    st.decimals(min_value=0, max_value=100_000, places=2),
    st.lists(st.decimals(min_value=0, max_value=5_000, places=3), min_size=1, max_size=30),
)
def test_allocated_shares_always_add_up(total: Decimal, weights: list[Decimal]) -> None:
    shares = allocate(total, {f"s{i:02}": w for i, w in enumerate(weights)}, "EUR")
    assert sum(shares.values(), Decimal(0)) == total
    assert all(v >= 0 for v in shares.values())
