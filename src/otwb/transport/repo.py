"""Reading and writing T's depots, vehicles and shipments (SQLAlchemy Core), always within the
caller's tenant. Routes and their stops are in ``route_repo.py``.

Status changes are conditional updates (``WHERE status = <what we read>``): a writer that lost
a race changes nothing and finds out from the row count.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from otwb.platform.db import upsert
from otwb.platform.errors import Conflict, NotFound
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
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.transport.fleet_model import DriverId, Fuel, VehicleTypeId
from otwb.transport.model import (
    Depot,
    Shipment,
    ShipmentKind,
    ShipmentStatus,
    Vehicle,
    seconds_of_day,
    time_of_day,
)
from otwb.transport.tables import depots, shipments, vehicles


# -- depots ---------------------------------------------------------------------------------
def upsert_depot(uow: UnitOfWork, depot: Depot) -> None:
    upsert(
        uow.conn,
        depots,
        {
            "id": depot.id,
            "tenant_id": uow.tenant_id,
            "name": depot.name,
            "lat": depot.point.lat,
            "lon": depot.point.lon,
        },
        [depots.c.id],
        lambda excluded: {"name": excluded.name, "lat": excluded.lat, "lon": excluded.lon},
    )


def _depot(r: Any) -> Depot:
    return Depot(WarehouseId(r.id), r.name, GeoPoint(r.lat, r.lon))


def get_depot(uow: UnitOfWork, depot_id: WarehouseId) -> Depot:
    row = uow.conn.execute(
        select(depots).where(depots.c.tenant_id == uow.tenant_id, depots.c.id == depot_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no depot {depot_id}")
    return _depot(row)


def list_depots(uow: UnitOfWork) -> list[Depot]:
    rows = uow.conn.execute(
        select(depots).where(depots.c.tenant_id == uow.tenant_id).order_by(depots.c.name)
    ).all()
    return [_depot(r) for r in rows]


# -- vehicles -------------------------------------------------------------------------------
def insert_vehicle(uow: UnitOfWork, v: Vehicle) -> None:
    uow.conn.execute(
        insert(vehicles).values(
            id=v.id,
            tenant_id=uow.tenant_id,
            code=v.code,
            depot_id=v.depot_id,
            label=v.label,
            capacity_kg=v.capacity_kg,
            capacity_m3=v.capacity_m3,
            refrigerated=v.refrigerated,
            currency=v.currency,
            cost_per_km=v.cost_per_km.amount,
            cost_per_hour=v.cost_per_hour.amount,
            fixed_cost=v.fixed_cost.amount,
            speed_kmh=v.speed_kmh,
            shift_start_s=seconds_of_day(v.shift_start),
            shift_end_s=seconds_of_day(v.shift_end),
            active=v.active,
            created_at=uow.clock.now(),
            vehicle_type_id=v.vehicle_type_id,
            capacity_pallets=v.capacity_pallets,
            fuel=v.fuel.value,
            range_km=v.range_km,
            co2_kg_per_km=v.co2_kg_per_km,
            driver_id=v.driver_id,
        )
    )


def _vehicle(r: Any) -> Vehicle:
    return Vehicle(
        id=VehicleId(r.id),
        code=r.code,
        depot_id=WarehouseId(r.depot_id),
        label=r.label,
        capacity_kg=r.capacity_kg,
        capacity_m3=r.capacity_m3,
        refrigerated=bool(r.refrigerated),
        cost_per_km=Money(r.cost_per_km, r.currency),
        cost_per_hour=Money(r.cost_per_hour, r.currency),
        fixed_cost=Money(r.fixed_cost, r.currency),
        speed_kmh=r.speed_kmh,
        shift_start=time_of_day(r.shift_start_s),
        shift_end=time_of_day(r.shift_end_s),
        active=bool(r.active),
        vehicle_type_id=VehicleTypeId(r.vehicle_type_id) if r.vehicle_type_id else None,
        capacity_pallets=r.capacity_pallets,
        fuel=Fuel(r.fuel),
        range_km=r.range_km,
        co2_kg_per_km=r.co2_kg_per_km,
        driver_id=DriverId(r.driver_id) if r.driver_id else None,
    )


class Coded(Protocol):
    @property
    def code(self) -> str: ...


C = TypeVar("C", bound=Coded)


def insert_coded(
    uow: UnitOfWork, table: Table, what: str, insert_row: Callable[[UnitOfWork, C], None], row: C
) -> None:
    """Insert a row whose code is unique in the tenant (vehicles, vehicle types, drivers,
    carriers): a code already used is a ``Conflict`` -- seen first, or from the database's
    UNIQUE when a concurrent request took it meanwhile."""
    taken = Conflict(f"{what} code {row.code!r} is already used")
    found = uow.conn.execute(
        select(table.c.id).where(table.c.tenant_id == uow.tenant_id, table.c.code == row.code)
    ).first()
    if found is not None:
        raise taken
    try:
        insert_row(uow, row)
    except IntegrityError:
        raise taken from None


def get_vehicle(uow: UnitOfWork, vehicle_id: VehicleId) -> Vehicle:
    row = uow.conn.execute(
        select(vehicles).where(vehicles.c.tenant_id == uow.tenant_id, vehicles.c.id == vehicle_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no vehicle {vehicle_id}")
    return _vehicle(row)


def list_vehicles(uow: UnitOfWork, depot_id: WarehouseId | None = None) -> list[Vehicle]:
    query = select(vehicles).where(vehicles.c.tenant_id == uow.tenant_id)
    if depot_id is not None:
        query = query.where(vehicles.c.depot_id == depot_id)
    return [_vehicle(r) for r in uow.conn.execute(query.order_by(vehicles.c.code)).all()]


# -- shipments ------------------------------------------------------------------------------
def insert_shipment(uow: UnitOfWork, s: Shipment) -> None:
    uow.conn.execute(
        insert(shipments).values(
            id=s.id,
            tenant_id=uow.tenant_id,
            order_id=s.order_id,
            customer_id=s.customer_id,
            depot_id=s.depot_id,
            tracking_number=s.tracking_number,
            ship_to_name=s.ship_to_name,
            ship_to_address=s.ship_to_address,
            ship_to_lat=s.ship_to.lat,
            ship_to_lon=s.ship_to.lon,
            window_start=s.window.start if s.window else None,
            window_end=s.window.end if s.window else None,
            weight_kg=s.weight_kg,
            volume_m3=s.volume_m3,
            parcel_count=s.parcel_count,
            temperature_class=s.temperature_class.value,
            status=s.status.value,
            route_id=s.route_id,
            attempts=s.attempts,
            created_at=s.created_at,
            updated_at=s.created_at,
            kind=s.kind.value,
            pallets=s.pallets,
            promised_by=s.promised_by,
            extra_service_s=s.extra_service_s,
        )
    )


def _shipment(r: Any) -> Shipment:
    window = DeliveryWindow(r.window_start, r.window_end) if r.window_start is not None else None
    return Shipment(
        id=ShipmentId(r.id),
        order_id=OrderId(r.order_id) if r.order_id else None,
        customer_id=CustomerId(r.customer_id),
        depot_id=WarehouseId(r.depot_id),
        tracking_number=r.tracking_number,
        ship_to_name=r.ship_to_name,
        ship_to_address=r.ship_to_address,
        ship_to=GeoPoint(r.ship_to_lat, r.ship_to_lon),
        window=window,
        weight_kg=r.weight_kg,
        volume_m3=r.volume_m3,
        parcel_count=r.parcel_count,
        temperature_class=TemperatureClass(r.temperature_class),
        status=ShipmentStatus(r.status),
        created_at=r.created_at,
        route_id=RouteId(r.route_id) if r.route_id else None,
        attempts=r.attempts,
        delivered_at=r.delivered_at,
        recipient=r.recipient,
        failure_reason=r.failure_reason,
        kind=ShipmentKind(r.kind),
        pallets=r.pallets,
        promised_by=r.promised_by,
        carrier_id=CarrierId(r.carrier_id) if r.carrier_id else None,
        service_level=r.service_level,
        carrier_reference=r.carrier_reference,
        expected_cost=Money(r.expected_cost, r.currency) if r.expected_cost is not None else None,
        tendered_at=r.tendered_at,
        signature_name=r.signature_name,
        photo_ref=r.photo_ref,
        co2_kg=r.co2_kg,
        extra_service_s=r.extra_service_s,
    )


def _one_shipment(uow: UnitOfWork, *where: Any) -> Shipment | None:
    row = uow.conn.execute(
        select(shipments).where(shipments.c.tenant_id == uow.tenant_id, *where)
    ).one_or_none()
    return None if row is None else _shipment(row)


def get_shipment(uow: UnitOfWork, shipment_id: ShipmentId) -> Shipment:
    found = _one_shipment(uow, shipments.c.id == shipment_id)
    if found is None:
        raise NotFound(f"no shipment {shipment_id}")
    return found


def find_order_shipment(
    uow: UnitOfWork, order_id: OrderId, depot_id: WarehouseId
) -> Shipment | None:
    """The shipment of the part of an order that leaves from ``depot_id``."""
    return _one_shipment(uow, shipments.c.order_id == order_id, shipments.c.depot_id == depot_id)


def order_shipments(uow: UnitOfWork, order_id: OrderId) -> list[Shipment]:
    """Every shipment of an order (one per depot: a split order has several), by id."""
    rows = uow.conn.execute(
        select(shipments)
        .where(shipments.c.tenant_id == uow.tenant_id, shipments.c.order_id == order_id)
        .order_by(shipments.c.id)
    ).all()
    return [_shipment(r) for r in rows]


def find_shipment_by_tracking(uow: UnitOfWork, tracking_number: str) -> Shipment | None:
    return _one_shipment(uow, shipments.c.tracking_number == tracking_number)


def list_shipments(
    uow: UnitOfWork,
    statuses: Collection[ShipmentStatus] | None = None,
    depot_id: WarehouseId | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Shipment]:
    """Shipments, oldest first; all of them unless ``limit`` is given."""
    query = select(shipments).where(shipments.c.tenant_id == uow.tenant_id)
    if statuses is not None:
        query = query.where(shipments.c.status.in_([s.value for s in statuses]))
    if depot_id is not None:
        query = query.where(shipments.c.depot_id == depot_id)
    rows = uow.conn.execute(query.order_by(shipments.c.id).limit(limit).offset(offset)).all()
    return [_shipment(r) for r in rows]


def shipments_by_id(uow: UnitOfWork, ids: Sequence[ShipmentId]) -> dict[ShipmentId, Shipment]:
    rows = uow.conn.execute(
        select(shipments).where(shipments.c.tenant_id == uow.tenant_id, shipments.c.id.in_(ids))
    ).all()
    return {ShipmentId(r.id): _shipment(r) for r in rows}


def move_shipment(
    uow: UnitOfWork,
    shipment_id: ShipmentId,
    previous: Collection[ShipmentStatus],
    to: ShipmentStatus,
    **values: Any,
) -> bool:
    """Set the status (and ``values``) if the shipment is still in one of ``previous``."""
    result = uow.conn.execute(
        update(shipments)
        .where(
            shipments.c.tenant_id == uow.tenant_id,
            shipments.c.id == shipment_id,
            shipments.c.status.in_([s.value for s in previous]),
        )
        .values(status=to.value, updated_at=uow.clock.now(), **values)
    )
    return result.rowcount == 1


CARRIER_FIELDS = (
    "carrier_id",
    "service_level",
    "carrier_reference",
    "expected_cost",
    "currency",
    "tendered_at",
    "co2_kg",
)
"""What a tender writes on a shipment."""


def plan_shipment(uow: UnitOfWork, s: Shipment, route_id: RouteId) -> bool:
    """Put a shipment on a route if it is still waiting exactly as the plan saw it (same
    status, same window): a reschedule during planning makes the plan stale, not wrong. A
    shipment a carrier failed to deliver is the own fleet's now: its tender is forgotten."""
    result = uow.conn.execute(
        update(shipments)
        .where(
            shipments.c.tenant_id == uow.tenant_id,
            shipments.c.id == s.id,
            shipments.c.status == s.status.value,
            shipments.c.window_start.is_not_distinct_from(s.window.start if s.window else None),
            shipments.c.window_end.is_not_distinct_from(s.window.end if s.window else None),
        )
        .values(
            status=ShipmentStatus.PLANNED.value,
            route_id=route_id,
            updated_at=uow.clock.now(),
            **dict.fromkeys(CARRIER_FIELDS),
        )
    )
    return result.rowcount == 1


def reschedule(
    uow: UnitOfWork, shipment_id: ShipmentId, status: ShipmentStatus, window: DeliveryWindow | None
) -> bool:
    result = uow.conn.execute(
        update(shipments)
        .where(
            shipments.c.tenant_id == uow.tenant_id,
            shipments.c.id == shipment_id,
            shipments.c.status == status.value,
        )
        .values(
            window_start=window.start if window else None,
            window_end=window.end if window else None,
            updated_at=uow.clock.now(),
        )
    )
    return result.rowcount == 1
