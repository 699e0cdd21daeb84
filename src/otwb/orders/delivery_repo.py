"""Reading and writing delivery slots, pickup points and each order's delivery options
(SQLAlchemy Core), always within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from otwb.orders.delivery_options import (
    DeliveryMethod,
    DeliveryOptions,
    DeliverySlot,
    PickupKind,
    PickupPoint,
)
from otwb.orders.promise_tables import delivery_slots, order_delivery_options, pickup_points
from otwb.platform.bulk import RowWriter
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import OrderId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow


# -- slots ------------------------------------------------------------------------------------
def _slot(r: Any) -> DeliverySlot:
    return DeliverySlot(
        r.id, r.warehouse_id, DeliveryWindow(r.starts_at, r.ends_at), r.capacity, r.booked
    )


def insert_slots(uow: UnitOfWork, slots: Sequence[DeliverySlot]) -> None:
    uow.conn.execute(
        insert(delivery_slots),
        [
            {
                "id": s.id,
                "tenant_id": uow.tenant_id,
                "warehouse_id": s.warehouse_id,
                "starts_at": s.window.start,
                "ends_at": s.window.end,
                "capacity": s.capacity,
                "booked": s.booked,
            }
            for s in slots
        ],
    )


def slot_starts(uow: UnitOfWork, warehouse_id: WarehouseId) -> set[datetime]:
    rows = uow.conn.execute(
        select(delivery_slots.c.starts_at).where(
            delivery_slots.c.tenant_id == uow.tenant_id,
            delivery_slots.c.warehouse_id == warehouse_id,
        )
    )
    return {r.starts_at for r in rows}


def list_slots(
    uow: UnitOfWork, warehouse_id: WarehouseId | None, since: datetime, until: datetime
) -> list[DeliverySlot]:
    q = select(delivery_slots).where(
        delivery_slots.c.tenant_id == uow.tenant_id,
        delivery_slots.c.starts_at >= since,
        delivery_slots.c.starts_at < until,
    )
    if warehouse_id is not None:
        q = q.where(delivery_slots.c.warehouse_id == warehouse_id)
    rows = uow.conn.execute(q.order_by(delivery_slots.c.starts_at, delivery_slots.c.warehouse_id))
    return [_slot(r) for r in rows]


def find_slot(uow: UnitOfWork, slot_id: str) -> DeliverySlot | None:
    row = uow.conn.execute(
        select(delivery_slots).where(
            delivery_slots.c.tenant_id == uow.tenant_id, delivery_slots.c.id == slot_id
        )
    ).first()
    return None if row is None else _slot(row)


def take_place(uow: UnitOfWork, slot_id: str) -> bool:
    """Book one place in the slot if one is free (a conditional UPDATE: never overbooked, even
    by concurrent bookings; the CHECK guards it as well)."""
    result = uow.conn.execute(
        update(delivery_slots)
        .where(
            delivery_slots.c.tenant_id == uow.tenant_id,
            delivery_slots.c.id == slot_id,
            delivery_slots.c.booked < delivery_slots.c.capacity,
        )
        .values(booked=delivery_slots.c.booked + 1)
    )
    return result.rowcount == 1


# -- pickup points ----------------------------------------------------------------------------
def _point(r: Any) -> PickupPoint:
    return PickupPoint(
        r.id,
        r.code,
        r.name,
        PickupKind(r.kind),
        r.street,
        r.city,
        r.postcode,
        r.country,
        GeoPoint(r.lat, r.lon),
        r.active,
    )


def save_point(uow: UnitOfWork, p: PickupPoint) -> None:
    uow.conn.execute(
        insert(pickup_points).values(
            id=p.id,
            tenant_id=uow.tenant_id,
            code=p.code,
            name=p.name,
            kind=p.kind.value,
            street=p.street,
            city=p.city,
            postcode=p.postcode,
            country=p.country.upper(),
            lat=p.point.lat,
            lon=p.point.lon,
            active=p.active,
        )
    )


def set_point_active(uow: UnitOfWork, code: str, active: bool) -> bool:
    result = uow.conn.execute(
        update(pickup_points)
        .where(pickup_points.c.tenant_id == uow.tenant_id, pickup_points.c.code == code)
        .values(active=active)
    )
    return result.rowcount == 1


def find_point(
    uow: UnitOfWork, *, code: str | None = None, id: str | None = None
) -> PickupPoint | None:
    q = select(pickup_points).where(pickup_points.c.tenant_id == uow.tenant_id)
    q = (
        q.where(pickup_points.c.code == code)
        if code is not None
        else q.where(pickup_points.c.id == id)
    )
    row = uow.conn.execute(q).first()
    return None if row is None else _point(row)


def list_points(uow: UnitOfWork, active_only: bool) -> list[PickupPoint]:
    q = select(pickup_points).where(pickup_points.c.tenant_id == uow.tenant_id)
    if active_only:
        q = q.where(pickup_points.c.active.is_(True))
    return [_point(r) for r in uow.conn.execute(q.order_by(pickup_points.c.code))]


# -- each order's options ---------------------------------------------------------------------
_INSERT_OPTIONS = RowWriter.insert(
    order_delivery_options,
    [
        "order_id", "tenant_id", "method", "slot_id", "pickup_point_id", "pickup_code",
        "installation", "cod_amount", "cod_currency", "tracking_token", "chosen_at",
    ],
)  # fmt: skip


def insert_options(uow: UnitOfWork, chosen: Sequence[DeliveryOptions]) -> None:
    """Store each order's delivery options (one statement for the lot)."""
    tenant = uow.tenant_id
    rows = []
    for o in chosen:
        cod = o.cash_on_delivery
        rows.append(
            (
                o.order_id, tenant, o.method.value, o.slot_id,
                o.pickup_point.id if o.pickup_point else None, o.pickup_code, o.installation,
                cod.amount if cod else None, cod.currency if cod else None, o.tracking_token,
                o.chosen_at,
            )
        )  # fmt: skip
    _INSERT_OPTIONS.execute(uow.conn, rows)


def _options(uow: UnitOfWork, r: Any) -> DeliveryOptions:
    slot = find_slot(uow, r.slot_id) if r.slot_id else None
    return DeliveryOptions(
        order_id=r.order_id,
        method=DeliveryMethod(r.method),
        slot=slot.window if slot else None,
        slot_id=r.slot_id,
        pickup_point=find_point(uow, id=r.pickup_point_id) if r.pickup_point_id else None,
        pickup_code=r.pickup_code,
        installation=r.installation,
        cash_on_delivery=Money(r.cod_amount, r.cod_currency) if r.cod_amount is not None else None,
        tracking_token=r.tracking_token,
        chosen_at=r.chosen_at,
    )


def options_of(uow: UnitOfWork, order_id: OrderId) -> DeliveryOptions | None:
    row = uow.conn.execute(
        select(order_delivery_options).where(
            order_delivery_options.c.tenant_id == uow.tenant_id,
            order_delivery_options.c.order_id == order_id,
        )
    ).first()
    return None if row is None else _options(uow, row)


def orders_with_options(uow: UnitOfWork, order_ids: Sequence[OrderId]) -> set[OrderId]:
    if not order_ids:
        return set()
    rows = uow.conn.execute(
        select(order_delivery_options.c.order_id).where(
            order_delivery_options.c.tenant_id == uow.tenant_id,
            order_delivery_options.c.order_id.in_(list(order_ids)),
        )
    )
    return {OrderId(r.order_id) for r in rows}


def set_tracking_number(uow: UnitOfWork, order_id: OrderId, number: str) -> None:
    uow.conn.execute(
        update(order_delivery_options)
        .where(
            order_delivery_options.c.tenant_id == uow.tenant_id,
            order_delivery_options.c.order_id == order_id,
        )
        .values(tracking_number=number)
    )


def order_by_tracking_number(uow: UnitOfWork, number: str) -> OrderId | None:
    found = uow.conn.execute(
        select(order_delivery_options.c.order_id).where(
            order_delivery_options.c.tenant_id == uow.tenant_id,
            order_delivery_options.c.tracking_number == number,
        )
    ).first()
    return None if found is None else OrderId(found.order_id)


def tracking_number_of(uow: UnitOfWork, order_id: OrderId) -> str | None:
    return uow.conn.execute(
        select(order_delivery_options.c.tracking_number).where(
            order_delivery_options.c.tenant_id == uow.tenant_id,
            order_delivery_options.c.order_id == order_id,
        )
    ).scalar_one_or_none()
