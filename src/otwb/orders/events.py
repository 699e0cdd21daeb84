"""The events O publishes, and how O follows the order through W and T."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from otwb.platform.events import Event, Payload
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, WarehouseId


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


# -- delivery promises and options (O4) -------------------------------------------------------
class DeliveryPromised(Event):
    """The delivery promised to the customer when the order was placed (``level`` is a promise
    level: same_day, 211, next_day, standard)."""

    order_id: OrderId
    warehouse_id: WarehouseId
    level: str
    zone: str
    delivery_day: date
    promised_by: datetime


class DeliveryOptionsChosen(Event):
    """The delivery options an order was placed with. Billing charges the extra services
    (installation, cash on delivery) from it; T reads the window and the installation time."""

    order_id: OrderId
    customer_id: CustomerId
    method: str
    """home or pickup."""
    window_start: datetime | None
    window_end: datetime | None
    pickup_point: str | None
    """The pickup point's code."""
    installation: bool
    installation_service_s: int
    """Extra service time at the stop (0 without installation)."""
    cod_amount: Decimal | None
    cod_currency: str | None
    chosen_at: datetime


class PickupCodeIssued(Event):
    """A pickup order's code, for the customer's confirmation message."""

    order_id: OrderId
    customer_id: CustomerId
    pickup_point: str
    pickup_point_name: str
    pickup_code: str


class ReadyForPickup(Event):
    """The parcel was delivered to the pickup point: the customer may come with the code."""

    order_id: OrderId
    customer_id: CustomerId
    pickup_point: str
    pickup_point_name: str
    pickup_code: str
    ready_at: datetime


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
