"""Reading and writing W's master data -- warehouses, zones, aisles, bins, SKUs -- always within
the caller's tenant. Lots are in ``lot_repo.py``, stock and its ledger in ``stock_repo.py``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from otwb.platform.errors import NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, LocationId, SkuId, WarehouseId
from otwb.platform.sqllist import any_of
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse.layout import PlannedAisle
from otwb.warehouse.model import (
    AisleId,
    Location,
    Sku,
    Warehouse,
    WarehouseKind,
    Zone,
    ZoneId,
    ZoneRole,
)
from otwb.warehouse.tables import aisles, locations, skus, warehouses, zones

# Hot-path statements, built once (their compiled form and cache key are reused).
_WAREHOUSES = (
    select(warehouses)
    .where(warehouses.c.tenant_id == bindparam("b_tenant"))
    .order_by(warehouses.c.code)
)
_SKUS_BY_CODE = select(skus).where(
    skus.c.tenant_id == bindparam("b_tenant"), any_of(skus.c.code, "b_codes")
)
_SKU_IDS = select(skus.c.code, skus.c.id).where(
    skus.c.tenant_id == bindparam("b_tenant"), any_of(skus.c.code, "b_codes")
)
_SKUS_BY_ID = select(skus).where(
    skus.c.tenant_id == bindparam("b_tenant"), any_of(skus.c.id, "b_ids")
)
_LOCATIONS = (
    select(
        locations,
        zones.c.role,
        zones.c.hazardous,
        aisles.c.code.label("aisle_code"),
        aisles.c.front_m,
        aisles.c.back_m,
    )
    .join(zones, zones.c.id == locations.c.zone_id)
    .outerjoin(aisles, aisles.c.id == locations.c.aisle_id)
)


# -- warehouses ----------------------------------------------------------------------------
def _warehouse(r: Any) -> Warehouse:
    return Warehouse(
        WarehouseId(r.id),
        r.code,
        r.name,
        WarehouseKind(r.kind),
        GeoPoint(r.lat, r.lon),
        r.dock_x_m,
        r.dock_y_m,
    )


def insert_warehouse(uow: UnitOfWork, w: Warehouse) -> None:
    uow.conn.execute(
        insert(warehouses).values(
            id=w.id,
            tenant_id=uow.tenant_id,
            code=w.code,
            name=w.name,
            kind=w.kind.value,
            lat=w.point.lat,
            lon=w.point.lon,
            dock_x_m=w.dock_x_m,
            dock_y_m=w.dock_y_m,
        )
    )


def list_warehouses(uow: UnitOfWork) -> list[Warehouse]:
    rows = uow.conn.execute(_WAREHOUSES, {"b_tenant": uow.tenant_id}).all()
    return [_warehouse(r) for r in rows]


def get_warehouse(uow: UnitOfWork, warehouse_id: WarehouseId) -> Warehouse:
    row = uow.conn.execute(
        select(warehouses).where(
            warehouses.c.tenant_id == uow.tenant_id, warehouses.c.id == warehouse_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no warehouse {warehouse_id}")
    return _warehouse(row)


def set_dock(uow: UnitOfWork, warehouse_id: WarehouseId, x_m: float, y_m: float) -> None:
    uow.conn.execute(
        update(warehouses)
        .where(warehouses.c.tenant_id == uow.tenant_id, warehouses.c.id == warehouse_id)
        .values(dock_x_m=x_m, dock_y_m=y_m)
    )


# -- zones and aisles ----------------------------------------------------------------------
def _zone(r: Any) -> Zone:
    return Zone(
        ZoneId(r.id),
        WarehouseId(r.warehouse_id),
        r.code,
        TemperatureClass(r.temperature_class),
        ZoneRole(r.role),
        bool(r.hazardous),
    )


def insert_zone(uow: UnitOfWork, z: Zone) -> None:
    uow.conn.execute(
        insert(zones).values(
            id=z.id,
            tenant_id=uow.tenant_id,
            warehouse_id=z.warehouse_id,
            code=z.code,
            temperature_class=z.temperature_class.value,
            role=z.role.value,
            hazardous=z.hazardous,
        )
    )


def list_zones(uow: UnitOfWork, warehouse_id: WarehouseId) -> list[Zone]:
    rows = uow.conn.execute(
        select(zones)
        .where(zones.c.tenant_id == uow.tenant_id, zones.c.warehouse_id == warehouse_id)
        .order_by(zones.c.code)
    ).all()
    return [_zone(r) for r in rows]


def find_zone(uow: UnitOfWork, warehouse_id: WarehouseId, code: str) -> Zone | None:
    row = uow.conn.execute(
        select(zones).where(
            zones.c.tenant_id == uow.tenant_id,
            zones.c.warehouse_id == warehouse_id,
            zones.c.code == code,
        )
    ).one_or_none()
    return None if row is None else _zone(row)


def ensure_zone(uow: UnitOfWork, zone: Zone) -> Zone:
    """The warehouse's zone of this code, created as ``zone`` when it does not exist yet."""
    found = find_zone(uow, zone.warehouse_id, zone.code)
    if found is not None:
        return found
    insert_zone(uow, zone)
    return zone


def rightmost_aisle_x(uow: UnitOfWork, warehouse_id: WarehouseId) -> float | None:
    value = uow.conn.execute(
        select(func.max(aisles.c.x_m)).where(
            aisles.c.tenant_id == uow.tenant_id, aisles.c.warehouse_id == warehouse_id
        )
    ).scalar_one()
    return None if value is None else float(value)


def existing_aisle_codes(
    uow: UnitOfWork, warehouse_id: WarehouseId, codes: Sequence[str]
) -> list[str]:
    return list(
        uow.conn.execute(
            select(aisles.c.code).where(
                aisles.c.tenant_id == uow.tenant_id,
                aisles.c.warehouse_id == warehouse_id,
                aisles.c.code.in_(list(codes)),
            )
        ).scalars()
    )


def insert_aisles(
    uow: UnitOfWork, zone: Zone, items: Sequence[tuple[AisleId, PlannedAisle]]
) -> None:
    uow.conn.execute(
        insert(aisles),
        [
            {
                "id": aisle_id,
                "tenant_id": uow.tenant_id,
                "warehouse_id": zone.warehouse_id,
                "zone_id": zone.id,
                "code": a.code,
                "x_m": a.x_m,
                "front_m": a.front_m,
                "back_m": a.back_m,
            }
            for aisle_id, a in items
        ],
    )


# -- bins ----------------------------------------------------------------------------------
def _location(r: Any) -> Location:
    return Location(
        LocationId(r.id),
        WarehouseId(r.warehouse_id),
        r.code,
        TemperatureClass(r.temperature_class),
        ZoneId(r.zone_id),
        ZoneRole(r.role),
        bool(r.hazardous),
        r.aisle_code,
        r.bay,
        r.level,
        r.x_m,
        r.y_m,
        r.front_m,
        r.back_m,
        r.capacity_m3,
        r.capacity_kg,
    )


def insert_locations(
    uow: UnitOfWork, items: Sequence[Location], aisle_ids: dict[str, AisleId] | None = None
) -> None:
    ids = aisle_ids or {}
    uow.conn.execute(
        insert(locations),
        [
            {
                "id": x.id,
                "tenant_id": uow.tenant_id,
                "warehouse_id": x.warehouse_id,
                "code": x.code,
                "temperature_class": x.temperature_class.value,
                "zone_id": x.zone_id,
                "aisle_id": ids.get(x.aisle) if x.aisle else None,
                "bay": x.bay,
                "level": x.level,
                "x_m": x.x_m,
                "y_m": x.y_m,
                "capacity_m3": x.capacity_m3,
                "capacity_kg": x.capacity_kg,
            }
            for x in items
        ],
    )


def get_location(uow: UnitOfWork, location_id: LocationId) -> Location:
    row = uow.conn.execute(
        _LOCATIONS.where(locations.c.tenant_id == uow.tenant_id, locations.c.id == location_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no location {location_id}")
    return _location(row)


def locations_by_id(uow: UnitOfWork, ids: Iterable[LocationId]) -> dict[LocationId, Location]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = uow.conn.execute(
        _LOCATIONS.where(locations.c.tenant_id == uow.tenant_id, locations.c.id.in_(wanted))
    ).all()
    return {LocationId(r.id): _location(r) for r in rows}


def list_locations(
    uow: UnitOfWork, warehouse_id: WarehouseId, zone_id: ZoneId | None = None
) -> list[Location]:
    query = _LOCATIONS.where(
        locations.c.tenant_id == uow.tenant_id, locations.c.warehouse_id == warehouse_id
    )
    if zone_id is not None:
        query = query.where(locations.c.zone_id == zone_id)
    return [_location(r) for r in uow.conn.execute(query.order_by(locations.c.code)).all()]


def count_locations(uow: UnitOfWork, zone_id: ZoneId) -> int:
    return int(
        uow.conn.execute(
            select(func.count()).where(
                locations.c.tenant_id == uow.tenant_id, locations.c.zone_id == zone_id
            )
        ).scalar_one()
    )


def existing_location_codes(
    uow: UnitOfWork, warehouse_id: WarehouseId, codes: list[str]
) -> list[str]:
    found: list[str] = []
    for i in range(0, len(codes), 1000):  # keep IN lists within every database's limits
        found.extend(
            uow.conn.execute(
                select(locations.c.code).where(
                    locations.c.tenant_id == uow.tenant_id,
                    locations.c.warehouse_id == warehouse_id,
                    locations.c.code.in_(codes[i : i + 1000]),
                )
            ).scalars()
        )
    return found


# -- SKUs ----------------------------------------------------------------------------------
def _sku(r: Any) -> Sku:
    return Sku(
        SkuId(r.id),
        r.code,
        r.name,
        r.weight_kg,
        r.volume_m3,
        TemperatureClass(r.temperature_class),
        CustomerId(r.owner_id) if r.owner_id else None,
        r.shelf_life_days,
        bool(r.lot_tracked),
        bool(r.serial_tracked),
        bool(r.hazardous),
    )


def insert_skus(uow: UnitOfWork, items: Sequence[Sku]) -> None:
    uow.conn.execute(
        insert(skus),
        [
            {
                "id": x.id,
                "tenant_id": uow.tenant_id,
                "code": x.code,
                "name": x.name,
                "weight_kg": x.weight_kg,
                "volume_m3": x.volume_m3,
                "temperature_class": x.temperature_class.value,
                "owner_id": x.owner_id,
                "shelf_life_days": x.shelf_life_days,
                "lot_tracked": x.lot_tracked,
                "serial_tracked": x.serial_tracked,
                "hazardous": x.hazardous,
            }
            for x in items
        ],
    )


def skus_by_code(uow: UnitOfWork, codes: Sequence[str]) -> dict[str, Sku]:
    rows = uow.conn.execute(_SKUS_BY_CODE, {"b_tenant": uow.tenant_id, "b_codes": list(codes)})
    return {r.code: _sku(r) for r in rows}


def sku_ids_by_code(uow: UnitOfWork, codes: Sequence[str]) -> dict[str, SkuId]:
    """The id of each code among ``codes`` that names a SKU of the tenant."""
    rows = uow.conn.execute(_SKU_IDS, {"b_tenant": uow.tenant_id, "b_codes": list(codes)})
    return {code: SkuId(sku_id) for code, sku_id in rows}


def skus_by_id(uow: UnitOfWork, ids: Iterable[SkuId]) -> dict[SkuId, Sku]:
    rows = uow.conn.execute(_SKUS_BY_ID, {"b_tenant": uow.tenant_id, "b_ids": sorted(set(ids))})
    return {SkuId(r.id): _sku(r) for r in rows}


def list_skus(uow: UnitOfWork, limit: int, offset: int) -> list[Sku]:
    rows = uow.conn.execute(
        select(skus)
        .where(skus.c.tenant_id == uow.tenant_id)
        .order_by(skus.c.code)
        .limit(limit)
        .offset(offset)
    ).all()
    return [_sku(r) for r in rows]
