"""B's HTTP routes: storage accrual, the summary (tariffs, fuel index, charges and re-rating:
``rating_api.py``, included here; invoicing: ``api_invoices.py``).

Money, rates and quantities go out as decimal strings ("12.50"), never floats. Rates come in as
decimal strings or JSON numbers; the domain refuses what it could not keep exactly (more than
6 decimal places, negative, a currency other than the tenant's) with 422 problem+json.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from otwb.billing import invoicing, rating_api, service
from otwb.billing.invoice import BillingSummary
from otwb.billing.model import ChargeKind
from otwb.billing.rating_schemas import ChargeOut, TariffOut
from otwb.platform.http import Admin, Operator, Reader

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


__all__ = ["ChargeOut", "TariffOut", "router"]
