"""Reading and writing W's waves and pick lists, within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from otwb.platform.errors import NotFound
from otwb.platform.ids import WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.tables import allocations, fulfilments, locations, lots, skus, stock, zones
from otwb.warehouse.work_tables import pick_lists, waves

_PLACE = (
    update(allocations)
    .where(allocations.c.tenant_id == bindparam("b_tenant"), allocations.c.id == bindparam("b_id"))
    .values(pick_list_id=bindparam("b_list"), seq=bindparam("b_seq"))
)


@dataclass(frozen=True, slots=True)
class Wave:
    id: str
    warehouse_id: WarehouseId
    carrier: str | None
    route: str | None
    cut_off: datetime | None
    status: str
    created_at: datetime
    released_at: datetime | None


@dataclass(frozen=True, slots=True)
class PickList:
    id: str
    wave_id: str
    zone_id: str
    zone: str
    seq: int
    picker: str | None
    orders: int
    stops: int
    s_shape_m: float
    optimised_m: float


def _wave(r: Any) -> Wave:
    return Wave(
        r.id,
        WarehouseId(r.warehouse_id),
        r.carrier,
        r.route,
        r.cut_off,
        r.status,
        r.created_at,
        r.released_at,
    )


def insert_wave(uow: UnitOfWork, wave: Wave) -> None:
    uow.conn.execute(
        insert(waves).values(
            id=wave.id,
            tenant_id=uow.tenant_id,
            warehouse_id=wave.warehouse_id,
            carrier=wave.carrier,
            route=wave.route,
            cut_off=wave.cut_off,
            status=wave.status,
            created_at=wave.created_at,
        )
    )


def insert_pick_lists(uow: UnitOfWork, items: Sequence[PickList]) -> None:
    if items:
        uow.conn.execute(
            insert(pick_lists),
            [
                {
                    "id": p.id,
                    "tenant_id": uow.tenant_id,
                    "wave_id": p.wave_id,
                    "zone_id": p.zone_id,
                    "seq": p.seq,
                    "picker": p.picker,
                    "orders": p.orders,
                    "stops": p.stops,
                    "s_shape_m": p.s_shape_m,
                    "optimised_m": p.optimised_m,
                }
                for p in items
            ],
        )


def place_tasks(uow: UnitOfWork, placed: Sequence[tuple[str, str | None, int | None]]) -> None:
    """(task, pick list, seq) for each task: on a list in walking order, or off any list."""
    if placed:
        uow.conn.execute(
            _PLACE,
            [
                {"b_tenant": uow.tenant_id, "b_id": t, "b_list": pl, "b_seq": seq}
                for t, pl, seq in placed
            ],
        )


def get_wave(uow: UnitOfWork, wave_id: str) -> Wave:
    row = uow.conn.execute(
        select(waves).where(waves.c.tenant_id == uow.tenant_id, waves.c.id == wave_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no wave {wave_id}")
    return _wave(row)


def list_waves(
    uow: UnitOfWork, warehouse_id: WarehouseId | None, status: str | None, limit: int = 200
) -> list[Wave]:
    query = select(waves).where(waves.c.tenant_id == uow.tenant_id)
    if warehouse_id is not None:
        query = query.where(waves.c.warehouse_id == warehouse_id)
    if status is not None:
        query = query.where(waves.c.status == status)
    return [_wave(r) for r in uow.conn.execute(query.order_by(waves.c.id).limit(limit)).all()]


def set_wave_status(uow: UnitOfWork, wave_id: str, old: str, new: str) -> bool:
    values: dict[str, Any] = {"status": new}
    if new == "released":
        values["released_at"] = uow.clock.now()
    result = uow.conn.execute(
        update(waves)
        .where(waves.c.tenant_id == uow.tenant_id, waves.c.id == wave_id, waves.c.status == old)
        .values(**values)
    )
    return result.rowcount == 1


_LIST = select(pick_lists, zones.c.code.label("zone")).join(
    zones, zones.c.id == pick_lists.c.zone_id
)


def _list(r: Any) -> PickList:
    return PickList(
        r.id,
        r.wave_id,
        r.zone_id,
        r.zone,
        r.seq,
        r.picker,
        r.orders,
        r.stops,
        r.s_shape_m,
        r.optimised_m,
    )


def pick_lists_of(uow: UnitOfWork, wave_id: str) -> list[PickList]:
    rows = uow.conn.execute(
        _LIST.where(
            pick_lists.c.tenant_id == uow.tenant_id, pick_lists.c.wave_id == wave_id
        ).order_by(pick_lists.c.seq)
    ).all()
    return [_list(r) for r in rows]


def get_pick_list(uow: UnitOfWork, pick_list_id: str) -> PickList:
    row = uow.conn.execute(
        _LIST.where(pick_lists.c.tenant_id == uow.tenant_id, pick_lists.c.id == pick_list_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no pick list {pick_list_id}")
    return _list(row)


def pick_list_tasks(uow: UnitOfWork, pick_list_id: str) -> list[Any]:
    """The list's tasks in walking order, with what the picker reads: bin, SKU, lot, order."""
    return list(
        uow.conn.execute(
            select(
                allocations.c.id,
                allocations.c.seq,
                allocations.c.quantity,
                allocations.c.status,
                allocations.c.picked,
                allocations.c.order_line_id,
                fulfilments.c.order_id,
                fulfilments.c.consolidation_id,
                stock.c.location_id,
                locations.c.code.label("location"),
                skus.c.code.label("sku"),
                lots.c.code.label("lot"),
                lots.c.expires_on,
            )
            .join(fulfilments, fulfilments.c.id == allocations.c.fulfilment_id)
            .join(stock, stock.c.id == allocations.c.stock_id)
            .join(locations, locations.c.id == stock.c.location_id)
            .join(skus, skus.c.id == stock.c.sku_id)
            .outerjoin(lots, lots.c.id == stock.c.lot_id)
            .where(
                allocations.c.tenant_id == uow.tenant_id,
                allocations.c.pick_list_id == pick_list_id,
            )
            .order_by(allocations.c.seq, allocations.c.id)
        ).all()
    )


def waveable(
    uow: UnitOfWork, warehouse_id: WarehouseId, cut_off_before: datetime | None
) -> list[Any]:
    """Open tasks of the warehouse's allocated orders not yet in a wave, with their bin."""
    query = (
        select(
            allocations.c.id.label("task_id"),
            allocations.c.fulfilment_id,
            stock.c.location_id,
            fulfilments.c.order_id,
            fulfilments.c.carrier,
            fulfilments.c.route,
            fulfilments.c.cut_off,
            fulfilments.c.customer_id,
            fulfilments.c.ship_to_address,
            fulfilments.c.ship_to_lat,
            fulfilments.c.ship_to_lon,
        )
        .join(fulfilments, fulfilments.c.id == allocations.c.fulfilment_id)
        .join(stock, stock.c.id == allocations.c.stock_id)
        .where(
            allocations.c.tenant_id == uow.tenant_id,
            allocations.c.status == "open",
            fulfilments.c.warehouse_id == warehouse_id,
            fulfilments.c.status == "allocated",
            fulfilments.c.wave_id.is_(None),
        )
        .order_by(allocations.c.id)
    )
    if cut_off_before is not None:
        query = query.where(fulfilments.c.cut_off <= cut_off_before)
    return list(uow.conn.execute(query).all())


def tasks_of_wave(uow: UnitOfWork, wave_id: str) -> list[Any]:
    return list(
        uow.conn.execute(
            select(allocations.c.id, allocations.c.status, allocations.c.fulfilment_id)
            .join(pick_lists, pick_lists.c.id == allocations.c.pick_list_id)
            .where(allocations.c.tenant_id == uow.tenant_id, pick_lists.c.wave_id == wave_id)
        ).all()
    )


def wave_status_of_list(uow: UnitOfWork, pick_list_id: str) -> str:
    return str(
        uow.conn.execute(
            select(waves.c.status)
            .join(pick_lists, pick_lists.c.wave_id == waves.c.id)
            .where(pick_lists.c.tenant_id == uow.tenant_id, pick_lists.c.id == pick_list_id)
        ).scalar_one()
    )
