"""B's HTTP routes for invoicing: billing runs, the invoice lifecycle, credit notes, documents
(PDF, CSV), exchange rates and customers' billing currencies.

Money and rates go out as decimal strings; they come in as decimal strings (or JSON numbers).
Changing anything takes an admin key; reading, a read-only one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from otwb.billing import credit_notes, currency, exchange_rates, invoicing
from otwb.billing.api import ChargeOut
from otwb.billing.credit_note import CreditRequest
from otwb.billing.documents import filename
from otwb.billing.invoice import DocumentType, Invoice, InvoiceStatus
from otwb.billing.model import Basis, ChargeKind
from otwb.platform.http import Admin, Reader
from otwb.platform.ids import CustomerId, InvoiceId

router = APIRouter(tags=["invoicing"])

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]
Currency = Annotated[str, Field(pattern="^[A-Za-z]{3}$", description="ISO 4217, e.g. EUR")]
Reason = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InvoiceRunIn(Strict):
    period_start: date
    period_end: date = Field(description="Exclusive: [period_start, period_end)")
    customer_id: str | None = Field(default=None, min_length=1, max_length=40)
    issue: bool = Field(default=False, description="Issue the drafts at once (numbers them)")


class InvoiceLineOut(BaseModel):
    line_no: int
    kind: ChargeKind
    basis: Basis
    description: str
    quantity: Decimal
    charges: int
    charge_currency: str
    charge_amount: Decimal
    exchange_rate: Decimal
    amount: Decimal
    tax_rate: Decimal
    tax: Decimal
    credited_line_no: int | None
    service: str = Field(description="The named value-added service; '' for the others")


class InvoiceOut(BaseModel):
    id: str
    doc_type: DocumentType
    number: str | None
    status: InvoiceStatus
    customer_id: str
    period_start: date
    period_end: date
    currency: str
    rate_date: date
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    credited: Decimal = Field(description="The credit notes' totals (<= 0)")
    balance: Decimal = Field(description="Still owed: total + credited - paid")
    created_at: datetime
    issued_at: datetime | None
    paid_at: datetime | None
    paid_amount: Decimal | None
    voided_at: datetime | None
    credited_invoice_id: str | None
    reason: str | None
    lines: list[InvoiceLineOut]

    @classmethod
    def of(cls, i: Invoice) -> InvoiceOut:
        return cls(
            id=i.id,
            doc_type=i.doc_type,
            number=i.number,
            status=i.status,
            customer_id=i.customer_id,
            period_start=i.period.start,
            period_end=i.period.end,
            currency=i.currency,
            rate_date=i.rate_date,
            subtotal=i.subtotal,
            tax=i.tax,
            total=i.total,
            credited=i.credited,
            balance=i.balance,
            created_at=i.created_at,
            issued_at=i.issued_at,
            paid_at=i.paid_at,
            paid_amount=i.paid_amount,
            voided_at=i.voided_at,
            credited_invoice_id=i.credited_invoice_id,
            reason=i.reason,
            lines=[
                InvoiceLineOut(
                    line_no=x.line_no,
                    kind=x.kind,
                    basis=x.basis,
                    description=x.description,
                    quantity=x.quantity,
                    charges=x.charges,
                    charge_currency=x.charge_currency,
                    charge_amount=x.charge_amount,
                    exchange_rate=x.exchange_rate,
                    amount=x.amount,
                    tax_rate=x.tax_rate,
                    tax=x.tax,
                    credited_line_no=x.credited_line_no,
                    service=x.service,
                )
                for x in i.lines
            ],
        )


class InvoiceRunOut(BaseModel):
    period_start: date
    period_end: date
    invoices: list[InvoiceOut]


class DraftsOut(BaseModel):
    invoices: list[InvoiceOut]


class DiscardOut(BaseModel):
    released_charges: int


class VoidIn(Strict):
    reason: Reason


class CreditLineIn(Strict):
    line_no: int = Field(ge=1)
    amount: Annotated[Decimal, Field(gt=0)] | None = Field(
        default=None, description="Omit: what is left of the line"
    )


class CreditNoteIn(Strict):
    reason: Reason
    lines: list[CreditLineIn] | None = Field(
        default=None, description="Omit: credit the whole invoice (what is left of it)"
    )


class ExchangeRateIn(Strict):
    from_currency: Currency
    to_currency: Currency
    day: date
    rate: Annotated[Decimal, Field(gt=0, description="1 from_currency = rate to_currency")]


class ExchangeRateOut(BaseModel):
    from_currency: str
    to_currency: str
    day: date
    rate: Decimal


class BillingCurrencyIn(Strict):
    currency: Currency


class BillingCurrencyOut(BaseModel):
    customer_id: str
    currency: str


# -- runs and lifecycle --------------------------------------------------------------------
@router.post("/invoices/runs", response_model=InvoiceRunOut)
def run_billing(body: InvoiceRunIn, caller: Admin) -> InvoiceRunOut:
    """Draft the period's invoices from the rated, uninvoiced charges (``issue``: and issue
    them). Nothing to bill: an empty list."""
    customer = CustomerId(body.customer_id) if body.customer_id else None
    made = invoicing.run_billing(
        caller.uow(), body.period_start, body.period_end, customer, issue=body.issue
    )
    return InvoiceRunOut(
        period_start=body.period_start,
        period_end=body.period_end,
        invoices=[InvoiceOut.of(i) for i in made],
    )


@router.get("/invoices", response_model=list[InvoiceOut])
def list_invoices(
    caller: Reader,
    customer_id: str | None = None,
    status: InvoiceStatus | None = None,
    doc_type: DocumentType | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[InvoiceOut]:
    """Invoices and credit notes, oldest first."""
    customer = CustomerId(customer_id) if customer_id else None
    items = invoicing.list_invoices(
        caller.reader(), customer, limit, offset, status=status, doc_type=doc_type
    )
    return [InvoiceOut.of(i) for i in items]


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)
def get_invoice(invoice_id: str, caller: Reader) -> InvoiceOut:
    return InvoiceOut.of(invoicing.get_invoice(caller.reader(), InvoiceId(invoice_id)))


@router.delete("/invoices/{invoice_id}", response_model=DiscardOut)
def discard_draft(invoice_id: str, caller: Admin) -> DiscardOut:
    """Discard a draft; its charges become billable again."""
    return DiscardOut(released_charges=invoicing.discard_draft(caller.uow(), InvoiceId(invoice_id)))


@router.get("/invoices/{invoice_id}/charges", response_model=list[ChargeOut])
def invoice_charges(invoice_id: str, caller: Reader) -> list[ChargeOut]:
    """The charges the invoice covers: its lines are their sums."""
    items = invoicing.invoice_charges(caller.reader(), InvoiceId(invoice_id))
    return [ChargeOut.of(c) for c in items]


@router.post("/invoices/{invoice_id}/issue", response_model=InvoiceOut)
def issue_invoice(invoice_id: str, caller: Admin) -> InvoiceOut:
    """Number a draft (the next of its series) and issue it."""
    return InvoiceOut.of(invoicing.issue_invoice(caller.uow(), InvoiceId(invoice_id)))


@router.post("/invoices/{invoice_id}/rerun", response_model=DraftsOut)
def rerun_draft(invoice_id: str, caller: Admin) -> DraftsOut:
    """Discard a draft and draft its customer's period again."""
    drafts = invoicing.rerun_draft(caller.uow(), InvoiceId(invoice_id))
    return DraftsOut(invoices=[InvoiceOut.of(i) for i in drafts])


@router.post("/invoices/{invoice_id}/pay", response_model=InvoiceOut)
def pay_invoice(invoice_id: str, caller: Admin) -> InvoiceOut:
    """Record the payment of the invoice's balance."""
    return InvoiceOut.of(invoicing.pay_invoice(caller.uow(), InvoiceId(invoice_id)))


@router.post("/invoices/{invoice_id}/void", response_model=InvoiceOut)
def void_invoice(invoice_id: str, body: VoidIn, caller: Admin) -> InvoiceOut:
    """Void an issued invoice: it keeps its number and its charges (re-bill to free them)."""
    return InvoiceOut.of(invoicing.void_invoice(caller.uow(), InvoiceId(invoice_id), body.reason))


@router.post("/invoices/{invoice_id}/rebill", response_model=DraftsOut)
def rebill_invoice(invoice_id: str, caller: Admin) -> DraftsOut:
    """Release a void invoice's charges and draft them again."""
    drafts = invoicing.rebill_invoice(caller.uow(), InvoiceId(invoice_id))
    return DraftsOut(invoices=[InvoiceOut.of(i) for i in drafts])


# -- credit notes --------------------------------------------------------------------------
@router.post("/invoices/{invoice_id}/credit-notes", status_code=201, response_model=InvoiceOut)
def credit_invoice(invoice_id: str, body: CreditNoteIn, caller: Admin) -> InvoiceOut:
    """Issue a credit note (``CN-<year>-<n>``) for the whole invoice or some of its lines."""
    requests = (
        None if body.lines is None else [CreditRequest(x.line_no, x.amount) for x in body.lines]
    )
    note = credit_notes.credit_invoice(caller.uow(), InvoiceId(invoice_id), body.reason, requests)
    return InvoiceOut.of(note)


@router.get("/invoices/{invoice_id}/credit-notes", response_model=list[InvoiceOut])
def list_credit_notes(invoice_id: str, caller: Reader) -> list[InvoiceOut]:
    notes = credit_notes.credit_notes_of(caller.reader(), InvoiceId(invoice_id))
    return [InvoiceOut.of(n) for n in notes]


# -- documents -----------------------------------------------------------------------------
@router.get(
    "/invoices/{invoice_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def invoice_pdf(invoice_id: str, caller: Reader) -> Response:
    """The invoice or credit note as a PDF."""
    invoice, body = invoicing.invoice_pdf(caller.reader(), InvoiceId(invoice_id))
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename(invoice, "pdf")}"'},
    )


@router.get(
    "/invoices/{invoice_id}/csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def invoice_csv(invoice_id: str, caller: Reader) -> Response:
    """The invoice's or credit note's lines as CSV (``line_total`` adds up to its total)."""
    invoice, body = invoicing.invoice_csv(caller.reader(), InvoiceId(invoice_id))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename(invoice, "csv")}"'},
    )


# -- currencies ----------------------------------------------------------------------------
@router.put("/exchange-rates", response_model=ExchangeRateOut)
def set_exchange_rate(body: ExchangeRateIn, caller: Admin) -> ExchangeRateOut:
    """Store the day's rate for a currency pair (the same day again: a correction)."""
    rate = currency.ExchangeRate(body.from_currency, body.to_currency, body.day, body.rate)
    saved = exchange_rates.set_exchange_rate(caller.uow(), rate)
    return ExchangeRateOut.model_validate(saved, from_attributes=True)


@router.get("/exchange-rates", response_model=list[ExchangeRateOut])
def list_exchange_rates(caller: Reader, from_currency: str | None = None) -> list[ExchangeRateOut]:
    rates = exchange_rates.list_exchange_rates(caller.reader(), from_currency)
    return [ExchangeRateOut.model_validate(r, from_attributes=True) for r in rates]


@router.put("/billing/customers/{customer_id}/currency", response_model=BillingCurrencyOut)
def set_billing_currency(
    customer_id: str, body: BillingCurrencyIn, caller: Admin
) -> BillingCurrencyOut:
    """Bill the customer in this currency from its next billing run on."""
    setting = currency.BillingCurrency(CustomerId(customer_id), body.currency)
    saved = exchange_rates.set_billing_currency(caller.uow(), setting)
    return BillingCurrencyOut(customer_id=saved.customer_id, currency=saved.currency)


@router.get("/billing/currencies", response_model=list[BillingCurrencyOut])
def list_billing_currencies(caller: Reader) -> list[BillingCurrencyOut]:
    settings = exchange_rates.billing_currencies(caller.reader())
    return [BillingCurrencyOut(customer_id=c, currency=v) for c, v in sorted(settings.items())]
