"""A synthetic city day around Lyon for the routing benchmark: depots, a mixed fleet, customers
(some with 2-hour windows, some chilled). Seeded, pure domain objects: no database, no tests.

Customers are spread uniformly over about 55 x 55 km round (45.72, 4.95); windows start on the
hour between 08:00 and 14:00 (every third customer); 1 to 4 parcels, 0.02 to 0.3 m³ each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, ShipmentId, VehicleId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.transport.fleet_model import Fuel
from otwb.transport.model import Depot, Shipment, ShipmentStatus, Vehicle

DAY = date(2026, 11, 26)
"""The service date; everything is planned the evening before (``EVE``)."""
EVE = datetime(2026, 11, 25, 18, tzinfo=UTC)
CENTRE = GeoPoint(45.72, 4.95)
DEPOTS = (
    Depot(WarehouseId("whs_C"), "Central", CENTRE),
    Depot(WarehouseId("whs_N"), "North", GeoPoint(45.80, 4.84)),
    Depot(WarehouseId("whs_W"), "West", GeoPoint(45.75, 4.78)),
)


def at(hour: int, minute: int = 0) -> datetime:
    """A time of the service day (UTC)."""
    return datetime.combine(DAY, time(0), tzinfo=UTC) + timedelta(hours=hour, minutes=minute)


@dataclass(frozen=True)
class Kind:
    """A kind of vehicle of the mixed fleet, with its costs (EUR)."""

    label: str
    kg: float
    m3: float
    refrigerated: bool
    per_km: str
    fixed: str
    fuel: Fuel = Fuel.DIESEL
    range_km: float | None = None


REEFER_TRUCK = Kind("reefer truck", 2800, 30, True, "0.95", "85")
REEFER_VAN = Kind("reefer van", 1000, 12, True, "0.62", "55")
E_VAN = Kind("e-van", 700, 8, False, "0.28", "45", Fuel.ELECTRIC, 160.0)
MIXED = (REEFER_TRUCK, REEFER_VAN, E_VAN)


def vehicle(
    code: str, depot: Depot, kind: Kind, speed_kmh: float, shift: tuple[int, int]
) -> Vehicle:
    def eur(amount: str) -> Money:
        return Money(Decimal(amount), "EUR")

    return Vehicle(
        id=VehicleId(f"veh_{code}"),
        code=code,
        depot_id=depot.id,
        label=kind.label,
        capacity_kg=kind.kg,
        capacity_m3=kind.m3,
        refrigerated=kind.refrigerated,
        cost_per_km=eur(kind.per_km),
        cost_per_hour=eur("30"),
        fixed_cost=eur(kind.fixed),
        speed_kmh=speed_kmh,
        shift_start=time(shift[0]),
        shift_end=time(shift[1]),
        fuel=kind.fuel,
        range_km=kind.range_km,
    )


def fleet(depots: tuple[Depot, ...], per_depot: int) -> list[Vehicle]:
    """``per_depot`` vehicles at each depot, the kinds of ``MIXED`` in turn, 30 km/h in town,
    on the road from 06:00 to 20:00."""
    return [
        vehicle(f"{d.id[-1]}{k}", d, MIXED[k % len(MIXED)], 30.0, (6, 20))
        for d in depots
        for k in range(per_depot)
    ]


def customers(
    count: int,
    seed: int,
    depots: tuple[Depot, ...] = DEPOTS[:1],
    windows: bool = True,
    cold_every: int = 0,
    kg: tuple[float, float] = (5.0, 40.0),
) -> list[Shipment]:
    """``count`` deliveries waiting at ``depots`` (each at one of them, drawn at random)."""
    rng = random.Random(seed)
    items = []
    for n in range(count):
        point = GeoPoint(
            CENTRE.lat + rng.uniform(-0.25, 0.25), CENTRE.lon + rng.uniform(-0.35, 0.35)
        )
        window = None
        if windows and n % 3 == 0:
            start = rng.randint(8, 14)
            window = DeliveryWindow(at(start), at(start + 2))
        cold = bool(cold_every) and n % cold_every == 0
        items.append(
            Shipment(
                id=ShipmentId(f"shp_{n:06d}"),
                order_id=OrderId(f"ord_{n:06d}"),
                customer_id=CustomerId(f"cus_{n:06d}"),
                depot_id=depots[0].id,
                tracking_number=f"T{n:06d}",
                ship_to_name=f"Customer {n}",
                ship_to_address=f"{n} rue de Lyon",
                ship_to=point,
                window=window,
                weight_kg=round(rng.uniform(*kg), 1),
                volume_m3=round(rng.uniform(0.02, 0.3), 3),
                parcel_count=rng.randint(1, 4),
                temperature_class=TemperatureClass.CHILLED if cold else TemperatureClass.AMBIENT,
                status=ShipmentStatus.READY,
                created_at=EVE,
            )
        )
    if len(depots) > 1:
        pick = random.Random(seed)
        items = [replace(s, depot_id=pick.choice(depots).id) for s in items]
    return items
