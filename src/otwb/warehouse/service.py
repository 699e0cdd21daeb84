"""W's use cases for master data and stock: warehouses, locations, SKUs, receiving, stock queries.

The outbound flow (allocate, pick, pack, hand over, release) is in ``fulfilment.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from otwb.platform.errors import Conflict, InvalidInput, NotFound, UnknownSku
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, LocationId, SkuId, StockId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse import repo
from otwb.warehouse.events import StockReceived, WarehouseOpened
from otwb.warehouse.model import (
    Location,
    Sku,
    StockRow,
    StorageLine,
    Warehouse,
    WarehouseKind,
    check_storable,
)


# -- warehouses and locations ------------------------------------------------------------
def create_warehouse(
    uow: UnitOfWork, code: str, name: str, kind: WarehouseKind, point: GeoPoint
) -> Warehouse:
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput("a warehouse needs a code and a name")
    warehouse = Warehouse(WarehouseId(uow.ids.new("whs")), code, name, kind, point)
    with uow:
        try:
            repo.insert_warehouse(uow, warehouse)
        except IntegrityError:
            raise Conflict(f"warehouse code {code!r} is already used") from None
        uow.record(
            WarehouseOpened(
                warehouse_id=warehouse.id,
                code=code,
                name=name,
                kind=kind.value,
                lat=point.lat,
                lon=point.lon,
            )
        )
        uow.commit()
    return warehouse


def list_warehouses(uow: UnitOfWork) -> list[Warehouse]:
    with uow:
        return repo.list_warehouses(uow)


def get_warehouse(uow: UnitOfWork, warehouse_id: WarehouseId) -> Warehouse:
    with uow:
        return repo.get_warehouse(uow, warehouse_id)


def create_locations(
    uow: UnitOfWork,
    warehouse_id: WarehouseId,
    codes: Sequence[str],
    temperature_class: TemperatureClass = TemperatureClass.AMBIENT,
) -> list[Location]:
    """Create storage locations (bins) in a warehouse, all or none."""
    cleaned = [c.strip() for c in codes]
    if not cleaned or any(not c for c in cleaned):
        raise InvalidInput("location codes must not be empty")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("location codes repeat")
    items = [
        Location(LocationId(uow.ids.new("loc")), warehouse_id, code, temperature_class)
        for code in cleaned
    ]
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        taken = repo.existing_location_codes(uow, warehouse_id, cleaned)
        if taken:
            raise Conflict(f"location code(s) already used: {', '.join(sorted(taken))}")
        repo.insert_locations(uow, items)
        uow.commit()
    return items


def list_locations(uow: UnitOfWork, warehouse_id: WarehouseId) -> list[Location]:
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        return repo.list_locations(uow, warehouse_id)


# -- SKUs --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewSku:
    code: str
    name: str
    weight_kg: float
    volume_m3: float
    temperature_class: TemperatureClass = TemperatureClass.AMBIENT
    owner_id: CustomerId | None = None


def create_skus(uow: UnitOfWork, items: Sequence[NewSku]) -> list[Sku]:
    """Create SKUs (all or none); codes are unique per tenant."""
    created = [
        Sku(
            SkuId(uow.ids.new("sku")),
            x.code.strip(),
            x.name.strip() or x.code.strip(),
            x.weight_kg,
            x.volume_m3,
            x.temperature_class,
            x.owner_id,
        )
        for x in items
    ]
    codes = [s.code for s in created]
    if len(set(codes)) != len(codes):
        raise InvalidInput("SKU codes repeat")
    with uow:
        taken = repo.skus_by_code(uow, codes)
        if taken:
            raise Conflict(f"SKU code(s) already used: {', '.join(sorted(taken))}")
        repo.insert_skus(uow, created)
        uow.commit()
    return created


def list_skus(uow: UnitOfWork, limit: int = 100, offset: int = 0) -> list[Sku]:
    with uow:
        return repo.list_skus(uow, limit, offset)


def get_sku(uow: UnitOfWork, code: str) -> Sku:
    with uow:
        found = repo.skus_by_code(uow, [code])
    if code not in found:
        raise NotFound(f"no SKU {code!r}")
    return found[code]


def unknown_skus(uow: UnitOfWork, codes: Sequence[str]) -> list[str]:
    """The codes among ``codes`` that name no SKU of the tenant (runs in the caller's unit)."""
    with uow:
        known = repo.skus_by_code(uow, codes)
    return sorted(set(codes) - set(known))


# -- stock -------------------------------------------------------------------------------
def receive_stock(
    uow: UnitOfWork,
    location_id: LocationId,
    sku_code: str,
    quantity: int,
    reference: str | None = None,
) -> StockRow:
    """Goods arrive in a location: on hand grows, and the movement ledger says why."""
    if quantity <= 0:
        raise InvalidInput("a receipt's quantity must be positive")
    with uow:
        location = repo.get_location(uow, location_id)
        found = repo.skus_by_code(uow, [sku_code])
        if sku_code not in found:
            raise UnknownSku(f"unknown SKU {sku_code!r}", skus=[sku_code])
        sku = found[sku_code]
        check_storable(sku, location)
        stock_id = repo.add_on_hand(uow, StockId(uow.ids.new("stk")), location, sku.id, quantity)
        repo.record_movements(uow, "receipt", reference, [(stock_id, quantity)])
        uow.record(
            StockReceived(
                warehouse_id=location.warehouse_id,
                location_id=location.id,
                sku=sku.code,
                quantity=quantity,
            )
        )
        rows = repo.stock_levels(uow, sku.id, location.warehouse_id)
        uow.commit()
    return next(row for row, _, _ in rows if row.id == stock_id)


@dataclass(frozen=True)
class StockLine:
    row: StockRow
    sku: str
    location: str


def stock_levels(
    uow: UnitOfWork, sku_code: str | None = None, warehouse_id: WarehouseId | None = None
) -> list[StockLine]:
    with uow:
        sku_id: SkuId | None = None
        if sku_code is not None:
            found = repo.skus_by_code(uow, [sku_code])
            if sku_code not in found:
                raise NotFound(f"no SKU {sku_code!r}")
            sku_id = found[sku_code].id
        return [StockLine(r, s, loc) for r, s, loc in repo.stock_levels(uow, sku_id, warehouse_id)]


def units_by_owner(uow: UnitOfWork) -> dict[CustomerId, int]:
    """Units on hand per owner of consignment stock (what storage is billed on)."""
    with uow:
        return repo.units_by_owner(uow)


def storage_snapshot(uow: UnitOfWork) -> list[StorageLine]:
    """What is on hand now per owner, warehouse and temperature class (units, m³, pallets):
    billing takes one a day to charge storage."""
    with uow:
        return repo.storage_lines(uow)


def allocation_discrepancies(uow: UnitOfWork) -> list[tuple[StockId, int, int]]:
    """The reconciler: stock rows whose allocated counter disagrees with the allocation rows."""
    with uow:
        return repo.allocation_discrepancies(uow)
