"""W's HTTP routes for inventory control: lots and their status, customers' shelf-life rules,
adjustments and the movement ledger, cycle counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CustomerId, LocationId, WarehouseId
from otwb.warehouse import counts, quality, service
from otwb.warehouse.api_common import StockOut, Strict
from otwb.warehouse.counts_repo import CountTask
from otwb.warehouse.lots import Lot, LotStatus
from otwb.warehouse.model import LotId

router = APIRouter(tags=["warehouse: inventory control"])


class LotOut(BaseModel):
    id: str
    sku_id: str
    code: str
    expires_on: date | None
    status: LotStatus
    received_at: datetime

    @classmethod
    def of(cls, x: Lot) -> LotOut:
        return cls(
            id=x.id,
            sku_id=x.sku_id,
            code=x.code,
            expires_on=x.expires_on,
            status=x.status,
            received_at=x.received_at,
        )


class LotStatusIn(Strict):
    status: LotStatus
    reason: str = Field(default="", max_length=200)


class ShelfLifeIn(Strict):
    min_shelf_life_days: int = Field(ge=0, le=3650)


class AdjustmentIn(Strict):
    location_id: str = Field(min_length=1)
    sku: str = Field(min_length=1, max_length=64)
    lot: str | None = Field(default=None, max_length=64)
    quantity: int = Field(ge=-10_000_000, le=10_000_000, description="Signed: found + / lost -")
    reason: Literal["damaged", "expired", "lost", "found", "quality", "correction"]
    reference: str | None = Field(default=None, max_length=40)


class MovementOut(BaseModel):
    id: int
    at: datetime
    kind: str
    reason: str | None
    reference: str | None
    sku: str
    location: str
    lot: str | None
    quantity: int


class PlanCountsIn(Strict):
    bins: list[str] = Field(default_factory=list, max_length=10_000)
    max_bins: int = Field(default=200, ge=1, le=10_000)


class CountLineOut(BaseModel):
    sku: str
    lot: str | None
    expected: int
    counted: int
    variance: int


class CountOut(BaseModel):
    id: str
    warehouse_id: str
    location_id: str
    location: str
    reason: str
    status: str
    counted_by: str | None
    decided_by: str | None
    lines: list[CountLineOut]

    @classmethod
    def of(cls, t: CountTask) -> CountOut:
        # A count still open is blind: it shows nothing of what the system expects.
        return cls(
            id=t.id,
            warehouse_id=t.warehouse_id,
            location_id=t.location_id,
            location=t.location,
            reason=t.reason,
            status=t.status,
            counted_by=t.counted_by,
            decided_by=t.decided_by,
            lines=[
                CountLineOut(
                    sku=x.sku,
                    lot=x.lot,
                    expected=x.expected,
                    counted=x.counted,
                    variance=x.variance,
                )
                for x in t.lines
            ],
        )


class CountedIn(Strict):
    sku: str = Field(min_length=1, max_length=64)
    lot: str | None = Field(default=None, max_length=64)
    quantity: int = Field(ge=0, le=10_000_000)


class CountResultIn(Strict):
    counted_by: str = Field(min_length=1, max_length=64)
    lines: list[CountedIn] = Field(max_length=1000)


class DecisionIn(Strict):
    by: str = Field(min_length=1, max_length=64)


@router.get("/lots", response_model=list[LotOut])
def list_lots(
    caller: Reader, sku: str | None = None, status: LotStatus | None = None
) -> list[LotOut]:
    return [LotOut.of(x) for x in quality.list_lots(caller.reader(), sku, status)]


@router.post("/lots/{lot_id}/status", response_model=LotOut)
def set_lot_status(lot_id: str, body: LotStatusIn, caller: Operator) -> LotOut:
    """Quarantine, release, recall or write off a lot: its open promises move to other lots
    or are back-ordered."""
    return LotOut.of(quality.set_lot_status(caller.uow(), LotId(lot_id), body.status, body.reason))


@router.put("/customer-rules/{customer_id}", response_model=ShelfLifeIn)
def set_customer_rule(customer_id: str, body: ShelfLifeIn, caller: Admin) -> ShelfLifeIn:
    """The shelf life goods must have left when promised to this customer."""
    days = quality.set_min_shelf_life(
        caller.uow(), CustomerId(customer_id), body.min_shelf_life_days
    )
    return ShelfLifeIn(min_shelf_life_days=days)


@router.get("/customer-rules", response_model=dict[str, ShelfLifeIn])
def list_customer_rules(caller: Reader) -> dict[str, ShelfLifeIn]:
    return {
        c: ShelfLifeIn(min_shelf_life_days=d)
        for c, d in quality.shelf_life_rules(caller.reader()).items()
    }


@router.post("/stock/adjustments", status_code=201, response_model=StockOut)
def adjust_stock(body: AdjustmentIn, caller: Operator) -> StockOut:
    row = counts.adjust_stock(
        caller.uow(),
        LocationId(body.location_id),
        body.sku,
        body.quantity,
        body.reason,
        body.lot,
        body.reference,
    )
    [line] = [
        x
        for x in service.stock_levels(caller.reader(), body.sku, None, row.location_id)
        if x.row.id == row.id
    ]
    return StockOut.of(line)


@router.get("/stock/movements", response_model=list[MovementOut])
def movements(
    caller: Reader,
    sku: str | None = None,
    location_id: str | None = None,
    reference: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[MovementOut]:
    """The append-only ledger of every stock change, oldest first."""
    found = service.movements(
        caller.reader(), sku, LocationId(location_id) if location_id else None, reference, limit
    )
    return [
        MovementOut(
            id=m.id,
            at=m.at,
            kind=m.kind,
            reason=m.reason,
            reference=m.reference,
            sku=m.sku_code,
            location=m.location_code,
            lot=m.lot_code,
            quantity=m.quantity,
        )
        for m in found
    ]


@router.post(
    "/warehouses/{warehouse_id}/cycle-counts", status_code=201, response_model=list[CountOut]
)
def plan_cycle_counts(warehouse_id: str, body: PlanCountsIn, caller: Operator) -> list[CountOut]:
    """Count tasks for the named bins, or for the bins due by ABC class."""
    planned = counts.plan_cycle_counts(
        caller.uow(),
        WarehouseId(warehouse_id),
        bins=[LocationId(b) for b in body.bins],
        max_bins=body.max_bins,
    )
    return [CountOut.of(t) for t in planned]


@router.get("/cycle-counts", response_model=list[CountOut])
def list_cycle_counts(
    caller: Reader,
    warehouse_id: str | None = None,
    status: Literal["open", "counted", "approved", "rejected"] | None = None,
) -> list[CountOut]:
    found = counts.list_counts(
        caller.reader(), WarehouseId(warehouse_id) if warehouse_id else None, status
    )
    return [CountOut.of(t) for t in found]


@router.post("/cycle-counts/{count_id}/result", response_model=CountOut)
def record_count(count_id: str, body: CountResultIn, caller: Operator) -> CountOut:
    """What the counter found (blind); no variance is approved at once."""
    lines = [counts.Counted(x.sku, x.lot, x.quantity) for x in body.lines]
    return CountOut.of(counts.record_count(caller.uow(), count_id, lines, body.counted_by))


@router.post("/cycle-counts/{count_id}/approve", response_model=CountOut)
def approve_count(count_id: str, body: DecisionIn, caller: Operator) -> CountOut:
    return CountOut.of(counts.approve_count(caller.uow(), count_id, body.by))


@router.post("/cycle-counts/{count_id}/reject", response_model=CountOut)
def reject_count(count_id: str, body: DecisionIn, caller: Operator) -> CountOut:
    return CountOut.of(counts.reject_count(caller.uow(), count_id, body.by))
