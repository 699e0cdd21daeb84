"""What W knows of goods that left it: which order lines took which lot from which bin (the
picked allocation rows), within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select

from otwb.platform.ids import CustomerId, LocationId, OrderId, OrderLineId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.tables import allocations, fulfilments, locations, lots, skus, stock


@dataclass(frozen=True, slots=True)
class ShippedUnits:
    """Units of an order line picked from one bin-lot."""

    order_id: OrderId
    customer_id: CustomerId
    warehouse_id: WarehouseId
    order_line_id: OrderLineId
    sku: str
    lot: str | None
    lot_status: str | None
    expires_on: date | None
    location_id: LocationId
    location: str
    quantity: int
    picked_at: datetime | None


def _picked() -> Select[Any]:
    return (
        select(
            fulfilments.c.order_id,
            fulfilments.c.customer_id,
            fulfilments.c.warehouse_id,
            allocations.c.order_line_id,
            skus.c.code.label("sku"),
            lots.c.code.label("lot"),
            lots.c.status.label("lot_status"),
            lots.c.expires_on,
            stock.c.location_id,
            locations.c.code.label("location"),
            allocations.c.picked,
            allocations.c.picked_at,
        )
        .join(fulfilments, fulfilments.c.id == allocations.c.fulfilment_id)
        .join(stock, stock.c.id == allocations.c.stock_id)
        .join(skus, skus.c.id == stock.c.sku_id)
        .join(locations, locations.c.id == stock.c.location_id)
        .outerjoin(lots, lots.c.id == stock.c.lot_id)
        .where(allocations.c.status == "picked", allocations.c.picked > 0)
    )


def _units(rows: Sequence[Any]) -> list[ShippedUnits]:
    return [
        ShippedUnits(
            OrderId(r.order_id),
            CustomerId(r.customer_id),
            WarehouseId(r.warehouse_id),
            OrderLineId(r.order_line_id),
            r.sku,
            r.lot,
            r.lot_status,
            r.expires_on,
            LocationId(r.location_id),
            r.location,
            r.picked,
            r.picked_at,
        )
        for r in rows
    ]


def shipped_units(uow: UnitOfWork, order_id: OrderId) -> list[ShippedUnits]:
    rows = uow.conn.execute(
        _picked()
        .where(allocations.c.tenant_id == uow.tenant_id, fulfilments.c.order_id == order_id)
        .order_by(allocations.c.order_line_id, lots.c.code, locations.c.code)
    ).all()
    return _units(rows)


def units_of_lot(uow: UnitOfWork, sku_code: str, lot_code: str) -> list[ShippedUnits]:
    rows = uow.conn.execute(
        _picked()
        .where(
            allocations.c.tenant_id == uow.tenant_id,
            skus.c.code == sku_code,
            lots.c.code == lot_code,
        )
        .order_by(fulfilments.c.order_id, allocations.c.order_line_id, locations.c.code)
    ).all()
    return _units(rows)
