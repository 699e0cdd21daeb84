"""The events W publishes. O, T and B consume the outbound ones (``StockAllocated`` to
``OrderHandedOver``); fields added since are optional, so older payloads still load."""

from __future__ import annotations

from datetime import date, datetime

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


class LayoutBuilt(Event):
    """Racking was added to a warehouse from a compact spec."""

    warehouse_id: WarehouseId
    zone: str
    aisles: tuple[str, ...]
    bins: int


class StockReceived(Event):
    warehouse_id: WarehouseId
    location_id: LocationId
    sku: str
    quantity: int
    lot: str | None = None
    expires_on: date | None = None


class ReceiptLine(Payload):
    line_no: int
    sku: str
    lot: str | None
    expected: int
    received: int
    damaged: int


class GoodsReceived(Event):
    """Goods of an advance shipping notice arrived at the dock (this receipt's quantities)."""

    asn_id: str
    warehouse_id: WarehouseId
    lines: tuple[ReceiptLine, ...]
    putaway_tasks: int


class AsnClosed(Event):
    """Receiving is over: each line says what was expected, received and damaged (over, short
    and damaged quantities are what the supplier is claimed for)."""

    asn_id: str
    warehouse_id: WarehouseId
    supplier: str
    lines: tuple[ReceiptLine, ...]


class StockMoved(Event):
    """A putaway or replenishment task was done: goods went from one bin to another."""

    task_id: str
    kind: str
    warehouse_id: WarehouseId
    sku: str
    lot: str | None
    from_location_id: LocationId
    to_location_id: LocationId
    quantity: int


class StockAdjusted(Event):
    warehouse_id: WarehouseId
    location_id: LocationId
    sku: str
    lot: str | None
    quantity: int
    """Signed: found (+) or lost (-)."""
    reason: str


class LotStatusChanged(Event):
    lot_id: str
    sku: str
    lot: str
    status: str
    previous: str
    reason: str
    reallocated_orders: tuple[OrderId, ...] = ()


class AllocatedLine(Payload):
    line_id: OrderLineId
    sku: str
    quantity: int
    lot: str | None = None
    expires_on: date | None = None


class ShortLine(Payload):
    sku: str
    requested: int
    available: int


class StockAllocated(Event):
    order_id: OrderId
    warehouse_id: WarehouseId
    lines: tuple[AllocatedLine, ...]
    short: tuple[ShortLine, ...] = ()
    """With the partial policy: what was not allocated (back-ordered)."""


class AllocationFailed(Event):
    order_id: OrderId
    reason: str
    short: tuple[ShortLine, ...]


class BackorderedLine(Payload):
    line_id: OrderLineId
    sku: str
    quantity: int


class LinesBackordered(Event):
    """Part of an allocated order cannot be served any more (a short pick, a lot put on hold,
    a count that found less) and nothing else could replace it."""

    order_id: OrderId
    warehouse_id: WarehouseId
    reason: str
    lines: tuple[BackorderedLine, ...]


class StockReallocated(Event):
    """Part of an allocated order moved to other bins or lots (same warehouse)."""

    order_id: OrderId
    warehouse_id: WarehouseId
    reason: str
    lines: tuple[AllocatedLine, ...]


class StockReserved(Event):
    reservation_id: str
    warehouse_id: WarehouseId
    customer_id: CustomerId
    sku: str
    quantity: int
    expires_at: datetime


class WavePlanned(Event):
    wave_id: str
    warehouse_id: WarehouseId
    orders: int
    pick_lists: int
    s_shape_m: float
    optimised_m: float
    cut_off: datetime | None = None
    consolidated: int = 0
    """Orders of the wave merged into consolidation groups (same customer, same address)."""


class WaveReleased(Event):
    wave_id: str
    warehouse_id: WarehouseId


class OrderPicked(Event):
    order_id: OrderId
    warehouse_id: WarehouseId
    customer_id: CustomerId
    lines: int
    units: int
    picked_at: datetime
    short_units: int = 0


class PackedParcel(Payload):
    seq: int
    weight_kg: float
    volume_m3: float
    sscc: str | None = None
    box: str | None = None


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
    parcel_ids: tuple[str, ...] = ()
    """The parcels' SSCCs, in packing order."""
    consolidation_id: str | None = None
    """Set when the order was merged in its wave with others of the same customer to the same
    address: they travel as one consignment."""


class StockReleased(Event):
    """An order was called off: its allocation (or its picked goods) went back to stock."""

    order_id: OrderId
    warehouse_id: WarehouseId
    units: int


class CycleCountRecorded(Event):
    count_id: str
    warehouse_id: WarehouseId
    location_id: LocationId
    variance_units: int
    """Sum of |counted - expected| over the bin's lines; 0 is approved at once."""
    status: str


class CycleCountDecided(Event):
    count_id: str
    warehouse_id: WarehouseId
    location_id: LocationId
    status: str
    adjusted_units: int


class TransferLine(Payload):
    sku: str
    quantity: int


class TransferPlanned(Event):
    transfer_id: str
    from_warehouse_id: WarehouseId
    to_warehouse_id: WarehouseId
    lines: tuple[TransferLine, ...]


class TransferShipped(Event):
    transfer_id: str
    from_warehouse_id: WarehouseId
    to_warehouse_id: WarehouseId
    lines: tuple[TransferLine, ...]


class TransferReceived(Event):
    transfer_id: str
    to_warehouse_id: WarehouseId
    lines: tuple[TransferLine, ...]


class StockedReturn(Payload):
    sku: str
    lot: str | None
    quantity: int
    disposition: str
    location_id: LocationId


class ReturnStocked(Event):
    """Inspected returned goods are back in W: restocked (sellable), in the quarantine bin, or
    written off -- each through the movement ledger."""

    rma_id: str
    order_id: OrderId
    warehouse_id: WarehouseId
    lines: tuple[StockedReturn, ...]
