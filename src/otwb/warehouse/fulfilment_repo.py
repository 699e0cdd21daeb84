"""Reading and writing W's fulfilments: the allocation of an order, its picks and parcels."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, insert, select, update

from otwb.platform.errors import NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import (
    CustomerId,
    OrderId,
    OrderLineId,
    SkuId,
    StockId,
    WarehouseId,
)
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.model import (
    Fulfilment,
    FulfilmentStatus,
    Parcel,
    Pick,
)
from otwb.warehouse.tables import (
    allocations,
    fulfilments,
    parcels,
    stock,
)

_INSERT_FULFILMENT = insert(fulfilments)
_INSERT_ALLOCATIONS = insert(allocations)


def insert_fulfilments(uow: UnitOfWork, items: Sequence[Fulfilment]) -> None:
    if not items:
        return
    now = uow.clock.now()
    uow.conn.execute(
        _INSERT_FULFILMENT,
        [
            {
                "id": f.id,
                "tenant_id": uow.tenant_id,
                "order_id": f.order_id,
                "warehouse_id": f.warehouse_id,
                "customer_id": f.customer_id,
                "status": f.status.value,
                "ship_to_name": f.ship_to_name,
                "ship_to_address": f.ship_to_address,
                "ship_to_lat": f.ship_to.lat,
                "ship_to_lon": f.ship_to.lon,
                "service_level": f.service_level,
                "window_start": f.window_start,
                "window_end": f.window_end,
                "created_at": now,
                "updated_at": now,
            }
            for f in items
        ],
    )
    uow.conn.execute(
        _INSERT_ALLOCATIONS,
        [
            {
                "id": uow.ids.new("all"),
                "tenant_id": uow.tenant_id,
                "fulfilment_id": f.id,
                "order_line_id": p.line_id,
                "stock_id": p.stock_id,
                "quantity": p.quantity,
                "status": "open",
            }
            for f in items
            for p in f.picks
        ],
    )


def get_fulfilment(uow: UnitOfWork, order_id: OrderId) -> Fulfilment:
    row = uow.conn.execute(
        select(fulfilments).where(
            fulfilments.c.tenant_id == uow.tenant_id, fulfilments.c.order_id == order_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"order {order_id} has no fulfilment in any warehouse")
    picks = uow.conn.execute(
        select(
            allocations.c.order_line_id,
            stock.c.sku_id,
            allocations.c.stock_id,
            allocations.c.quantity,
        )
        .join(stock, stock.c.id == allocations.c.stock_id)
        .where(allocations.c.fulfilment_id == row.id)
        .order_by(allocations.c.id)
    ).all()
    packed = uow.conn.execute(
        select(parcels.c.weight_kg, parcels.c.volume_m3)
        .where(parcels.c.fulfilment_id == row.id)
        .order_by(parcels.c.seq)
    ).all()
    return Fulfilment(
        id=row.id,
        order_id=OrderId(row.order_id),
        warehouse_id=WarehouseId(row.warehouse_id),
        customer_id=CustomerId(row.customer_id),
        status=FulfilmentStatus(row.status),
        ship_to_name=row.ship_to_name,
        ship_to_address=row.ship_to_address,
        ship_to=GeoPoint(row.ship_to_lat, row.ship_to_lon),
        service_level=row.service_level,
        window_start=row.window_start,
        window_end=row.window_end,
        picks=tuple(
            Pick(OrderLineId(p.order_line_id), SkuId(p.sku_id), StockId(p.stock_id), p.quantity)
            for p in picks
        ),
        parcels=tuple(Parcel(p.weight_kg, p.volume_m3) for p in packed),
    )


def save_fulfilment_status(uow: UnitOfWork, f: Fulfilment, previous: FulfilmentStatus) -> bool:
    result = uow.conn.execute(
        update(fulfilments)
        .where(fulfilments.c.id == f.id, fulfilments.c.status == previous.value)
        .values(status=f.status.value, updated_at=uow.clock.now())
    )
    return result.rowcount == 1


def set_allocation_status(uow: UnitOfWork, fulfilment_id: str, old: str, new: str) -> None:
    uow.conn.execute(
        update(allocations)
        .where(and_(allocations.c.fulfilment_id == fulfilment_id, allocations.c.status == old))
        .values(status=new)
    )


def insert_parcels(uow: UnitOfWork, fulfilment_id: str, items: Sequence[Parcel]) -> None:
    uow.conn.execute(
        insert(parcels),
        [
            {
                "id": uow.ids.new("par"),
                "tenant_id": uow.tenant_id,
                "fulfilment_id": fulfilment_id,
                "seq": seq,
                "weight_kg": p.weight_kg,
                "volume_m3": p.volume_m3,
            }
            for seq, p in enumerate(items, start=1)
        ],
    )


def list_fulfilments(
    uow: UnitOfWork, warehouse_id: WarehouseId | None, status: FulfilmentStatus | None, limit: int
) -> list[OrderId]:
    query = select(fulfilments.c.order_id).where(fulfilments.c.tenant_id == uow.tenant_id)
    if warehouse_id is not None:
        query = query.where(fulfilments.c.warehouse_id == warehouse_id)
    if status is not None:
        query = query.where(fulfilments.c.status == status.value)
    return [
        OrderId(x)
        for x in uow.conn.execute(query.order_by(fulfilments.c.id).limit(limit)).scalars()
    ]
