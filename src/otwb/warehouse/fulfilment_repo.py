"""Reading and writing W's fulfilments: the allocation of an order, its pick tasks (allocation
rows), back-orders and parcels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update

from otwb.platform.bulk import RowWriter
from otwb.platform.errors import Conflict, NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import (
    CustomerId,
    OrderId,
    OrderLineId,
    SkuId,
    StockId,
    TenantId,
    WarehouseId,
)
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.model import (
    Fulfilment,
    FulfilmentStatus,
    LotId,
    Parcel,
    Pick,
    TaskId,
)
from otwb.warehouse.tables import allocations, fulfilments, parcels, stock

_INSERT_FULFILMENT = RowWriter.insert(
    fulfilments,
    [
        "id", "tenant_id", "order_id", "warehouse_id", "customer_id", "status", "ship_to_name",
        "ship_to_address", "ship_to_lat", "ship_to_lon", "service_level", "window_start",
        "window_end", "carrier", "route", "cut_off", "min_shelf_life_days", "created_at",
        "updated_at",
    ],
)  # fmt: skip
_INSERT_ALLOCATIONS = RowWriter.insert(
    allocations,
    [
        "id",
        "tenant_id",
        "fulfilment_id",
        "order_line_id",
        "stock_id",
        "quantity",
        "status",
        "picked",
    ],
)
_PICKS = select(
    allocations.c.id,
    allocations.c.fulfilment_id,
    allocations.c.order_line_id,
    stock.c.sku_id,
    allocations.c.stock_id,
    allocations.c.quantity,
    allocations.c.status,
    allocations.c.picked,
    stock.c.lot_id,
).join(stock, stock.c.id == allocations.c.stock_id)


def _pick(p: Any) -> Pick:
    return Pick(
        OrderLineId(p.order_line_id),
        SkuId(p.sku_id),
        StockId(p.stock_id),
        p.quantity,
        TaskId(p.id),
        p.status,
        p.picked,
        LotId(p.lot_id) if p.lot_id else None,
    )


def insert_fulfilments(uow: UnitOfWork, items: Sequence[Fulfilment]) -> None:
    if not items:
        return
    now = uow.clock.now()
    tenant = uow.tenant_id
    _INSERT_FULFILMENT.execute(uow.conn, [_fulfilment_row(tenant, f, now) for f in items])
    insert_picks(uow, [(f.id, p) for f in items for p in f.picks])


def _fulfilment_row(tenant: TenantId, f: Fulfilment, now: datetime) -> tuple[Any, ...]:
    """The fulfilment's row, in ``_INSERT_FULFILMENT``'s column order."""
    return (
        f.id, tenant, f.order_id, f.warehouse_id, f.customer_id, f.status.value, f.ship_to_name,
        f.ship_to_address, f.ship_to.lat, f.ship_to.lon, f.service_level, f.window_start,
        f.window_end, f.carrier, f.route, f.cut_off, f.min_shelf_life_days, now, now,
    )  # fmt: skip


def insert_picks(uow: UnitOfWork, items: Sequence[tuple[str, Pick]]) -> list[TaskId]:
    """Store picks as open pick tasks of their fulfilments; their new task ids."""
    ids = [TaskId(i) for i in uow.ids.new_many("tsk", len(items))]
    tenant = uow.tenant_id
    _INSERT_ALLOCATIONS.execute(
        uow.conn,
        [
            (task_id, tenant, fulfilment_id, p.line_id, p.stock_id, p.quantity, "open", 0)
            for task_id, (fulfilment_id, p) in zip(ids, items, strict=True)
        ],
    )
    return ids


def _fulfilment(uow: UnitOfWork, row: Any) -> Fulfilment:
    picks = uow.conn.execute(
        _PICKS.where(
            allocations.c.tenant_id == uow.tenant_id, allocations.c.fulfilment_id == row.id
        ).order_by(allocations.c.id)
    ).all()
    packed = uow.conn.execute(
        select(parcels.c.weight_kg, parcels.c.volume_m3, parcels.c.box_code, parcels.c.sscc)
        .where(parcels.c.tenant_id == uow.tenant_id, parcels.c.fulfilment_id == row.id)
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
        picks=tuple(_pick(p) for p in picks),
        parcels=tuple(Parcel(p.weight_kg, p.volume_m3, p.box_code, p.sscc) for p in packed),
        carrier=row.carrier,
        route=row.route,
        cut_off=row.cut_off,
        min_shelf_life_days=row.min_shelf_life_days,
        wave_id=row.wave_id,
        consolidation_id=row.consolidation_id,
    )


def get_fulfilment(
    uow: UnitOfWork, order_id: OrderId, warehouse_id: WarehouseId | None = None
) -> Fulfilment:
    """The order's fulfilment in ``warehouse_id`` -- or its only one: an order split across
    warehouses needs the warehouse named (``Conflict`` otherwise)."""
    query = select(fulfilments).where(
        fulfilments.c.tenant_id == uow.tenant_id, fulfilments.c.order_id == order_id
    )
    if warehouse_id is not None:
        query = query.where(fulfilments.c.warehouse_id == warehouse_id)
    rows = uow.conn.execute(query.limit(2)).all()
    if not rows:
        where = f"warehouse {warehouse_id}" if warehouse_id else "any warehouse"
        raise NotFound(f"order {order_id} has no fulfilment in {where}")
    if len(rows) > 1:
        raise Conflict(
            f"order {order_id} is served by several warehouses: name the warehouse",
            order_split=True,
        )
    return _fulfilment(uow, rows[0])


def parts_of(uow: UnitOfWork, order_id: OrderId) -> list[WarehouseId]:
    """The warehouses serving the order (one per part of a split order)."""
    return [
        WarehouseId(w)
        for w in uow.conn.execute(
            select(fulfilments.c.warehouse_id)
            .where(fulfilments.c.tenant_id == uow.tenant_id, fulfilments.c.order_id == order_id)
            .order_by(fulfilments.c.warehouse_id)
        ).scalars()
    ]


def fulfilments_by_id(uow: UnitOfWork, ids: Iterable[str]) -> dict[str, Fulfilment]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = uow.conn.execute(
        select(fulfilments).where(
            fulfilments.c.tenant_id == uow.tenant_id, fulfilments.c.id.in_(wanted)
        )
    ).all()
    return {r.id: _fulfilment(uow, r) for r in rows}


@dataclass(frozen=True, slots=True)
class TaskRow:
    pick: Pick
    fulfilment_id: str
    pick_list_id: str | None


def get_task(uow: UnitOfWork, task_id: TaskId) -> TaskRow:
    row = uow.conn.execute(
        _PICKS.add_columns(allocations.c.pick_list_id).where(
            allocations.c.tenant_id == uow.tenant_id, allocations.c.id == task_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no pick task {task_id}")
    return TaskRow(_pick(row), row.fulfilment_id, row.pick_list_id)


def open_tasks_on(uow: UnitOfWork, stock_ids: Iterable[StockId]) -> list[TaskRow]:
    """Open pick tasks on these stock rows (newest last)."""
    wanted = sorted(set(stock_ids))
    if not wanted:
        return []
    rows = uow.conn.execute(
        _PICKS.add_columns(allocations.c.pick_list_id)
        .where(
            allocations.c.tenant_id == uow.tenant_id,
            allocations.c.stock_id.in_(wanted),
            allocations.c.status == "open",
        )
        .order_by(allocations.c.id)
    ).all()
    return [TaskRow(_pick(r), r.fulfilment_id, r.pick_list_id) for r in rows]


def mark_picked(uow: UnitOfWork, task_id: TaskId, picked: int) -> bool:
    """Close an open task with ``picked`` units; False if it was not open any more."""
    result = uow.conn.execute(
        update(allocations)
        .where(
            allocations.c.tenant_id == uow.tenant_id,
            allocations.c.id == task_id,
            allocations.c.status == "open",
        )
        .values(status="picked", picked=picked, picked_at=uow.clock.now())
    )
    return result.rowcount == 1


def release_tasks(uow: UnitOfWork, task_ids: Sequence[TaskId]) -> int:
    if not task_ids:
        return 0
    result = uow.conn.execute(
        update(allocations)
        .where(
            allocations.c.tenant_id == uow.tenant_id,
            allocations.c.id.in_(list(task_ids)),
            allocations.c.status == "open",
        )
        .values(status="released")
    )
    return int(result.rowcount)


def place_tasks(uow: UnitOfWork, pick_list_id: str | None, ordered: Sequence[TaskId]) -> None:
    """Put tasks on a pick list in walking order (or take them off it, with None)."""
    for seq, task_id in enumerate(ordered, start=1):
        uow.conn.execute(
            update(allocations)
            .where(allocations.c.tenant_id == uow.tenant_id, allocations.c.id == task_id)
            .values(pick_list_id=pick_list_id, seq=seq if pick_list_id else None)
        )


def save_fulfilment_status(uow: UnitOfWork, f: Fulfilment, previous: FulfilmentStatus) -> bool:
    result = uow.conn.execute(
        update(fulfilments)
        .where(fulfilments.c.id == f.id, fulfilments.c.status == previous.value)
        .values(status=f.status.value, updated_at=uow.clock.now())
    )
    return result.rowcount == 1


def set_wave(uow: UnitOfWork, fulfilment_ids: Sequence[str], wave_id: str | None) -> None:
    if fulfilment_ids:
        uow.conn.execute(
            update(fulfilments)
            .where(
                fulfilments.c.tenant_id == uow.tenant_id,
                fulfilments.c.id.in_(list(fulfilment_ids)),
            )
            .values(wave_id=wave_id)
        )


def set_consolidation(uow: UnitOfWork, members: Sequence[tuple[str, str]]) -> None:
    """Merge fulfilments into consolidation groups: (fulfilment id, consolidation id)."""
    if members:
        uow.conn.execute(
            update(fulfilments)
            .where(fulfilments.c.id == bindparam("b_id"))
            .values(consolidation_id=bindparam("b_cns")),
            [{"b_id": f, "b_cns": c} for f, c in members],
        )


def set_allocation_status(uow: UnitOfWork, fulfilment_id: str, old: str, new: str) -> None:
    uow.conn.execute(
        update(allocations)
        .where(
            and_(
                allocations.c.tenant_id == uow.tenant_id,
                allocations.c.fulfilment_id == fulfilment_id,
                allocations.c.status == old,
            )
        )
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
                "box_code": p.box,
                "sscc": p.sscc,
            }
            for seq, p in enumerate(items, start=1)
        ],
    )


def list_fulfilments(
    uow: UnitOfWork,
    warehouse_id: WarehouseId | None,
    status: FulfilmentStatus | None,
    limit: int,
    unwaved: bool = False,
) -> list[OrderId]:
    query = select(fulfilments.c.order_id).where(fulfilments.c.tenant_id == uow.tenant_id)
    if warehouse_id is not None:
        query = query.where(fulfilments.c.warehouse_id == warehouse_id)
    if status is not None:
        query = query.where(fulfilments.c.status == status.value)
    if unwaved:
        query = query.where(fulfilments.c.wave_id.is_(None))
    return [
        OrderId(x)
        for x in uow.conn.execute(query.order_by(fulfilments.c.id).limit(limit)).scalars()
    ]


def increase_task(uow: UnitOfWork, task_id: TaskId, quantity: int) -> None:
    """Change an open task's quantity by ``quantity`` (negative: it asks for less)."""
    uow.conn.execute(
        update(allocations)
        .where(
            allocations.c.tenant_id == uow.tenant_id,
            allocations.c.id == task_id,
            allocations.c.status == "open",
        )
        .values(quantity=allocations.c.quantity + quantity)
    )


def append_to_pick_list(uow: UnitOfWork, pick_list_id: str, task_ids: Sequence[TaskId]) -> None:
    """Tasks added to a pick list while it is being worked go at its end."""
    last = uow.conn.execute(
        select(func.coalesce(func.max(allocations.c.seq), 0)).where(
            allocations.c.tenant_id == uow.tenant_id, allocations.c.pick_list_id == pick_list_id
        )
    ).scalar_one()
    for n, task_id in enumerate(task_ids, start=int(last) + 1):
        uow.conn.execute(
            update(allocations)
            .where(allocations.c.tenant_id == uow.tenant_id, allocations.c.id == task_id)
            .values(pick_list_id=pick_list_id, seq=n)
        )
