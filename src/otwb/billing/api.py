"""B's HTTP routes: tariffs, charges, storage accrual, the summary (invoicing: api_invoices.py).

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

from otwb.billing import invoicing, service
from otwb.billing.invoice import BillingSummary
from otwb.billing.model import Basis, Charge, ChargeKind, ChargeStatus, SourceType, Tariff
from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CustomerId

router = APIRouter(tags=["billing"])

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]
Rate = Annotated[Decimal, Field(ge=0, description="Decimal string (or number), >= 0")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TariffIn(Strict):
    customer_id: str | None = Field(
        default=None, min_length=1, max_length=40, description="None: the tenant's default"
    )
    valid_from: date
    currency: str = Field(pattern="^[A-Za-z]{3}$", description="The tenant's currency")
    handling_per_line: Rate
    transport_per_kg_km: Rate
    transport_per_drop: Rate
    storage_per_unit_day: Rate
    tax_rate: Annotated[Decimal, Field(ge=0, le=1, description="0.20 for 20 %")]


class TariffOut(BaseModel):
    id: str
    customer_id: str | None
    valid_from: date
    currency: str
    handling_per_line: Decimal
    transport_per_kg_km: Decimal
    transport_per_drop: Decimal
    storage_per_unit_day: Decimal
    tax_rate: Decimal

    @classmethod
    def of(cls, t: Tariff) -> TariffOut:
        return cls(
            id=t.id,
            customer_id=t.customer_id,
            valid_from=t.valid_from,
            currency=t.currency,
            handling_per_line=t.handling_per_line,
            transport_per_kg_km=t.transport_per_kg_km,
            transport_per_drop=t.transport_per_drop,
            storage_per_unit_day=t.storage_per_unit_day,
            tax_rate=t.tax_rate,
        )


class ChargeOut(BaseModel):
    id: str
    customer_id: str
    kind: ChargeKind
    basis: Basis
    source_type: SourceType
    source_id: str
    quantity: Decimal
    status: ChargeStatus
    unit_price: Decimal | None
    amount: Decimal | None
    currency: str | None
    tariff_id: str | None
    occurred_at: datetime
    invoice_id: str | None

    @classmethod
    def of(cls, c: Charge) -> ChargeOut:
        r = c.rating
        return cls(
            id=c.id,
            customer_id=c.customer_id,
            kind=c.kind,
            basis=c.basis,
            source_type=c.source_type,
            source_id=c.source_id,
            quantity=c.quantity,
            status=c.status,
            unit_price=r.unit_price if r else None,
            amount=r.amount if r else None,
            currency=r.currency if r else None,
            tariff_id=r.tariff_id if r else None,
            occurred_at=c.occurred_at,
            invoice_id=c.invoice_id,
        )


class StorageAccrualIn(Strict):
    day: date


class StorageAccrualOut(BaseModel):
    day: date
    created: int = Field(description="Charges new with this call (0 when already accrued)")
    charges: list[ChargeOut]


class RatingRunOut(BaseModel):
    rated: int


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


# -- tariffs -------------------------------------------------------------------------------
@router.put("/tariffs", status_code=201, response_model=TariffOut)
def set_tariff(body: TariffIn, caller: Admin) -> TariffOut:
    """Add a tariff version (versions are never changed; a later valid_from supersedes)."""
    new = service.NewTariff(
        customer_id=CustomerId(body.customer_id) if body.customer_id else None,
        valid_from=body.valid_from,
        currency=body.currency,
        handling_per_line=body.handling_per_line,
        transport_per_kg_km=body.transport_per_kg_km,
        transport_per_drop=body.transport_per_drop,
        storage_per_unit_day=body.storage_per_unit_day,
        tax_rate=body.tax_rate,
    )
    return TariffOut.of(service.set_tariff(caller.uow(), new))


@router.get("/tariffs", response_model=list[TariffOut])
def list_tariffs(caller: Reader, customer_id: str | None = None) -> list[TariffOut]:
    customer = CustomerId(customer_id) if customer_id else None
    return [TariffOut.of(t) for t in service.list_tariffs(caller.reader(), customer)]


# -- charges -------------------------------------------------------------------------------
@router.get("/charges", response_model=list[ChargeOut])
def list_charges(
    caller: Reader,
    customer_id: str | None = None,
    status: ChargeStatus | None = None,
    invoiced: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[ChargeOut]:
    items = service.list_charges(
        caller.reader(),
        CustomerId(customer_id) if customer_id else None,
        status,
        invoiced,
        limit,
        offset,
    )
    return [ChargeOut.of(c) for c in items]


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
