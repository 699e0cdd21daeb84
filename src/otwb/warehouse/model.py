"""The warehouse domain: its things -- sites, zones, bins, SKUs, stock, fulfilments -- pure data
and the rules that belong to them, no I/O.

The rules of each activity live beside it, as pure modules: ``lots.py`` (lot status, expiry,
FEFO/FIFO), ``allocation.py`` (which stock serves an order), ``layout.py`` (bins from a compact
spec), ``pickpath.py`` (walking distance, S-shape and optimised paths), ``slotting.py`` (which bin
goods go to, ABC velocity), ``waves.py`` (grouping and batching orders), ``cartonisation.py``
(boxes for an order) and ``sscc.py`` (parcel ids).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import NewType, TypeVar

from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.geo import GeoPoint
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

ZoneId = NewType("ZoneId", str)
AisleId = NewType("AisleId", str)
LotId = NewType("LotId", str)
TaskId = NewType("TaskId", str)
"""A pick task: one allocation row -- take ``quantity`` of an order line from one bin-lot."""


class WarehouseKind(StrEnum):
    CENTRAL = "central"
    FRONT = "front"


class ZoneRole(StrEnum):
    """What a zone's bins are for: picking faces, reserve (bulk) storage, or the receiving dock
    where goods wait for putaway (never allocated from)."""

    PICK = "pick"
    RESERVE = "reserve"
    STAGING = "staging"

    @property
    def stores(self) -> bool:
        return self is not ZoneRole.STAGING


class FulfilmentStatus(StrEnum):
    ALLOCATED = "allocated"
    PICKED = "picked"
    PACKED = "packed"
    HANDED_OVER = "handed_over"
    RELEASED = "released"  # the order was cancelled (or nothing could be picked); stock went back


FULFILMENT_TRANSITIONS: dict[FulfilmentStatus, frozenset[FulfilmentStatus]] = {
    FulfilmentStatus.ALLOCATED: frozenset({FulfilmentStatus.PICKED, FulfilmentStatus.RELEASED}),
    FulfilmentStatus.PICKED: frozenset({FulfilmentStatus.PACKED, FulfilmentStatus.RELEASED}),
    FulfilmentStatus.PACKED: frozenset({FulfilmentStatus.HANDED_OVER, FulfilmentStatus.RELEASED}),
    FulfilmentStatus.HANDED_OVER: frozenset({FulfilmentStatus.RELEASED}),
    FulfilmentStatus.RELEASED: frozenset(),
}


S = TypeVar("S", bound=StrEnum)


def check_move(what: str, moves: Mapping[S, frozenset[S]], current: S, to: S) -> None:
    """Refuse a status change its life does not allow (``InvalidTransition``)."""
    if to not in moves[current]:
        raise InvalidTransition(
            f"the {what} is {current.value}; it cannot become {to.value}",
            current=current.value,
            requested=to.value,
        )


def check_fulfilment_transition(current: FulfilmentStatus, to: FulfilmentStatus) -> None:
    check_move("fulfilment", FULFILMENT_TRANSITIONS, current, to)


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: WarehouseId
    code: str
    name: str
    kind: WarehouseKind
    point: GeoPoint
    dock_x_m: float = 0.0
    """Where pickers start and end their tours, in the building's own metres."""
    dock_y_m: float = 0.0


@dataclass(frozen=True, slots=True)
class Zone:
    """An area of a warehouse kept at one temperature, for one purpose (pick, reserve, dock);
    a hazardous zone holds dangerous goods and nothing else."""

    id: ZoneId
    warehouse_id: WarehouseId
    code: str
    temperature_class: TemperatureClass
    role: ZoneRole = ZoneRole.PICK
    hazardous: bool = False


@dataclass(frozen=True, slots=True)
class Location:
    """A bin. In an aisle it sits at ``y_m`` along it (bay) at some ``level``; the aisle runs at
    ``x_m`` from its front end ``aisle_front_m`` to its back end ``aisle_back_m``, where the cross
    aisles are. A floor location (no aisle) is a point at (``x_m``, ``y_m``)."""

    id: LocationId
    warehouse_id: WarehouseId
    code: str
    temperature_class: TemperatureClass
    zone_id: ZoneId | None = None
    role: ZoneRole = ZoneRole.PICK
    hazardous: bool = False
    aisle: str | None = None
    bay: int | None = None
    level: int | None = None
    x_m: float = 0.0
    y_m: float = 0.0
    aisle_front_m: float | None = None
    aisle_back_m: float | None = None
    capacity_m3: float | None = None
    """Usable volume; None: not limited (a floor area)."""
    capacity_kg: float | None = None


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
    shelf_life_days: int | None = None
    """Set for goods that expire: their lots carry an expiry date and are allocated FEFO."""
    lot_tracked: bool = False
    serial_tracked: bool = False
    hazardous: bool = False

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidInput("a SKU needs a code")
        if not (self.weight_kg > 0 and math.isfinite(self.weight_kg)):
            raise InvalidInput(f"SKU {self.code}: weight must be positive")
        if not (self.volume_m3 > 0 and math.isfinite(self.volume_m3)):
            raise InvalidInput(f"SKU {self.code}: volume must be positive")
        if self.shelf_life_days is not None and self.shelf_life_days <= 0:
            raise InvalidInput(f"SKU {self.code}: shelf life must be positive")

    @property
    def expires(self) -> bool:
        return self.shelf_life_days is not None

    @property
    def tracks_lots(self) -> bool:
        """Lots are required for goods that expire, for lot-tracked and serial-tracked goods."""
        return self.lot_tracked or self.expires or self.serial_tracked


class TemperatureMismatch(InvalidInput):
    code = "temperature_mismatch"
    title = "The location's temperature does not fit the goods"


class HazardMismatch(InvalidInput):
    code = "hazard_mismatch"
    title = "Dangerous goods only in hazardous zones, and only them"


def check_storable(sku: Sku, location: Location) -> None:
    """Goods are only put where the temperature fits (chilled in chilled, frozen in frozen), and
    dangerous goods only in a hazardous zone, which holds nothing else."""
    if sku.temperature_class != location.temperature_class:
        raise TemperatureMismatch(
            f"SKU {sku.code} is {sku.temperature_class.value}; location {location.code} is "
            f"{location.temperature_class.value}"
        )
    if sku.hazardous != location.hazardous:
        what = "dangerous goods" if sku.hazardous else "goods that are not dangerous"
        raise HazardMismatch(f"SKU {sku.code} is {what}; location {location.code} does not fit")


@dataclass(frozen=True, slots=True)
class StockRow:
    """The stock of one SKU, of one lot (or none), in one bin: what is there and what is
    promised, with what the allocation rules need to know of its lot and bin."""

    id: StockId
    warehouse_id: WarehouseId
    location_id: LocationId
    sku_id: SkuId
    on_hand: int
    allocated: int
    lot_id: LotId | None = None
    expires_on: date | None = None
    received_at: datetime | None = None
    role: ZoneRole = ZoneRole.PICK

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
    """``quantity`` of an order line to take from one stock row (a pick task once stored)."""

    line_id: OrderLineId
    sku_id: SkuId
    stock_id: StockId
    quantity: int
    task_id: TaskId | None = None
    status: str = "open"
    """``open`` (to pick), ``picked`` (``picked`` units taken, fewer when short), ``released``."""
    picked: int = 0
    lot_id: LotId | None = None


@dataclass(frozen=True, slots=True)
class Shortage:
    sku_id: SkuId
    requested: int
    available: int


@dataclass(frozen=True, slots=True)
class Parcel:
    weight_kg: float
    volume_m3: float
    box: str | None = None
    """The catalogue box it was packed in; None: a standard parcel or the goods' own case."""
    sscc: str | None = None

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
    carrier: str | None = None
    route: str | None = None
    cut_off: datetime | None = None
    """When the order must be packed at the latest: waves are planned by it."""
    min_shelf_life_days: int = 0
    wave_id: str | None = None
    consolidation_id: str | None = None
    """Orders merged in a wave (same customer, same address) share one: one tote, one
    consignment to transport."""

    def moved_to(self, to: FulfilmentStatus) -> Fulfilment:
        check_fulfilment_transition(self.status, to)
        return replace(self, status=to)

    @property
    def open_picks(self) -> tuple[Pick, ...]:
        return tuple(p for p in self.picks if p.status == "open")

    @property
    def picked_units(self) -> int:
        return sum(p.picked for p in self.picks if p.status == "picked")
