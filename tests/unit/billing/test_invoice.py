"""Invoices: lines per service (and currency and tax rate), amounts converted at a stored rate,
tax rounded half-up at each line, totals that always add up; the lifecycle's guards."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otwb.billing.invoice import (
    DocumentType,
    Invoice,
    InvoiceStatus,
    MissingExchangeRate,
    Period,
    ServiceTotal,
    document_number,
    draft,
    ensure_draft,
    ensure_payable,
    ensure_rebillable,
    ensure_voidable,
    invoice_lines,
    round_money,
    service_totals,
    summarise,
)
from otwb.billing.model import (
    Basis,
    Charge,
    ChargeKind,
    ChargeStatus,
    Rating,
    SourceType,
    charge_amount,
    product,
)
from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.ids import ChargeId, CustomerId, InvoiceId, TariffId

ACME = CustomerId("cus_acme")
AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
NOVEMBER = Period(date(2026, 11, 1), date(2026, 12, 1))
SOURCE = {
    Basis.LINE: SourceType.ORDER,
    Basis.KG_KM: SourceType.SHIPMENT,
    Basis.DROP: SourceType.SHIPMENT,
    Basis.UNIT_DAY: SourceType.STORAGE,
}
KIND = {
    Basis.LINE: ChargeKind.HANDLING,
    Basis.KG_KM: ChargeKind.TRANSPORT,
    Basis.DROP: ChargeKind.TRANSPORT,
    Basis.UNIT_DAY: ChargeKind.STORAGE,
}


UNRATED = Charge(
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


def charge(
    n: int,
    basis: Basis,
    quantity: str,
    price: str,
    customer: CustomerId = ACME,
    currency: str = "EUR",
    tariff: str = "trf_1",
) -> Charge:
    q, p = Decimal(quantity), Decimal(price)
    return Charge(
        id=ChargeId(f"chg_{n}"),
        customer_id=customer,
        kind=KIND[basis],
        basis=basis,
        source_type=SOURCE[basis],
        source_id=f"src_{n}",
        quantity=q,
        status=ChargeStatus.RATED,
        occurred_at=AT,
        rating=Rating(TariffId(tariff), p, charge_amount(q, p, currency), currency),
    )


def build(
    charges: list[Charge],
    tax: str | dict[str, Decimal] = "0.20",
    currency: str = "EUR",
    rates: dict[str, Decimal] | None = None,
) -> Invoice:
    taxes = {"trf_1": Decimal(tax)} if isinstance(tax, str) else tax
    lines = invoice_lines(service_totals(charges, taxes), currency, rates or {})
    return draft(InvoiceId("inv_1"), ACME, NOVEMBER, currency, NOVEMBER.last_day, lines, AT)


def test_lines_group_charges_by_service_in_a_fixed_order() -> None:
    invoice = build(
        [
            charge(1, Basis.UNIT_DAY, "1250", "0.015"),  # 18.75
            charge(2, Basis.LINE, "3", "0.45"),  # 1.35
            charge(3, Basis.KG_KM, "561.741", "0.0012"),  # 0.67
            charge(4, Basis.DROP, "1", "3.50"),  # 3.50
            charge(5, Basis.LINE, "4", "0.45"),  # 1.80
            charge(6, Basis.KG_KM, "100", "0.0012"),  # 0.12
            charge(7, Basis.DROP, "1", "3.50"),  # 3.50
        ]
    )
    assert [
        (x.line_no, x.kind, x.basis, x.quantity, x.amount, x.tax, x.charges) for x in invoice.lines
    ] == [
        (1, ChargeKind.HANDLING, Basis.LINE, Decimal(7), Decimal("3.15"), Decimal("0.63"), 2),
        (
            2,
            ChargeKind.TRANSPORT,
            Basis.KG_KM,
            Decimal("661.741"),
            Decimal("0.79"),
            Decimal("0.16"),
            2,
        ),
        (3, ChargeKind.TRANSPORT, Basis.DROP, Decimal(2), Decimal("7.00"), Decimal("1.40"), 2),
        (
            4,
            ChargeKind.STORAGE,
            Basis.UNIT_DAY,
            Decimal(1250),
            Decimal("18.75"),
            Decimal("3.75"),
            1,
        ),
    ]
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("29.69"),
        Decimal("5.94"),
        Decimal("35.63"),
    )
    assert invoice.status is InvoiceStatus.DRAFT
    assert invoice.number is None
    assert invoice.balance == Decimal("35.63")
    assert {x.exchange_rate for x in invoice.lines} == {Decimal(1)}


def test_the_charge_lines_are_rounded_first_then_summed() -> None:
    # three lines of 0.333 would be 0.999 -> 1.00 if rounded after summing; each rounds to 0.33
    invoice = build([charge(n, Basis.LINE, "1", "0.333") for n in range(3)], tax="0")
    assert (invoice.subtotal, invoice.total) == (Decimal("0.99"), Decimal("0.99"))


@pytest.mark.parametrize(
    ("amount", "rate", "tax"),
    [
        ("0.625", "0.20", "0.13"),  # 0.125: half-up (half-even would give 0.12)
        ("10.05", "0.20", "2.01"),
        ("99.99", "0.055", "5.50"),  # 5.49945
        ("1.10", "0.077", "0.08"),  # 0.0847
        ("-0.625", "0.20", "-0.13"),  # a discount's tax: half away from zero
        ("100.00", "0", "0.00"),
    ],
)
def test_tax_is_rounded_half_up_at_each_line(amount: str, rate: str, tax: str) -> None:
    assert str(round_money(product(Decimal(amount), Decimal(rate)), "EUR")) == tax


def test_each_tax_rate_gets_its_own_line_of_a_service() -> None:
    charges = [
        charge(1, Basis.LINE, "10", "1.00"),
        charge(2, Basis.LINE, "5", "1.00", tariff="trf_2"),
    ]
    invoice = build(charges, tax={"trf_1": Decimal("0.20"), "trf_2": Decimal("0.055")})
    assert [(x.tax_rate, x.amount, x.tax) for x in invoice.lines] == [
        (Decimal("0.055"), Decimal("5.00"), Decimal("0.28")),  # 0.275 -> 0.28
        (Decimal("0.2"), Decimal("10.00"), Decimal("2.00")),
    ]
    assert invoice.tax == Decimal("2.28")


def test_each_named_service_gets_its_own_line() -> None:
    def vas(service: str, amount: str, n: int) -> ServiceTotal:
        return ServiceTotal(
            ACME, ChargeKind.HANDLING, Basis.LINE, "EUR", Decimal("0.2"), Decimal(n),
            Decimal(amount), n, service,
        )  # fmt: skip

    lines = invoice_lines(
        [vas("labelling", "12.00", 3), vas("", "4.50", 10), vas("installation", "80.00", 1)],
        "EUR",
        {},
    )
    assert [(x.service, x.description, x.amount, x.charges) for x in lines] == [
        ("", "Handling (order lines picked)", Decimal("4.50"), 10),
        ("installation", "installation: Handling (order lines picked)", Decimal("80.00"), 1),
        ("labelling", "labelling: Handling (order lines picked)", Decimal("12.00"), 3),
    ]


def test_charges_in_another_currency_are_converted_at_the_given_rate() -> None:
    charges = [charge(1, Basis.LINE, "3", "0.45"), charge(2, Basis.DROP, "1", "3.50")]
    invoice = build(charges, currency="USD", rates={"EUR": Decimal("1.0842")})
    assert [
        (x.charge_currency, x.charge_amount, x.exchange_rate, x.amount) for x in invoice.lines
    ] == [
        ("EUR", Decimal("1.35"), Decimal("1.0842"), Decimal("1.46")),  # 1.46367
        ("EUR", Decimal("3.50"), Decimal("1.0842"), Decimal("3.79")),  # 3.7947
    ]
    assert (invoice.currency, invoice.subtotal, invoice.tax) == (
        "USD",
        Decimal("5.25"),
        Decimal("1.05"),
    )
    with pytest.raises(MissingExchangeRate, match="EUR -> USD"):
        build(charges, currency="USD")
    yen = build(charges, currency="JPY", rates={"EUR": Decimal("161.23")})
    assert [x.amount for x in yen.lines] == [Decimal(218), Decimal(564)]  # 217.66, 564.305


def test_a_discount_line_is_negative_but_an_invoice_total_is_not() -> None:
    discount = replace(
        charge(2, Basis.DROP, "1", "0"),
        rating=Rating(TariffId("trf_1"), Decimal("-2.00"), Decimal("-2.00"), "EUR"),
    )
    invoice = build([charge(1, Basis.LINE, "10", "1.00"), discount])
    assert [x.amount for x in invoice.lines] == [Decimal("10.00"), Decimal("-2.00")]
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("8.00"),
        Decimal("1.60"),
        Decimal("9.60"),
    )
    with pytest.raises(InvalidInput, match="< 0"):
        build([charge(1, Basis.LINE, "1", "1.00"), discount])


def test_an_invoice_refuses_what_it_cannot_cover() -> None:
    with pytest.raises(InvalidInput, match="at least one line"):
        build([])
    unrated = UNRATED
    with pytest.raises(InvalidInput, match="unrated"):
        build([charge(1, Basis.LINE, "1", "1"), unrated])


def test_numbers_are_per_series_and_year_and_zero_padded() -> None:
    assert document_number("INV", 2026, 1) == "INV-2026-000001"
    assert document_number("CN", 2027, 123456) == "CN-2027-123456"
    with pytest.raises(ValueError, match="start at 1"):
        document_number("INV", 2026, 0)


def test_a_period_is_whole_days_with_an_exclusive_end() -> None:
    assert NOVEMBER.last_day == date(2026, 11, 30)
    with pytest.raises(InvalidInput, match="end after it starts"):
        Period(date(2026, 11, 1), date(2026, 11, 1))


def test_the_lifecycle_allows_only_its_transitions() -> None:
    drafted = build([charge(1, Basis.LINE, "2", "1.25")])
    issued = replace(drafted, status=InvoiceStatus.ISSUED, number="INV-2026-000001", issued_at=AT)
    ensure_draft(drafted, "issue")
    with pytest.raises(InvalidTransition, match="it is issued"):
        ensure_draft(issued, "issue")
    with pytest.raises(InvalidTransition, match="it is draft"):
        ensure_payable(drafted)
    ensure_payable(issued)
    ensure_voidable(issued)
    with pytest.raises(InvalidTransition, match="credit notes"):
        ensure_voidable(replace(issued, credited=Decimal("-1.00")))
    with pytest.raises(InvalidTransition, match="credit note"):
        ensure_payable(replace(issued, doc_type=DocumentType.CREDIT_NOTE))
    with pytest.raises(InvalidTransition, match="it is issued"):
        ensure_rebillable(issued)
    ensure_rebillable(replace(issued, status=InvoiceStatus.VOID))
    paid = replace(issued, status=InvoiceStatus.PAID, paid_amount=Decimal("2.50"))
    assert paid.balance == Decimal("0.50")  # 3.00 - 2.50
    assert replace(issued, status=InvoiceStatus.VOID).balance == 0


def test_the_summary_adds_issued_invoices_per_currency_and_revenue_per_kind() -> None:
    handled = charge(1, Basis.LINE, "3", "0.45")  # 1.35
    delivered = charge(2, Basis.DROP, "1", "3.50")  # 3.50
    stored = charge(3, Basis.UNIT_DAY, "100", "0.02")  # 2.00, left uninvoiced
    unrated = UNRATED
    invoice = replace(
        build([handled, delivered]), status=InvoiceStatus.ISSUED, number="INV-2026-000001"
    )
    draft_only = replace(build([stored]), id=InvoiceId("inv_2"))
    invoiced = [replace(c, invoice_id=invoice.id) for c in (handled, delivered)]
    on_draft = replace(stored, invoice_id=draft_only.id)
    summary = summarise(NOVEMBER, [invoice, draft_only], [*invoiced, on_draft, unrated])
    assert summary.invoice_count == 1
    [eur] = summary.totals
    assert (eur.currency, eur.subtotal, eur.tax, eur.total) == (
        "EUR",
        Decimal("4.85"),
        Decimal("0.97"),  # 0.27 + 0.70
        Decimal("5.82"),
    )
    assert [(r.kind, r.charges, r.amount, r.invoiced) for r in summary.revenue_by_kind] == [
        (ChargeKind.HANDLING, 1, Decimal("1.35"), Decimal("1.35")),
        (ChargeKind.TRANSPORT, 1, Decimal("3.50"), Decimal("3.50")),
        (ChargeKind.STORAGE, 1, Decimal("2.00"), Decimal(0)),  # only on a draft
    ]
    assert summary.unrated_charges == 1


# -- the property: an invoice always adds up ---------------------------------------------
prices = st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False)
quantities = st.decimals(
    min_value=0, max_value=100_000, places=3, allow_nan=False, allow_infinity=False
)
tax_rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
fx_rates = st.decimals(
    min_value=Decimal("0.0001"), max_value=500, places=4, allow_nan=False, allow_infinity=False
)
charge_specs = st.lists(
    st.tuples(
        st.sampled_from(list(SOURCE)), quantities, prices, st.sampled_from(["trf_1", "trf_2"])
    ),
    min_size=1,
    max_size=40,
)


@given(
    specs=charge_specs,
    tax_1=tax_rates,
    tax_2=tax_rates,
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
    billed_in=st.sampled_from([None, "EUR", "USD", "JPY"]),
    fx=fx_rates,
)
def test_an_invoice_adds_up_to_its_lines_and_to_its_charges(
    specs: list[tuple[Basis, Decimal, Decimal, str]],
    tax_1: Decimal,
    tax_2: Decimal,
    currency: str,
    billed_in: str | None,
    fx: Decimal,
) -> None:
    charges = [
        charge(n, basis, str(q), str(p), currency=currency, tariff=t)
        for n, (basis, q, p, t) in enumerate(specs)
    ]
    target = billed_in or currency
    unit = Decimal(1).scaleb(-{"JPY": 0, "KWD": 3}.get(target, 2))
    rates = {} if target == currency else {currency: fx}
    invoice = build(charges, tax={"trf_1": tax_1, "trf_2": tax_2}, currency=target, rates=rates)
    # total = subtotal + tax; subtotal = the lines' amounts; tax = the lines' taxes
    assert invoice.total == invoice.subtotal + invoice.tax
    assert invoice.subtotal == sum((x.amount for x in invoice.lines), Decimal(0))
    assert invoice.tax == sum((x.tax for x in invoice.lines), Decimal(0))
    # every charge is on exactly one line; each line is its charges' sums
    assert sum(x.charges for x in invoice.lines) == len(charges)
    assert sum((x.charge_amount for x in invoice.lines), Decimal(0)) == sum(
        (c.amount or Decimal(0) for c in charges), Decimal(0)
    )
    assert sum((x.quantity for x in invoice.lines), Decimal(0)) == sum(
        (c.quantity for c in charges), Decimal(0)
    )
    for x in invoice.lines:
        rate = rates.get(x.charge_currency, Decimal(1))
        assert x.amount == round_money(product(x.charge_amount, rate), target)
        assert abs(x.tax - x.amount * x.tax_rate) <= unit / 2
        assert x.tax == x.tax.quantize(unit)
    if target == currency:  # no conversion: the subtotal is the charges' sum, to the cent
        assert invoice.subtotal == sum((c.amount or Decimal(0) for c in charges), Decimal(0))
    assert invoice.subtotal == invoice.subtotal.quantize(unit)
