"""The order domain: pure data and rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from otwb.orders.errors import InvalidAddress, TooLateToAmend
from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.values import DeliveryWindow

MAX_LINES = 500
DEFAULT_CHANNEL = "api"


class OrderStatus(StrEnum):
    ON_HOLD = "on_hold"
    PLACED = "placed"
    ALLOCATED = "allocated"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    CANCELLED = "cancelled"


# The order's life: each status and where it may go next. Anything else is refused.
# ``placed`` means released to the warehouse; ``on_hold`` is kept back from it (credit, operator).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.ON_HOLD: frozenset({OrderStatus.PLACED, OrderStatus.CANCELLED}),
    OrderStatus.PLACED: frozenset(
        {OrderStatus.ALLOCATED, OrderStatus.ON_HOLD, OrderStatus.CANCELLED}
    ),
    # Back to ``placed`` when re-released to the warehouse (amended, or back-orders retried).
    OrderStatus.ALLOCATED: frozenset(
        {OrderStatus.PICKED, OrderStatus.PLACED, OrderStatus.ON_HOLD, OrderStatus.CANCELLED}
    ),
    OrderStatus.PICKED: frozenset({OrderStatus.PACKED, OrderStatus.CANCELLED}),
    OrderStatus.PACKED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.DELIVERY_FAILED}),
    # A failed delivery goes out again on a later route, or the order is called off.
    OrderStatus.DELIVERY_FAILED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


AMENDABLE = frozenset({OrderStatus.ON_HOLD, OrderStatus.PLACED, OrderStatus.ALLOCATED})
"""An order may be amended (lines, address) until the warehouse has picked it."""


def check_transition(order_id: str, current: OrderStatus, to: OrderStatus) -> None:
    """``InvalidTransition`` unless the order's life allows going from ``current`` to ``to``."""
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(
            f"order {order_id} is {current.value}; it cannot become {to.value}",
            current=current.value,
            requested=to.value,
        )


class ServiceLevel(StrEnum):
    STANDARD = "standard"
    NEXT_DAY = "next_day"
    SAME_DAY = "same_day"


def _check_postal(name: str, street: str, city: str, postcode: str, country: str) -> None:
    for label, value in (("name", name), ("street", street), ("city", city)):
        if not value.strip():
            raise InvalidAddress(f"the ship-to address needs a {label}", field=label)
    if not postcode.strip():
        raise InvalidAddress("the ship-to address needs a postcode", field="postcode")
    if len(country) != 2 or not country.isalpha():
        raise InvalidAddress(
            "country must be an ISO 3166 alpha-2 code such as 'FR'", field="country"
        )


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    street: str
    city: str
    postcode: str
    country: str
    point: GeoPoint

    def __post_init__(self) -> None:
        _check_postal(self.name, self.street, self.city, self.postcode, self.country)


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """An address given without coordinates: it is geocoded from the postcode table."""

    name: str
    street: str
    city: str
    postcode: str
    country: str

    def __post_init__(self) -> None:
        _check_postal(self.name, self.street, self.city, self.postcode, self.country)

    def at(self, point: GeoPoint) -> Address:
        return Address(self.name, self.street, self.city, self.postcode, self.country, point)


def postcode_key(country: str, postcode: str) -> tuple[str, str]:
    """How postcodes are matched: country upper-case, postcode without spaces, upper-case."""
    return country.strip().upper(), "".join(postcode.split()).upper()


@dataclass(frozen=True, slots=True)
class OrderLine:
    id: OrderLineId
    line_no: int
    sku: str
    quantity: int

    def __post_init__(self) -> None:
        if not self.sku.strip():
            raise InvalidInput(f"line {self.line_no}: the SKU is empty")
        if self.quantity <= 0:
            raise InvalidInput(f"line {self.line_no}: quantity must be positive")


@dataclass(frozen=True, slots=True)
class Customer:
    id: CustomerId
    code: str
    name: str
    credit_hold: bool = False


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class Order:
    id: OrderId
    customer_id: CustomerId
    reference: str | None
    ship_to: Address
    lines: tuple[OrderLine, ...]
    service_level: ServiceLevel
    window: DeliveryWindow | None
    status: OrderStatus
    placed_at: datetime
    timeline: tuple[TimelineEntry, ...] = field(default=())
    channel: str = DEFAULT_CHANNEL
    hold_reason: str | None = None
    backorders: tuple[Backorder, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidInput("an order needs at least one line")
        if len(self.lines) > MAX_LINES:
            raise InvalidInput(f"an order has at most {MAX_LINES} lines")
        numbers = [line.line_no for line in self.lines]
        if len(set(numbers)) != len(numbers):
            raise InvalidInput("line numbers must be unique within an order")

    @property
    def skus(self) -> list[str]:
        return sorted({line.sku for line in self.lines})

    def transition(self, to: OrderStatus) -> Order:
        """The order in status ``to``, or ``InvalidTransition`` if its life does not allow it."""
        check_transition(self.id, self.status, to)
        return replace(
            self, status=to, hold_reason=self.hold_reason if to is OrderStatus.ON_HOLD else None
        )

    def cancel(self) -> Order:
        return self.transition(OrderStatus.CANCELLED)

    def hold(self, reason: str) -> Order:
        """Keep the order back from the warehouse (its allocation, if any, is released)."""
        reason = reason.strip()
        if not reason:
            raise InvalidInput("a hold needs a reason", field="reason")
        return replace(self.transition(OrderStatus.ON_HOLD), hold_reason=reason[:100])

    def release(self) -> Order:
        """Send a held order to the warehouse."""
        if self.status is not OrderStatus.ON_HOLD:
            raise InvalidTransition(
                f"order {self.id} is {self.status.value}, not on hold",
                current=self.status.value,
                requested=OrderStatus.PLACED.value,
            )
        return self.transition(OrderStatus.PLACED)

    def amended(self, lines: tuple[OrderLine, ...] | None, ship_to: Address | None) -> Order:
        """The order with new lines and/or a new address; refused once the goods are picked.
        An allocated order goes back to ``placed``: the warehouse allocates it again."""
        if self.status not in AMENDABLE:
            raise TooLateToAmend(
                f"order {self.id} is {self.status.value}; it can be amended until it is picked",
                current=self.status.value,
            )
        if lines is None and ship_to is None:
            raise InvalidInput("an amendment changes the lines, the address, or both")
        status = OrderStatus.PLACED if self.status is OrderStatus.ALLOCATED else self.status
        return replace(
            self,
            lines=self.lines if lines is None else lines,
            ship_to=self.ship_to if ship_to is None else ship_to,
            status=status,
            backorders=(),
        )


@dataclass(frozen=True, slots=True)
class Backorder:
    """Part of an order line the warehouse could not serve yet; retried when stock arrives."""

    line_id: OrderLineId
    sku: str
    quantity: int
    since: datetime
