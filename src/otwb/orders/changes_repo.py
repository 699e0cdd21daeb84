"""Writing changes to an order (hold, release, amend, cancel) and its back-orders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from otwb.orders.model import Backorder, Order, OrderStatus
from otwb.orders.tables import order_backorders, order_lines, orders
from otwb.platform.errors import Conflict
from otwb.platform.ids import CustomerId, OrderId
from otwb.platform.uow import UnitOfWork


def save_order(uow: UnitOfWork, previous: OrderStatus, order: Order, at: datetime) -> None:
    """Write the order's status, hold and address, only if its status is still ``previous``."""
    addr = order.ship_to
    result = uow.conn.execute(
        update(orders)
        .where(
            orders.c.tenant_id == uow.tenant_id,
            orders.c.id == order.id,
            orders.c.status == previous.value,
        )
        .values(
            status=order.status.value,
            hold_reason=order.hold_reason,
            ship_to_name=addr.name,
            ship_to_street=addr.street,
            ship_to_city=addr.city,
            ship_to_postcode=addr.postcode,
            ship_to_country=addr.country,
            ship_to_lat=addr.point.lat,
            ship_to_lon=addr.point.lon,
            updated_at=at,
        )
    )
    if result.rowcount != 1:
        raise Conflict(f"order {order.id} changed while this request ran; try again")


def replace_lines(uow: UnitOfWork, order: Order) -> None:
    """The order's lines become ``order.lines`` (its back-orders are forgotten with them)."""
    clear_backorders(uow, [order.id])
    uow.conn.execute(
        delete(order_lines).where(
            order_lines.c.tenant_id == uow.tenant_id, order_lines.c.order_id == order.id
        )
    )
    uow.conn.execute(
        insert(order_lines),
        [
            {
                "id": x.id,
                "tenant_id": uow.tenant_id,
                "order_id": order.id,
                "line_no": x.line_no,
                "sku": x.sku,
                "quantity": x.quantity,
            }
            for x in order.lines
        ],
    )


def clear_backorders(uow: UnitOfWork, order_ids: Iterable[OrderId]) -> None:
    ids = sorted(set(order_ids))
    if ids:
        uow.conn.execute(
            delete(order_backorders).where(
                order_backorders.c.tenant_id == uow.tenant_id,
                order_backorders.c.order_id.in_(ids),
            )
        )


def add_backorders(uow: UnitOfWork, items: Sequence[tuple[OrderId, datetime, Backorder]]) -> None:
    """Record what is back-ordered, per line (replacing what was recorded for that line)."""
    if not items:
        return
    uow.conn.execute(
        delete(order_backorders).where(
            order_backorders.c.tenant_id == uow.tenant_id,
            order_backorders.c.line_id.in_(sorted({b.line_id for _, _, b in items})),
        )
    )
    uow.conn.execute(
        insert(order_backorders),
        [
            {
                "tenant_id": uow.tenant_id,
                "order_id": order_id,
                "line_id": b.line_id,
                "sku": b.sku,
                "quantity": b.quantity,
                "placed_at": placed_at,
                "since": b.since,
            }
            for order_id, placed_at, b in items
        ],
    )


def waiting_for(uow: UnitOfWork, skus: Iterable[str], limit: int) -> list[OrderId]:
    """Orders with back-orders of these SKUs, oldest order first (FIFO by placing time)."""
    rows = uow.conn.execute(
        select(order_backorders.c.order_id, order_backorders.c.placed_at)
        .where(
            order_backorders.c.tenant_id == uow.tenant_id,
            order_backorders.c.sku.in_(sorted(set(skus))),
        )
        .distinct()
        .order_by(order_backorders.c.placed_at, order_backorders.c.order_id)
        .limit(limit)
    )
    return [OrderId(r.order_id) for r in rows]


def held_for(uow: UnitOfWork, customer_id: CustomerId, reason: str) -> list[OrderId]:
    """The customer's orders on hold for this reason, oldest first."""
    rows = uow.conn.execute(
        select(orders.c.id)
        .where(
            orders.c.tenant_id == uow.tenant_id,
            orders.c.customer_id == customer_id,
            orders.c.status == OrderStatus.ON_HOLD.value,
            orders.c.hold_reason == reason,
        )
        .order_by(orders.c.placed_at, orders.c.id)
    )
    return [OrderId(r.id) for r in rows]
