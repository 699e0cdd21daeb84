"""O's use cases. The API, the CLI, the demo and event handlers all call these."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from otwb.orders import repo
from otwb.orders.events import OrderCancelled, OrderPlaced, PlacedLine, ShipToPayload
from otwb.orders.model import (
    Address,
    Customer,
    DeliveryWindow,
    Order,
    OrderLine,
    OrderStatus,
    ServiceLevel,
)
from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition, NotFound, UnknownSku
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import service as warehouse

log = logging.getLogger("otwb.orders")


@dataclass(frozen=True)
class NewLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class PlaceOrder:
    customer_id: CustomerId
    ship_to: Address
    lines: Sequence[NewLine]
    service_level: ServiceLevel = ServiceLevel.STANDARD
    window: DeliveryWindow | None = None
    reference: str | None = None


# -- customers ------------------------------------------------------------------------------
def create_customer(uow: UnitOfWork, code: str, name: str) -> Customer:
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput("a customer needs a code and a name")
    customer = Customer(CustomerId(uow.ids.new("cus")), code, name)
    with uow:
        if repo.find_customer_by_code(uow, code) is not None:
            raise Conflict(f"customer code {code!r} is already used")
        repo.insert_customer(uow, customer)
        uow.commit()
    return customer


def get_customer(uow: UnitOfWork, customer_id: CustomerId) -> Customer:
    with uow:
        customer = repo.find_customer(uow, customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return customer


def list_customers(uow: UnitOfWork) -> list[Customer]:
    with uow:
        return repo.list_customers(uow)


# -- orders ---------------------------------------------------------------------------------
def place_order(uow: UnitOfWork, command: PlaceOrder) -> Order:
    """Validate and store a new order; ``OrderPlaced`` sets the warehouse to work."""
    now = uow.clock.now()
    order = Order(
        id=OrderId(uow.ids.new("ord")),
        customer_id=command.customer_id,
        reference=command.reference,
        ship_to=command.ship_to,
        lines=tuple(
            OrderLine(OrderLineId(uow.ids.new("oli")), number, line.sku.strip(), line.quantity)
            for number, line in enumerate(command.lines, start=1)
        ),
        service_level=command.service_level,
        window=command.window,
        status=OrderStatus.PLACED,
        placed_at=now,
    )
    with uow:
        if repo.find_customer(uow, order.customer_id) is None:
            raise InvalidInput(f"unknown customer {order.customer_id}", field="customer_id")
        unknown = warehouse.unknown_skus(uow, order.skus)
        if unknown:
            raise UnknownSku(f"unknown SKU(s): {', '.join(unknown)}", skus=unknown)
        repo.insert_order(uow, order)
        repo.add_timeline(uow, order.id, now, "placed", f"{len(order.lines)} line(s)")
        uow.record(_placed(order))
        uow.commit()
    return order


def _placed(order: Order) -> OrderPlaced:
    addr = order.ship_to
    return OrderPlaced(
        order_id=order.id,
        customer_id=order.customer_id,
        ship_to=ShipToPayload(
            name=addr.name,
            street=addr.street,
            city=addr.city,
            postcode=addr.postcode,
            country=addr.country,
            lat=addr.point.lat,
            lon=addr.point.lon,
        ),
        lines=tuple(
            PlacedLine(line_id=x.id, line_no=x.line_no, sku=x.sku, quantity=x.quantity)
            for x in order.lines
        ),
        service_level=order.service_level.value,
        window_start=order.window.start if order.window else None,
        window_end=order.window.end if order.window else None,
        placed_at=order.placed_at,
    )


def get_order(uow: UnitOfWork, order_id: OrderId) -> Order:
    """The order with its timeline of events."""
    with uow:
        return repo.get_order(uow, order_id, with_timeline=True)


def list_orders(
    uow: UnitOfWork, status: OrderStatus | None = None, limit: int = 100, offset: int = 0
) -> list[Order]:
    with uow:
        return repo.list_orders(uow, status, limit, offset)


def orders_by_status(uow: UnitOfWork) -> dict[str, int]:
    with uow:
        return repo.count_by_status(uow)


def cancel_order(uow: UnitOfWork, order_id: OrderId, reason: str = "") -> Order:
    """Cancel before shipping; the warehouse releases the stock when it hears of it."""
    with uow:
        order = repo.get_order(uow, order_id)
        cancelled = order.cancel()
        now = uow.clock.now()
        repo.save_status(uow, cancelled, order.status, now)
        repo.add_timeline(uow, order_id, now, "cancelled", reason or "cancelled")
        uow.record(OrderCancelled(order_id=order_id, reason=reason))
        uow.commit()
    return cancelled


def advance_order(
    uow: UnitOfWork, order_id: OrderId, to: OrderStatus, kind: str, detail: str
) -> Order:
    """Move the order along its life as W and T report progress, and note it on the timeline."""
    with uow:
        order = repo.get_order(uow, order_id)
        moved = order.transition(to)
        now = uow.clock.now()
        repo.save_status(uow, moved, order.status, now)
        repo.add_timeline(uow, order_id, now, kind, detail)
        uow.commit()
    return moved


def note_on_timeline(uow: UnitOfWork, order_id: OrderId, kind: str, detail: str) -> None:
    with uow:
        repo.get_order(uow, order_id)  # tenant check: NotFound for another tenant's order
        repo.add_timeline(uow, order_id, uow.clock.now(), kind, detail)
        uow.commit()


def follow(uow: UnitOfWork, order_id: OrderId, to: OrderStatus, kind: str, detail: str) -> None:
    """Event handlers' way to advance an order: a report that does not fit the order's life
    (a pick confirmed after a cancellation) is kept on the timeline, not retried forever."""
    try:
        advance_order(uow, order_id, to, kind, detail)
    except InvalidTransition as exc:
        log.warning("order %s: %s not applied: %s", order_id, kind, exc.detail)
        note_on_timeline(uow, order_id, "ignored", f"{kind}: {exc.detail}")
