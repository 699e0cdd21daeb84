"""The event O's sourcing publishes: the order and the warehouse part(s) W must allocate."""

from __future__ import annotations

from datetime import datetime

from otwb.orders.events import PlacedLine, ShipToPayload
from otwb.platform.events import Event, Payload
from otwb.platform.ids import CustomerId, OrderId, WarehouseId


class SourcedPart(Payload):
    warehouse_id: WarehouseId | None
    """None: the order could not be sourced (W tries the network and reports the shortage)."""
    lines: tuple[PlacedLine, ...]


class OrderSourced(Event):
    order_id: OrderId
    customer_id: CustomerId
    ship_to: ShipToPayload
    service_level: str
    window_start: datetime | None
    window_end: datetime | None
    policy: str
    outcome: str
    reason: str
    parts: tuple[SourcedPart, ...]
    release_reason: str = "placed"
    """Why O released the order (``placed`` the first time): W forgets an earlier allocation
    of an order released again before allocating it afresh."""
    partial: bool = False
    """W allocates what it has and back-orders the rest (instead of all lines or none)."""
