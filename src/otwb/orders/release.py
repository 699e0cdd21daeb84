"""The one moment an order goes to the warehouse, and the payloads O's events share.

Every path that sends an order to W -- capture with nothing holding it, a hold released, an
amendment, back-orders retried when stock arrives -- calls ``release_to_warehouse``, which
publishes ``OrderReleased``; W allocates on that event and nothing else. (Sourcing hooks in
here: it decides *where* the released order is served.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from otwb.orders.events import OrderReleased, PlacedLine, ShipToPayload
from otwb.orders.model import Address, Order, OrderLine
from otwb.platform.ids import OrderId
from otwb.platform.uow import UnitOfWork


def ship_to_payload(addr: Address) -> ShipToPayload:
    return ShipToPayload(
        name=addr.name,
        street=addr.street,
        city=addr.city,
        postcode=addr.postcode,
        country=addr.country,
        lat=addr.point.lat,
        lon=addr.point.lon,
    )


def line_payloads(lines: Sequence[OrderLine]) -> tuple[PlacedLine, ...]:
    return tuple(
        PlacedLine(line_id=x.id, line_no=x.line_no, sku=x.sku, quantity=x.quantity) for x in lines
    )


def release_to_warehouse(
    uow: UnitOfWork,
    orders: Sequence[Order],
    reason: str,
    *,
    partial: bool = False,
    payloads: Mapping[OrderId, tuple[ShipToPayload, tuple[PlacedLine, ...]]] | None = None,
) -> None:
    """Send these orders (in this order: it is the warehouse's FIFO) to the warehouse, in the
    caller's transaction. (``payloads``: the address and lines already built, at capture.)"""
    for order in orders:
        ship_to, lines = (
            payloads[order.id]
            if payloads is not None
            else (ship_to_payload(order.ship_to), line_payloads(order.lines))
        )
        uow.record(
            OrderReleased(
                order_id=order.id,
                customer_id=order.customer_id,
                ship_to=ship_to,
                lines=lines,
                service_level=order.service_level.value,
                window_start=order.window.start if order.window else None,
                window_end=order.window.end if order.window else None,
                placed_at=order.placed_at,
                reason=reason,
                partial=partial,
            )
        )
