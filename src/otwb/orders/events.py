"""The events O publishes, and how O follows the order through W and T."""

from __future__ import annotations

from datetime import datetime

from otwb.platform.events import Event, Payload
from otwb.platform.ids import CustomerId, OrderId, OrderLineId


class ShipToPayload(Payload):
    name: str
    street: str
    city: str
    postcode: str
    country: str
    lat: float
    lon: float


class PlacedLine(Payload):
    line_id: OrderLineId
    line_no: int
    sku: str
    quantity: int


class OrderPlaced(Event):
    """An order was captured (it may be on hold: ``OrderReleased`` sends it to the warehouse)."""

    order_id: OrderId
    customer_id: CustomerId
    ship_to: ShipToPayload
    lines: tuple[PlacedLine, ...]
    service_level: str
    window_start: datetime | None
    window_end: datetime | None
    placed_at: datetime
    channel: str = "api"
    reference: str | None = None
    on_hold: bool = False


class OrderReleased(Event):
    """The one moment an order goes to the warehouse: at capture when nothing holds it, when a
    hold is released, after an amendment, when its back-orders are retried. W allocates on it
    (forgetting any earlier allocation of the order first)."""

    order_id: OrderId
    customer_id: CustomerId
    ship_to: ShipToPayload
    lines: tuple[PlacedLine, ...]
    service_level: str
    window_start: datetime | None
    window_end: datetime | None
    placed_at: datetime
    reason: str
    partial: bool = False
    """Allocate what is in stock and back-order the rest (when back-orders are retried)."""


class OrderHeld(Event):
    """Kept back from the warehouse (credit hold, an operator); W releases any allocation."""

    order_id: OrderId
    reason: str


class OrderAmended(Event):
    """Lines and/or the address changed before picking; ``OrderReleased`` follows unless held."""

    order_id: OrderId
    lines: tuple[PlacedLine, ...]
    ship_to: ShipToPayload
    changed: tuple[str, ...]


class OrderCancelled(Event):
    order_id: OrderId
    reason: str
