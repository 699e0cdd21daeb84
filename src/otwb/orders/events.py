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
    order_id: OrderId
    customer_id: CustomerId
    ship_to: ShipToPayload
    lines: tuple[PlacedLine, ...]
    service_level: str
    window_start: datetime | None
    window_end: datetime | None
    placed_at: datetime


class OrderCancelled(Event):
    order_id: OrderId
    reason: str
