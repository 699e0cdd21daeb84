"""The invoice domain: pure data and rules, no I/O (the use cases are in ``invoicing.py``).

A billing run groups one customer's rated, uninvoiced charges of a period into one **draft**
per billing currency, with one line per service -- (kind, basis, named service), the charges'
currency and their tariff's tax rate. Each line is reproducible from its charges:

* ``quantity`` = the sum of their quantities; ``charge_amount`` = the sum of their amounts
  (each already rounded at the charge);
* ``amount`` = charge_amount x the exchange rate, rounded half-up to the billing currency's
  minor unit (the rate is 1 when no conversion is needed);
* ``tax`` = amount x the tax rate, rounded half-up, **at the line**.

subtotal = the sum of the line amounts; tax = the sum of the line taxes; total = subtotal + tax.
Discount lines may be negative; an invoice's total may not.

Lifecycle: draft -> issued -> paid | void. A draft has no number and can be discarded (its
charges are released); issuing gives it the next number of its series (``INV-2026-000123``);
an issued invoice never changes again except to be paid or voided, and a voided invoice keeps
its number and its charges until they are re-billed explicitly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from otwb.billing.model import DESCRIPTIONS, Basis, Charge, ChargeKind, plain, product
from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.ids import CustomerId, InvoiceId, TariffId
from otwb.platform.money import minor_unit


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    VOID = "void"


class DocumentType(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


SERIES: dict[DocumentType, str] = {DocumentType.INVOICE: "INV", DocumentType.CREDIT_NOTE: "CN"}


class MissingExchangeRate(InvalidInput):
    code = "missing_exchange_rate"
    title = "No exchange rate is stored for the currencies and day"


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


def round_money(value: Decimal, currency: str) -> Decimal:
    """Half-up to the currency's minor unit (``0.005`` -> ``0.01``, ``-0.005`` -> ``-0.01``)."""
    return value.quantize(minor_unit(currency), ROUND_HALF_UP) + 0


# -- service totals: what a billing run aggregates ---------------------------------------
@dataclass(frozen=True, slots=True)
class ServiceTotal:
    """One customer's charges of one service, currency and tax rate, summed (SQL GROUP BY)."""

    customer_id: CustomerId
    kind: ChargeKind
    basis: Basis
    currency: str
    tax_rate: Decimal
    quantity: Decimal
    amount: Decimal
    charges: int
    service: str = ""
    """The named service of a value-added line (``installation``); '' for the others."""


def service_totals(
    charges: Iterable[Charge], tax_rates: Mapping[TariffId, Decimal] | Mapping[str, Decimal]
) -> list[ServiceTotal]:
    """The same grouping as the billing run's SQL, done in Python (tests, small batches).

    ``tax_rates`` maps a tariff id to its tax rate; unrated charges are not billable.
    """
    sums: dict[tuple[CustomerId, ChargeKind, Basis, str, Decimal, str], list[Decimal | int]] = (
        defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    )
    for c in charges:
        if c.rating is None:
            raise InvalidInput("unrated charges cannot be invoiced")
        service = str(getattr(c, "service", ""))  # named value-added services have one
        key = (
            c.customer_id,
            c.kind,
            c.basis,
            c.rating.currency,
            tax_rates[c.rating.tariff_id],
            service,
        )
        acc = sums[key]
        acc[0] = Decimal(acc[0]) + c.quantity
        acc[1] = Decimal(acc[1]) + c.rating.amount
        acc[2] = int(acc[2]) + 1
    return [
        ServiceTotal(k[0], k[1], k[2], k[3], k[4], Decimal(v[0]), Decimal(v[1]), int(v[2]), k[5])
        for k, v in sums.items()
    ]


# -- invoices ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class InvoiceLine:
    line_no: int
    kind: ChargeKind
    basis: Basis
    description: str
    quantity: Decimal
    charge_currency: str
    charge_amount: Decimal
    exchange_rate: Decimal
    amount: Decimal
    tax_rate: Decimal
    tax: Decimal
    charges: int
    credited_line_no: int | None = None
    service: str = ""

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice or a credit note (``doc_type``), with its lines."""

    id: InvoiceId
    doc_type: DocumentType
    number: str | None
    customer_id: CustomerId
    period: Period
    currency: str
    rate_date: date
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    status: InvoiceStatus
    created_at: datetime
    lines: tuple[InvoiceLine, ...] = ()
    issued_at: datetime | None = None
    paid_at: datetime | None = None
    paid_amount: Decimal | None = None
    voided_at: datetime | None = None
    credited_invoice_id: InvoiceId | None = None
    reason: str | None = None
    credited: Decimal = field(default=Decimal(0))
    """On an invoice: the sum of its credit notes' totals (<= 0)."""

    @property
    def series(self) -> str:
        return SERIES[self.doc_type]

    @property
    def balance(self) -> Decimal:
        """What the customer still owes: total + credit notes - paid (0 once void)."""
        if self.doc_type is DocumentType.CREDIT_NOTE or self.status is InvoiceStatus.VOID:
            return Decimal(0).quantize(minor_unit(self.currency))
        return self.total + self.credited - (self.paid_amount or 0)


def describe(kind: ChargeKind, basis: Basis, service: str = "") -> str:
    text = DESCRIPTIONS.get(basis) or f"{kind.value.capitalize()} ({basis.value})"
    return f"{service}: {text}" if service else text


def _line_order(t: ServiceTotal) -> tuple[int, int, str, str, Decimal]:
    kinds, bases = list(ChargeKind), list(Basis)
    return (kinds.index(t.kind), bases.index(t.basis), t.service, t.currency, t.tax_rate)


def invoice_lines(
    totals: Sequence[ServiceTotal], currency: str, rates: Mapping[str, Decimal]
) -> tuple[InvoiceLine, ...]:
    """The lines of one invoice in ``currency``; ``rates`` converts each other charge currency.

    A charge currency with no rate in ``rates`` is a ``MissingExchangeRate``.
    """
    lines: list[InvoiceLine] = []
    for number, t in enumerate(sorted(totals, key=_line_order), start=1):
        if t.currency == currency:
            rate = Decimal(1)
        elif t.currency in rates:
            rate = rates[t.currency]
        else:
            raise MissingExchangeRate(f"no exchange rate {t.currency} -> {currency} is stored")
        amount = round_money(product(t.amount, rate), currency)
        lines.append(
            InvoiceLine(
                line_no=number,
                kind=t.kind,
                basis=t.basis,
                description=describe(t.kind, t.basis, t.service),
                quantity=plain(t.quantity),
                charge_currency=t.currency,
                charge_amount=t.amount.quantize(minor_unit(t.currency)),
                exchange_rate=plain(rate),
                amount=amount,
                tax_rate=plain(t.tax_rate),
                tax=round_money(product(amount, t.tax_rate), currency),
                charges=t.charges,
                service=t.service,
            )
        )
    return tuple(lines)


def totals_of(lines: Sequence[InvoiceLine], currency: str) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total) of the lines, in the currency's minor unit."""
    unit = minor_unit(currency)
    subtotal = sum((x.amount for x in lines), Decimal(0)).quantize(unit)
    tax = sum((x.tax for x in lines), Decimal(0)).quantize(unit)
    return subtotal, tax, subtotal + tax


def draft(
    invoice_id: InvoiceId,
    customer_id: CustomerId,
    period: Period,
    currency: str,
    rate_date: date,
    lines: tuple[InvoiceLine, ...],
    at: datetime,
) -> Invoice:
    """A draft invoice from its lines (no number yet)."""
    if not lines:
        raise InvalidInput("an invoice needs at least one line")
    subtotal, tax, total = totals_of(lines, currency)
    if total < 0:
        raise InvalidInput(f"customer {customer_id}'s charges add up to {total} {currency} < 0")
    return Invoice(
        id=invoice_id,
        doc_type=DocumentType.INVOICE,
        number=None,
        customer_id=customer_id,
        period=period,
        currency=currency,
        rate_date=rate_date,
        subtotal=subtotal,
        tax=tax,
        total=total,
        status=InvoiceStatus.DRAFT,
        created_at=at,
        lines=lines,
        credited=Decimal(0).quantize(minor_unit(currency)),
    )


def document_number(series: str, year: int, sequence: int) -> str:
    """``INV-2026-000001``: sequential per tenant, series and year of issue, without gaps."""
    if sequence < 1:
        raise ValueError("document sequences start at 1")
    return f"{series}-{year:04d}-{sequence:06d}"


# -- lifecycle -----------------------------------------------------------------------------
def _require(invoice: Invoice, action: str, *allowed: InvoiceStatus) -> None:
    if invoice.status not in allowed:
        what = "credit note" if invoice.doc_type is DocumentType.CREDIT_NOTE else "invoice"
        raise InvalidTransition(
            f"cannot {action} {what} {invoice.number or invoice.id}: it is {invoice.status.value}"
        )


def ensure_draft(invoice: Invoice, action: str) -> None:
    _require(invoice, action, InvoiceStatus.DRAFT)


def ensure_payable(invoice: Invoice) -> None:
    if invoice.doc_type is not DocumentType.INVOICE:
        raise InvalidTransition("a credit note is not paid; it reduces its invoice's balance")
    _require(invoice, "pay", InvoiceStatus.ISSUED)
    if invoice.balance <= 0:
        raise InvalidTransition(
            f"nothing is owed on invoice {invoice.number}: its credit notes cover its total"
        )


def ensure_voidable(invoice: Invoice) -> None:
    if invoice.doc_type is not DocumentType.INVOICE:
        raise InvalidTransition("a credit note cannot be voided")
    _require(invoice, "void", InvoiceStatus.ISSUED)
    if invoice.credited != 0:
        raise InvalidTransition(
            f"invoice {invoice.number} has credit notes: credit the rest instead of voiding"
        )


def ensure_rebillable(invoice: Invoice) -> None:
    _require(invoice, "re-bill", InvoiceStatus.VOID)


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


def summarise(
    period: Period, invoices: Sequence[Invoice], charges: Sequence[Charge]
) -> BillingSummary:
    """Issued and paid invoices of the period (totals per currency) and its charges' revenue
    by kind (drafts and void invoices are not counted as invoiced)."""
    billed = [
        i
        for i in invoices
        if i.doc_type is DocumentType.INVOICE
        and i.status in (InvoiceStatus.ISSUED, InvoiceStatus.PAID)
    ]
    billed_ids = {i.id for i in billed}
    by_currency: dict[str, list[Invoice]] = defaultdict(list)
    for inv in billed:
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
        if c.invoice_id in billed_ids:
            invoiced[key] += c.rating.amount
    kinds = list(ChargeKind)
    revenue = tuple(
        KindRevenue(
            kind, currency, count[kind, currency], amount[kind, currency], invoiced[kind, currency]
        )
        for kind, currency in sorted(count, key=lambda k: (kinds.index(k[0]), k[1]))
    )
    return BillingSummary(period, sum(t.invoices for t in totals), totals, revenue, unrated)
