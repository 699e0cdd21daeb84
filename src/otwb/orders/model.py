"""The order domain: pure data and rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.values import DeliveryWindow

MAX_LINES = 500


class OrderStatus(StrEnum):
    PLACED = "placed"
    ALLOCATED = "allocated"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    CANCELLED = "cancelled"


# The order's life: each status and where it may go next. Anything else is refused.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.ALLOCATED, OrderStatus.CANCELLED}),
    OrderStatus.ALLOCATED: frozenset({OrderStatus.PICKED, OrderStatus.CANCELLED}),
    OrderStatus.PICKED: frozenset({OrderStatus.PACKED, OrderStatus.CANCELLED}),
    OrderStatus.PACKED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.DELIVERY_FAILED}),
    # A failed delivery goes out again on a later route, or the order is called off.
    OrderStatus.DELIVERY_FAILED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


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


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    street: str
    city: str
    postcode: str
    country: str
    point: GeoPoint

    def __post_init__(self) -> None:
        for label in ("name", "street", "city", "postcode"):
            if not getattr(self, label).strip():
                raise InvalidInput(f"the ship-to address needs a {label}")
        if len(self.country) != 2 or not self.country.isalpha():
            raise InvalidInput("country must be an ISO 3166 alpha-2 code such as 'FR'")


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
        return replace(self, status=to)

    def cancel(self) -> Order:
        return self.transition(OrderStatus.CANCELLED)
