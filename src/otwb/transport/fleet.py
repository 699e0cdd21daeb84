"""T's use cases for the fleet's resources: vehicle types, vehicles of a type, drivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from otwb.platform.errors import InvalidInput, NotFound
from otwb.platform.ids import WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.transport import fleet_repo, repo
from otwb.transport.fleet_model import (
    BREAK_S,
    DRIVING_BEFORE_BREAK_S,
    Driver,
    DriverId,
    Fuel,
    VehicleType,
    VehicleTypeId,
)
from otwb.transport.model import Vehicle
from otwb.transport.service import NewVehicle, add_vehicle
from otwb.transport.tables import drivers, vehicle_types


@dataclass(frozen=True)
class NewVehicleType:
    code: str
    capacity_kg: float
    capacity_m3: float
    capacity_pallets: int | None = None
    refrigerated: bool = False
    fuel: Fuel = Fuel.DIESEL
    range_km: float | None = None
    co2_kg_per_km: Decimal | None = None
    label: str = ""


def add_vehicle_type(uow: UnitOfWork, new: NewVehicleType) -> VehicleType:
    with uow:
        vt = VehicleType(
            id=VehicleTypeId(uow.ids.new("vty")),
            code=new.code.strip(),
            label=new.label.strip() or new.code.strip(),
            capacity_kg=new.capacity_kg,
            capacity_m3=new.capacity_m3,
            capacity_pallets=new.capacity_pallets,
            refrigerated=new.refrigerated,
            fuel=new.fuel,
            range_km=new.range_km,
            co2_kg_per_km=new.co2_kg_per_km,
        )
        repo.insert_coded(uow, vehicle_types, "vehicle type", fleet_repo.insert_vehicle_type, vt)
        uow.commit()
    return vt


def list_vehicle_types(uow: UnitOfWork) -> list[VehicleType]:
    with uow:
        return fleet_repo.list_vehicle_types(uow)


def add_vehicle_of_type(
    uow: UnitOfWork,
    type_id: VehicleTypeId,
    code: str,
    depot_id: WarehouseId,
    cost_per_km: Decimal,
    cost_per_hour: Decimal,
    fixed_cost: Decimal = Decimal(0),
    speed_kmh: float = 50.0,
    shift: tuple[time, time] = (time(7), time(17)),
    driver_id: DriverId | None = None,
) -> Vehicle:
    """A vehicle built to a type: capacities, refrigeration, fuel, range and CO2 from the type."""
    with uow:
        try:
            vt = fleet_repo.get_vehicle_type(uow, type_id)
        except NotFound:
            raise InvalidInput(f"unknown vehicle type {type_id}", field="vehicle_type_id") from None
        if driver_id is not None and driver_id not in {d.id for d in fleet_repo.list_drivers(uow)}:
            raise InvalidInput(f"unknown driver {driver_id}", field="driver_id")
        return add_vehicle(
            uow,
            NewVehicle(
                code=code,
                depot_id=depot_id,
                capacity_kg=vt.capacity_kg,
                capacity_m3=vt.capacity_m3,
                cost_per_km=cost_per_km,
                cost_per_hour=cost_per_hour,
                fixed_cost=fixed_cost,
                speed_kmh=speed_kmh,
                shift_start=shift[0],
                shift_end=shift[1],
                refrigerated=vt.refrigerated,
                label=vt.label,
                vehicle_type_id=vt.id,
                capacity_pallets=vt.capacity_pallets,
                fuel=vt.fuel,
                range_km=vt.range_km,
                co2_kg_per_km=vt.co2_kg_per_km,
                driver_id=driver_id,
            ),
        )


@dataclass(frozen=True)
class NewDriver:
    code: str
    name: str
    depot_id: WarehouseId
    shift_start: time = time(7)
    shift_end: time = time(17)
    break_after_s: int = DRIVING_BEFORE_BREAK_S
    break_s: int = BREAK_S


def add_driver(uow: UnitOfWork, new: NewDriver) -> Driver:
    with uow:
        driver = Driver(
            id=DriverId(uow.ids.new("drv")),
            code=new.code.strip(),
            name=new.name.strip(),
            depot_id=new.depot_id,
            shift_start=new.shift_start,
            shift_end=new.shift_end,
            break_after_s=new.break_after_s,
            break_s=new.break_s,
        )
        try:
            repo.get_depot(uow, new.depot_id)
        except NotFound:
            raise InvalidInput(f"unknown depot {new.depot_id}", field="depot_id") from None
        repo.insert_coded(uow, drivers, "driver", fleet_repo.insert_driver, driver)
        uow.commit()
    return driver


def list_drivers(uow: UnitOfWork, depot_id: WarehouseId | None = None) -> list[Driver]:
    with uow:
        return fleet_repo.list_drivers(uow, depot_id)
