"""How W reacts to orders: allocate what O releases to it (forgetting an earlier allocation of
the same order first), release what is held or cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress

from otwb.orders.events import OrderCancelled, OrderHeld, OrderReleased
from otwb.platform.bus import MessageBus
from otwb.platform.errors import NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import fulfilment, reallocation
from otwb.warehouse.fulfilment import AllocationRequest, RequestedLine
from otwb.warehouse.model import FulfilmentStatus


def on_orders_released(uow: UnitOfWork, events: Sequence[OrderReleased]) -> None:
    with uow:
        if any(e.reason != "placed" for e in events):  # allocated before, maybe
            free = reallocation.withdraw(uow, [e.order_id for e in events])
            events = [e for e in events if e.order_id in free]
        fulfilment.allocate_orders(uow, [_request(e) for e in events])
        uow.commit()


def on_order_held(uow: UnitOfWork, e: OrderHeld) -> None:
    reallocation.release_held(uow, e.order_id)


def _request(e: OrderReleased) -> AllocationRequest:
    to = e.ship_to
    return AllocationRequest(
        order_id=e.order_id,
        customer_id=e.customer_id,
        lines=[RequestedLine(x.line_id, x.sku, x.quantity) for x in e.lines],
        ship_to_name=to.name,
        ship_to_address=f"{to.street}, {to.postcode} {to.city}, {to.country}",
        ship_to=GeoPoint(to.lat, to.lon),
        service_level=e.service_level,
        window_start=e.window_start,
        window_end=e.window_end,
        partial=e.partial,
    )


def on_order_cancelled(uow: UnitOfWork, e: OrderCancelled) -> None:
    with uow, suppress(NotFound):  # never allocated: nothing to release
        if fulfilment.get_fulfilment(uow, e.order_id).status is not FulfilmentStatus.RELEASED:
            fulfilment.release_order(uow, e.order_id)  # (a held order's is released already)
        uow.commit()


def register(bus: MessageBus) -> None:
    bus.subscribe_batch(OrderReleased, "warehouse.allocate", on_orders_released)
    bus.subscribe(OrderHeld, "warehouse.hold", on_order_held)
    bus.subscribe(OrderCancelled, "warehouse.release", on_order_cancelled)
