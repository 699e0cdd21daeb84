"""How W reacts to orders: allocate what is placed, release what is cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress

from otwb.orders.events import OrderCancelled, OrderPlaced
from otwb.platform.bus import MessageBus
from otwb.platform.errors import NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import fulfilment, returns
from otwb.warehouse.fulfilment import AllocationRequest, RequestedLine


def on_orders_placed(uow: UnitOfWork, events: Sequence[OrderPlaced]) -> None:
    fulfilment.allocate_orders(uow, [_request(e) for e in events])


def _request(e: OrderPlaced) -> AllocationRequest:
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
    )


def on_order_cancelled(uow: UnitOfWork, e: OrderCancelled) -> None:
    with suppress(NotFound):  # never allocated: nothing to release
        fulfilment.release_order(uow, e.order_id)


def register(bus: MessageBus) -> None:
    returns.register(bus)
    bus.subscribe_batch(OrderPlaced, "warehouse.allocate", on_orders_placed)
    bus.subscribe(OrderCancelled, "warehouse.release", on_order_cancelled)
