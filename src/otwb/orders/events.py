"""The events O publishes, and how O follows the order through W and T."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

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


# -- returns and recalls ------------------------------------------------------------------------
class ReturnedLine(Payload):
    order_line_id: OrderLineId
    line_no: int
    sku: str
    quantity: int
    reason: str


class ReturnRequested(Event):
    rma_id: str
    order_id: OrderId
    customer_id: CustomerId
    lines: tuple[ReturnedLine, ...]


class ReturnAuthorised(Event):
    """A return may come back: T collects it at the customer's address for ``warehouse_id``."""

    rma_id: str
    order_id: OrderId
    customer_id: CustomerId
    warehouse_id: str
    pickup_from: ShipToPayload
    weight_kg: float
    volume_m3: float
    parcel_count: int
    temperature_class: str
    lines: tuple[ReturnedLine, ...]


class ReturnRefused(Event):
    rma_id: str
    order_id: OrderId
    reason: str


class ReturnCancelled(Event):
    rma_id: str
    order_id: OrderId
    pickup_shipment_id: str | None


class InspectedUnits(Payload):
    order_line_id: OrderLineId
    sku: str
    lot: str | None
    quantity: int
    disposition: str
    accepted: bool


class ReturnInspected(Event):
    """Returned goods were inspected: W puts them back (restock, quarantine, scrap) and B
    records the credit (``credit`` = gross less the restocking fee)."""

    rma_id: str
    order_id: OrderId
    customer_id: CustomerId
    warehouse_id: str
    units: tuple[InspectedUnits, ...]
    currency: str
    gross: Decimal
    restocking_fee: Decimal
    credit: Decimal
    inspected_at: datetime


class ReturnClosed(Event):
    rma_id: str
    order_id: OrderId
    credit: Decimal
    currency: str


class RecallIssued(Event):
    """A lot is called back: W marks it recalled; ``orders`` received some of it."""

    recall_id: str
    sku: str
    lot: str
    reason: str
    orders: tuple[OrderId, ...]
    returns_created: tuple[str, ...]
