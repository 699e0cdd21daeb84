"""When O sources orders: as a batch, on the orders released to the warehouse (at capture, after
a hold, an amendment, or when back-orders are retried)."""

from __future__ import annotations

from collections.abc import Sequence

from otwb.orders.events import OrderReleased
from otwb.orders.sourcing_service import Release, order_from_released, source_orders
from otwb.platform.bus import MessageBus
from otwb.platform.uow import UnitOfWork


def on_orders_released(uow: UnitOfWork, events: Sequence[OrderReleased]) -> None:
    source_orders(
        uow,
        [order_from_released(e) for e in events],
        {e.order_id: Release(e.reason, e.partial) for e in events},
    )


def register(bus: MessageBus) -> None:
    bus.subscribe_batch(OrderReleased, "orders.source", on_orders_released)
