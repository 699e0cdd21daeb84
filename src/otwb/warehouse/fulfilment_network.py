"""What W tells O's sourcing about its network: the warehouses with the temperatures they keep,
the SKUs' temperature classes, and the units available to promise per warehouse x SKU.

Plain reads, *without* locks: they inform a decision. The guarantee of no oversell stays W's
locked allocation (``promises.book_for``), which may still refuse a part sourced here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select

from otwb.platform.geo import GeoPoint
from otwb.platform.ids import WarehouseId
from otwb.platform.sqllist import any_of
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse.lots import LotStatus
from otwb.warehouse.model import WarehouseKind, ZoneRole
from otwb.warehouse.tables import locations, lots, skus, stock, warehouses, zones


@dataclass(frozen=True, slots=True)
class NetworkSite:
    warehouse_id: WarehouseId
    code: str
    kind: WarehouseKind
    point: GeoPoint
    temperatures: frozenset[TemperatureClass]
    """The temperature classes of the warehouse's pick and reserve zones."""


# Hot-path statements, built once (sourcing runs them for every batch of orders).
_KEPT = (
    select(zones.c.warehouse_id, zones.c.temperature_class)
    .where(zones.c.tenant_id == bindparam("b_tenant"), zones.c.role != ZoneRole.STAGING.value)
    .distinct()
)
_SITES = (
    select(
        warehouses.c.id, warehouses.c.code, warehouses.c.kind, warehouses.c.lat, warehouses.c.lon
    )
    .where(warehouses.c.tenant_id == bindparam("b_tenant"))
    .order_by(warehouses.c.code)
)
_SKUS = select(skus.c.id, skus.c.code, skus.c.temperature_class).where(
    skus.c.tenant_id == bindparam("b_tenant"), any_of(skus.c.code, "b_codes")
)
# By SKU id on the (tenant, SKU) index, as the allocation's own read of the book: joined to the
# SKUs by code, PostgreSQL's generic plan scanned the stock (90 ms a call, measured).
_AVAILABLE = (
    select(stock.c.warehouse_id, stock.c.sku_id, func.sum(stock.c.on_hand - stock.c.allocated))
    .join(locations, locations.c.id == stock.c.location_id)
    .join(zones, zones.c.id == locations.c.zone_id)
    .outerjoin(lots, lots.c.id == stock.c.lot_id)
    .where(
        stock.c.tenant_id == bindparam("b_tenant"),
        any_of(stock.c.sku_id, "b_skus"),
        stock.c.on_hand > stock.c.allocated,
        zones.c.role != ZoneRole.STAGING.value,
        or_(
            stock.c.lot_id.is_(None),
            (lots.c.status == LotStatus.RELEASED.value)
            & or_(lots.c.expires_on.is_(None), lots.c.expires_on > bindparam("b_today")),
        ),
    )
    .group_by(stock.c.warehouse_id, stock.c.sku_id)
)


def network(uow: UnitOfWork) -> list[NetworkSite]:
    """The tenant's warehouses, with the temperature classes they can keep goods at."""
    kept: dict[str, set[TemperatureClass]] = {}
    for wid, temp in uow.conn.execute(_KEPT, {"b_tenant": uow.tenant_id}):
        kept.setdefault(wid, set()).add(TemperatureClass(temp))
    return [
        NetworkSite(
            WarehouseId(r.id),
            r.code,
            WarehouseKind(r.kind),
            GeoPoint(r.lat, r.lon),
            frozenset(kept.get(r.id, ())),
        )
        for r in uow.conn.execute(_SITES, {"b_tenant": uow.tenant_id})
    ]


@dataclass(frozen=True)
class StockView:
    """What sourcing needs to know of some SKUs (by code), read in one go."""

    temperatures: dict[str, TemperatureClass]
    available: dict[tuple[WarehouseId, str], int]
    """Units of each SKU that each warehouse could promise now: on hand less allocated,
    outside the dock, in released unexpired lots (or untracked stock). Reservations and
    shelf-life rules are left to the allocation."""


def stock_view(uow: UnitOfWork, codes: Sequence[str]) -> StockView:
    """The temperature class of each of these SKUs the tenant has, and their units
    available to promise in each warehouse."""
    code_of: dict[str, str] = {}
    temperatures: dict[str, TemperatureClass] = {}
    wanted = {"b_tenant": uow.tenant_id, "b_codes": sorted(set(codes))}
    for sku_id, code, temp in uow.conn.execute(_SKUS, wanted):
        code_of[sku_id] = code
        temperatures[code] = TemperatureClass(temp)
    if not code_of:
        return StockView(temperatures, {})
    rows = uow.conn.execute(
        _AVAILABLE,
        {
            "b_tenant": uow.tenant_id,
            "b_skus": sorted(code_of),
            "b_today": uow.clock.now().date(),
        },
    )
    available = {(WarehouseId(w), code_of[sku]): int(units) for w, sku, units in rows}
    return StockView(temperatures, available)
