"""The invoice domain: pure data and rules, no I/O (the use cases are in ``invoicing.py``).

An invoice groups one customer's rated, uninvoiced charges of a period, in one currency, into
one line per (kind, basis): subtotal = the sum of its lines = the sum of its charges (each
already rounded at the charge line); tax = subtotal x the tax rate, rounded half-up once, on
the subtotal; total = subtotal + tax. Numbers are ``INV-<year>-<sequence>``, sequential
without gaps per tenant and year of issue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from otwb.billing.model import DESCRIPTIONS, KIND_OF, Basis, Charge, ChargeKind, plain, product
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, InvoiceId
from otwb.platform.money import Money, minor_unit


class InvoiceStatus(StrEnum):
    ISSUED = "issued"


@dataclass(frozen=True, slots=True)
class Period:
    """A billing period of whole UTC days, ``[start, end)``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput("a period must end after it starts (the end is exclusive)")

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    line_no: int
    kind: ChargeKind
    basis: Basis
    description: str
    quantity: Decimal
    amount: Decimal
    charges: int


@dataclass(frozen=True, slots=True)
class InvoiceDraft:
    customer_id: CustomerId
    currency: str
    lines: tuple[InvoiceLine, ...]
    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal


LINE_ORDER = list(Basis)  # every basis, in the order they are declared


def tax_on(subtotal: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The tax on a subtotal, rounded half-up once to the currency's minor unit."""
    return Money(product(subtotal, rate), currency).rounded().amount


def draft_invoice(charges: Sequence[Charge], tax_rate: Decimal) -> InvoiceDraft:
    """One customer's rated charges in one currency, as invoice lines and totals."""
    if not charges:
        raise InvalidInput("an invoice needs at least one charge")
    if any(c.rating is None for c in charges):
        raise InvalidInput("unrated charges cannot be invoiced")
    customers = {c.customer_id for c in charges}
    currencies = {c.rating.currency for c in charges if c.rating is not None}
    if len(customers) != 1 or len(currencies) != 1:
        raise InvalidInput("an invoice covers one customer in one currency")
    currency = next(iter(currencies))
    if any(c.invoice_id is not None for c in charges):
        raise InvalidInput("a charge is already invoiced")
    quantity: dict[Basis, Decimal] = defaultdict(Decimal)
    amount: dict[Basis, Decimal] = defaultdict(Decimal)
    count: dict[Basis, int] = defaultdict(int)
    for c in charges:
        assert c.amount is not None
        quantity[c.basis] += c.quantity
        amount[c.basis] += c.amount
        count[c.basis] += 1
    lines = tuple(
        InvoiceLine(number, KIND_OF[b], b, DESCRIPTIONS[b], plain(quantity[b]), amount[b], count[b])
        for number, b in enumerate((b for b in LINE_ORDER if b in count), start=1)
    )
    unit = minor_unit(currency)
    subtotal = sum((line.amount for line in lines), Decimal(0)).quantize(unit)
    tax = tax_on(subtotal, tax_rate, currency)
    return InvoiceDraft(
        customer_id=next(iter(customers)),
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        tax_rate=tax_rate,
        tax=tax,
        total=subtotal + tax,
    )


def issue(
    draft: InvoiceDraft, invoice_id: InvoiceId, number: str, period: Period, at: datetime
) -> Invoice:
    """The draft as an issued invoice with its number."""
    return Invoice(
        id=invoice_id,
        number=number,
        customer_id=draft.customer_id,
        period=period,
        currency=draft.currency,
        subtotal=draft.subtotal,
        tax_rate=draft.tax_rate,
        tax=draft.tax,
        total=draft.total,
        status=InvoiceStatus.ISSUED,
        issued_at=at,
        lines=draft.lines,
    )


def invoice_number(year: int, sequence: int) -> str:
    """``INV-2026-000001``: sequential per tenant and year of issue, without gaps."""
    if sequence < 1:
        raise ValueError("invoice sequences start at 1")
    return f"INV-{year:04d}-{sequence:06d}"


@dataclass(frozen=True, slots=True)
class Invoice:
    id: InvoiceId
    number: str
    customer_id: CustomerId
    period: Period
    currency: str
    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    status: InvoiceStatus
    issued_at: datetime
    lines: tuple[InvoiceLine, ...] = ()


# -- reporting -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CurrencyTotals:
    currency: str
    invoices: int
    subtotal: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class KindRevenue:
    """Rated charges of one kind that occurred in a period, and how much of it is invoiced."""

    kind: ChargeKind
    currency: str
    charges: int
    amount: Decimal
    invoiced: Decimal


@dataclass(frozen=True, slots=True)
class BillingSummary:
    period: Period
    invoice_count: int
    totals: tuple[CurrencyTotals, ...]
    revenue_by_kind: tuple[KindRevenue, ...]
    unrated_charges: int


KIND_ORDER = list(ChargeKind)


def summarise(
    period: Period, invoices: Sequence[Invoice], charges: Sequence[Charge]
) -> BillingSummary:
    """Invoices of the period (totals per currency) and its charges' revenue by kind."""
    by_currency: dict[str, list[Invoice]] = defaultdict(list)
    for inv in invoices:
        by_currency[inv.currency].append(inv)
    totals = tuple(
        CurrencyTotals(
            currency,
            len(items),
            sum((i.subtotal for i in items), Decimal(0)),
            sum((i.tax for i in items), Decimal(0)),
            sum((i.total for i in items), Decimal(0)),
        )
        for currency, items in sorted(by_currency.items())
    )
    amount: dict[tuple[ChargeKind, str], Decimal] = defaultdict(Decimal)
    invoiced: dict[tuple[ChargeKind, str], Decimal] = defaultdict(Decimal)
    count: dict[tuple[ChargeKind, str], int] = defaultdict(int)
    unrated = 0
    for c in charges:
        if c.rating is None:
            unrated += 1
            continue
        key = (c.kind, c.rating.currency)
        amount[key] += c.rating.amount
        count[key] += 1
        if c.invoice_id is not None:
            invoiced[key] += c.rating.amount
    revenue = tuple(
        KindRevenue(
            kind, currency, count[kind, currency], amount[kind, currency], invoiced[kind, currency]
        )
        for kind, currency in sorted(count, key=lambda k: (KIND_ORDER.index(k[0]), k[1]))
    )
    return BillingSummary(period, sum(t.invoices for t in totals), totals, revenue, unrated)
