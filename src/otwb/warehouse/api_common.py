"""What W's routers share: strict request bodies, and the answers several routes give (a stock
line, a move task)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from otwb.warehouse import service
from otwb.warehouse.inbound_repo import MoveTask


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StockOut(BaseModel):
    stock_id: str
    warehouse_id: str
    location_id: str
    location: str
    sku: str
    lot: str | None
    lot_status: str | None
    expires_on: date | None
    on_hand: int
    allocated: int
    available: int

    @classmethod
    def of(cls, x: service.StockLine) -> StockOut:
        r = x.row
        return cls(
            stock_id=r.id,
            warehouse_id=r.warehouse_id,
            location_id=r.location_id,
            location=x.location,
            sku=x.sku,
            lot=x.lot,
            lot_status=x.lot_status,
            expires_on=r.expires_on,
            on_hand=r.on_hand,
            allocated=r.allocated,
            available=r.available,
        )


class MoveTaskOut(BaseModel):
    id: str
    warehouse_id: str
    kind: str
    from_stock_id: str
    to_location_id: str
    quantity: int
    status: str
    reference: str | None

    @classmethod
    def of(cls, t: MoveTask) -> MoveTaskOut:
        return cls(
            id=t.id,
            warehouse_id=t.warehouse_id,
            kind=t.kind,
            from_stock_id=t.from_stock_id,
            to_location_id=t.to_location_id,
            quantity=t.quantity,
            status=t.status,
            reference=t.reference,
        )
