"""W's use cases for master data and stock: warehouses, bins, SKUs, receiving into a bin,
stock and ledger queries, the figures other contexts read (storage, owners). The map of W's
other modules is in the package's docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from otwb.platform.errors import Conflict, InvalidInput, NotFound, UnknownSku
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, LocationId, SkuId, StockId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse import ledger_repo, lot_repo, promises, repo, serial_repo, sites, stock_repo
from otwb.warehouse.events import StockReceived, WarehouseOpened
from otwb.warehouse.lots import lot_for_receipt
from otwb.warehouse.model import (
    Location,
    LotId,
    Sku,
    StockRow,
    StorageLine,
    Warehouse,
    WarehouseKind,
    Zone,
    ZoneId,
    ZoneRole,
)
from otwb.warehouse.slotting import check_capacity


# -- warehouses and bins -------------------------------------------------------------------
def create_warehouse(
    uow: UnitOfWork,
    code: str,
    name: str,
    kind: WarehouseKind,
    point: GeoPoint,
    dock_x_m: float = 0.0,
    dock_y_m: float = 0.0,
) -> Warehouse:
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput("a warehouse needs a code and a name")
    warehouse = Warehouse(
        WarehouseId(uow.ids.new("whs")), code, name, kind, point, dock_x_m, dock_y_m
    )
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
    """Create floor locations (bins outside the racking) in a warehouse, all or none.

    They belong to the warehouse's default pick zone of that temperature (its code is the
    temperature's name, created when first needed) and stand at the dock: without racking,
    there is no walking distance to tell. Racked bins come from ``sites.build_layout``.
    """
    cleaned = [c.strip() for c in codes]
    if not cleaned or any(not c for c in cleaned):
        raise InvalidInput("location codes must not be empty")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("location codes repeat")
    with uow:
        warehouse = repo.get_warehouse(uow, warehouse_id)
        taken = repo.existing_location_codes(uow, warehouse_id, cleaned)
        if taken:
            raise Conflict(f"location code(s) already used: {', '.join(sorted(taken))}")
        zone = repo.ensure_zone(
            uow,
            Zone(
                ZoneId(uow.ids.new("zon")),
                warehouse_id,
                temperature_class.value.upper(),
                temperature_class,
                ZoneRole.PICK,
            ),
        )
        items = [
            Location(
                LocationId(uow.ids.new("loc")),
                warehouse_id,
                code,
                temperature_class,
                zone.id,
                zone.role,
                zone.hazardous,
                x_m=warehouse.dock_x_m,
                y_m=warehouse.dock_y_m,
            )
            for code in cleaned
        ]
        repo.insert_locations(uow, items)
        uow.commit()
    return items


def list_locations(
    uow: UnitOfWork, warehouse_id: WarehouseId, zone_id: ZoneId | None = None
) -> list[Location]:
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        return repo.list_locations(uow, warehouse_id, zone_id)


# -- SKUs --------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewSku:
    code: str
    name: str
    weight_kg: float
    volume_m3: float
    temperature_class: TemperatureClass = TemperatureClass.AMBIENT
    owner_id: CustomerId | None = None
    shelf_life_days: int | None = None
    lot_tracked: bool = False
    serial_tracked: bool = False
    hazardous: bool = False


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
            x.shelf_life_days,
            x.lot_tracked,
            x.serial_tracked,
            x.hazardous,
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
        known = repo.sku_ids_by_code(uow, codes)
    return sorted(set(codes) - set(known))


def sku_by_code(uow: UnitOfWork, code: str) -> Sku:
    """The tenant's SKU of this code (inside an open unit of work), or ``UnknownSku``."""
    found = repo.skus_by_code(uow, [code])
    if code not in found:
        raise UnknownSku(f"unknown SKU {code!r}", skus=[code])
    return found[code]


# -- stock -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DirectReceipt:
    """Goods straight into a bin: opening stock, a receipt without notice."""

    location_id: LocationId
    sku: str
    quantity: int
    lot: str | None = None
    expires_on: date | None = None
    serials: Sequence[str] = ()


def receive_stock(
    uow: UnitOfWork,
    location_id: LocationId,
    sku_code: str,
    quantity: int,
    reference: str | None = None,
    *,
    lot: str | None = None,
    expires_on: date | None = None,
    serials: Sequence[str] = (),
) -> StockRow:
    """Goods arrive straight in a bin: on hand grows, and the movement ledger says why (see
    ``receive_stocks``); the bin-lot row as it is now."""
    receipt = DirectReceipt(location_id, sku_code, quantity, lot, expires_on, serials)
    with uow:  # one transaction: receive_stocks joins it
        [stock_id] = receive_stocks(uow, [receipt], reference)
        location = repo.get_location(uow, location_id)
        rows = stock_repo.stock_levels(uow, None, location.warehouse_id, location.id)
        uow.commit()
    return next(row for row, *_ in rows if row.id == stock_id)


def receive_stocks(
    uow: UnitOfWork, receipts: Sequence[DirectReceipt], reference: str | None = None
) -> list[StockId]:
    """Goods arrive straight in bins (an opening-stock import, receipts without notice): all
    of them, or none. Each bin must fit its goods -- temperature, hazard, capacity (counting
    what this import already put there), one SKU per bin -- and goods that expire or are
    tracked by lot come with their lot. The bin-lot rows, in the receipts' order."""
    if not receipts:
        raise InvalidInput("nothing to receive")
    if any(r.quantity <= 0 for r in receipts):
        raise InvalidInput("a receipt's quantity must be positive")
    stock_ids: list[StockId] = []
    with uow:
        locations = repo.locations_by_id(uow, {r.location_id for r in receipts})
        missing = sorted({r.location_id for r in receipts} - set(locations))
        if missing:
            raise NotFound(f"no location {missing[0]}")
        codes = sorted({r.sku for r in receipts})
        skus = repo.skus_by_code(uow, codes)
        unknown = [c for c in codes if c not in skus]
        if unknown:
            raise UnknownSku(f"unknown SKU(s) {', '.join(unknown)}", skus=unknown)
        promises.lock_skus(uow, [sku.id for sku in skus.values()])  # key order, as all do
        states = {}
        for warehouse_id in sorted({x.warehouse_id for x in locations.values()}):
            warehouse = repo.get_warehouse(uow, warehouse_id)
            bins = [x for x in locations.values() if x.warehouse_id == warehouse_id]
            states.update({b.location.id: b for b in sites.bin_states(uow, warehouse, bins)})
        for r in receipts:
            location, sku = locations[r.location_id], skus[r.sku]
            check_capacity(sku, states[location.id], r.quantity)
            stock_id, lot_id, lot_code, expiry = receive_lot(
                uow, location, sku, r.quantity, r.lot, r.expires_on, r.serials, "receipt", reference
            )
            states[location.id] = states[location.id].with_goods(sku, lot_id, r.quantity)
            stock_ids.append(stock_id)
            uow.record(
                StockReceived(
                    warehouse_id=location.warehouse_id,
                    location_id=location.id,
                    sku=sku.code,
                    quantity=r.quantity,
                    lot=lot_code,
                    expires_on=expiry,
                )
            )
        uow.commit()
    return stock_ids


def receive_lot(
    uow: UnitOfWork,
    location: Location,
    sku: Sku,
    quantity: int,
    lot: str | None,
    expires_on: date | None,
    serials: Sequence[str],
    kind: str,
    reference: str | None,
) -> tuple[StockId, LotId | None, str | None, date | None]:
    """Put received goods in a bin with their lot (created if new) and serials: the stock row,
    the lot, its code and expiry. Runs inside the caller's unit of work."""
    code, expiry = lot_for_receipt(sku, lot, expires_on, uow.clock.now().date())
    lot_id: LotId | None = None
    if code is not None:
        found = lot_repo.ensure_lot(uow, LotId(uow.ids.new("lot")), sku, code, expiry)
        if found.expires_on != expiry and expires_on is not None:
            raise InvalidInput(
                f"lot {code} of {sku.code} expires on {found.expires_on}, not {expiry}",
                field="expires_on",
            )
        lot_id, expiry = found.id, found.expires_on
    serial_repo.receive(uow, sku, lot_id, location.warehouse_id, quantity, serials)
    stock_id = stock_repo.receive_into(
        uow, StockId(uow.ids.new("stk")), location, sku.id, lot_id, quantity, kind, reference
    )
    return stock_id, lot_id, code, expiry


@dataclass(frozen=True)
class StockLine:
    row: StockRow
    sku: str
    location: str
    lot: str | None = None
    lot_status: str | None = None


def stock_levels(
    uow: UnitOfWork,
    sku_code: str | None = None,
    warehouse_id: WarehouseId | None = None,
    location_id: LocationId | None = None,
) -> list[StockLine]:
    with uow:
        sku_id: SkuId | None = None
        if sku_code is not None:
            found = repo.skus_by_code(uow, [sku_code])
            if sku_code not in found:
                raise NotFound(f"no SKU {sku_code!r}")
            sku_id = found[sku_code].id
        return [
            StockLine(r, s, loc, lot, status)
            for r, s, loc, lot, status in stock_repo.stock_levels(
                uow, sku_id, warehouse_id, location_id
            )
        ]


def movements(
    uow: UnitOfWork,
    sku_code: str | None = None,
    location_id: LocationId | None = None,
    reference: str | None = None,
    limit: int = 500,
) -> list[Any]:
    """The movement ledger, oldest first: every change of stock, its kind, reason, reference."""
    with uow:
        sku_id = sku_by_code(uow, sku_code).id if sku_code is not None else None
        return ledger_repo.movements(uow, sku_id, location_id, reference, limit)


def units_by_owner(uow: UnitOfWork) -> dict[CustomerId, int]:
    """Units on hand per owner of consignment stock (what storage is billed on)."""
    with uow:
        return ledger_repo.units_by_owner(uow)


def storage_snapshot(uow: UnitOfWork) -> list[StorageLine]:
    """What is on hand now per owner, warehouse and temperature class (units, m³, pallets):
    billing takes one a day to charge storage."""
    with uow:
        return ledger_repo.storage_lines(uow)


def allocation_discrepancies(uow: UnitOfWork) -> list[tuple[StockId, int, int]]:
    """The reconciler: stock rows whose allocated counter disagrees with the allocation rows."""
    with uow:
        return ledger_repo.allocation_discrepancies(uow)


def ledger_discrepancies(uow: UnitOfWork) -> list[tuple[StockId, int, int]]:
    """The other reconciler: stock rows whose on hand disagrees with their movements."""
    with uow:
        return ledger_repo.ledger_discrepancies(uow)
