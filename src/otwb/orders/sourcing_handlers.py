"""When O sources orders: as a batch, on the orders placed (the moment they are released to the
warehouse)."""

from __future__ import annotations

from collections.abc import Sequence

from otwb.orders.events import OrderPlaced
from otwb.orders.sourcing_service import order_from_placed, source_orders
from otwb.platform.bus import MessageBus
from otwb.platform.uow import UnitOfWork


def on_orders_placed(uow: UnitOfWork, events: Sequence[OrderPlaced]) -> None:
    source_orders(uow, [order_from_placed(e) for e in events])


def register(bus: MessageBus) -> None:
    bus.subscribe_batch(OrderPlaced, "orders.source", on_orders_placed)
