"""The fleet's resources, pure: vehicle types (what a vehicle can carry and burn), drivers (their
shifts and breaks). Vehicles themselves are in ``model.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import NewType

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import WarehouseId

VehicleTypeId = NewType("VehicleTypeId", str)
DriverId = NewType("DriverId", str)

MAX_PALLETS = 66  # a 13.6 m trailer double-stacked
MAX_RANGE_KM = 2_000.0
MAX_CO2_KG_PER_KM = 5.0
DRIVING_BEFORE_BREAK_S = 4 * 3600 + 30 * 60
"""EU Regulation 561/2006: a 45-minute break after at most 4 h 30 of driving."""
BREAK_S = 45 * 60


class Fuel(StrEnum):
    DIESEL = "diesel"
    PETROL = "petrol"
    ELECTRIC = "electric"


def _time_of_day(moment: time, what: str) -> None:
    if moment.tzinfo is not None or moment.microsecond:
        raise InvalidInput(f"{what} is a plain UTC time of day (HH:MM[:SS])", field=what)


def check_capacities(
    capacity_kg: float, capacity_m3: float, capacity_pallets: int | None, range_km: float | None
) -> None:
    """The physical limits every vehicle (and vehicle type) must state sensibly."""
    from otwb.transport.model import MAX_CAPACITY_KG, MAX_CAPACITY_M3

    for value, what, upper in (
        (capacity_kg, "capacity_kg", MAX_CAPACITY_KG),
        (capacity_m3, "capacity_m3", MAX_CAPACITY_M3),
    ):
        if not (math.isfinite(value) and 0 < value <= upper):
            raise InvalidInput(f"{what} must be positive and at most {upper:g}", field=what)
    if capacity_pallets is not None and not 0 < capacity_pallets <= MAX_PALLETS:
        raise InvalidInput(f"capacity_pallets is 1 to {MAX_PALLETS}", field="capacity_pallets")
    if range_km is not None and not (math.isfinite(range_km) and 0 < range_km <= MAX_RANGE_KM):
        raise InvalidInput(f"range_km is above 0 and at most {MAX_RANGE_KM:g}", field="range_km")


def check_co2(value: Decimal | None) -> None:
    if value is not None and (not value.is_finite() or not 0 <= value <= MAX_CO2_KG_PER_KM):
        raise InvalidInput(
            f"co2_kg_per_km is between 0 and {MAX_CO2_KG_PER_KM:g}", field="co2_kg_per_km"
        )


@dataclass(frozen=True, slots=True)
class VehicleType:
    """A model of vehicle: what it carries (kg, m³, pallet places), whether it is refrigerated,
    what it runs on and how far it goes on a charge, and its CO2e per km when full (None: the
    default of its fuel and size, see ``emissions.py``)."""

    id: VehicleTypeId
    code: str
    label: str
    capacity_kg: float
    capacity_m3: float
    capacity_pallets: int | None
    refrigerated: bool
    fuel: Fuel
    range_km: float | None = None
    co2_kg_per_km: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.code.strip() or len(self.code) > 32:
            raise InvalidInput("a vehicle type needs a code of 1 to 32 characters", field="code")
        check_capacities(self.capacity_kg, self.capacity_m3, self.capacity_pallets, self.range_km)
        check_co2(self.co2_kg_per_km)
        if self.fuel is Fuel.ELECTRIC and self.range_km is None:
            raise InvalidInput("an electric vehicle type needs its range", field="range_km")


@dataclass(frozen=True, slots=True)
class Driver:
    """A driver based at a depot, with a shift (UTC times of day) and the break rule they keep:
    at most ``break_after_s`` of work, then a break of ``break_s``."""

    id: DriverId
    code: str
    name: str
    depot_id: WarehouseId
    shift_start: time
    shift_end: time
    break_after_s: int = DRIVING_BEFORE_BREAK_S
    break_s: int = BREAK_S
    active: bool = True

    def __post_init__(self) -> None:
        if not self.code.strip() or len(self.code) > 32:
            raise InvalidInput("a driver needs a code of 1 to 32 characters", field="code")
        if not self.name.strip() or len(self.name) > 200:
            raise InvalidInput("a driver needs a name of 1 to 200 characters", field="name")
        _time_of_day(self.shift_start, "shift_start")
        _time_of_day(self.shift_end, "shift_end")
        if self.shift_end <= self.shift_start:
            raise InvalidInput("the shift must end after it starts (same day, UTC)")
        if not 3600 <= self.break_after_s <= 12 * 3600:
            raise InvalidInput("break_after_s is between 1 and 12 hours", field="break_after_s")
        if not 0 <= self.break_s <= 3 * 3600:
            raise InvalidInput("break_s is between 0 and 3 hours", field="break_s")


def shared_shift(
    vehicle_window: tuple[int, int], driver: Driver | None
) -> tuple[int, int, int, int]:
    """When a vehicle can drive with this driver: (start, end, break after, break length) in
    seconds of the day -- the intersection of the two shifts; no break rule without a driver."""
    start, end = vehicle_window
    if driver is None:
        return start, end, 0, 0
    d_start = driver.shift_start.hour * 3600 + driver.shift_start.minute * 60
    d_end = driver.shift_end.hour * 3600 + driver.shift_end.minute * 60
    return max(start, d_start), min(end, d_end), driver.break_after_s, driver.break_s
