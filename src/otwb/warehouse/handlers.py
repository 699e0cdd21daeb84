"""How W reacts to orders: allocate each part of what O sourced in the warehouse sourced,
release every part of what is cancelled."""

from __future__ import annotations

from collections.abc import Sequence

from otwb.orders.events import OrderCancelled
from otwb.orders.sourcing_events import OrderSourced, SourcedPart
from otwb.platform.bus import MessageBus
from otwb.platform.geo import GeoPoint
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import fulfilment
from otwb.warehouse.fulfilment import AllocationRequest, RequestedLine


def on_orders_sourced(uow: UnitOfWork, events: Sequence[OrderSourced]) -> None:
    fulfilment.allocate_orders(uow, [_request(e, part) for e in events for part in e.parts])


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
    )


def on_order_cancelled(uow: UnitOfWork, e: OrderCancelled) -> None:
    with uow:  # every part, in one transaction
        for warehouse_id in fulfilment.parts(uow, e.order_id):  # none: never allocated
            fulfilment.release_order(uow, e.order_id, warehouse_id)
        uow.commit()


def register(bus: MessageBus) -> None:
    bus.subscribe_batch(OrderSourced, "warehouse.allocate", on_orders_sourced)
    bus.subscribe(OrderCancelled, "warehouse.release", on_order_cancelled)
