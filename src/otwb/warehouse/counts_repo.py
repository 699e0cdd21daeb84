"""Reading and writing W's cycle counts, within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from otwb.platform.errors import NotFound
from otwb.platform.ids import LocationId, StockId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.tables import locations, lots, skus, stock
from otwb.warehouse.work_tables import count_lines, count_tasks


@dataclass(frozen=True, slots=True)
class CountLine:
    stock_id: StockId
    sku: str
    lot: str | None
    expected: int
    counted: int

    @property
    def variance(self) -> int:
        return self.counted - self.expected


@dataclass(frozen=True, slots=True)
class CountTask:
    id: str
    warehouse_id: WarehouseId
    location_id: LocationId
    location: str
    reason: str
    status: str
    created_at: datetime
    counted_at: datetime | None
    counted_by: str | None
    decided_by: str | None
    lines: tuple[CountLine, ...]


def _task(uow: UnitOfWork, r: Any) -> CountTask:
    lines = uow.conn.execute(
        select(
            count_lines.c.stock_id,
            skus.c.code.label("sku"),
            lots.c.code.label("lot"),
            count_lines.c.expected,
            count_lines.c.counted,
        )
        .join(stock, stock.c.id == count_lines.c.stock_id)
        .join(skus, skus.c.id == stock.c.sku_id)
        .outerjoin(lots, lots.c.id == stock.c.lot_id)
        .where(count_lines.c.tenant_id == uow.tenant_id, count_lines.c.count_task_id == r.id)
        .order_by(skus.c.code, lots.c.code)
    ).all()
    return CountTask(
        r.id,
        WarehouseId(r.warehouse_id),
        LocationId(r.location_id),
        r.location,
        r.reason,
        r.status,
        r.created_at,
        r.counted_at,
        r.counted_by,
        r.decided_by,
        tuple(CountLine(StockId(x.stock_id), x.sku, x.lot, x.expected, x.counted) for x in lines),
    )


_TASKS = select(count_tasks, locations.c.code.label("location")).join(
    locations, locations.c.id == count_tasks.c.location_id
)


def get_count(uow: UnitOfWork, count_id: str) -> CountTask:
    row = uow.conn.execute(
        _TASKS.where(count_tasks.c.tenant_id == uow.tenant_id, count_tasks.c.id == count_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no cycle count {count_id}")
    return _task(uow, row)


def list_counts(
    uow: UnitOfWork, warehouse_id: WarehouseId | None, status: str | None, limit: int = 500
) -> list[CountTask]:
    query = _TASKS.where(count_tasks.c.tenant_id == uow.tenant_id)
    if warehouse_id is not None:
        query = query.where(count_tasks.c.warehouse_id == warehouse_id)
    if status is not None:
        query = query.where(count_tasks.c.status == status)
    rows = uow.conn.execute(query.order_by(count_tasks.c.id).limit(limit)).all()
    return [_task(uow, r) for r in rows]


def open_count_of(uow: UnitOfWork, location_id: LocationId) -> str | None:
    return uow.conn.execute(
        select(count_tasks.c.id).where(
            count_tasks.c.tenant_id == uow.tenant_id,
            count_tasks.c.location_id == location_id,
            count_tasks.c.status == "open",
        )
    ).scalar()


def insert_counts(
    uow: UnitOfWork, warehouse_id: WarehouseId, items: Sequence[tuple[str, LocationId, str]]
) -> None:
    if items:
        now = uow.clock.now()
        uow.conn.execute(
            insert(count_tasks),
            [
                {
                    "id": count_id,
                    "tenant_id": uow.tenant_id,
                    "warehouse_id": warehouse_id,
                    "location_id": location_id,
                    "reason": reason,
                    "status": "open",
                    "created_at": now,
                }
                for count_id, location_id, reason in items
            ],
        )


def record_lines(uow: UnitOfWork, count_id: str, lines: Sequence[tuple[StockId, int, int]]) -> None:
    if lines:
        uow.conn.execute(
            insert(count_lines),
            [
                {
                    "id": uow.ids.new("cnl"),
                    "tenant_id": uow.tenant_id,
                    "count_task_id": count_id,
                    "stock_id": stock_id,
                    "expected": expected,
                    "counted": counted,
                }
                for stock_id, expected, counted in lines
            ],
        )


def set_status(
    uow: UnitOfWork, count_id: str, old: str, new: str, who: str | None, counted: bool
) -> bool:
    now = uow.clock.now()
    values: dict[str, Any] = {"status": new}
    if counted:
        values.update(counted_at=now, counted_by=who)
    if new in ("approved", "rejected"):
        values.update(decided_at=now, decided_by=who)
    result = uow.conn.execute(
        update(count_tasks)
        .where(
            count_tasks.c.tenant_id == uow.tenant_id,
            count_tasks.c.id == count_id,
            count_tasks.c.status == old,
        )
        .values(**values)
    )
    return result.rowcount == 1


def last_counted(uow: UnitOfWork, warehouse_id: WarehouseId) -> dict[LocationId, datetime]:
    rows = uow.conn.execute(
        select(count_tasks.c.location_id, func.max(count_tasks.c.counted_at))
        .where(
            count_tasks.c.tenant_id == uow.tenant_id,
            count_tasks.c.warehouse_id == warehouse_id,
            count_tasks.c.counted_at.is_not(None),
        )
        .group_by(count_tasks.c.location_id)
    ).all()
    return {LocationId(loc): at for loc, at in rows}


def open_counts(uow: UnitOfWork, warehouse_id: WarehouseId) -> set[LocationId]:
    return {
        LocationId(x)
        for x in uow.conn.execute(
            select(count_tasks.c.location_id).where(
                count_tasks.c.tenant_id == uow.tenant_id,
                count_tasks.c.warehouse_id == warehouse_id,
                count_tasks.c.status == "open",
            )
        ).scalars()
    }
