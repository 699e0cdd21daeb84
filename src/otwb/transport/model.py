"""The transport domain: depots, vehicles, shipments, routes and their stops. Pure, no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum

from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import (
    CarrierId,
    CustomerId,
    OrderId,
    RouteId,
    ShipmentId,
    VehicleId,
    WarehouseId,
)
from otwb.platform.money import Money
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.transport.fleet_model import DriverId, Fuel, VehicleTypeId, check_capacities, check_co2

SERVICE_BASE_S = 300
"""Time at every stop to park, find the door and get a signature (5 minutes)."""
SERVICE_PER_PARCEL_S = 60
"""And one more minute per parcel handed over."""

MAX_SPEED_KMH = 200.0
MAX_CAPACITY_KG = 60_000.0
MAX_CAPACITY_M3 = 200.0
SECONDS_PER_DAY = 86_400


def service_seconds(parcel_count: int) -> int:
    """How long a vehicle stays at a stop delivering ``parcel_count`` parcels."""
    return SERVICE_BASE_S + SERVICE_PER_PARCEL_S * max(parcel_count, 0)


PALLET_M3 = 1.2
"""Loadable volume of one EUR pallet place (1.2 x 0.8 m, 1.25 m high)."""
LOOSE_UP_TO_M3 = 0.8
"""Smaller shipments travel as loose parcels and take no pallet place of their own."""


def pallet_places(volume_m3: float) -> int:
    """Pallet places a shipment of this volume takes: none when loose, else whole pallets."""
    return 0 if volume_m3 <= LOOSE_UP_TO_M3 else math.ceil(round(volume_m3 / PALLET_M3, 6))


class ShipmentKind(StrEnum):
    DELIVERY = "delivery"
    """From the depot to the customer."""
    PICKUP = "pickup"
    """From the customer back to the depot (returns, empties, a supplier's goods)."""


class ShipmentStatus(StrEnum):
    READY = "ready"
    PLANNED = "planned"
    TENDERED = "tendered"
    """Given to an external carrier."""
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


SHIPMENT_TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    ShipmentStatus.READY: frozenset(
        {ShipmentStatus.PLANNED, ShipmentStatus.TENDERED, ShipmentStatus.CANCELLED}
    ),
    # A planned shipment goes back to ready when its planned route is called off, or leaves
    # it for a carrier that is cheaper.
    ShipmentStatus.PLANNED: frozenset(
        {
            ShipmentStatus.IN_TRANSIT,
            ShipmentStatus.READY,
            ShipmentStatus.TENDERED,
            ShipmentStatus.CANCELLED,
        }
    ),
    ShipmentStatus.TENDERED: frozenset(
        {ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED, ShipmentStatus.FAILED}
    ),
    # In transit, a shipment may move to a rescue vehicle's route (still in transit).
    ShipmentStatus.IN_TRANSIT: frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.FAILED}),
    # A failed delivery is tried again on a later plan, or the order is called off.
    ShipmentStatus.FAILED: frozenset(
        {ShipmentStatus.PLANNED, ShipmentStatus.TENDERED, ShipmentStatus.CANCELLED}
    ),
    ShipmentStatus.DELIVERED: frozenset(),
    ShipmentStatus.CANCELLED: frozenset(),
}

PLANNABLE = frozenset({ShipmentStatus.READY, ShipmentStatus.FAILED})
"""Shipments waiting for a route: new ones, and failed deliveries due a second attempt."""


class RouteStatus(StrEnum):
    PLANNED = "planned"
    DISPATCHED = "dispatched"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # every stop of a planned route was cancelled


ROUTE_TRANSITIONS: dict[RouteStatus, frozenset[RouteStatus]] = {
    RouteStatus.PLANNED: frozenset({RouteStatus.DISPATCHED, RouteStatus.CANCELLED}),
    RouteStatus.DISPATCHED: frozenset({RouteStatus.COMPLETED}),
    RouteStatus.COMPLETED: frozenset(),
    RouteStatus.CANCELLED: frozenset(),
}

ACTIVE_ROUTE = frozenset({RouteStatus.PLANNED, RouteStatus.DISPATCHED})
"""A vehicle on such a route that date is taken."""


class StopStatus(StrEnum):
    PLANNED = "planned"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


RESOLVED_STOP = frozenset({StopStatus.DELIVERED, StopStatus.FAILED, StopStatus.CANCELLED})


def check_shipment_transition(
    shipment_id: str, current: ShipmentStatus, to: ShipmentStatus
) -> None:
    if to not in SHIPMENT_TRANSITIONS[current]:
        raise InvalidTransition(
            f"shipment {shipment_id} is {current.value}; it cannot become {to.value}",
            current=current.value,
            requested=to.value,
        )


def check_route_transition(route_id: str, current: RouteStatus, to: RouteStatus) -> None:
    if to not in ROUTE_TRANSITIONS[current]:
        raise InvalidTransition(
            f"route {route_id} is {current.value}; it cannot become {to.value}",
            current=current.value,
            requested=to.value,
        )


@dataclass(frozen=True, slots=True)
class Depot:
    """Where vehicles start and end their routes: a warehouse, as W announced it."""

    id: WarehouseId
    name: str
    point: GeoPoint


def _positive(value: float, what: str, upper: float) -> None:
    if not (math.isfinite(value) and 0 < value <= upper):
        raise InvalidInput(f"{what} must be positive and at most {upper:g}", field=what)


def _cost(value: Decimal, what: str) -> None:
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{what} must be a non-negative amount", field=what)


@dataclass(frozen=True, slots=True)
class Vehicle:
    id: VehicleId
    code: str
    depot_id: WarehouseId
    label: str
    capacity_kg: float
    capacity_m3: float
    refrigerated: bool
    cost_per_km: Money
    cost_per_hour: Money
    fixed_cost: Money
    speed_kmh: float
    shift_start: time
    shift_end: time
    active: bool = True
    vehicle_type_id: VehicleTypeId | None = None
    capacity_pallets: int | None = None
    """Pallet places; None when floor space is not what limits it."""
    fuel: Fuel = Fuel.DIESEL
    range_km: float | None = None
    """How far it goes on one charge or tank: the most a route of it may drive."""
    co2_kg_per_km: Decimal | None = None
    """CO2e (well-to-wheel) per km when full; None: the default of its fuel and size."""
    driver_id: DriverId | None = None
    """The driver it usually goes out with (planning pairs free vehicles and drivers)."""

    def __post_init__(self) -> None:
        if not self.code.strip() or len(self.code) > 32:
            raise InvalidInput("a vehicle needs a code of 1 to 32 characters", field="code")
        check_capacities(self.capacity_kg, self.capacity_m3, self.capacity_pallets, self.range_km)
        check_co2(self.co2_kg_per_km)
        _positive(self.speed_kmh, "speed_kmh", MAX_SPEED_KMH)
        _cost(self.cost_per_km.amount, "cost_per_km")
        _cost(self.cost_per_hour.amount, "cost_per_hour")
        _cost(self.fixed_cost.amount, "fixed_cost")
        currencies = {self.cost_per_km.currency, self.cost_per_hour.currency}
        if currencies != {self.fixed_cost.currency}:
            raise InvalidInput("a vehicle's costs must all be in one currency")
        for label in ("shift_start", "shift_end"):
            moment: time = getattr(self, label)
            if moment.tzinfo is not None or moment.microsecond:
                raise InvalidInput(f"{label} is a plain UTC time of day (HH:MM[:SS])", field=label)
        if self.shift_end <= self.shift_start:
            raise InvalidInput("the shift must end after it starts (same day, UTC)")

    @property
    def currency(self) -> str:
        return self.fixed_cost.currency

    @property
    def shift_start_s(self) -> int:
        return seconds_of_day(self.shift_start)

    @property
    def shift_end_s(self) -> int:
        return seconds_of_day(self.shift_end)

    def can_carry(self, temperature_class: TemperatureClass) -> bool:
        return self.refrigerated or not temperature_class.needs_refrigeration


def seconds_of_day(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def time_of_day(seconds: int) -> time:
    if not 0 <= seconds < SECONDS_PER_DAY:
        raise ValueError(f"{seconds} s is not a time of day")
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def day_start(service_date: date) -> datetime:
    """The planning horizon's origin: the service date at 00:00 UTC."""
    return datetime(service_date.year, service_date.month, service_date.day, tzinfo=UTC)


def route_cost(vehicle: Vehicle, distance_m: int, duration_s: int) -> Money:
    """What a route costs: fixed + km x cost per km + hours x cost per hour, rounded to cents."""
    if distance_m < 0 or duration_s < 0:
        raise ValueError("distance and duration cannot be negative")
    km = Decimal(distance_m) / 1000
    hours = Decimal(duration_s) / 3600
    return (vehicle.fixed_cost + vehicle.cost_per_km * km + vehicle.cost_per_hour * hours).rounded()


@dataclass(frozen=True, slots=True)
class Shipment:
    """One order on its way from a depot to its ship-to: what transport carries and tracks."""

    id: ShipmentId
    order_id: OrderId | None
    customer_id: CustomerId
    depot_id: WarehouseId
    tracking_number: str
    ship_to_name: str
    ship_to_address: str
    ship_to: GeoPoint
    window: DeliveryWindow | None
    weight_kg: float
    volume_m3: float
    parcel_count: int
    temperature_class: TemperatureClass
    status: ShipmentStatus
    created_at: datetime
    route_id: RouteId | None = None
    attempts: int = 0
    delivered_at: datetime | None = None
    recipient: str | None = None
    failure_reason: str | None = None
    kind: ShipmentKind = ShipmentKind.DELIVERY
    pallets: int = 0
    """Pallet places it takes (0: loose parcels)."""
    promised_by: datetime | None = None
    """The latest the customer was promised delivery (for rate shopping); else its window's end."""
    carrier_id: CarrierId | None = None
    service_level: str | None = None
    carrier_reference: str | None = None
    expected_cost: Money | None = None
    """What the carrier's rate card says the tender costs."""
    tendered_at: datetime | None = None
    signature_name: str | None = None
    photo_ref: str | None = None
    co2_kg: Decimal | None = None
    """A carrier shipment's CO2e (own-fleet shares are on the route's stops)."""
    extra_service_s: int = 0
    """Extra time at the stop beyond unloading the parcels (installation on delivery)."""

    def __post_init__(self) -> None:
        if self.extra_service_s < 0:
            raise InvalidInput("extra service time must not be negative", field="extra_service_s")
        _positive(self.weight_kg, "weight_kg", MAX_CAPACITY_KG)
        _positive(self.volume_m3, "volume_m3", MAX_CAPACITY_M3)
        if self.parcel_count <= 0:
            raise InvalidInput("a shipment has at least one parcel", field="parcel_count")
        if not 0 <= self.pallets <= 66:
            raise InvalidInput("pallets is 0 to 66", field="pallets")
        if (self.kind is ShipmentKind.DELIVERY) != (self.order_id is not None):
            raise InvalidInput("a delivery carries its order; a pickup has none")

    @property
    def service_s(self) -> int:
        """How long the vehicle stays at this stop."""
        return service_seconds(self.parcel_count) + self.extra_service_s

    @property
    def deadline(self) -> datetime | None:
        """The latest acceptable delivery: the promise, else the window's end."""
        return self.promised_by or (self.window.end if self.window else None)

    def moved_to(self, to: ShipmentStatus) -> Shipment:
        check_shipment_transition(self.id, self.status, to)
        return replace(self, status=to)

    def on_time(self, instant: datetime) -> bool:
        """Delivered within the window (always, when the customer gave none)."""
        return self.window is None or self.window.contains(instant)


@dataclass(frozen=True, slots=True)
class RouteStop:
    seq: int
    shipment_id: ShipmentId
    status: StopStatus
    planned_arrival: datetime
    eta: datetime
    return_s: int
    """Planned driving time from this stop back to the depot (closes the route's duration)."""
    resolved_at: datetime | None = None
    leg_m: int = 0
    """Road distance from the previous stop (or the depot) to this one."""
    arrived_at: datetime | None = None
    co2_kg: Decimal = Decimal(0)
    """This shipment's share of the route's CO2e (GLEC: by tonne-km)."""


@dataclass(frozen=True, slots=True)
class Route:
    id: RouteId
    depot_id: WarehouseId
    vehicle_id: VehicleId
    service_date: date
    status: RouteStatus
    distance_m: int
    duration_s: int
    planned_start: datetime
    planned_end: datetime
    planned_cost: Money
    stops: tuple[RouteStop, ...] = ()
    dispatched_at: datetime | None = None
    completed_at: datetime | None = None
    actual_duration_s: int | None = None
    actual_cost: Money | None = None
    driver_id: DriverId | None = None
    co2_kg: Decimal = Decimal(0)
    break_s: int = 0
    """Driver's break time planned on the route."""

    @property
    def remaining(self) -> tuple[RouteStop, ...]:
        """Stops still to visit, in order."""
        return tuple(
            s for s in self.stops if s.status in (StopStatus.PLANNED, StopStatus.DISPATCHED)
        )

    @property
    def distance_km(self) -> Decimal:
        return Decimal(self.distance_m) / 1000

    def moved_to(self, to: RouteStatus) -> Route:
        check_route_transition(self.id, self.status, to)
        return replace(self, status=to)
