"""Queries over W's stock and its movement ledger, within the caller's tenant: the ledger
itself, stock per SKU, pick velocity, what owners hold (storage), and the two reconcilers --
allocated counters against open pick tasks, on hand against the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from otwb.platform.ids import CustomerId, LocationId, SkuId, StockId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse.model import StorageLine, ZoneRole
from otwb.warehouse.tables import (
    allocations,
    locations,
    lots,
    skus,
    stock,
    stock_movements,
    zones,
)


def movements(
    uow: UnitOfWork,
    sku_id: SkuId | None,
    location_id: LocationId | None,
    reference: str | None,
    limit: int,
) -> list[Any]:
    query = (
        select(
            stock_movements,
            stock.c.sku_id,
            stock.c.location_id,
            stock.c.lot_id,
            skus.c.code.label("sku_code"),
            locations.c.code.label("location_code"),
            lots.c.code.label("lot_code"),
        )
        .join(stock, stock.c.id == stock_movements.c.stock_id)
        .join(skus, skus.c.id == stock.c.sku_id)
        .join(locations, locations.c.id == stock.c.location_id)
        .outerjoin(lots, lots.c.id == stock.c.lot_id)
        .where(stock_movements.c.tenant_id == uow.tenant_id)
    )
    if sku_id is not None:
        query = query.where(stock.c.sku_id == sku_id)
    if location_id is not None:
        query = query.where(stock.c.location_id == location_id)
    if reference is not None:
        query = query.where(stock_movements.c.reference == reference)
    return list(uow.conn.execute(query.order_by(stock_movements.c.id).limit(limit)).all())


def on_hand_by_sku(
    uow: UnitOfWork, warehouse_id: WarehouseId, role: ZoneRole | None = None
) -> dict[SkuId, int]:
    """Units on hand per SKU in a warehouse (in bins of one role, if given)."""
    query = (
        select(stock.c.sku_id, func.sum(stock.c.on_hand))
        .join(locations, locations.c.id == stock.c.location_id)
        .join(zones, zones.c.id == locations.c.zone_id)
        .where(stock.c.tenant_id == uow.tenant_id, stock.c.warehouse_id == warehouse_id)
        .group_by(stock.c.sku_id)
    )
    if role is not None:
        query = query.where(zones.c.role == role.value)
    return {SkuId(s): int(q or 0) for s, q in uow.conn.execute(query).all()}


def pick_lines_since(
    uow: UnitOfWork, warehouse_id: WarehouseId, since: datetime
) -> dict[SkuId, int]:
    """Pick lines (movements of kind pick) per SKU in a warehouse since ``since``."""
    rows = uow.conn.execute(
        select(stock.c.sku_id, func.count())
        .join(stock, stock.c.id == stock_movements.c.stock_id)
        .where(
            stock_movements.c.tenant_id == uow.tenant_id,
            stock_movements.c.kind == "pick",
            stock_movements.c.at >= since,
            stock.c.warehouse_id == warehouse_id,
        )
        .group_by(stock.c.sku_id)
    ).all()
    return {SkuId(s): int(n) for s, n in rows}


def units_by_owner(uow: UnitOfWork) -> dict[CustomerId, int]:
    rows = uow.conn.execute(
        select(skus.c.owner_id, func.sum(stock.c.on_hand))
        .join(skus, skus.c.id == stock.c.sku_id)
        .where(stock.c.tenant_id == uow.tenant_id, skus.c.owner_id.is_not(None))
        .group_by(skus.c.owner_id)
    ).all()
    return {CustomerId(owner): int(units) for owner, units in rows if units}


def storage_lines(uow: UnitOfWork) -> list[StorageLine]:
    rows = uow.conn.execute(
        select(
            skus.c.owner_id,
            stock.c.warehouse_id,
            skus.c.temperature_class,
            func.sum(stock.c.on_hand),
            func.sum(stock.c.on_hand * skus.c.volume_m3),
        )
        .join(skus, skus.c.id == stock.c.sku_id)
        .where(stock.c.tenant_id == uow.tenant_id, stock.c.on_hand > 0)
        .group_by(skus.c.owner_id, stock.c.warehouse_id, skus.c.temperature_class)
        .order_by(skus.c.owner_id, stock.c.warehouse_id, skus.c.temperature_class)
    ).all()
    return [
        StorageLine(
            CustomerId(owner) if owner else None,
            WarehouseId(wh),
            TemperatureClass(temp),
            int(units),
            float(volume),
        )
        for owner, wh, temp, units, volume in rows
    ]


def _disagreeing(uow: UnitOfWork, counter: Any, parts: Any) -> list[tuple[StockId, int, int]]:
    """Stock rows whose ``counter`` differs from the sum of ``parts`` (stock_id, qty) --
    (row, counter, sum)."""
    summed = parts.subquery()
    total = func.coalesce(summed.c.qty, 0)
    rows = uow.conn.execute(
        select(stock.c.id, counter, total)
        .outerjoin(summed, summed.c.stock_id == stock.c.id)
        .where(stock.c.tenant_id == uow.tenant_id, counter != total)
    ).all()
    return [(StockId(a), int(b), int(c)) for a, b, c in rows]


def allocation_discrepancies(uow: UnitOfWork) -> list[tuple[StockId, int, int]]:
    """Stock rows whose ``allocated`` counter differs from their open pick tasks."""
    return _disagreeing(
        uow,
        stock.c.allocated,
        select(allocations.c.stock_id, func.sum(allocations.c.quantity).label("qty"))
        .where(allocations.c.tenant_id == uow.tenant_id, allocations.c.status == "open")
        .group_by(allocations.c.stock_id),
    )


def ledger_discrepancies(uow: UnitOfWork) -> list[tuple[StockId, int, int]]:
    """Stock rows whose on hand differs from the sum of their movements."""
    return _disagreeing(
        uow,
        stock.c.on_hand,
        select(stock_movements.c.stock_id, func.sum(stock_movements.c.quantity).label("qty"))
        .where(stock_movements.c.tenant_id == uow.tenant_id)
        .group_by(stock_movements.c.stock_id),
    )
