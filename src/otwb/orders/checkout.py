"""Checkout: place an order together with its delivery promise and options, in one transaction.

The slot is booked (one place of its capacity), the order is placed with the slot as its
delivery window -- so W and T plan for it -- or with the pickup point as its ship-to, the promise
is recorded, and ``DeliveryPromised`` + ``DeliveryOptionsChosen`` (+ ``PickupCodeIssued``) are
published. If anything is refused (a full slot, an unknown SKU, a level not offered there),
nothing is written: the place in the slot is not taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from otwb.orders import delivery_repo, promise_repo
from otwb.orders import service as orders
from otwb.orders.delivery_options import (
    INSTALLATION_SERVICE_S,
    DeliveryChoice,
    DeliveryMethod,
    DeliveryOptions,
    DeliverySlot,
    PickupPoint,
    SlotFull,
    pickup_code,
    tracking_token,
)
from otwb.orders.events import DeliveryOptionsChosen, PickupCodeIssued
from otwb.orders.model import Address, Order, ServiceLevel
from otwb.orders.promise import PromiseLevel
from otwb.orders.promise_repo import RecordedPromise
from otwb.orders.promise_service import Quote, quote_in, record_promises_in
from otwb.platform.errors import InvalidInput, NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import OrderId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.uow import UnitOfWork


class SlotUnavailable(InvalidInput):
    code = "slot_unavailable"
    title = "The delivery slot cannot be chosen"


@dataclass(frozen=True)
class Checkout:
    order: orders.PlaceOrder
    level: PromiseLevel = PromiseLevel.STANDARD
    choice: DeliveryChoice = field(default_factory=DeliveryChoice)
    warehouse_id: WarehouseId | None = None
    """The promising warehouse; by default the nearest with a promise profile (or the slot's)."""


@dataclass(frozen=True)
class Placed:
    order: Order
    promise: RecordedPromise
    options: DeliveryOptions


def order_service_level(level: PromiseLevel, q: Quote) -> ServiceLevel:
    """The order's own service level: a 211 promise is same-day or next-day as it fell."""
    if level is PromiseLevel.TWO_ELEVEN:
        same = q.promise.delivery_day == q.promise.ordered_local.date()
        return ServiceLevel.SAME_DAY if same else ServiceLevel.NEXT_DAY
    return {
        PromiseLevel.SAME_DAY: ServiceLevel.SAME_DAY,
        PromiseLevel.NEXT_DAY: ServiceLevel.NEXT_DAY,
    }.get(level, ServiceLevel.STANDARD)


def _pickup_point(uow: UnitOfWork, choice: DeliveryChoice) -> PickupPoint | None:
    if choice.method is not DeliveryMethod.PICKUP:
        return None
    assert choice.pickup_point is not None
    point = delivery_repo.find_point(uow, code=choice.pickup_point)
    if point is None or not point.active:
        raise InvalidInput(f"no open pickup point {choice.pickup_point!r}", field="pickup_point")
    return point


def _book(uow: UnitOfWork, slot_id: str, q: Quote, now: datetime) -> DeliverySlot:
    slot = delivery_repo.find_slot(uow, slot_id)
    if slot is None:
        raise SlotUnavailable(f"no delivery slot {slot_id}", field="slot_id")
    if slot.warehouse_id != q.warehouse.id:
        raise SlotUnavailable(f"slot {slot_id} is not delivered from {q.warehouse.code}")
    tz = q.promise.ordered_local.tzinfo
    if slot.window.start <= now or slot.window.start.astimezone(tz).date() < q.promise.delivery_day:
        raise SlotUnavailable(
            f"slot {slot_id} is before the earliest delivery"
            f" ({q.promise.delivery_day.isoformat()})",
            earliest_day=q.promise.delivery_day.isoformat(),
        )
    if not delivery_repo.take_place(uow, slot.id):
        raise SlotFull(f"slot {slot_id} is fully booked ({slot.capacity} places)")
    return slot


def place_with_options(uow: UnitOfWork, checkout: Checkout) -> Placed:
    """Place an order with its delivery options and promise (see the module's docstring)."""
    choice = checkout.choice
    with uow:
        now = uow.clock.now()
        point = _pickup_point(uow, choice)
        ship_to = checkout.order.ship_to
        if point is not None:
            ship_to = Address(
                ship_to.name, point.name + ", " + point.street, point.city, point.postcode,
                point.country, point.point,
            )  # fmt: skip
        warehouse_id = checkout.warehouse_id
        if choice.slot_id is not None and warehouse_id is None:
            slot = delivery_repo.find_slot(uow, choice.slot_id)
            warehouse_id = WarehouseId(slot.warehouse_id) if slot else None
        where: GeoPoint | None = getattr(ship_to, "point", None)
        if where is None:  # a postal address to be geocoded: the promise needs the spot now
            raise InvalidInput(
                "a checkout needs the ship-to's coordinates (lat, lon)", field="order.ship_to"
            )
        [q] = quote_in(uow, where, [checkout.level], now, warehouse_id)
        slot = _book(uow, choice.slot_id, q, now) if choice.slot_id is not None else None
        if slot is not None:
            local_day = slot.window.start.astimezone(q.promise.ordered_local.tzinfo).date()
            q = replace(
                q, promise=replace(q.promise, delivery_day=local_day, promised_by=slot.window.end)
            )
        command = replace(
            checkout.order,
            ship_to=ship_to,
            service_level=order_service_level(checkout.level, q),
            window=slot.window if slot is not None else checkout.order.window,
        )
        order = orders.place_order(uow, command)
        options = DeliveryOptions(
            order_id=order.id,
            method=choice.method,
            slot=slot.window if slot else None,
            slot_id=slot.id if slot else None,
            pickup_point=point,
            pickup_code=pickup_code() if point else None,
            installation=choice.installation,
            cash_on_delivery=choice.cash_on_delivery,
            tracking_token=tracking_token(),
            chosen_at=now,
        )
        delivery_repo.insert_options(uow, [options])
        record_promises_in(uow, [(order.id, q, now)])
        _publish(uow, order, options)
        promise = promise_repo.promises_of(uow, [order.id])[OrderId(order.id)]
        uow.commit()
    return Placed(order, promise, options)


def _publish(uow: UnitOfWork, order: Order, o: DeliveryOptions) -> None:
    cod = o.cash_on_delivery
    uow.record(
        DeliveryOptionsChosen(
            order_id=order.id,
            customer_id=order.customer_id,
            method=o.method.value,
            window_start=o.slot.start if o.slot else None,
            window_end=o.slot.end if o.slot else None,
            pickup_point=o.pickup_point.code if o.pickup_point else None,
            installation=o.installation,
            installation_service_s=INSTALLATION_SERVICE_S if o.installation else 0,
            cod_amount=cod.amount if cod else None,
            cod_currency=cod.currency if cod else None,
            chosen_at=o.chosen_at,
        )
    )
    if o.pickup_point is not None and o.pickup_code is not None:
        uow.record(
            PickupCodeIssued(
                order_id=order.id,
                customer_id=order.customer_id,
                pickup_point=o.pickup_point.code,
                pickup_point_name=o.pickup_point.name,
                pickup_code=o.pickup_code,
            )
        )


def options_of(uow: UnitOfWork, order_id: OrderId) -> DeliveryOptions:
    """The delivery options an order was placed with."""
    with uow:
        found = delivery_repo.options_of(uow, order_id)
    if found is None:
        raise NotFound(f"no delivery options recorded for order {order_id}")
    return found


@dataclass(frozen=True)
class DeliveryTerms:
    """What T must know of an order's promise and options when it takes the order over."""

    promised_by: datetime | None
    """The latest delivery promised to the customer (carriers are chosen to meet it)."""
    extra_service_s: int
    """Extra time at the stop (installation on delivery)."""


def delivery_terms(uow: UnitOfWork, order_id: OrderId) -> DeliveryTerms:
    """Read function for T: the order's promise and the extra time its stop needs."""
    with uow:
        options = delivery_repo.options_of(uow, order_id)
        promise = promise_repo.promises_of(uow, [order_id]).get(order_id)
    return DeliveryTerms(
        promise.promised_by if promise is not None else None,
        options.extra_service_s if options is not None else 0,
    )


@dataclass(frozen=True, slots=True)
class DeliveryServices:
    installation: bool
    cash_on_delivery: Money | None


def delivery_services(uow: UnitOfWork, order_id: OrderId) -> DeliveryServices:
    """Read function for B: the services the order's delivery carries (installation at the
    stop, cash collected on delivery), charged when the delivery is made."""
    with uow:
        options = delivery_repo.options_of(uow, order_id)
    if options is None:
        return DeliveryServices(False, None)
    return DeliveryServices(options.installation, options.cash_on_delivery)
