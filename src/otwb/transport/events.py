"""The events T publishes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from otwb.platform.events import Event
from otwb.platform.ids import (
    CarrierId,
    CustomerId,
    OrderId,
    RouteId,
    ShipmentId,
    VehicleId,
    WarehouseId,
)


class RoutePlanned(Event):
    route_id: RouteId
    depot_id: WarehouseId
    vehicle_id: VehicleId
    service_date: date
    stops: int
    distance_km: float
    duration_s: int


class ShipmentDispatched(Event):
    """A shipment has left the depot: on an own-fleet route (``route_id``), or collected by an
    external carrier (``carrier_id``; its ETA is the end of the carrier's promised day)."""

    shipment_id: ShipmentId
    order_id: OrderId
    route_id: RouteId | None = None
    tracking_number: str
    eta: datetime
    carrier_id: CarrierId | None = None
    depot_id: WarehouseId | None = None
    """The depot it left: which part of a split order this is (None in older events)."""


class ShipmentDelivered(Event):
    shipment_id: ShipmentId
    order_id: OrderId
    customer_id: CustomerId
    depot_id: WarehouseId
    delivered_at: datetime
    recipient: str
    on_time: bool
    weight_kg: float
    distance_km: float
    """Road distance from the depot to the ship-to (what per kg·km tariffs are applied to)."""
    carrier_id: CarrierId | None = None
    """The external carrier that delivered it; None for the own fleet."""


class DeliveryFailed(Event):
    shipment_id: ShipmentId
    order_id: OrderId
    customer_id: CustomerId
    failed_at: datetime
    reason: str


class RouteCompleted(Event):
    route_id: RouteId
    vehicle_id: VehicleId
    depot_id: WarehouseId
    distance_km: float
    duration_s: int
    cost: Decimal
    currency: str


class ShipmentTendered(Event):
    """A shipment was given to an external carrier (after rate shopping), at an expected cost
    from that carrier's rate card -- what the carrier's invoice will be audited against."""

    shipment_id: ShipmentId
    order_id: OrderId
    customer_id: CustomerId
    depot_id: WarehouseId
    carrier_id: CarrierId
    carrier_name: str
    service_level: str
    tracking_number: str
    weight_kg: float
    volume_m3: float
    expected_cost: Decimal
    currency: str
    tendered_at: datetime


class ProofOfDeliveryAccepted(Event):
    """The proof of a delivery (who received it, when; a signature or photo reference) was
    checked and accepted. For a carrier's shipment this is what makes its payable line due."""

    shipment_id: ShipmentId
    order_id: OrderId
    carrier_id: CarrierId | None
    accepted_at: datetime


class StopArrived(Event):
    """The driver is at the customer's door (before delivering or failing)."""

    shipment_id: ShipmentId
    route_id: RouteId
    arrived_at: datetime


class EtaChanged(Event):
    """A shipment on the road is now expected at another time (traffic, a re-plan, GPS)."""

    shipment_id: ShipmentId
    route_id: RouteId
    tracking_number: str
    eta: datetime
    previous_eta: datetime
    reason: str


class RouteReplanned(Event):
    """The remaining stops of a route on the road were re-planned (an incident, a breakdown)."""

    route_id: RouteId
    vehicle_id: VehicleId
    reason: str
    stops: int
    unplanned: int = 0


class VehicleBrokeDown(Event):
    vehicle_id: VehicleId
    route_id: RouteId | None
    at: datetime
    rescued_by: list[RouteId] = []


class PickupCollected(Event):
    """A pickup (a return, empties) was collected at the customer's: its goods are on the way
    to the depot."""

    shipment_id: ShipmentId
    customer_id: CustomerId
    depot_id: WarehouseId
    collected_at: datetime


class ReturnPickupScheduled(Event):
    """T will collect an authorised return: a pickup waits for a route (or a backhaul)."""

    rma_id: str
    shipment_id: ShipmentId
    tracking_number: str
    depot_id: WarehouseId
