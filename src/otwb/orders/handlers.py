"""How O follows its orders through W and T: each report moves the order along its life and
lands on its timeline. All are batch handlers: a run of reports is one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from otwb.orders import returns_handlers
from otwb.orders.model import OrderStatus
from otwb.orders.service import Progress, record_progress
from otwb.platform.bus import MessageBus
from otwb.platform.events import Event
from otwb.platform.uow import UnitOfWork
from otwb.transport.events import DeliveryFailed, ShipmentDelivered, ShipmentDispatched
from otwb.warehouse.events import (
    AllocationFailed,
    OrderHandedOver,
    OrderPacked,
    OrderPicked,
    StockAllocated,
)

E = TypeVar("E", bound=Event)


def allocated(e: StockAllocated) -> Progress:
    units = sum(x.quantity for x in e.lines)
    return Progress(
        e.order_id,
        OrderStatus.ALLOCATED,
        "allocated",
        f"{units} unit(s) allocated in {e.warehouse_id}",
    )


def allocation_failed(e: AllocationFailed) -> Progress:
    short = ", ".join(f"{x.sku} {x.available}/{x.requested}" for x in e.short)
    detail = e.reason + (f" (available/requested network-wide: {short})" if short else "")
    return Progress(e.order_id, None, "allocation_failed", detail)


def picked(e: OrderPicked) -> Progress:
    return Progress(e.order_id, OrderStatus.PICKED, "picked", f"{e.units} unit(s) picked")


def packed(e: OrderPacked) -> Progress:
    return Progress(e.order_id, OrderStatus.PACKED, "packed", f"{len(e.parcels)} parcel(s)")


def handed_over(e: OrderHandedOver) -> Progress:
    return Progress(
        e.order_id,
        None,
        "handed_over",
        f"{e.parcel_count} parcel(s), {e.weight_kg:.1f} kg at the dock",
    )


def dispatched(e: ShipmentDispatched) -> Progress:
    if e.route_id is not None:
        by = f"on route {e.route_id}"
    elif e.carrier_id is not None:
        by = f"with carrier {e.carrier_id}"
    else:
        by = "on its way"
    return Progress(
        e.order_id,
        OrderStatus.SHIPPED,
        "shipped",
        f"{by}, tracking {e.tracking_number}, ETA {e.eta.isoformat()}",
    )


def delivered(e: ShipmentDelivered) -> Progress:
    late = "" if e.on_time else " (late)"
    return Progress(
        e.order_id,
        OrderStatus.DELIVERED,
        "delivered",
        f"received by {e.recipient} at {e.delivered_at.isoformat()}{late}",
    )


def delivery_failed(e: DeliveryFailed) -> Progress:
    return Progress(e.order_id, OrderStatus.DELIVERY_FAILED, "delivery_failed", e.reason)


def _follow(report: Callable[[E], Progress]) -> Callable[[UnitOfWork, Sequence[E]], None]:
    def handler(uow: UnitOfWork, events: Sequence[E]) -> None:
        record_progress(uow, [report(e) for e in events])

    return handler


def register(bus: MessageBus) -> None:
    returns_handlers.register(bus)
    bus.subscribe_batch(StockAllocated, "orders.allocated", _follow(allocated))
    bus.subscribe_batch(AllocationFailed, "orders.allocation_failed", _follow(allocation_failed))
    bus.subscribe_batch(OrderPicked, "orders.picked", _follow(picked))
    bus.subscribe_batch(OrderPacked, "orders.packed", _follow(packed))
    bus.subscribe_batch(OrderHandedOver, "orders.handed_over", _follow(handed_over))
    bus.subscribe_batch(ShipmentDispatched, "orders.shipped", _follow(dispatched))
    bus.subscribe_batch(ShipmentDelivered, "orders.delivered", _follow(delivered))
    bus.subscribe_batch(DeliveryFailed, "orders.delivery_failed", _follow(delivery_failed))
