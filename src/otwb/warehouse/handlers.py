"""How W reacts to orders: allocate each part of what O sourced in the warehouse sourced
(forgetting an earlier allocation of the same order first when O releases it again), release
every part of what is held or cancelled."""

from __future__ import annotations

from collections.abc import Sequence

from otwb.orders.events import OrderCancelled, OrderHeld
from otwb.orders.sourcing_events import OrderSourced, SourcedPart
from otwb.platform.bus import MessageBus
from otwb.platform.geo import GeoPoint
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import fulfilment, reallocation, returns
from otwb.warehouse.fulfilment import AllocationRequest, RequestedLine
from otwb.warehouse.model import FulfilmentStatus


def on_orders_sourced(uow: UnitOfWork, events: Sequence[OrderSourced]) -> None:
    with uow:
        again = [e.order_id for e in events if e.release_reason != "placed"]
        if again:  # allocated before, maybe
            free = reallocation.withdraw(uow, again)
            events = [e for e in events if e.release_reason == "placed" or e.order_id in free]
        fulfilment.allocate_orders(uow, [_request(e, part) for e in events for part in e.parts])
        uow.commit()


def on_order_held(uow: UnitOfWork, e: OrderHeld) -> None:
    reallocation.release_held(uow, e.order_id)


def _request(e: OrderSourced, part: SourcedPart) -> AllocationRequest:
    to = e.ship_to
    return AllocationRequest(
        order_id=e.order_id,
        customer_id=e.customer_id,
        lines=[RequestedLine(x.line_id, x.sku, x.quantity) for x in part.lines],
        warehouse_id=part.warehouse_id,
        whole_order=len(e.parts) == 1,
        ship_to_name=to.name,
        ship_to_address=f"{to.street}, {to.postcode} {to.city}, {to.country}",
        ship_to=GeoPoint(to.lat, to.lon),
        service_level=e.service_level,
        window_start=e.window_start,
        window_end=e.window_end,
        partial=e.partial,
    )


def on_order_cancelled(uow: UnitOfWork, e: OrderCancelled) -> None:
    with uow:  # every part, in one transaction; none: never allocated
        for warehouse_id in fulfilment.parts(uow, e.order_id):
            part = fulfilment.get_fulfilment(uow, e.order_id, warehouse_id)
            if part.status is not FulfilmentStatus.RELEASED:  # (a held order's is already)
                fulfilment.release_order(uow, e.order_id, warehouse_id)
        uow.commit()


def register(bus: MessageBus) -> None:
    bus.subscribe_batch(OrderSourced, "warehouse.allocate", on_orders_sourced)
    bus.subscribe(OrderHeld, "warehouse.hold", on_order_held)
    returns.register(bus)
    bus.subscribe(OrderCancelled, "warehouse.release", on_order_cancelled)
