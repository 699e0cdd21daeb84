"""O's use cases. The API, the CLI, the demo and event handlers all call these."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from otwb.orders import repo
from otwb.orders.events import OrderCancelled, OrderPlaced, PlacedLine, ShipToPayload
from otwb.orders.model import (
    Address,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    ServiceLevel,
    check_transition,
)
from otwb.platform.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    UnknownSku,
)
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow
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
    [outcome] = place_orders(uow, [command])
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def place_orders(uow: UnitOfWork, commands: Sequence[PlaceOrder]) -> list[Order | DomainError]:
    """Place a batch of orders in one transaction (an import, an EDI file, a busy channel).

    Each command becomes an order or the error that refused it -- unknown customer, unknown
    SKU, invalid line -- and the good ones are stored even when others are refused. Each order
    placed publishes ``OrderPlaced``.
    """
    now = uow.clock.now()
    outcomes: list[Order | DomainError] = [_new_order(uow, c, now) for c in commands]
    with uow:
        built = [o for o in outcomes if isinstance(o, Order)]
        customers = repo.known_customers(uow, [o.customer_id for o in built])
        unknown = set(warehouse.unknown_skus(uow, sorted({s for o in built for s in o.skus})))
        for n, outcome in enumerate(outcomes):
            if isinstance(outcome, Order):
                outcomes[n] = _check(outcome, customers, unknown)
        placed = [o for o in outcomes if isinstance(o, Order)]
        if placed:
            repo.insert_orders(uow, placed)
            repo.add_timeline_entries(
                uow, [(o.id, "placed", f"{len(o.lines)} line(s)") for o in placed], now
            )
            for order in placed:
                uow.record(_placed(order))
            uow.commit()
    return outcomes


def _new_order(uow: UnitOfWork, command: PlaceOrder, now: datetime) -> Order | DomainError:
    try:
        return Order(
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
    except DomainError as exc:
        return exc


def _check(order: Order, customers: set[CustomerId], unknown: set[str]) -> Order | DomainError:
    if order.customer_id not in customers:
        return InvalidInput(f"unknown customer {order.customer_id}", field="customer_id")
    missing = [sku for sku in order.skus if sku in unknown]
    if missing:
        return UnknownSku(f"unknown SKU(s): {', '.join(missing)}", skus=missing)
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
        repo.save_status(uow, order_id, order.status, cancelled.status, now)
        repo.add_timeline(uow, order_id, now, "cancelled", reason or "cancelled")
        uow.record(OrderCancelled(order_id=order_id, reason=reason))
        uow.commit()
    return cancelled


@dataclass(frozen=True)
class Progress:
    """A report from W or T about an order: the status it implies (or none), and what to note."""

    order_id: OrderId
    to: OrderStatus | None
    kind: str
    detail: str


def record_progress(uow: UnitOfWork, reports: Sequence[Progress]) -> None:
    """Move orders along their life as W and T report progress, and note every report on the
    order's timeline -- one transaction for the lot.

    A report that does not fit the order's life (a pick confirmed after a cancellation) is kept
    on the timeline as ``ignored`` and logged, not retried forever.
    """
    with uow:
        statuses = repo.lock_statuses(uow, [r.order_id for r in reports])
        changes: list[tuple[OrderId, OrderStatus]] = []
        notes: list[tuple[OrderId, str, str]] = []
        for report in reports:
            current = statuses.get(report.order_id)
            if current is None:
                log.warning("%s for unknown order %s ignored", report.kind, report.order_id)
                continue
            if report.to is not None:
                try:
                    check_transition(report.order_id, current, report.to)
                except InvalidTransition as exc:
                    log.warning(
                        "order %s: %s not applied: %s", report.order_id, report.kind, exc.detail
                    )
                    notes.append((report.order_id, "ignored", f"{report.kind}: {exc.detail}"))
                    continue
                statuses[report.order_id] = report.to
                changes.append((report.order_id, report.to))
            notes.append((report.order_id, report.kind, report.detail))
        now = uow.clock.now()
        repo.set_statuses(uow, changes, now)
        repo.add_timeline_entries(uow, notes, now)
        uow.commit()


def note_on_timeline(uow: UnitOfWork, order_id: OrderId, kind: str, detail: str) -> None:
    with uow:
        repo.get_status(uow, order_id)  # tenant check: NotFound for another tenant's order
        repo.add_timeline(uow, order_id, uow.clock.now(), kind, detail)
        uow.commit()
