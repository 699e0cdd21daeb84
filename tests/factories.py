"""Small builders of realistic records for tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from otwb.orders import service as orders
from otwb.orders.model import (
    Address,
    Customer,
    Order,
    ServiceLevel,
)
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.warehouse import service as warehouse
from otwb.warehouse.model import (
    Location,
    Warehouse,
    WarehouseKind,
)

UowFactory = Callable[[], UnitOfWork]

LYON = GeoPoint(45.7640, 4.8357)


def address(lat: float = 45.7578, lon: float = 4.8320, name: str = "Bistro du Parc") -> Address:
    return Address(name, "12 rue de la République", "Lyon", "69002", "FR", GeoPoint(lat, lon))


@dataclass
class Site:
    warehouse: Warehouse
    locations: list[Location]


def site(
    uow: UowFactory,
    code: str = "CEN",
    point: GeoPoint = GeoPoint(45.7200, 4.9500),
    kind: WarehouseKind = WarehouseKind.CENTRAL,
    bins: int = 4,
    temperature: TemperatureClass = TemperatureClass.AMBIENT,
) -> Site:
    w = warehouse.create_warehouse(uow(), code, f"{code} warehouse", kind, point)
    locs = warehouse.create_locations(
        uow(), w.id, [f"{code}-A-{i:02d}" for i in range(1, bins + 1)], temperature
    )
    return Site(w, locs)


def skus(uow: UowFactory, *codes: str, weight: float = 2.0, volume: float = 0.01) -> None:
    warehouse.create_skus(uow(), [warehouse.NewSku(c, f"Item {c}", weight, volume) for c in codes])


def customer(uow: UowFactory, code: str = "C001", name: str = "Bistro du Parc") -> Customer:
    return orders.create_customer(uow(), code, name)


def place(
    uow: UowFactory,
    customer_id: str,
    lines: list[tuple[str, int]],
    ship_to: Address | None = None,
    window: tuple[datetime, timedelta] | None = None,
) -> Order:
    return orders.place_order(
        uow(),
        orders.PlaceOrder(
            customer_id=CustomerId(customer_id),
            ship_to=ship_to or address(),
            lines=[orders.NewLine(sku, qty) for sku, qty in lines],
            service_level=ServiceLevel.STANDARD,
            window=DeliveryWindow(window[0], window[0] + window[1]) if window else None,
        ),
    )


@dataclass
class Racked:
    """A warehouse with racking: an ambient pick zone, an ambient reserve zone, a chilled pick
    zone, each of a few aisles (bins of 0.5 m³ and 400 kg)."""

    warehouse: Warehouse
    ambient: list[Location]
    reserve: list[Location]
    chilled: list[Location]

    def bin(self, code: str) -> Location:
        return next(b for b in self.ambient + self.reserve + self.chilled if b.code == code)


def racked(
    uow: UowFactory,
    code: str = "DC1",
    point: GeoPoint = GeoPoint(45.7200, 4.9500),
    kind: WarehouseKind = WarehouseKind.CENTRAL,
) -> Racked:
    from otwb.warehouse import sites
    from otwb.warehouse.layout import LayoutSpec
    from otwb.warehouse.model import ZoneRole

    w = warehouse.create_warehouse(uow(), code, f"{code} warehouse", kind, point, 6.0, 0.0)
    built = []
    for zone, temperature, role, aisles in (
        ("AMB", TemperatureClass.AMBIENT, ZoneRole.PICK, ("A", "B", "C")),
        ("RES", TemperatureClass.AMBIENT, ZoneRole.RESERVE, ("R",)),
        ("CHL", TemperatureClass.CHILLED, ZoneRole.PICK, ("K",)),
    ):
        sites.create_zone(uow(), w.id, zone, temperature, role)
        spec = LayoutSpec(aisles, 6, 2, bin_capacity_m3=0.5, bin_capacity_kg=400.0)
        built.append(sites.build_layout(uow(), w.id, zone, spec).bins)
    return Racked(w, *built)
