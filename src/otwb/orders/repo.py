"""Reading and writing O's records (SQLAlchemy Core), always within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from otwb.orders.model import (
    Address,
    Backorder,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    ServiceLevel,
    TimelineEntry,
)
from otwb.orders.tables import customers, order_backorders, order_lines, order_timeline, orders
from otwb.platform.bulk import RowWriter
from otwb.platform.errors import Conflict, NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, TenantId
from otwb.platform.sqllist import any_of
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow

# Hot-path statements, built once (their compiled form and cache key are reused).
_CUSTOMER = select(customers).where(
    customers.c.tenant_id == bindparam("b_tenant"), customers.c.id == bindparam("b_id")
)
_KNOWN_CUSTOMERS = select(customers.c.id).where(
    customers.c.tenant_id == bindparam("b_tenant"),
    any_of(customers.c.id, "b_ids"),
)
_INSERT_ORDER = RowWriter.insert(
    orders,
    [
        "id", "tenant_id", "customer_id", "reference", "channel", "hold_reason", "status",
        "service_level", "ship_to_name", "ship_to_street", "ship_to_city", "ship_to_postcode",
        "ship_to_country", "ship_to_lat", "ship_to_lon", "window_start", "window_end",
        "placed_at", "updated_at",
    ],
)  # fmt: skip
_INSERT_LINES = RowWriter.insert(
    order_lines, ["id", "tenant_id", "order_id", "line_no", "sku", "quantity"]
)
_INSERT_TIMELINE = RowWriter.insert(
    order_timeline, ["tenant_id", "order_id", "at", "kind", "detail"]
)
_STATUS = select(orders.c.status).where(
    orders.c.tenant_id == bindparam("b_tenant"), orders.c.id == bindparam("b_id")
)
_LOCK_STATUSES = (
    select(orders.c.id, orders.c.status)
    .where(
        orders.c.tenant_id == bindparam("b_tenant"),
        any_of(orders.c.id, "b_ids"),
    )
    .order_by(orders.c.id)
    .with_for_update()
)
_SET_STATUS = RowWriter(
    update(orders)
    .where(orders.c.id == bindparam("b_id"))
    .values(status=bindparam("b_to"), updated_at=bindparam("b_at")),
    ["b_id", "b_to", "b_at"],
    key="b_id",
)
_SAVE_STATUS = (
    update(orders)
    .where(
        orders.c.tenant_id == bindparam("b_tenant"),
        orders.c.id == bindparam("b_id"),
        orders.c.status == bindparam("b_from"),
    )
    .values(status=bindparam("b_to"), updated_at=bindparam("b_at"))
)


def insert_customer(uow: UnitOfWork, customer: Customer) -> None:
    uow.conn.execute(
        insert(customers).values(
            id=customer.id,
            tenant_id=uow.tenant_id,
            code=customer.code,
            name=customer.name,
            created_at=uow.clock.now(),
        )
    )


def _customer(row: Any) -> Customer:
    return Customer(CustomerId(row.id), row.code, row.name, bool(row.credit_hold))


def find_customer(uow: UnitOfWork, customer_id: CustomerId) -> Customer | None:
    row = uow.conn.execute(
        _CUSTOMER, {"b_tenant": uow.tenant_id, "b_id": customer_id}
    ).one_or_none()
    return None if row is None else _customer(row)


def known_customers(uow: UnitOfWork, ids: Sequence[CustomerId]) -> set[CustomerId]:
    rows = uow.conn.execute(
        _KNOWN_CUSTOMERS, {"b_tenant": uow.tenant_id, "b_ids": sorted(set(ids))}
    )
    return {CustomerId(r.id) for r in rows}


def find_customer_by_code(uow: UnitOfWork, code: str) -> Customer | None:
    row = uow.conn.execute(
        select(customers).where(customers.c.tenant_id == uow.tenant_id, customers.c.code == code)
    ).one_or_none()
    return None if row is None else _customer(row)


def list_customers(uow: UnitOfWork) -> list[Customer]:
    rows = uow.conn.execute(
        select(customers).where(customers.c.tenant_id == uow.tenant_id).order_by(customers.c.code)
    ).all()
    return [_customer(r) for r in rows]


def insert_orders(uow: UnitOfWork, items: Sequence[Order]) -> None:
    tenant = uow.tenant_id
    _INSERT_ORDER.execute(uow.conn, [_order_row(tenant, order) for order in items])
    _INSERT_LINES.execute(
        uow.conn,
        [
            (line.id, tenant, order.id, line.line_no, line.sku, line.quantity)
            for order in items
            for line in order.lines
        ],
    )


def _order_row(tenant: TenantId, order: Order) -> tuple[Any, ...]:
    """The order's row, in ``_INSERT_ORDER``'s column order."""
    addr = order.ship_to
    window = order.window
    return (
        order.id, tenant, order.customer_id, order.reference, order.channel, order.hold_reason,
        order.status.value, order.service_level.value, addr.name, addr.street, addr.city,
        addr.postcode, addr.country, addr.point.lat, addr.point.lon,
        window.start if window else None, window.end if window else None,
        order.placed_at, order.placed_at,
    )  # fmt: skip


def get_order(
    uow: UnitOfWork, order_id: OrderId, *, with_timeline: bool = False, lock: bool = False
) -> Order:
    """The order, its lines and back-orders (and timeline); ``lock``: its row locked until the
    transaction ends (a change to the order)."""
    query = select(orders).where(orders.c.tenant_id == uow.tenant_id, orders.c.id == order_id)
    row = uow.conn.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"no order {order_id}")
    lines = uow.conn.execute(
        select(order_lines)
        .where(order_lines.c.tenant_id == uow.tenant_id, order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    ).all()
    timeline: tuple[TimelineEntry, ...] = ()
    if with_timeline:
        entries = uow.conn.execute(
            select(order_timeline.c.at, order_timeline.c.kind, order_timeline.c.detail)
            .where(
                order_timeline.c.tenant_id == uow.tenant_id, order_timeline.c.order_id == order_id
            )
            .order_by(order_timeline.c.id)
        ).all()
        timeline = tuple(TimelineEntry(e.at, e.kind, e.detail) for e in entries)
    backorders = _backorders_of(uow, [order_id]).get(order_id, ())
    return _order(row, lines, timeline, backorders)


def _order(
    row: Any,
    lines: Sequence[Any],
    timeline: tuple[TimelineEntry, ...],
    backorders: tuple[Backorder, ...] = (),
) -> Order:
    window = (
        DeliveryWindow(row.window_start, row.window_end) if row.window_start is not None else None
    )
    return Order(
        id=OrderId(row.id),
        customer_id=CustomerId(row.customer_id),
        reference=row.reference,
        ship_to=Address(
            row.ship_to_name,
            row.ship_to_street,
            row.ship_to_city,
            row.ship_to_postcode,
            row.ship_to_country,
            GeoPoint(row.ship_to_lat, row.ship_to_lon),
        ),
        lines=tuple(OrderLine(OrderLineId(x.id), x.line_no, x.sku, x.quantity) for x in lines),
        service_level=ServiceLevel(row.service_level),
        window=window,
        status=OrderStatus(row.status),
        placed_at=row.placed_at,
        timeline=timeline,
        channel=row.channel,
        hold_reason=row.hold_reason,
        backorders=backorders,
    )


def list_orders(
    uow: UnitOfWork, status: OrderStatus | None, limit: int, offset: int
) -> list[Order]:
    query = select(orders).where(orders.c.tenant_id == uow.tenant_id)
    if status is not None:
        query = query.where(orders.c.status == status.value)
    rows = uow.conn.execute(query.order_by(orders.c.id).limit(limit).offset(offset)).all()
    if not rows:
        return []
    ids = [OrderId(r.id) for r in rows]
    lines_by_order = _lines_of(uow, ids)
    waiting = _backorders_of(uow, ids)
    return [_order(r, lines_by_order[r.id], (), waiting.get(r.id, ())) for r in rows]


def _backorders_of(
    uow: UnitOfWork, order_ids: Sequence[OrderId]
) -> dict[str, tuple[Backorder, ...]]:
    found: dict[str, list[Backorder]] = {}
    for b in uow.conn.execute(
        select(order_backorders)
        .where(
            order_backorders.c.tenant_id == uow.tenant_id,
            order_backorders.c.order_id.in_(sorted(order_ids)),
        )
        .order_by(order_backorders.c.id)
    ):
        found.setdefault(b.order_id, []).append(
            Backorder(OrderLineId(b.line_id), b.sku, b.quantity, b.since)
        )
    return {k: tuple(v) for k, v in found.items()}


def _lines_of(uow: UnitOfWork, order_ids: Sequence[OrderId]) -> dict[str, list[Any]]:
    lines_by_order: dict[str, list[Any]] = {oid: [] for oid in order_ids}
    for line in uow.conn.execute(
        select(order_lines)
        .where(
            order_lines.c.tenant_id == uow.tenant_id,
            order_lines.c.order_id.in_(sorted(lines_by_order)),
        )
        .order_by(order_lines.c.order_id, order_lines.c.line_no)
    ):
        lines_by_order[line.order_id].append(line)
    return lines_by_order


def lines_of(uow: UnitOfWork, order_ids: Sequence[OrderId]) -> dict[OrderId, list[OrderLine]]:
    """The lines of these orders, by order, in line order."""
    return {
        OrderId(oid): [OrderLine(OrderLineId(x.id), x.line_no, x.sku, x.quantity) for x in lines]
        for oid, lines in _lines_of(uow, order_ids).items()
    }


def placed_at(uow: UnitOfWork, order_ids: Sequence[OrderId]) -> dict[OrderId, datetime]:
    rows = uow.conn.execute(
        select(orders.c.id, orders.c.placed_at).where(
            orders.c.tenant_id == uow.tenant_id, orders.c.id.in_(sorted(set(order_ids)))
        )
    )
    return {OrderId(r.id): r.placed_at for r in rows}


def get_status(uow: UnitOfWork, order_id: OrderId) -> OrderStatus:
    status = uow.conn.execute(
        _STATUS, {"b_tenant": uow.tenant_id, "b_id": order_id}
    ).scalar_one_or_none()
    if status is None:
        raise NotFound(f"no order {order_id}")
    return OrderStatus(status)


def save_status(
    uow: UnitOfWork, order_id: OrderId, previous: OrderStatus, new: OrderStatus, at: datetime
) -> None:
    """Write the new status only if nobody changed it meanwhile (optimistic concurrency)."""
    result = uow.conn.execute(
        _SAVE_STATUS,
        {
            "b_tenant": uow.tenant_id,
            "b_id": order_id,
            "b_from": previous.value,
            "b_to": new.value,
            "b_at": at,
        },
    )
    if result.rowcount != 1:
        raise Conflict(f"order {order_id} changed while this request ran; try again")


def lock_statuses(uow: UnitOfWork, order_ids: Sequence[OrderId]) -> dict[OrderId, OrderStatus]:
    """The statuses of these orders of the tenant, locked until the transaction ends."""
    rows = uow.conn.execute(
        _LOCK_STATUSES, {"b_tenant": uow.tenant_id, "b_ids": sorted(set(order_ids))}
    )
    return {OrderId(r.id): OrderStatus(r.status) for r in rows}


def set_statuses(
    uow: UnitOfWork, changes: Sequence[tuple[OrderId, OrderStatus]], at: datetime
) -> None:
    """Write statuses of orders locked by ``lock_statuses`` (an order named twice: its last)."""
    latest = dict(changes)
    _SET_STATUS.execute(uow.conn, [(oid, to.value, at) for oid, to in latest.items()])


def add_timeline_entries(
    uow: UnitOfWork, entries: Sequence[tuple[OrderId, str, str]], at: datetime
) -> None:
    tenant = uow.tenant_id
    _INSERT_TIMELINE.execute(
        uow.conn, [(tenant, oid, at, kind, detail) for oid, kind, detail in entries]
    )


def add_timeline(uow: UnitOfWork, order_id: OrderId, at: datetime, kind: str, detail: str) -> None:
    add_timeline_entries(uow, [(order_id, kind, detail)], at)


def count_by_status(uow: UnitOfWork) -> dict[str, int]:
    rows = uow.conn.execute(
        select(orders.c.status, func.count())
        .where(orders.c.tenant_id == uow.tenant_id)
        .group_by(orders.c.status)
    ).all()
    return {str(status): int(count) for status, count in rows}
