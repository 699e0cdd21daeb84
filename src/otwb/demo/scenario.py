"""The demo scenario: a regional distributor around Lyon, built through the service layer.

One central distribution centre and three front warehouses, racked by zone (ambient, chilled,
frozen: aisles of 25 bays on 2 levels, pallet positions of 2 m³), a few hundred SKUs -- the
chilled, frozen and pharmacy ones in lots with an expiry date, two lots each so that FEFO shows
-- stock sized to the day's demand, a box catalogue to pack in, customers spread over the city
with their tariffs, a few key accounts holding consignment stock (and asking for 5 days of shelf
life left), and a mixed fleet at every site.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from otwb.billing import service as billing
from otwb.demo import geography
from otwb.demo.catalogue import Product, products
from otwb.orders import promise_service
from otwb.orders import service as orders
from otwb.orders.importer import LYON_POSTCODES, read_postcodes
from otwb.orders.model import (
    Address,
    Customer,
)
from otwb.orders.promise import PromiseProfile
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.transport import service as transport
from otwb.warehouse import packing, quality, sites
from otwb.warehouse import service as warehouse
from otwb.warehouse.cartonisation import Box
from otwb.warehouse.layout import LayoutSpec, parse_aisles
from otwb.warehouse.model import (
    Location,
    Warehouse,
    WarehouseKind,
)

UowFactory = Callable[[], UnitOfWork]

SKU_COUNT = 300
CUSTOMER_COUNT = 150
KEY_ACCOUNTS = 4
FAST_SHARE = 0.25  # the fastest movers are also stocked in the front warehouses
KEY_ACCOUNT_SHELF_LIFE = 5  # days of shelf life left that key accounts ask for
BIN_M3, BIN_KG = 2.0, 1000.0  # a pallet position
AISLE_PITCH = 3.2
BOXES = [  # code, inner m³, max kg, tare kg, outer m³
    Box("S", 0.02, 12.0, 0.3, 0.024),
    Box("M", 0.06, 20.0, 0.6, 0.068),
    Box("L", 0.12, 25.0, 0.9, 0.132),
]

# Fleet per site: (label, count, kg, m³, refrigerated, €/km, €/h, fixed €, km/h)
CENTRAL_FLEET = [
    ("7.5t reefer truck", 2, 2800.0, 30.0, True, "0.95", "34.00", "85.00", 32.0),
    ("3.5t reefer van", 3, 1000.0, 12.0, True, "0.62", "30.00", "55.00", 30.0),
    ("3.5t van", 2, 1100.0, 14.0, False, "0.55", "30.00", "50.00", 30.0),
]
FRONT_FLEET = [
    ("3.5t reefer van", 3, 1000.0, 12.0, True, "0.62", "30.00", "55.00", 28.0),
    ("e-van", 1, 700.0, 8.0, False, "0.28", "29.00", "45.00", 26.0),
]
SHIFT = (time(7, 0), time(19, 0))  # UTC: 08:00-20:00 in Lyon in winter

# Tariff tiers (handling per line, transport per kg·km, per drop, storage per unit·day).
DEFAULT_TARIFF = ("0.85", "0.0120", "6.50", "0.0400")
KEY_ACCOUNT_TARIFF = ("0.60", "0.0095", "4.90", "0.0300")
TAX_RATE = "0.20"


@dataclass
class Site:
    warehouse: Warehouse
    bins: dict[TemperatureClass, list[Location]]


@dataclass
class Scenario:
    sites: list[Site]
    products: list[Product]
    customers: list[Customer]
    addresses: dict[CustomerId, Address]
    key_accounts: list[Customer]
    vehicles: int = 0


def build(uow: UowFactory, day: date, n_orders: int, rng: random.Random) -> Scenario:
    sites = _sites(uow)
    catalogue = products(SKU_COUNT, rng)
    customers, addresses = _customers(uow, rng)
    orders.load_postcodes(uow(), read_postcodes(LYON_POSTCODES))  # geocodes orders without lat/lon
    key_accounts = customers[:KEY_ACCOUNTS]
    _skus(uow, catalogue, key_accounts)
    scenario = Scenario(sites, catalogue, customers, addresses, key_accounts)
    _tariffs(uow, day, key_accounts)  # before the opening stock: its receipt lines are charged
    _stock(uow, scenario, day, n_orders, rng)
    for box in BOXES:
        packing.set_box(uow(), box)
    for customer in key_accounts:
        quality.set_min_shelf_life(uow(), customer.id, KEY_ACCOUNT_SHELF_LIFE)
    scenario.vehicles = _fleet(uow, sites)
    return scenario


PROMISES = PromiseProfile(
    time_zone="Europe/Paris", country="FR", working_days=frozenset(range(1, 6))
)
"""Every site promises on French working days in Paris time (default cut-offs)."""


def _sites(uow: UowFactory) -> list[Site]:
    code, name, lat, lon = geography.CENTRAL
    specs = [(code, name, lat, lon, WarehouseKind.CENTRAL)] + [
        (c, n, la, lo, WarehouseKind.FRONT) for c, n, la, lo in geography.FRONTS
    ]
    built = []
    for code, name, lat, lon, kind in specs:
        central = kind is WarehouseKind.CENTRAL
        zones = {  # zone, aisles (letters), bays per aisle, levels
            TemperatureClass.AMBIENT: ("AMB", "A-L" if central else "A-D", 25, 2),
            TemperatureClass.CHILLED: ("CHL", "M-O" if central else "M", 25, 2),
        }
        if central:
            zones[TemperatureClass.FROZEN] = ("FRZ", "P", 30, 2)
        aisles = sum(len(parse_aisles(letters)) for _, letters, _, _ in zones.values())
        w = warehouse.create_warehouse(
            uow(), code, name, kind, GeoPoint(lat, lon), dock_x_m=AISLE_PITCH * aisles / 2
        )
        promise_service.set_profile(uow(), w.id, PROMISES)  # O promises from every site
        bins = {}
        for temperature, (zone, letters, bays, levels) in zones.items():
            sites.create_zone(uow(), w.id, zone, temperature)
            spec = LayoutSpec.parse(
                f"{letters} x {bays} x {levels}",
                aisle_pitch_m=AISLE_PITCH,
                bin_capacity_m3=BIN_M3,
                bin_capacity_kg=BIN_KG,
            )
            bins[temperature] = sites.build_layout(uow(), w.id, zone, spec).bins
        built.append(Site(w, bins))
    return built


def _customers(
    uow: UowFactory, rng: random.Random
) -> tuple[list[Customer], dict[CustomerId, Address]]:
    customers, addresses = [], {}
    for i in range(CUSTOMER_COUNT):
        name = f"{rng.choice(geography.KINDS)} {rng.choice(geography.NAMES)}"
        customer = orders.create_customer(uow(), f"C{i + 1:04d}", name)
        customers.append(customer)
        addresses[customer.id] = Address(
            name=name,
            street=f"{rng.randint(1, 180)} {rng.choice(geography.STREETS)}",
            city=geography.CITY,
            postcode=rng.choice(geography.POSTCODES),
            country="FR",
            point=geography.customer_point(rng),
        )
    return customers, addresses


def _skus(uow: UowFactory, catalogue: list[Product], key_accounts: list[Customer]) -> None:
    # Every tenth SKU is a key account's consignment stock: they own it and pay its storage.
    warehouse.create_skus(
        uow(),
        [
            warehouse.NewSku(
                p.code,
                p.name,
                p.weight_kg,
                p.volume_m3,
                p.temperature,
                key_accounts[i // 10 % len(key_accounts)].id if i % 10 == 0 else None,
                shelf_life_days=p.shelf_life_days,
            )
            for i, p in enumerate(catalogue)
        ],
    )


def _stock(
    uow: UowFactory, scenario: Scenario, day: date, n_orders: int, rng: random.Random
) -> None:
    """Central holds everything for ~3 days of demand; fronts hold the fast movers for ~1 day.
    A few SKUs run short, as they do: their orders wait (allocation failed, on the timeline).
    Goods that expire come in two lots: 40 % of an older one, 60 % of a fresh one. A quantity
    takes as many pallet positions as it needs. One opening-stock import per site."""
    lines_per_day = n_orders * 2.6 * 3.5  # orders x lines x cases per line
    ranked = sorted(scenario.products, key=lambda p: -p.popularity)
    fast = {
        p.code
        for p in ranked[: int(len(ranked) * FAST_SHARE)]
        if p.temperature is not TemperatureClass.FROZEN
    }
    short = set(rng.sample([p.code for p in ranked[30:120]], 2))
    receipts: dict[str, list[warehouse.DirectReceipt]] = {
        s.warehouse.id: [] for s in scenario.sites
    }
    free = {
        site.warehouse.id: {t: iter(bins) for t, bins in site.bins.items()}
        for site in scenario.sites
    }
    for product in scenario.products:
        demand = product.popularity * lines_per_day
        for site in scenario.sites:
            central = site.warehouse.kind is WarehouseKind.CENTRAL
            if not central and product.code not in fast:
                continue
            days = 3.0 if central else 0.8
            quantity = max(4, round(demand * days * rng.uniform(0.8, 1.2)))
            if product.code in short and central:
                quantity = max(1, round(demand * 0.3))
            per_bin = math.floor(min(BIN_M3 / product.volume_m3, BIN_KG / product.weight_kg))
            bins = free[site.warehouse.id][product.temperature]
            for lot, expires_on, part in _lots(product.shelf_life_days, day, quantity):
                while part > 0:
                    take = min(part, per_bin)
                    receipts[site.warehouse.id].append(
                        warehouse.DirectReceipt(next(bins).id, product.code, take, lot, expires_on)
                    )
                    part -= take
    for site_receipts in receipts.values():
        warehouse.receive_stocks(uow(), site_receipts, "opening stock")


def _lots(
    shelf_life_days: int | None, day: date, quantity: int
) -> list[tuple[str | None, date | None, int]]:
    """(lot, expiry, units): goods that do not expire in one go, the others in two lots."""
    if shelf_life_days is None:
        return [(None, None, quantity)]
    older = quantity * 2 // 5
    parts = [(0.35, older), (0.9, quantity - older)]
    out: list[tuple[str | None, date | None, int]] = []
    for share, units in parts:
        expires_on = day + timedelta(days=max(2, round(shelf_life_days * share)))
        if units:
            out.append((f"L{expires_on:%y%m%d}", expires_on, units))
    return out


INBOUND_LINE_PRICE = "0.35"  # per receipt line of a client's goods
PARCEL_PRICE = "0.40"  # per parcel packed


def _tariffs(uow: UowFactory, day: date, key_accounts: list[Customer]) -> None:
    def terms(customer_id: CustomerId | None, rates: tuple[str, str, str, str]) -> None:
        """A rate card: the four flat prices, plus receipts and parcels and a fuel surcharge."""
        per_line, per_kg_km, per_drop, per_unit_day = rates
        rules = [
            billing.NewRule("line", price=per_line),
            billing.NewRule("inbound_line", price=INBOUND_LINE_PRICE),
            billing.NewRule("parcel", price=PARCEL_PRICE),
            billing.NewRule("kg_km", price=per_kg_km),
            billing.NewRule("drop", price=per_drop),
            billing.NewRule("unit_day", price=per_unit_day),
        ]
        billing.set_tariff(
            uow(),
            billing.NewTariff(customer_id, day.replace(day=1), "EUR", TAX_RATE, rules),
        )

    terms(None, DEFAULT_TARIFF)
    for customer in key_accounts:
        terms(customer.id, KEY_ACCOUNT_TARIFF)


def _fleet(uow: UowFactory, sites: list[Site]) -> int:
    count = 0
    for site in sites:
        central = site.warehouse.kind is WarehouseKind.CENTRAL
        for label, n, kg, m3, cold, per_km, per_h, fixed, speed in (
            CENTRAL_FLEET if central else FRONT_FLEET
        ):
            for _ in range(n):
                count += 1
                transport.add_vehicle(
                    uow(),
                    transport.NewVehicle(
                        code=f"{site.warehouse.code}-V{count:02d}",
                        depot_id=WarehouseId(site.warehouse.id),
                        capacity_kg=kg,
                        capacity_m3=m3,
                        refrigerated=cold,
                        label=label,
                        cost_per_km=Decimal(per_km),
                        cost_per_hour=Decimal(per_h),
                        fixed_cost=Decimal(fixed),
                        speed_kmh=speed,
                        shift_start=SHIFT[0],
                        shift_end=SHIFT[1],
                    ),
                )
    return count
