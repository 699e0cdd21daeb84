"""Invoices: lines per service, tax rounded half-up on the subtotal, totals that always add up."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otwb.billing.invoice import (
    InvoiceStatus,
    Period,
    draft_invoice,
    invoice_number,
    issue,
    summarise,
    tax_on,
)
from otwb.billing.model import (
    Basis,
    Charge,
    ChargeKind,
    ChargeStatus,
    Rating,
    SourceType,
    charge_amount,
)
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import ChargeId, CustomerId, InvoiceId, TariffId

ACME = CustomerId("cus_acme")
AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SOURCE = {
    Basis.LINE: SourceType.ORDER,
    Basis.KG_KM: SourceType.SHIPMENT,
    Basis.DROP: SourceType.SHIPMENT,
    Basis.UNIT_DAY: SourceType.STORAGE,
}


def charge(
    n: int,
    basis: Basis,
    quantity: str,
    price: str,
    customer: CustomerId = ACME,
    currency: str = "EUR",
) -> Charge:
    q, p = Decimal(quantity), Decimal(price)
    return Charge(
        id=ChargeId(f"chg_{n}"),
        customer_id=customer,
        kind={
            Basis.LINE: ChargeKind.HANDLING,
            Basis.UNIT_DAY: ChargeKind.STORAGE,
        }.get(basis, ChargeKind.TRANSPORT),
        basis=basis,
        source_type=SOURCE[basis],
        source_id=f"src_{n}",
        quantity=q,
        status=ChargeStatus.RATED,
        occurred_at=AT,
        rating=Rating(TariffId("trf_1"), p, charge_amount(q, p, currency), currency),
    )


def test_lines_group_charges_by_service_in_a_fixed_order() -> None:
    charges = [
        charge(1, Basis.UNIT_DAY, "1250", "0.015"),  # 18.75
        charge(2, Basis.LINE, "3", "0.45"),  # 1.35
        charge(3, Basis.KG_KM, "561.741", "0.0012"),  # 0.67
        charge(4, Basis.DROP, "1", "3.50"),  # 3.50
        charge(5, Basis.LINE, "4", "0.45"),  # 1.80
        charge(6, Basis.KG_KM, "100", "0.0012"),  # 0.12
        charge(7, Basis.DROP, "1", "3.50"),  # 3.50
    ]
    draft = draft_invoice(charges, Decimal("0.20"))
    assert [(x.line_no, x.basis, x.quantity, x.amount, x.charges) for x in draft.lines] == [
        (1, Basis.LINE, Decimal(7), Decimal("3.15"), 2),
        (2, Basis.KG_KM, Decimal("661.741"), Decimal("0.79"), 2),
        (3, Basis.DROP, Decimal(2), Decimal("7.00"), 2),
        (4, Basis.UNIT_DAY, Decimal(1250), Decimal("18.75"), 1),
    ]
    assert [x.kind for x in draft.lines] == [
        ChargeKind.HANDLING,
        ChargeKind.TRANSPORT,
        ChargeKind.TRANSPORT,
        ChargeKind.STORAGE,
    ]
    assert draft.subtotal == Decimal("29.69")
    assert draft.tax == Decimal("5.94")  # 5.938 -> 5.94
    assert draft.total == Decimal("35.63")
    assert (draft.customer_id, draft.currency) == (ACME, "EUR")


def test_the_charge_lines_are_rounded_first_then_summed() -> None:
    # three lines of 0.333 would be 0.999 -> 1.00 if rounded after summing; each rounds to 0.33
    charges = [charge(n, Basis.LINE, "1", "0.333") for n in range(3)]
    draft = draft_invoice(charges, Decimal(0))
    assert draft.subtotal == Decimal("0.99")
    assert draft.total == Decimal("0.99")


@pytest.mark.parametrize(
    ("subtotal", "rate", "tax"),
    [
        ("0.625", "0.20", "0.13"),  # 0.125: half-up (half-even would give 0.12)
        ("10.05", "0.20", "2.01"),
        ("99.99", "0.055", "5.50"),  # 5.49945
        ("1.10", "0.077", "0.08"),  # 0.0847
        ("100.00", "0", "0.00"),
    ],
)
def test_tax_is_rounded_half_up_once_on_the_subtotal(subtotal: str, rate: str, tax: str) -> None:
    assert str(tax_on(Decimal(subtotal), Decimal(rate), "EUR")) == tax


def test_an_invoice_refuses_what_it_cannot_cover() -> None:
    with pytest.raises(InvalidInput, match="at least one charge"):
        draft_invoice([], Decimal("0.2"))
    two_customers = [
        charge(1, Basis.LINE, "1", "1"),
        charge(2, Basis.LINE, "1", "1", CustomerId("x")),
    ]
    with pytest.raises(InvalidInput, match="one customer in one currency"):
        draft_invoice(two_customers, Decimal("0.2"))
    unrated = Charge(
        ChargeId("chg_u"),
        ACME,
        ChargeKind.HANDLING,
        Basis.LINE,
        SourceType.ORDER,
        "o",
        Decimal(1),
        ChargeStatus.UNRATED,
        AT,
    )
    with pytest.raises(InvalidInput, match="unrated"):
        draft_invoice([charge(1, Basis.LINE, "1", "1"), unrated], Decimal("0.2"))


def test_invoice_numbers_are_per_year_and_zero_padded() -> None:
    assert invoice_number(2026, 1) == "INV-2026-000001"
    assert invoice_number(2027, 123456) == "INV-2027-123456"
    with pytest.raises(ValueError, match="start at 1"):
        invoice_number(2026, 0)


def test_a_period_is_whole_days_with_an_exclusive_end() -> None:
    period = Period(date(2026, 11, 1), date(2026, 12, 1))
    assert period.last_day == date(2026, 11, 30)
    with pytest.raises(InvalidInput, match="end after it starts"):
        Period(date(2026, 11, 1), date(2026, 11, 1))


def test_the_summary_adds_invoices_per_currency_and_revenue_per_kind() -> None:
    handled = charge(1, Basis.LINE, "3", "0.45")  # 1.35
    delivered = charge(2, Basis.DROP, "1", "3.50")  # 3.50
    stored = charge(3, Basis.UNIT_DAY, "100", "0.02")  # 2.00, left uninvoiced
    unrated = Charge(
        ChargeId("chg_u"),
        ACME,
        ChargeKind.HANDLING,
        Basis.LINE,
        SourceType.ORDER,
        "o",
        Decimal(1),
        ChargeStatus.UNRATED,
        AT,
    )
    period = Period(date(2026, 11, 1), date(2026, 12, 1))
    invoice = issue(
        draft_invoice([handled, delivered], Decimal("0.2")),
        InvoiceId("inv_1"),
        "INV-2026-000001",
        period,
        AT,
    )
    invoiced = [replace(c, invoice_id=invoice.id) for c in (handled, delivered)]
    summary = summarise(period, [invoice], [*invoiced, stored, unrated])
    assert summary.invoice_count == 1
    [eur] = summary.totals
    assert (eur.currency, eur.subtotal, eur.tax, eur.total) == (
        "EUR",
        Decimal("4.85"),
        Decimal("0.97"),
        Decimal("5.82"),
    )
    assert [(r.kind, r.charges, r.amount, r.invoiced) for r in summary.revenue_by_kind] == [
        (ChargeKind.HANDLING, 1, Decimal("1.35"), Decimal("1.35")),
        (ChargeKind.TRANSPORT, 1, Decimal("3.50"), Decimal("3.50")),
        (ChargeKind.STORAGE, 1, Decimal("2.00"), Decimal(0)),
    ]
    assert summary.unrated_charges == 1


# -- the property: an invoice always adds up ---------------------------------------------
prices = st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False)
quantities = st.decimals(
    min_value=0, max_value=100_000, places=3, allow_nan=False, allow_infinity=False
)
tax_rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
charge_specs = st.lists(
    st.tuples(st.sampled_from(list(SOURCE)), quantities, prices), min_size=1, max_size=40
)


@given(specs=charge_specs, tax_rate=tax_rates, currency=st.sampled_from(["EUR", "JPY", "KWD"]))
def test_total_is_subtotal_plus_tax_and_subtotal_is_the_sum_of_lines_and_of_charges(
    specs: list[tuple[Basis, Decimal, Decimal]], tax_rate: Decimal, currency: str
) -> None:
    charges = [
        charge(n, basis, str(q), str(p), currency=currency) for n, (basis, q, p) in enumerate(specs)
    ]
    draft = draft_invoice(charges, tax_rate)
    charge_sum = sum((c.amount or Decimal(0) for c in charges), Decimal(0))
    assert draft.subtotal == sum((x.amount for x in draft.lines), Decimal(0))
    assert draft.subtotal == charge_sum
    assert draft.total == draft.subtotal + draft.tax
    assert sum(x.charges for x in draft.lines) == len(charges)
    assert sum((x.quantity for x in draft.lines), Decimal(0)) == sum(
        (c.quantity for c in charges), Decimal(0)
    )
    # the tax is the exact tax rounded to the minor unit: off by at most half a unit
    unit = Decimal(1).scaleb(-{"EUR": 2, "JPY": 0, "KWD": 3}[currency])
    assert abs(draft.tax - draft.subtotal * tax_rate) <= unit / 2
    assert draft.tax == draft.tax.quantize(unit)
    assert draft.subtotal == draft.subtotal.quantize(unit)


def test_an_issued_invoice_keeps_the_drafts_numbers() -> None:
    draft = draft_invoice([charge(1, Basis.LINE, "2", "1.25")], Decimal("0.2"))
    period = Period(date(2026, 11, 1), date(2026, 11, 1) + timedelta(days=30))
    invoice = issue(draft, InvoiceId("inv_1"), "INV-2026-000001", period, AT)
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("2.50"),
        Decimal("0.50"),
        Decimal("3.00"),
    )
    assert invoice.status is InvoiceStatus.ISSUED
    assert invoice.lines == draft.lines
