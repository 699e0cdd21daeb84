"""How O follows its orders through W and T: each report moves the order along its life and
lands on its timeline. All are batch handlers: a run of reports is one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from otwb.orders import promise_handlers, returns_handlers, webhooks
from otwb.orders.backorders import Shortage, record_shortages, retry_for_stock
from otwb.orders.model import OrderStatus
from otwb.orders.service import Progress, record_progress
from otwb.orders.sourcing_service import PartReport, by_parts
from otwb.platform.bus import MessageBus
from otwb.platform.events import Event
from otwb.platform.ids import WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.transport.events import DeliveryFailed, ShipmentDelivered, ShipmentDispatched
from otwb.warehouse.events import (
    AllocationFailed,
    GoodsReceived,
    LinesBackordered,
    OrderHandedOver,
    OrderPacked,
    OrderPicked,
    ShortLine,
    StockAllocated,
    StockMoved,
    StockReceived,
    TransferReceived,
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


def _part_of(e: object) -> WarehouseId | None:
    """The warehouse whose part of the order an event is about: W's events name it, T's name
    the depot the part left from."""
    found = getattr(e, "warehouse_id", None) or getattr(e, "depot_id", None)
    return WarehouseId(found) if found else None


def _follow(report: Callable[[E], Progress]) -> Callable[[UnitOfWork, Sequence[E]], None]:
    def handler(uow: UnitOfWork, events: Sequence[E]) -> None:
        with uow:  # a split order moves on when all its warehouses' parts have
            parts = [PartReport(report(e), _part_of(e)) for e in events]
            record_progress(uow, by_parts(uow, parts))
            uow.commit()

    return handler


def _short_skus(short: Sequence[ShortLine]) -> dict[str, int]:
    return {x.sku: x.requested - x.available for x in short if x.requested > x.available}


def allocated_short(e: StockAllocated) -> Shortage:
    return Shortage(e.order_id, skus=_short_skus(e.short))


def failed_short(e: AllocationFailed) -> Shortage:
    # Nothing was allocated: every unit requested of a short SKU waits (the whole order, too).
    return Shortage(e.order_id, skus={x.sku: x.requested for x in e.short})


def lines_short(e: LinesBackordered) -> Shortage:
    return Shortage(e.order_id, lines={x.line_id: x.quantity for x in e.lines}, replaces=False)


def _shortages(report: Callable[[E], Shortage]) -> Callable[[UnitOfWork, Sequence[E]], None]:
    def handler(uow: UnitOfWork, events: Sequence[E]) -> None:
        record_shortages(uow, [report(e) for e in events])

    return handler


def _arrivals(skus: Callable[[E], Iterable[str]]) -> Callable[[UnitOfWork, Sequence[E]], None]:
    def handler(uow: UnitOfWork, events: Sequence[E]) -> None:
        retry_for_stock(uow, {s for e in events for s in skus(e)})

    return handler


def _to_webhooks(name: str) -> Callable[[UnitOfWork, Sequence[Event]], None]:
    def handler(uow: UnitOfWork, events: Sequence[Event]) -> None:
        webhooks.enqueue(uow, name, events)

    return handler


def register(bus: MessageBus) -> None:
    for event_type, name in webhooks.EVENTS.items():
        bus.subscribe_batch(event_type, f"orders.webhooks.{name}", _to_webhooks(name))

    promise_handlers.register(bus)

    returns_handlers.register(bus)
    bus.subscribe_batch(StockAllocated, "orders.allocated", _follow(allocated))
    bus.subscribe_batch(AllocationFailed, "orders.allocation_failed", _follow(allocation_failed))
    bus.subscribe_batch(OrderPicked, "orders.picked", _follow(picked))
    bus.subscribe_batch(OrderPacked, "orders.packed", _follow(packed))
    bus.subscribe_batch(OrderHandedOver, "orders.handed_over", _follow(handed_over))
    bus.subscribe_batch(ShipmentDispatched, "orders.shipped", _follow(dispatched))
    bus.subscribe_batch(ShipmentDelivered, "orders.delivered", _follow(delivered))
    bus.subscribe_batch(DeliveryFailed, "orders.delivery_failed", _follow(delivery_failed))
    # Back-orders: shown on the order, retried when stock of the SKU arrives.
    bus.subscribe_batch(StockAllocated, "orders.backorders.allocated", _shortages(allocated_short))
    bus.subscribe_batch(AllocationFailed, "orders.backorders.failed", _shortages(failed_short))
    bus.subscribe_batch(LinesBackordered, "orders.backorders.lines", _shortages(lines_short))
    bus.subscribe_batch(StockReceived, "orders.backorders.received", _arrivals(lambda e: [e.sku]))
    bus.subscribe_batch(
        GoodsReceived, "orders.backorders.goods", _arrivals(lambda e: [x.sku for x in e.lines])
    )
    bus.subscribe_batch(
        TransferReceived,
        "orders.backorders.transfer",
        _arrivals(lambda e: [x.sku for x in e.lines]),
    )
    bus.subscribe_batch(
        StockMoved,
        "orders.backorders.putaway",
        _arrivals(lambda e: [e.sku] if e.kind == "putaway" else []),
    )
