"""Builders of transport domain objects for pure tests (no database)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, ShipmentId, VehicleId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.transport.model import (
    Depot,
    Shipment,
    ShipmentStatus,
    Vehicle,
)

DAY = date(2026, 11, 26)
ORIGIN = datetime(2026, 11, 26, tzinfo=UTC)
EVE = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # planning the evening before
DEPOT = Depot(WarehouseId("whs_LYON"), "Lyon East", GeoPoint(45.7200, 4.9500))


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def vehicle(
    code: str = "V1",
    kg: float = 800.0,
    m3: float = 8.0,
    refrigerated: bool = False,
    speed: float = 40.0,
    shift: tuple[time, time] = (time(7), time(17)),
    per_km: str = "0.50",
    per_hour: str = "30",
    fixed: str = "50",
    active: bool = True,
) -> Vehicle:
    return Vehicle(
        id=VehicleId(f"veh_{code}"),
        code=code,
        depot_id=DEPOT.id,
        label="van",
        capacity_kg=kg,
        capacity_m3=m3,
        refrigerated=refrigerated,
        cost_per_km=eur(per_km),
        cost_per_hour=eur(per_hour),
        fixed_cost=eur(fixed),
        speed_kmh=speed,
        shift_start=shift[0],
        shift_end=shift[1],
        active=active,
    )


def shipment(
    n: int,
    point: GeoPoint | None = None,
    kg: float = 20.0,
    m3: float = 0.1,
    parcels: int = 1,
    temperature: TemperatureClass = TemperatureClass.AMBIENT,
    window: tuple[datetime, datetime] | None = None,
    status: ShipmentStatus = ShipmentStatus.READY,
) -> Shipment:
    sid = ShipmentId(f"shp_{n:06d}")
    return Shipment(
        id=sid,
        order_id=OrderId(f"ord_{n:06d}"),
        customer_id=CustomerId("cus_1"),
        depot_id=DEPOT.id,
        tracking_number=f"T{n:06d}",
        ship_to_name=f"Customer {n}",
        ship_to_address=f"{n} rue de Lyon",
        ship_to=point or GeoPoint(45.76, 4.84),
        window=DeliveryWindow(*window) if window else None,
        weight_kg=kg,
        volume_m3=m3,
        parcel_count=parcels,
        temperature_class=temperature,
        status=status,
        created_at=EVE,
    )


def at(hour: int, minute: int = 0) -> datetime:
    return ORIGIN + timedelta(hours=hour, minutes=minute)


def scattered(
    count: int,
    seed: int,
    windows: bool = True,
    cold_every: int = 0,
    kg: tuple[float, float] = (5.0, 60.0),
) -> list[Shipment]:
    """``count`` shipments around Lyon (about 30 km), some with 2-hour windows, some chilled."""
    rng = random.Random(seed)
    items = []
    for n in range(count):
        point = GeoPoint(45.72 + rng.uniform(-0.25, 0.25), 4.95 + rng.uniform(-0.35, 0.35))
        window = None
        if windows and n % 3 == 0:
            start = rng.randint(8, 14)
            window = (at(start), at(start + 2))
        cold = cold_every and n % cold_every == 0
        items.append(
            shipment(
                n,
                point,
                kg=round(rng.uniform(*kg), 1),
                m3=round(rng.uniform(0.02, 0.3), 3),
                parcels=rng.randint(1, 4),
                temperature=TemperatureClass.CHILLED if cold else TemperatureClass.AMBIENT,
                window=window,
            )
        )
    return items
