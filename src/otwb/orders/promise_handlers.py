"""How O keeps its promises: every order placed gets its promise and delivery options, T's
dispatch gives it a tracking number, T's delivery is noted against the promise (and a pickup
order's customer is told it is ready). Batch handlers: a run of events is one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from otwb.orders import delivery_repo
from otwb.orders.events import OrderPlaced, ReadyForPickup
from otwb.orders.promise import PromiseLevel
from otwb.orders.promise_service import PlacedOrder, promise_placed_orders, record_deliveries
from otwb.platform.bus import MessageBus
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import OrderId
from otwb.platform.uow import UnitOfWork
from otwb.transport import pickups
from otwb.transport.events import ShipmentDelivered, ShipmentDispatched
from otwb.transport.model import ShipmentStatus

LEVELS = {level.value: level for level in PromiseLevel}


def on_orders_placed(uow: UnitOfWork, events: Sequence[OrderPlaced]) -> None:
    # A service level O does not promise (none today) is left without a promise.
    placed = [
        PlacedOrder(
            e.order_id,
            LEVELS[e.service_level],
            GeoPoint(e.ship_to.lat, e.ship_to.lon),
            e.placed_at,
            e.window_end,
        )
        for e in events
        if e.service_level in LEVELS
    ]
    if placed:
        promise_placed_orders(uow, placed)


def on_shipments_dispatched(uow: UnitOfWork, events: Sequence[ShipmentDispatched]) -> None:
    with uow:
        for e in events:
            delivery_repo.set_tracking_number(uow, e.order_id, e.tracking_number)
        uow.commit()


def on_shipments_delivered(uow: UnitOfWork, events: Sequence[ShipmentDelivered]) -> None:
    with uow:
        done = _whole_orders_delivered(uow, events)
        record_deliveries(uow, [(e.order_id, at) for e, at in done])
        for e, at in done:
            options = delivery_repo.options_of(uow, e.order_id)
            if options is None or options.pickup_point is None or options.pickup_code is None:
                continue
            uow.record(
                ReadyForPickup(
                    order_id=e.order_id,
                    customer_id=e.customer_id,
                    pickup_point=options.pickup_point.code,
                    pickup_point_name=options.pickup_point.name,
                    pickup_code=options.pickup_code,
                    ready_at=at,
                )
            )
        uow.commit()


def _whole_orders_delivered(
    uow: UnitOfWork, events: Sequence[ShipmentDelivered]
) -> list[tuple[ShipmentDelivered, datetime]]:
    """The orders these deliveries complete, once each, with when their last part arrived (a
    split order ships in parts: its promise is kept or broken by the last one)."""
    whole = pickups.deliveries(uow, [e.order_id for e in events])
    done: dict[OrderId, tuple[ShipmentDelivered, datetime]] = {}
    for e in events:
        d = whole.get(e.order_id)
        if d is None:  # T's row is not there (a replayed event): the event's word
            done.setdefault(e.order_id, (e, e.delivered_at))
        elif d.status is ShipmentStatus.DELIVERED and d.delivered_at is not None:
            done.setdefault(e.order_id, (e, d.delivered_at))
    return list(done.values())


def register(bus: MessageBus) -> None:
    bus.subscribe_batch(OrderPlaced, "orders.promise", on_orders_placed)
    bus.subscribe_batch(ShipmentDispatched, "orders.tracking_number", on_shipments_dispatched)
    bus.subscribe_batch(ShipmentDelivered, "orders.promise_kept", on_shipments_delivered)
