"""The warehouse domain: pure data and rules, no I/O."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from otwb.platform.errors import InvalidInput, InvalidTransition, OutOfStock
from otwb.platform.geo import GeoPoint, haversine_km
from otwb.platform.ids import (
    CustomerId,
    LocationId,
    OrderId,
    OrderLineId,
    SkuId,
    StockId,
    WarehouseId,
)
from otwb.platform.values import TemperatureClass


class WarehouseKind(StrEnum):
    CENTRAL = "central"
    FRONT = "front"


class FulfilmentStatus(StrEnum):
    ALLOCATED = "allocated"
    PICKED = "picked"
    PACKED = "packed"
    HANDED_OVER = "handed_over"
    RELEASED = "released"  # the order was cancelled; stock went back


FULFILMENT_TRANSITIONS: dict[FulfilmentStatus, frozenset[FulfilmentStatus]] = {
    FulfilmentStatus.ALLOCATED: frozenset({FulfilmentStatus.PICKED, FulfilmentStatus.RELEASED}),
    FulfilmentStatus.PICKED: frozenset({FulfilmentStatus.PACKED, FulfilmentStatus.RELEASED}),
    FulfilmentStatus.PACKED: frozenset({FulfilmentStatus.HANDED_OVER, FulfilmentStatus.RELEASED}),
    FulfilmentStatus.HANDED_OVER: frozenset({FulfilmentStatus.RELEASED}),
    FulfilmentStatus.RELEASED: frozenset(),
}


def check_fulfilment_transition(current: FulfilmentStatus, to: FulfilmentStatus) -> None:
    if to not in FULFILMENT_TRANSITIONS[current]:
        raise InvalidTransition(
            f"the fulfilment is {current.value}; it cannot become {to.value}",
            current=current.value,
            requested=to.value,
        )


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: WarehouseId
    code: str
    name: str
    kind: WarehouseKind
    point: GeoPoint


@dataclass(frozen=True, slots=True)
class Location:
    id: LocationId
    warehouse_id: WarehouseId
    code: str
    temperature_class: TemperatureClass


@dataclass(frozen=True, slots=True)
class Sku:
    id: SkuId
    code: str
    name: str
    weight_kg: float
    volume_m3: float
    temperature_class: TemperatureClass
    owner_id: CustomerId | None = None
    """The customer who owns the goods when they are held on consignment (billed for storage)."""

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidInput("a SKU needs a code")
        if not (self.weight_kg > 0 and math.isfinite(self.weight_kg)):
            raise InvalidInput(f"SKU {self.code}: weight must be positive")
        if not (self.volume_m3 > 0 and math.isfinite(self.volume_m3)):
            raise InvalidInput(f"SKU {self.code}: volume must be positive")


class TemperatureMismatch(InvalidInput):
    code = "temperature_mismatch"
    title = "The location's temperature does not fit the goods"


def check_storable(sku: Sku, location: Location) -> None:
    """Goods are only put where the temperature fits: chilled in chilled, frozen in frozen."""
    if sku.temperature_class != location.temperature_class:
        raise TemperatureMismatch(
            f"SKU {sku.code} is {sku.temperature_class.value}; location {location.code} is "
            f"{location.temperature_class.value}"
        )


@dataclass(frozen=True, slots=True)
class StockRow:
    """The stock of one SKU in one location: what is there and what is promised."""

    id: StockId
    warehouse_id: WarehouseId
    location_id: LocationId
    sku_id: SkuId
    on_hand: int
    allocated: int

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


@dataclass(frozen=True, slots=True)
class Demand:
    """One order line as the warehouse sees it."""

    line_id: OrderLineId
    sku_id: SkuId
    quantity: int


@dataclass(frozen=True, slots=True)
class Pick:
    """``quantity`` of an order line to take from one stock row."""

    line_id: OrderLineId
    sku_id: SkuId
    stock_id: StockId
    quantity: int


@dataclass(frozen=True, slots=True)
class Shortage:
    sku_id: SkuId
    requested: int
    available: int


def choose_warehouse(
    demand: Sequence[Demand],
    warehouses: Sequence[Warehouse],
    stock: Sequence[StockRow],
    ship_to: GeoPoint,
) -> Warehouse | None:
    """The warehouse nearest to the ship-to that can serve the whole order, if any."""
    needed: dict[SkuId, int] = defaultdict(int)
    for line in demand:
        needed[line.sku_id] += line.quantity
    available: dict[tuple[WarehouseId, SkuId], int] = defaultdict(int)
    for row in stock:
        available[row.warehouse_id, row.sku_id] += max(row.available, 0)
    able = [
        w for w in warehouses if all(available[w.id, sku] >= qty for sku, qty in needed.items())
    ]
    return min(able, key=lambda w: (haversine_km(w.point, ship_to), w.code), default=None)


def shortages(
    demand: Sequence[Demand], stock: Sequence[StockRow], warehouse_id: WarehouseId | None = None
) -> list[Shortage]:
    """What is missing, SKU by SKU, to serve ``demand`` (from one warehouse, or anywhere)."""
    needed: dict[SkuId, int] = defaultdict(int)
    for line in demand:
        needed[line.sku_id] += line.quantity
    available: dict[SkuId, int] = defaultdict(int)
    for row in stock:
        if warehouse_id is None or row.warehouse_id == warehouse_id:
            available[row.sku_id] += max(row.available, 0)
    return [
        Shortage(sku, qty, available[sku])
        for sku, qty in sorted(needed.items())
        if available[sku] < qty
    ]


def plan_picks(demand: Sequence[Demand], stock: Sequence[StockRow]) -> list[Pick]:
    """Allocate every line from ``stock`` (one warehouse's rows), all or nothing.

    Each line is served from the location holding most of its SKU first, so that an order
    line is split across as few locations as possible. Raises ``OutOfStock`` when a line cannot
    be served in full.
    """
    left = {row.id: max(row.available, 0) for row in stock}
    by_sku: dict[SkuId, list[StockRow]] = defaultdict(list)
    for row in stock:
        by_sku[row.sku_id].append(row)
    picks: list[Pick] = []
    for line in demand:
        if line.quantity <= 0:
            raise InvalidInput("quantities must be positive")
        wanted = line.quantity
        for row in sorted(by_sku[line.sku_id], key=lambda r: (-left[r.id], r.id)):
            if wanted == 0:
                break
            take = min(wanted, left[row.id])
            if take > 0:
                picks.append(Pick(line.line_id, line.sku_id, row.id, take))
                left[row.id] -= take
                wanted -= take
        if wanted:
            raise OutOfStock(
                f"SKU {line.sku_id}: {line.quantity} requested, {line.quantity - wanted} available",
            )
    return picks


class StockBook:
    """The stock rows an allocation run may promise, and what it has promised so far.

    Orders of one run are allocated one after the other against the same book, so the second
    order sees what the first one took; ``promised`` is what the run must write.
    """

    def __init__(self, rows: Iterable[StockRow]) -> None:
        self._rows: dict[StockId, StockRow] = {}
        self._by_sku: dict[SkuId, list[StockId]] = defaultdict(list)
        for row in rows:
            self._rows[row.id] = row
            self._by_sku[row.sku_id].append(row.id)
        self.promised: dict[StockId, int] = defaultdict(int)

    def rows(self, sku_ids: Iterable[SkuId]) -> list[StockRow]:
        """The current rows of these SKUs, with this run's promises counted as allocated."""
        return [
            replace(row, allocated=row.allocated + self.promised[row.id])
            if self.promised.get(row.id)
            else row
            for sku in sorted(set(sku_ids))
            for row in (self._rows[i] for i in self._by_sku.get(sku, ()))
        ]

    def promise(self, picks: Iterable[Pick]) -> None:
        for pick in picks:
            self.promised[pick.stock_id] += pick.quantity


@dataclass(frozen=True, slots=True)
class Allocated:
    warehouse: Warehouse
    picks: tuple[Pick, ...]


def allocate(
    demand: Sequence[Demand], book: StockBook, warehouses: Sequence[Warehouse], ship_to: GeoPoint
) -> Allocated | list[Shortage]:
    """Serve the whole order from the nearest warehouse that can, and promise it in the book;
    or, when no single warehouse can, the network-wide shortages (nothing is promised)."""
    stock = book.rows(d.sku_id for d in demand)
    warehouse = choose_warehouse(demand, warehouses, stock, ship_to)
    if warehouse is None:
        return shortages(demand, stock)
    picks = plan_picks(demand, [r for r in stock if r.warehouse_id == warehouse.id])
    book.promise(picks)
    return Allocated(warehouse, tuple(picks))


@dataclass(frozen=True, slots=True)
class Parcel:
    weight_kg: float
    volume_m3: float

    def __post_init__(self) -> None:
        if not (self.weight_kg > 0 and math.isfinite(self.weight_kg)):
            raise InvalidInput("a parcel's weight must be positive")
        if not (self.volume_m3 > 0 and math.isfinite(self.volume_m3)):
            raise InvalidInput("a parcel's volume must be positive")


PALLET_M3 = 1.44
"""Usable volume of a pallet place (EUR pallet 1.2 x 0.8 m, 1.5 m high): one pallet-equivalent."""


@dataclass(frozen=True, slots=True)
class StorageLine:
    """Goods on hand of one owner, in one warehouse, at one temperature: what storage is
    measured on (units, cubic metres, pallet-equivalents)."""

    owner_id: CustomerId | None
    warehouse_id: WarehouseId
    temperature_class: TemperatureClass
    units: int
    volume_m3: float

    @property
    def pallets(self) -> float:
        return self.volume_m3 / PALLET_M3


MAX_PARCEL_KG = 25.0
MAX_PARCEL_M3 = 0.12


def default_parcels(weight_kg: float, volume_m3: float) -> list[Parcel]:
    """Split a load into equal parcels within the standard parcel limits (25 kg, 0.12 m³)."""
    if weight_kg <= 0 or volume_m3 <= 0:
        raise InvalidInput("nothing to pack")
    count = max(1, math.ceil(weight_kg / MAX_PARCEL_KG), math.ceil(volume_m3 / MAX_PARCEL_M3))
    return [Parcel(weight_kg / count, volume_m3 / count) for _ in range(count)]


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """The warehouse's side of one order: where it is served from and how far it has got."""

    id: str
    order_id: OrderId
    warehouse_id: WarehouseId
    customer_id: CustomerId
    status: FulfilmentStatus
    ship_to_name: str
    ship_to_address: str
    ship_to: GeoPoint
    service_level: str
    window_start: datetime | None
    window_end: datetime | None
    picks: tuple[Pick, ...] = ()
    parcels: tuple[Parcel, ...] = ()

    def moved_to(self, to: FulfilmentStatus) -> Fulfilment:
        check_fulfilment_transition(self.status, to)
        return replace(self, status=to)
