"""B's HTTP routes: storage accrual, invoice runs, invoices, the summary (tariffs, charges and
re-rating are in ``rating_api.py``, included here).

Money, rates and quantities go out as decimal strings ("12.50"), never floats. Rates come in as
decimal strings or JSON numbers; the domain refuses what it could not keep exactly (more than
6 decimal places, negative, a currency other than the tenant's) with 422 problem+json.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from otwb.billing import invoicing, rating_api, service
from otwb.billing.invoice import BillingSummary, Invoice, InvoiceStatus
from otwb.billing.model import Basis, ChargeKind
from otwb.billing.rating_schemas import ChargeOut, TariffOut
from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CustomerId, InvoiceId

router = APIRouter(tags=["billing"])
router.include_router(rating_api.router)  # tariffs, fuel index, charges, re-rating

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StorageAccrualIn(Strict):
    day: date


class StorageAccrualOut(BaseModel):
    day: date
    created: int = Field(description="Charges new with this call (0 when already accrued)")
    charges: list[ChargeOut]


class RatingRunOut(BaseModel):
    rated: int


class InvoiceRunIn(Strict):
    period_start: date
    period_end: date = Field(description="Exclusive: [period_start, period_end)")


class InvoiceLineOut(BaseModel):
    line_no: int
    kind: ChargeKind
    basis: Basis
    description: str
    quantity: Decimal
    amount: Decimal
    charges: int


class InvoiceOut(BaseModel):
    id: str
    number: str
    customer_id: str
    period_start: date
    period_end: date
    currency: str
    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    status: InvoiceStatus
    issued_at: datetime
    lines: list[InvoiceLineOut]

    @classmethod
    def of(cls, i: Invoice) -> InvoiceOut:
        return cls(
            id=i.id,
            number=i.number,
            customer_id=i.customer_id,
            period_start=i.period.start,
            period_end=i.period.end,
            currency=i.currency,
            subtotal=i.subtotal,
            tax_rate=i.tax_rate,
            tax=i.tax,
            total=i.total,
            status=i.status,
            issued_at=i.issued_at,
            lines=[
                InvoiceLineOut(
                    line_no=x.line_no,
                    kind=x.kind,
                    basis=x.basis,
                    description=x.description,
                    quantity=x.quantity,
                    amount=x.amount,
                    charges=x.charges,
                )
                for x in i.lines
            ],
        )


class InvoiceRunOut(BaseModel):
    period_start: date
    period_end: date
    invoices: list[InvoiceOut]


class CurrencyTotalsOut(BaseModel):
    currency: str
    invoices: int
    subtotal: Decimal
    tax: Decimal
    total: Decimal


class KindRevenueOut(BaseModel):
    kind: ChargeKind
    currency: str
    charges: int
    amount: Decimal
    invoiced: Decimal


class SummaryOut(BaseModel):
    period_start: date
    period_end: date
    invoice_count: int
    totals: list[CurrencyTotalsOut]
    revenue_by_kind: list[KindRevenueOut]
    unrated_charges: int

    @classmethod
    def of(cls, s: BillingSummary) -> SummaryOut:
        return cls(
            period_start=s.period.start,
            period_end=s.period.end,
            invoice_count=s.invoice_count,
            totals=[CurrencyTotalsOut.model_validate(t, from_attributes=True) for t in s.totals],
            revenue_by_kind=[
                KindRevenueOut.model_validate(r, from_attributes=True) for r in s.revenue_by_kind
            ],
            unrated_charges=s.unrated_charges,
        )


# -- charges -------------------------------------------------------------------------------
@router.post("/billing/storage-accruals", response_model=StorageAccrualOut)
def accrue_storage(body: StorageAccrualIn, caller: Operator) -> StorageAccrualOut:
    """Charge storage for a day (units on hand per consignment owner); idempotent per day."""
    accrual = service.accrue_storage(caller.uow(), body.day)
    return StorageAccrualOut(
        day=body.day, created=accrual.created, charges=[ChargeOut.of(c) for c in accrual.charges]
    )


@router.post("/billing/rating-runs", response_model=RatingRunOut)
def rate_unrated(caller: Admin) -> RatingRunOut:
    """Price the unrated charges that a tariff now covers."""
    return RatingRunOut(rated=service.rate_unrated_charges(caller.uow()))


@router.get("/billing/summary", response_model=SummaryOut)
def billing_summary(caller: Reader, period_start: date, period_end: date) -> SummaryOut:
    return SummaryOut.of(invoicing.billing_summary(caller.reader(), period_start, period_end))


# -- invoices ------------------------------------------------------------------------------
@router.post("/invoices/runs", response_model=InvoiceRunOut)
def run_invoicing(body: InvoiceRunIn, caller: Admin) -> InvoiceRunOut:
    """Invoice every customer's rated, uninvoiced charges of the period (none: an empty list)."""
    issued = invoicing.issue_invoices(caller.uow(), body.period_start, body.period_end)
    return InvoiceRunOut(
        period_start=body.period_start,
        period_end=body.period_end,
        invoices=[InvoiceOut.of(i) for i in issued],
    )


@router.get("/invoices", response_model=list[InvoiceOut])
def list_invoices(
    caller: Reader, customer_id: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> list[InvoiceOut]:
    customer = CustomerId(customer_id) if customer_id else None
    items = invoicing.list_invoices(caller.reader(), customer, limit, offset)
    return [InvoiceOut.of(i) for i in items]


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)
def get_invoice(invoice_id: str, caller: Reader) -> InvoiceOut:
    return InvoiceOut.of(invoicing.get_invoice(caller.reader(), InvoiceId(invoice_id)))


@router.get("/invoices/{invoice_id}/charges", response_model=list[ChargeOut])
def invoice_charges(invoice_id: str, caller: Reader) -> list[ChargeOut]:
    """The charges the invoice covers: its lines are their sums."""
    items = invoicing.invoice_charges(caller.reader(), InvoiceId(invoice_id))
    return [ChargeOut.of(c) for c in items]


__all__ = ["ChargeOut", "TariffOut", "router"]
