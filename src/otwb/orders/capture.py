"""Capture: validate and store new orders from any channel (REST, bulk import, batch API).

Rules, checked for each order of a batch (a bad order is refused alone, the others are kept):
the ship-to has a name, street, postcode, city and country, and coordinates -- given, or
geocoded from the tenant's postcode table; the customer exists; every SKU exists in W's
catalogue; quantities are positive; (channel, reference) is not used yet (``duplicate_order``,
naming the existing order). A customer on credit hold gets its orders placed ``on_hold``.

Each order stored publishes ``OrderPlaced``; then ``OrderHeld`` for held ones and
``OrderReleased`` for the others (grouped by type, so the bus hands each run to its handlers in
one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from otwb.orders import capture_repo, repo
from otwb.orders.errors import AddressNotGeocoded, DuplicateOrder
from otwb.orders.events import OrderHeld, OrderPlaced, PlacedLine, ShipToPayload
from otwb.orders.model import (
    DEFAULT_CHANNEL,
    Address,
    Order,
    OrderLine,
    OrderStatus,
    PostalAddress,
    ServiceLevel,
    postcode_key,
)
from otwb.orders.release import line_payloads, release_to_warehouse, ship_to_payload
from otwb.platform.errors import DomainError, InvalidInput, UnknownSku
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow
from otwb.warehouse import service as warehouse

CREDIT_HOLD = "credit_hold"


@dataclass(frozen=True)
class NewLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class PlaceOrder:
    customer_id: CustomerId
    ship_to: Address | PostalAddress
    lines: Sequence[NewLine]
    service_level: ServiceLevel = ServiceLevel.STANDARD
    window: DeliveryWindow | None = None
    reference: str | None = None
    channel: str = DEFAULT_CHANNEL


def place_order(uow: UnitOfWork, command: PlaceOrder) -> Order:
    """Validate and store a new order; ``OrderReleased`` sets the warehouse to work."""
    [outcome] = place_orders(uow, [command])
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def place_orders(
    uow: UnitOfWork, commands: Sequence[PlaceOrder], *, retry: bool = True
) -> list[Order | DomainError]:
    """Place a batch of orders in one transaction (an import, an EDI file, a busy channel).

    Each command becomes an order or the error that refused it; the good ones are stored even
    when others are refused. If a concurrent request took one of the references meanwhile (the
    UNIQUE guard refuses the insert), the batch runs once more and that order is refused as a
    duplicate.
    """
    try:
        return _place(uow, commands)
    except IntegrityError:
        if not retry:
            raise
        return place_orders(uow, commands, retry=False)


def _place(uow: UnitOfWork, commands: Sequence[PlaceOrder]) -> list[Order | DomainError]:
    now = uow.clock.now()
    with uow:
        points = capture_repo.geocode(
            uow,
            [(c.ship_to.country, c.ship_to.postcode) for c in commands if _unlocated(c.ship_to)],
        )
        outcomes = [_new_order(uow, c, now, points) for c in commands]
        built = [o for o in outcomes if isinstance(o, Order)]
        customers = repo.known_customers(uow, [o.customer_id for o in built])
        unknown = set(warehouse.unknown_skus(uow, sorted({s for o in built for s in o.skus})))
        taken = capture_repo.existing_references(
            uow, [(o.channel, o.reference) for o in built if o.reference is not None]
        )
        for n, outcome in enumerate(outcomes):
            if isinstance(outcome, Order):
                outcomes[n] = _check(outcome, customers, unknown, taken)
        placed = [o for o in outcomes if isinstance(o, Order)]
        held = capture_repo.customers_on_credit_hold(uow, [o.customer_id for o in placed])
        placed = [_held(o) if o.customer_id in held else o for o in placed]
        outcomes = _replace(outcomes, placed)
        if placed:
            _store(uow, placed, now)
            uow.commit()
    return outcomes


def _unlocated(ship_to: Address | PostalAddress) -> bool:
    return isinstance(ship_to, PostalAddress)


def _located(ship_to: Address | PostalAddress, points: dict[tuple[str, str], GeoPoint]) -> Address:
    if isinstance(ship_to, Address):
        return ship_to
    point = points.get(postcode_key(ship_to.country, ship_to.postcode))
    if point is None:
        raise AddressNotGeocoded(
            f"no coordinates given and postcode {ship_to.postcode} ({ship_to.country}) is not "
            "in the postcode table",
            field="ship_to.postcode",
        )
    return ship_to.at(point)


def _new_order(
    uow: UnitOfWork, command: PlaceOrder, now: datetime, points: dict[tuple[str, str], GeoPoint]
) -> Order | DomainError:
    try:
        channel = command.channel.strip().lower()
        if not channel or len(channel) > 30:
            raise InvalidInput("a channel is 1 to 30 characters", field="channel")
        reference = (command.reference or "").strip() or None
        return Order(
            id=OrderId(uow.ids.new("ord")),
            customer_id=command.customer_id,
            reference=reference,
            ship_to=_located(command.ship_to, points),
            lines=new_lines(uow, command.lines),
            service_level=command.service_level,
            window=command.window,
            status=OrderStatus.PLACED,
            placed_at=now,
            channel=channel,
        )
    except DomainError as exc:
        return exc


def new_lines(uow: UnitOfWork, lines: Sequence[NewLine]) -> tuple[OrderLine, ...]:
    return tuple(
        OrderLine(OrderLineId(uow.ids.new("oli")), number, line.sku.strip(), line.quantity)
        for number, line in enumerate(lines, start=1)
    )


def _check(
    order: Order,
    customers: set[CustomerId],
    unknown: set[str],
    taken: dict[tuple[str, str], OrderId],
) -> Order | DomainError:
    if order.customer_id not in customers:
        return InvalidInput(f"unknown customer {order.customer_id}", field="customer_id")
    missing = [sku for sku in order.skus if sku in unknown]
    if missing:
        return UnknownSku(f"unknown SKU(s): {', '.join(missing)}", skus=missing)
    if order.reference is not None:
        key = (order.channel, order.reference)
        existing = taken.get(key)
        if existing is not None:
            return DuplicateOrder(
                f"channel {order.channel} order {order.reference} is already order {existing}",
                existing_order_id=existing,
            )
        taken[key] = order.id  # a second one in the same batch is a duplicate too
    return order


def _held(order: Order) -> Order:
    return order.hold(CREDIT_HOLD)


def _replace(outcomes: list[Order | DomainError], placed: list[Order]) -> list[Order | DomainError]:
    by_id = {o.id: o for o in placed}
    return [by_id[o.id] if isinstance(o, Order) else o for o in outcomes]


def _store(uow: UnitOfWork, placed: list[Order], now: datetime) -> None:
    repo.insert_orders(uow, placed)
    repo.add_timeline_entries(uow, [_placed_note(o) for o in placed], now)
    payloads = {o.id: (ship_to_payload(o.ship_to), line_payloads(o.lines)) for o in placed}
    for order in placed:
        uow.record(_placed_event(order, *payloads[order.id]))
    on_hold = [o for o in placed if o.status is OrderStatus.ON_HOLD]
    for order in on_hold:
        uow.record(OrderHeld(order_id=order.id, reason=order.hold_reason or CREDIT_HOLD))
    released = [o for o in placed if o.status is OrderStatus.PLACED]
    release_to_warehouse(uow, released, "placed", payloads=payloads)


def _placed_note(order: Order) -> tuple[OrderId, str, str]:
    detail = f"{len(order.lines)} line(s) via {order.channel}"
    if order.reference:
        detail += f", reference {order.reference}"
    if order.status is OrderStatus.ON_HOLD:
        detail += f"; on hold ({order.hold_reason})"
    return order.id, "placed", detail


def _placed_event(
    order: Order, ship_to: ShipToPayload, lines: tuple[PlacedLine, ...]
) -> OrderPlaced:
    return OrderPlaced(
        order_id=order.id,
        customer_id=order.customer_id,
        ship_to=ship_to,
        lines=lines,
        service_level=order.service_level.value,
        window_start=order.window.start if order.window else None,
        window_end=order.window.end if order.window else None,
        placed_at=order.placed_at,
        channel=order.channel,
        reference=order.reference,
        on_hold=order.status is OrderStatus.ON_HOLD,
    )
