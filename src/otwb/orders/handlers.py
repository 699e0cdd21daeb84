"""How O follows its orders through W and T: each report moves the order along its life."""

from __future__ import annotations

from otwb.orders.model import OrderStatus
from otwb.orders.service import follow, note_on_timeline
from otwb.platform.bus import MessageBus
from otwb.platform.uow import UnitOfWork
from otwb.transport.events import DeliveryFailed, ShipmentDelivered, ShipmentDispatched
from otwb.warehouse.events import (
    AllocationFailed,
    OrderHandedOver,
    OrderPacked,
    OrderPicked,
    StockAllocated,
)


def on_stock_allocated(uow: UnitOfWork, e: StockAllocated) -> None:
    follow(
        uow,
        e.order_id,
        OrderStatus.ALLOCATED,
        "allocated",
        f"{sum(x.quantity for x in e.lines)} unit(s) allocated in {e.warehouse_id}",
    )


def on_allocation_failed(uow: UnitOfWork, e: AllocationFailed) -> None:
    short = ", ".join(f"{x.sku} {x.available}/{x.requested}" for x in e.short)
    note_on_timeline(
        uow,
        e.order_id,
        "allocation_failed",
        e.reason + (f" (available/requested network-wide: {short})" if short else ""),
    )


def on_order_picked(uow: UnitOfWork, e: OrderPicked) -> None:
    follow(uow, e.order_id, OrderStatus.PICKED, "picked", f"{e.units} unit(s) picked")


def on_order_packed(uow: UnitOfWork, e: OrderPacked) -> None:
    follow(uow, e.order_id, OrderStatus.PACKED, "packed", f"{len(e.parcels)} parcel(s)")


def on_handed_over(uow: UnitOfWork, e: OrderHandedOver) -> None:
    note_on_timeline(
        uow,
        e.order_id,
        "handed_over",
        f"{e.parcel_count} parcel(s), {e.weight_kg:.1f} kg at the dock",
    )


def on_dispatched(uow: UnitOfWork, e: ShipmentDispatched) -> None:
    follow(
        uow,
        e.order_id,
        OrderStatus.SHIPPED,
        "shipped",
        f"on route {e.route_id}, tracking {e.tracking_number}, ETA {e.eta.isoformat()}",
    )


def on_delivered(uow: UnitOfWork, e: ShipmentDelivered) -> None:
    follow(
        uow,
        e.order_id,
        OrderStatus.DELIVERED,
        "delivered",
        f"received by {e.recipient} at {e.delivered_at.isoformat()}"
        + ("" if e.on_time else " (late)"),
    )


def on_delivery_failed(uow: UnitOfWork, e: DeliveryFailed) -> None:
    follow(uow, e.order_id, OrderStatus.DELIVERY_FAILED, "delivery_failed", e.reason)


def register(bus: MessageBus) -> None:
    bus.subscribe(StockAllocated, "orders.allocated", on_stock_allocated)
    bus.subscribe(AllocationFailed, "orders.allocation_failed", on_allocation_failed)
    bus.subscribe(OrderPicked, "orders.picked", on_order_picked)
    bus.subscribe(OrderPacked, "orders.packed", on_order_packed)
    bus.subscribe(OrderHandedOver, "orders.handed_over", on_handed_over)
    bus.subscribe(ShipmentDispatched, "orders.shipped", on_dispatched)
    bus.subscribe(ShipmentDelivered, "orders.delivered", on_delivered)
    bus.subscribe(DeliveryFailed, "orders.delivery_failed", on_delivery_failed)
