"""Reading and writing W's stock -- bin x SKU x lot rows -- and the movement ledger, always
within the caller's tenant.

Every change of ``on_hand`` goes through ``receive_into``, ``change_on_hand`` or
``take_picked``, each of which writes its movement in the same statement batch: the ledger sums
to the stock by construction (and a reconciler, ``ledger_discrepancies``, checks it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, insert, select, update

from otwb.platform.bulk import RowWriter
from otwb.platform.db import upsert
from otwb.platform.ids import LocationId, SkuId, StockId, WarehouseId
from otwb.platform.sqllist import any_of
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.lots import Lot
from otwb.warehouse.model import Location, LotId, StockRow, ZoneRole
from otwb.warehouse.tables import (
    locations,
    lots,
    skus,
    stock,
    stock_movements,
    zones,
)

# Rows are locked in primary-key order (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
# already holds the write lock), so concurrent allocations queue instead of deadlocking. What
# governs the rows -- lot status, soft reservations -- is read *after* the lock, in statements
# of their own, so that a change committed while this one waited is seen.
_LOCK_AVAILABLE_STOCK = (
    select(stock, zones.c.role)
    .join(locations, locations.c.id == stock.c.location_id)
    .join(zones, zones.c.id == locations.c.zone_id)
    .where(
        stock.c.tenant_id == bindparam("b_tenant"),
        any_of(stock.c.sku_id, "b_skus"),
        stock.c.on_hand > stock.c.allocated,
        zones.c.role != ZoneRole.STAGING.value,
    )
    .order_by(stock.c.id)
    .with_for_update(of=stock)
)
# Writes by primary key touch rows this transaction read, and locked, under its tenant; they
# name no tenant themselves: PostgreSQL's generic plan for "tenant_id = $1 AND id = $2" walks
# the tenant's index instead of the key (measured ten times slower on a bulk promise).
_PROMISE = RowWriter(
    update(stock)
    .where(stock.c.id == bindparam("b_id"))
    .values(allocated=stock.c.allocated + bindparam("b_qty")),
    ["b_id", "b_qty"],
    key="b_id",
)
_CHANGE = (
    update(stock)
    .where(stock.c.id == bindparam("b_id"))
    .values(on_hand=stock.c.on_hand + bindparam("b_qty"))
)
_RECORD = insert(stock_movements)


def stock_row(r: Any, lot: Lot | None = None) -> StockRow:
    """A stock row as read by ``lock_rows`` (with its bin's role), with its lot's expiry."""
    return StockRow(
        r.id,
        r.warehouse_id,
        r.location_id,
        r.sku_id,
        r.on_hand,
        r.allocated,
        r.lot_id or None,
        lot.expires_on if lot else None,
        r.received_at,
        ZoneRole(r.role),
    )


def record_movements(
    uow: UnitOfWork,
    kind: str,
    reference: str | None,
    moves: Sequence[tuple[StockId, int]],
    reason: str | None = None,
) -> None:
    moves = [(s, q) for s, q in moves if q]
    if not moves:
        return
    now = uow.clock.now()
    uow.conn.execute(
        _RECORD,
        [
            {
                "tenant_id": uow.tenant_id,
                "stock_id": stock_id,
                "quantity": qty,
                "kind": kind,
                "reason": reason,
                "reference": reference,
                "at": now,
            }
            for stock_id, qty in moves
        ],
    )


def receive_into(
    uow: UnitOfWork,
    stock_id: StockId,
    location: Location,
    sku_id: SkuId,
    lot_id: LotId | None,
    quantity: int,
    kind: str,
    reference: str | None = None,
    reason: str | None = None,
    received_at: datetime | None = None,
) -> StockId:
    """Goods arrive in a bin: the bin-SKU-lot row grows (created if need be) and the ledger
    says why. A row that was empty takes the goods' age -- ``received_at``, now by default, or
    the age of the row they were moved from -- for FIFO."""
    now = received_at or uow.clock.now()
    row = {
        "id": stock_id,
        "tenant_id": uow.tenant_id,
        "warehouse_id": location.warehouse_id,
        "location_id": location.id,
        "sku_id": sku_id,
        "lot_id": lot_id,
        "lot_key": lot_id or "",
        "on_hand": quantity,
        "allocated": 0,
        "received_at": now,
    }
    new_id = StockId(
        upsert(
            uow.conn,
            stock,
            row,
            [stock.c.location_id, stock.c.sku_id, stock.c.lot_key],
            lambda excluded: {
                "on_hand": stock.c.on_hand + excluded.on_hand,
                "received_at": case(
                    (stock.c.on_hand == 0, excluded.received_at), else_=stock.c.received_at
                ),
            },
            returning=stock.c.id,
        )
    )
    record_movements(uow, kind, reference, [(new_id, quantity)], reason)
    return new_id


def change_on_hand(
    uow: UnitOfWork,
    changes: Sequence[tuple[StockId, int]],
    kind: str,
    reference: str | None = None,
    reason: str | None = None,
) -> None:
    """Add (or take, when negative) to rows' on hand, in key order; the CHECKs refuse a row
    going negative or below what it has promised."""
    changes = sorted((s, q) for s, q in changes if q)
    if changes:
        uow.conn.execute(_CHANGE, [{"b_id": s, "b_qty": q} for s, q in changes])
        record_movements(uow, kind, reference, changes, reason)


def take_picked(uow: UnitOfWork, stock_id: StockId, quantity: int, reference: str) -> None:
    """Goods leave the bin: on hand and the promise both drop by ``quantity``."""
    result = uow.conn.execute(
        update(stock)
        .where(stock.c.id == stock_id, stock.c.allocated >= quantity)
        .values(on_hand=stock.c.on_hand - quantity, allocated=stock.c.allocated - quantity)
    )
    if result.rowcount != 1:
        raise RuntimeError(f"stock {stock_id}: allocation counter lower than the pick")
    record_movements(uow, "pick", reference, [(stock_id, -quantity)])


def promise(uow: UnitOfWork, promised: dict[StockId, int]) -> None:
    """Raise the allocated counters (rows locked by ``lock_available_stock``; the CHECK
    ``allocated <= on_hand`` is the last guard)."""
    if promised := {s: q for s, q in promised.items() if q}:
        _PROMISE.execute(uow.conn, sorted(promised.items()))


def release_allocated(uow: UnitOfWork, stock_id: StockId, quantity: int) -> None:
    uow.conn.execute(
        update(stock).where(stock.c.id == stock_id).values(allocated=stock.c.allocated - quantity)
    )


def lock_available_stock(uow: UnitOfWork, sku_ids: Sequence[SkuId]) -> list[Any]:
    """The tenant's stock rows of these SKUs with something available outside the dock,
    locked for update (raw rows: their lots are read after the lock)."""
    return list(
        uow.conn.execute(
            _LOCK_AVAILABLE_STOCK, {"b_tenant": uow.tenant_id, "b_skus": list(sku_ids)}
        ).all()
    )


def lock_rows(uow: UnitOfWork, *where: Any) -> list[Any]:
    """Stock rows matching ``where`` (and the tenant), with their bins' role, locked in key
    order."""
    return list(
        uow.conn.execute(
            select(stock, zones.c.role)
            .join(locations, locations.c.id == stock.c.location_id)
            .join(zones, zones.c.id == locations.c.zone_id)
            .where(stock.c.tenant_id == uow.tenant_id, *where)
            .order_by(stock.c.id)
            .with_for_update(of=stock)
        ).all()
    )


def sku_of(uow: UnitOfWork, stock_id: StockId) -> SkuId:
    """The SKU of a stock row (a plain read: lock the SKU's rows before changing any)."""
    return SkuId(
        uow.conn.execute(
            select(stock.c.sku_id).where(stock.c.tenant_id == uow.tenant_id, stock.c.id == stock_id)
        ).scalar_one()
    )


def rows_by_id(uow: UnitOfWork, ids: Iterable[StockId]) -> dict[StockId, Any]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {StockId(r.id): r for r in lock_rows(uow, stock.c.id.in_(wanted))}


def stock_levels(
    uow: UnitOfWork,
    sku_id: SkuId | None,
    warehouse_id: WarehouseId | None,
    location_id: LocationId | None = None,
) -> list[tuple[StockRow, str, str, str | None, str | None]]:
    """Stock rows with their SKU code, bin code, lot code and lot status."""
    query = (
        select(
            stock,
            skus.c.code.label("sku_code"),
            locations.c.code.label("location_code"),
            lots.c.code.label("lot_code"),
            lots.c.expires_on,
            lots.c.status.label("lot_status"),
        )
        .join(skus, skus.c.id == stock.c.sku_id)
        .join(locations, locations.c.id == stock.c.location_id)
        .outerjoin(lots, lots.c.id == stock.c.lot_id)
        .where(stock.c.tenant_id == uow.tenant_id)
    )
    if sku_id is not None:
        query = query.where(stock.c.sku_id == sku_id)
    if warehouse_id is not None:
        query = query.where(stock.c.warehouse_id == warehouse_id)
    if location_id is not None:
        query = query.where(stock.c.location_id == location_id)
    rows = uow.conn.execute(
        query.order_by(skus.c.code, locations.c.code, lots.c.expires_on, lots.c.code)
    ).all()
    return [
        (
            StockRow(
                StockId(r.id),
                WarehouseId(r.warehouse_id),
                LocationId(r.location_id),
                SkuId(r.sku_id),
                r.on_hand,
                r.allocated,
                LotId(r.lot_id) if r.lot_id else None,
                r.expires_on,
                r.received_at,
            ),
            r.sku_code,
            r.location_code,
            r.lot_code,
            r.lot_status,
        )
        for r in rows
    ]


Contents = dict[LocationId, list[tuple[SkuId, LotId | None, int, float, float]]]
"""Per bin: (SKU, lot, units, m³, kg) of each stock row (or each move coming in)."""


def contents(rows: Iterable[Any]) -> Contents:
    """Rows of (location_id, sku_id, lot_id, units, volume_m3, weight_kg) per bin."""
    out: Contents = {}
    for r in rows:
        out.setdefault(LocationId(r.location_id), []).append(
            (
                SkuId(r.sku_id),
                LotId(r.lot_id) if r.lot_id else None,
                r.units,
                r.units * r.volume_m3,
                r.units * r.weight_kg,
            )
        )
    return out


def bin_contents(
    uow: UnitOfWork, warehouse_id: WarehouseId, location_id: LocationId | None = None
) -> Contents:
    """What each bin of a warehouse (or one bin) holds."""
    query = (
        select(
            stock.c.location_id,
            stock.c.sku_id,
            stock.c.lot_id,
            stock.c.on_hand.label("units"),
            skus.c.volume_m3,
            skus.c.weight_kg,
        )
        .join(skus, skus.c.id == stock.c.sku_id)
        .where(
            stock.c.tenant_id == uow.tenant_id,
            stock.c.warehouse_id == warehouse_id,
            stock.c.on_hand > 0,
        )
    )
    if location_id is not None:
        query = query.where(stock.c.location_id == location_id)
    return contents(uow.conn.execute(query).all())
