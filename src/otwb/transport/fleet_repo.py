"""Reading and writing vehicle types and drivers, always within the caller's tenant."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select

from otwb.platform.errors import NotFound
from otwb.platform.ids import WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.transport.fleet_model import Driver, DriverId, Fuel, VehicleType, VehicleTypeId
from otwb.transport.model import ACTIVE_ROUTE, seconds_of_day, time_of_day
from otwb.transport.tables import drivers, routes, vehicle_types


def insert_vehicle_type(uow: UnitOfWork, t: VehicleType) -> None:
    uow.conn.execute(
        insert(vehicle_types).values(
            id=t.id,
            tenant_id=uow.tenant_id,
            code=t.code,
            label=t.label,
            capacity_kg=t.capacity_kg,
            capacity_m3=t.capacity_m3,
            capacity_pallets=t.capacity_pallets,
            refrigerated=t.refrigerated,
            fuel=t.fuel.value,
            range_km=t.range_km,
            co2_kg_per_km=t.co2_kg_per_km,
            created_at=uow.clock.now(),
        )
    )


def _vehicle_type(r: Any) -> VehicleType:
    return VehicleType(
        id=VehicleTypeId(r.id),
        code=r.code,
        label=r.label,
        capacity_kg=r.capacity_kg,
        capacity_m3=r.capacity_m3,
        capacity_pallets=r.capacity_pallets,
        refrigerated=bool(r.refrigerated),
        fuel=Fuel(r.fuel),
        range_km=r.range_km,
        co2_kg_per_km=r.co2_kg_per_km,
    )


def get_vehicle_type(uow: UnitOfWork, type_id: VehicleTypeId) -> VehicleType:
    row = uow.conn.execute(
        select(vehicle_types).where(
            vehicle_types.c.tenant_id == uow.tenant_id, vehicle_types.c.id == type_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no vehicle type {type_id}")
    return _vehicle_type(row)


def list_vehicle_types(uow: UnitOfWork) -> list[VehicleType]:
    rows = uow.conn.execute(
        select(vehicle_types)
        .where(vehicle_types.c.tenant_id == uow.tenant_id)
        .order_by(vehicle_types.c.code)
    ).all()
    return [_vehicle_type(r) for r in rows]


def insert_driver(uow: UnitOfWork, d: Driver) -> None:
    uow.conn.execute(
        insert(drivers).values(
            id=d.id,
            tenant_id=uow.tenant_id,
            code=d.code,
            name=d.name,
            depot_id=d.depot_id,
            shift_start_s=seconds_of_day(d.shift_start),
            shift_end_s=seconds_of_day(d.shift_end),
            break_after_s=d.break_after_s,
            break_s=d.break_s,
            active=d.active,
            created_at=uow.clock.now(),
        )
    )


def _driver(r: Any) -> Driver:
    return Driver(
        id=DriverId(r.id),
        code=r.code,
        name=r.name,
        depot_id=WarehouseId(r.depot_id),
        shift_start=time_of_day(r.shift_start_s),
        shift_end=time_of_day(r.shift_end_s),
        break_after_s=r.break_after_s,
        break_s=r.break_s,
        active=bool(r.active),
    )


def list_drivers(uow: UnitOfWork, depot_id: WarehouseId | None = None) -> list[Driver]:
    query = select(drivers).where(drivers.c.tenant_id == uow.tenant_id)
    if depot_id is not None:
        query = query.where(drivers.c.depot_id == depot_id)
    return [_driver(r) for r in uow.conn.execute(query.order_by(drivers.c.code)).all()]


def busy_drivers(uow: UnitOfWork, service_date: date) -> set[DriverId]:
    """Drivers already on a planned or dispatched route that date."""
    rows = uow.conn.execute(
        select(routes.c.driver_id).where(
            routes.c.tenant_id == uow.tenant_id,
            routes.c.service_date == service_date,
            routes.c.driver_id.is_not(None),
            routes.c.status.in_([s.value for s in ACTIVE_ROUTE]),
        )
    ).scalars()
    return {DriverId(d) for d in rows}
