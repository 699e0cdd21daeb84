"""Reading and writing W's records (SQLAlchemy Core), always within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from otwb.platform.db import upsert
from otwb.platform.errors import NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import (
    CustomerId,
    LocationId,
    SkuId,
    StockId,
    WarehouseId,
)
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse.model import (
    Location,
    Sku,
    StockRow,
    StorageLine,
    Warehouse,
    WarehouseKind,
)
from otwb.warehouse.tables import (
    allocations,
    locations,
    skus,
    stock,
    stock_movements,
    warehouses,
)

# Hot-path statements, built once (their compiled form and cache key are reused).
_WAREHOUSES = (
    select(warehouses)
    .where(warehouses.c.tenant_id == bindparam("b_tenant"))
    .order_by(warehouses.c.code)
)
_SKUS_BY_CODE = select(skus).where(
    skus.c.tenant_id == bindparam("b_tenant"), skus.c.code.in_(bindparam("b_codes", expanding=True))
)
_SKUS_BY_ID = select(skus).where(
    skus.c.tenant_id == bindparam("b_tenant"), skus.c.id.in_(bindparam("b_ids", expanding=True))
)
# Rows are locked in primary-key order (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
# already holds the write lock), so concurrent allocations queue instead of deadlocking.
_LOCK_AVAILABLE_STOCK = (
    select(stock)
    .where(
        stock.c.tenant_id == bindparam("b_tenant"),
        stock.c.sku_id.in_(bindparam("b_skus", expanding=True)),
        stock.c.on_hand > stock.c.allocated,
    )
    .order_by(stock.c.id)
    .with_for_update()
)
_PROMISE = (
    update(stock)
    .where(stock.c.id == bindparam("b_id"))
    .values(allocated=stock.c.allocated + bindparam("b_qty"))
)


# -- master data ---------------------------------------------------------------------------
def _warehouse(r: Any) -> Warehouse:
    return Warehouse(
        WarehouseId(r.id), r.code, r.name, WarehouseKind(r.kind), GeoPoint(r.lat, r.lon)
    )


def insert_warehouse(uow: UnitOfWork, w: Warehouse) -> None:
    uow.conn.execute(
        insert(warehouses).values(
            id=w.id,
            tenant_id=uow.tenant_id,
            code=w.code,
            name=w.name,
            kind=w.kind.value,
            lat=w.point.lat,
            lon=w.point.lon,
        )
    )


def list_warehouses(uow: UnitOfWork) -> list[Warehouse]:
    rows = uow.conn.execute(_WAREHOUSES, {"b_tenant": uow.tenant_id}).all()
    return [_warehouse(r) for r in rows]


def get_warehouse(uow: UnitOfWork, warehouse_id: WarehouseId) -> Warehouse:
    row = uow.conn.execute(
        select(warehouses).where(
            warehouses.c.tenant_id == uow.tenant_id, warehouses.c.id == warehouse_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no warehouse {warehouse_id}")
    return _warehouse(row)


def _location(r: Any) -> Location:
    return Location(
        LocationId(r.id), WarehouseId(r.warehouse_id), r.code, TemperatureClass(r.temperature_class)
    )


def insert_locations(uow: UnitOfWork, items: Sequence[Location]) -> None:
    uow.conn.execute(
        insert(locations),
        [
            {
                "id": x.id,
                "tenant_id": uow.tenant_id,
                "warehouse_id": x.warehouse_id,
                "code": x.code,
                "temperature_class": x.temperature_class.value,
            }
            for x in items
        ],
    )


def get_location(uow: UnitOfWork, location_id: LocationId) -> Location:
    row = uow.conn.execute(
        select(locations).where(
            locations.c.tenant_id == uow.tenant_id, locations.c.id == location_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no location {location_id}")
    return _location(row)


def list_locations(uow: UnitOfWork, warehouse_id: WarehouseId) -> list[Location]:
    rows = uow.conn.execute(
        select(locations)
        .where(
            locations.c.tenant_id == uow.tenant_id,
            locations.c.warehouse_id == warehouse_id,
        )
        .order_by(locations.c.code)
    ).all()
    return [_location(r) for r in rows]


def existing_location_codes(
    uow: UnitOfWork, warehouse_id: WarehouseId, codes: list[str]
) -> list[str]:
    rows = (
        uow.conn.execute(
            select(locations.c.code).where(
                locations.c.tenant_id == uow.tenant_id,
                locations.c.warehouse_id == warehouse_id,
                locations.c.code.in_(codes),
            )
        )
        .scalars()
        .all()
    )
    return list(rows)


def _sku(r: Any) -> Sku:
    return Sku(
        SkuId(r.id),
        r.code,
        r.name,
        r.weight_kg,
        r.volume_m3,
        TemperatureClass(r.temperature_class),
        CustomerId(r.owner_id) if r.owner_id else None,
    )


def insert_skus(uow: UnitOfWork, items: Sequence[Sku]) -> None:
    uow.conn.execute(
        insert(skus),
        [
            {
                "id": x.id,
                "tenant_id": uow.tenant_id,
                "code": x.code,
                "name": x.name,
                "weight_kg": x.weight_kg,
                "volume_m3": x.volume_m3,
                "temperature_class": x.temperature_class.value,
                "owner_id": x.owner_id,
            }
            for x in items
        ],
    )


def skus_by_code(uow: UnitOfWork, codes: Sequence[str]) -> dict[str, Sku]:
    rows = uow.conn.execute(_SKUS_BY_CODE, {"b_tenant": uow.tenant_id, "b_codes": list(codes)})
    return {r.code: _sku(r) for r in rows}


def skus_by_id(uow: UnitOfWork, ids: Sequence[SkuId]) -> dict[SkuId, Sku]:
    rows = uow.conn.execute(_SKUS_BY_ID, {"b_tenant": uow.tenant_id, "b_ids": list(ids)})
    return {SkuId(r.id): _sku(r) for r in rows}


def list_skus(uow: UnitOfWork, limit: int, offset: int) -> list[Sku]:
    rows = uow.conn.execute(
        select(skus)
        .where(skus.c.tenant_id == uow.tenant_id)
        .order_by(skus.c.code)
        .limit(limit)
        .offset(offset)
    ).all()
    return [_sku(r) for r in rows]


# -- stock -------------------------------------------------------------------------------
def add_on_hand(
    uow: UnitOfWork, stock_id: StockId, location: Location, sku_id: SkuId, quantity: int
) -> StockId:
    """Add ``quantity`` to the stock of a SKU in a location, creating the row if needed."""
    row = {
        "id": stock_id,
        "tenant_id": uow.tenant_id,
        "warehouse_id": location.warehouse_id,
        "location_id": location.id,
        "sku_id": sku_id,
        "on_hand": quantity,
        "allocated": 0,
    }
    new_id = upsert(
        uow.conn,
        stock,
        row,
        [stock.c.location_id, stock.c.sku_id],
        lambda excluded: {"on_hand": stock.c.on_hand + excluded.on_hand},
        returning=stock.c.id,
    )
    return StockId(new_id)


def record_movements(
    uow: UnitOfWork, kind: str, reference: str | None, moves: Sequence[tuple[StockId, int]]
) -> None:
    if not moves:
        return
    now = uow.clock.now()
    uow.conn.execute(
        insert(stock_movements),
        [
            {
                "tenant_id": uow.tenant_id,
                "stock_id": stock_id,
                "quantity": qty,
                "kind": kind,
                "reference": reference,
                "at": now,
            }
            for stock_id, qty in moves
        ],
    )


def _stock_row(r: Any) -> StockRow:
    return StockRow(
        StockId(r.id),
        WarehouseId(r.warehouse_id),
        LocationId(r.location_id),
        SkuId(r.sku_id),
        r.on_hand,
        r.allocated,
    )


def lock_available_stock(uow: UnitOfWork, sku_ids: Sequence[SkuId]) -> list[StockRow]:
    """The tenant's stock rows of these SKUs with something available, locked for update."""
    rows = uow.conn.execute(
        _LOCK_AVAILABLE_STOCK, {"b_tenant": uow.tenant_id, "b_skus": list(sku_ids)}
    )
    return [_stock_row(r) for r in rows]


def stock_levels(
    uow: UnitOfWork, sku_id: SkuId | None, warehouse_id: WarehouseId | None
) -> list[tuple[StockRow, str, str]]:
    """Stock rows with their SKU code and location code."""
    query = (
        select(stock, skus.c.code.label("sku_code"), locations.c.code.label("location_code"))
        .join(skus, skus.c.id == stock.c.sku_id)
        .join(locations, locations.c.id == stock.c.location_id)
        .where(stock.c.tenant_id == uow.tenant_id)
    )
    if sku_id is not None:
        query = query.where(stock.c.sku_id == sku_id)
    if warehouse_id is not None:
        query = query.where(stock.c.warehouse_id == warehouse_id)
    rows = uow.conn.execute(query.order_by(skus.c.code, locations.c.code)).all()
    return [(_stock_row(r), r.sku_code, r.location_code) for r in rows]


def promise(uow: UnitOfWork, promised: dict[StockId, int]) -> None:
    """Raise the allocated counters (rows locked by ``lock_available_stock``; the CHECK
    ``allocated <= on_hand`` is the last guard)."""
    if promised:
        uow.conn.execute(
            _PROMISE, [{"b_id": sid, "b_qty": qty} for sid, qty in sorted(promised.items())]
        )


def take_picked(uow: UnitOfWork, stock_id: StockId, quantity: int) -> None:
    """Goods leave the location: on hand and the promise both drop by ``quantity``."""
    result = uow.conn.execute(
        update(stock)
        .where(stock.c.id == stock_id, stock.c.allocated >= quantity)
        .values(on_hand=stock.c.on_hand - quantity, allocated=stock.c.allocated - quantity)
    )
    if result.rowcount != 1:
        raise RuntimeError(f"stock {stock_id}: allocation counter lower than the pick")


def release_allocated(uow: UnitOfWork, stock_id: StockId, quantity: int) -> None:
    uow.conn.execute(
        update(stock).where(stock.c.id == stock_id).values(allocated=stock.c.allocated - quantity)
    )


def put_back(uow: UnitOfWork, stock_id: StockId, quantity: int) -> None:
    uow.conn.execute(
        update(stock).where(stock.c.id == stock_id).values(on_hand=stock.c.on_hand + quantity)
    )


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


def allocation_discrepancies(uow: UnitOfWork) -> list[tuple[StockId, int, int]]:
    """Stock rows whose ``allocated`` counter differs from their open allocation rows."""
    open_qty = (
        select(allocations.c.stock_id, func.sum(allocations.c.quantity).label("qty"))
        .where(allocations.c.tenant_id == uow.tenant_id, allocations.c.status == "open")
        .group_by(allocations.c.stock_id)
        .subquery()
    )
    rows = uow.conn.execute(
        select(stock.c.id, stock.c.allocated, func.coalesce(open_qty.c.qty, 0))
        .outerjoin(open_qty, open_qty.c.stock_id == stock.c.id)
        .where(
            stock.c.tenant_id == uow.tenant_id,
            stock.c.allocated != func.coalesce(open_qty.c.qty, 0),
        )
    ).all()
    return [(StockId(a), int(b), int(c)) for a, b, c in rows]
