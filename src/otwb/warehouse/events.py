"""The events W publishes."""

from __future__ import annotations

from datetime import datetime

from otwb.platform.events import Event, Payload
from otwb.platform.ids import (
    CustomerId,
    LocationId,
    OrderId,
    OrderLineId,
    WarehouseId,
)


class WarehouseOpened(Event):
    warehouse_id: WarehouseId
    code: str
    name: str
    kind: str
    lat: float
    lon: float


class StockReceived(Event):
    warehouse_id: WarehouseId
    location_id: LocationId
    sku: str
    quantity: int


class AllocatedLine(Payload):
    line_id: OrderLineId
    sku: str
    quantity: int


class StockAllocated(Event):
    order_id: OrderId
    warehouse_id: WarehouseId
    lines: tuple[AllocatedLine, ...]


class ShortLine(Payload):
    sku: str
    requested: int
    available: int


class AllocationFailed(Event):
    order_id: OrderId
    reason: str
    short: tuple[ShortLine, ...]


class OrderPicked(Event):
    order_id: OrderId
    warehouse_id: WarehouseId
    customer_id: CustomerId
    lines: int
    units: int
    picked_at: datetime


class PackedParcel(Payload):
    seq: int
    weight_kg: float
    volume_m3: float


class OrderPacked(Event):
    order_id: OrderId
    warehouse_id: WarehouseId
    parcels: tuple[PackedParcel, ...]


class OrderHandedOver(Event):
    """The packed order is at the dock: transport takes it from here."""

    order_id: OrderId
    warehouse_id: WarehouseId
    customer_id: CustomerId
    ship_to_name: str
    ship_to_address: str
    lat: float
    lon: float
    service_level: str
    window_start: datetime | None
    window_end: datetime | None
    weight_kg: float
    volume_m3: float
    parcel_count: int
    temperature_class: str


class StockReleased(Event):
    """An order was called off: its allocation (or its picked goods) went back to stock."""

    order_id: OrderId
    warehouse_id: WarehouseId
    units: int
