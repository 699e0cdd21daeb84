"""W's use cases for the building: zones, racking built from a compact spec, the dock, and the
state of the bins as putaway sees it (what they hold, how far from the dock)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from otwb.platform.errors import Conflict, InvalidInput
from otwb.platform.ids import LocationId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse import inbound_repo, repo, stock_repo
from otwb.warehouse.events import LayoutBuilt
from otwb.warehouse.layout import LayoutSpec, plan_layout
from otwb.warehouse.model import AisleId, Location, Warehouse, Zone, ZoneId, ZoneRole
from otwb.warehouse.pickpath import Spot, walk_m
from otwb.warehouse.slotting import BinState


def create_zone(
    uow: UnitOfWork,
    warehouse_id: WarehouseId,
    code: str,
    temperature_class: TemperatureClass,
    role: ZoneRole = ZoneRole.PICK,
    hazardous: bool = False,
) -> Zone:
    code = code.strip().upper()
    if not code:
        raise InvalidInput("a zone needs a code")
    zone = Zone(ZoneId(uow.ids.new("zon")), warehouse_id, code, temperature_class, role, hazardous)
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        try:
            repo.insert_zone(uow, zone)
        except IntegrityError:
            raise Conflict(f"zone {code!r} already exists in this warehouse") from None
        uow.commit()
    return zone


def list_zones(uow: UnitOfWork, warehouse_id: WarehouseId) -> list[Zone]:
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        return repo.list_zones(uow, warehouse_id)


@dataclass(frozen=True)
class BuiltLayout:
    zone: Zone
    aisles: list[str]
    bins: list[Location]


def build_layout(
    uow: UnitOfWork, warehouse_id: WarehouseId, zone_code: str, spec: LayoutSpec
) -> BuiltLayout:
    """Rack a zone from a compact spec (``A-F x 20 x 4``): its aisles, bays and levels become
    bins with their coordinates and capacity -- all of them, or none."""
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        zone = repo.find_zone(uow, warehouse_id, zone_code.strip().upper())
        if zone is None:
            raise InvalidInput(f"no zone {zone_code!r} in this warehouse: create it first")
        if not zone.role.stores:
            raise InvalidInput("the dock zone holds floor locations, not racking")
        taken = repo.existing_aisle_codes(uow, warehouse_id, spec.aisles)
        if taken:
            raise Conflict(f"aisle(s) already in this warehouse: {', '.join(sorted(taken))}")
        planned_aisles, planned_bins = plan_layout(spec, repo.rightmost_aisle_x(uow, warehouse_id))
        codes = [b.code for b in planned_bins]
        clash = repo.existing_location_codes(uow, warehouse_id, codes)
        if clash:
            raise Conflict(f"{len(clash)} bin code(s) already used, e.g. {sorted(clash)[0]}")
        aisle_ids = {a.code: AisleId(uow.ids.new("ais")) for a in planned_aisles}
        repo.insert_aisles(uow, zone, [(aisle_ids[a.code], a) for a in planned_aisles])
        ends = {a.code: a for a in planned_aisles}
        bins = [
            Location(
                LocationId(uow.ids.new("loc")),
                warehouse_id,
                b.code,
                zone.temperature_class,
                zone.id,
                zone.role,
                zone.hazardous,
                b.aisle,
                b.bay,
                b.level,
                ends[b.aisle].x_m,
                b.y_m,
                ends[b.aisle].front_m,
                ends[b.aisle].back_m,
                spec.bin_capacity_m3,
                spec.bin_capacity_kg,
            )
            for b in planned_bins
        ]
        for i in range(0, len(bins), 2000):
            repo.insert_locations(uow, bins[i : i + 2000], aisle_ids)
        uow.record(
            LayoutBuilt(
                warehouse_id=warehouse_id,
                zone=zone.code,
                aisles=tuple(spec.aisles),
                bins=len(bins),
            )
        )
        uow.commit()
    return BuiltLayout(zone, list(spec.aisles), bins)


def set_dock(uow: UnitOfWork, warehouse_id: WarehouseId, x_m: float, y_m: float) -> Warehouse:
    """Where pickers start and end their tours (and floor locations stand)."""
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        repo.set_dock(uow, warehouse_id, x_m, y_m)
        warehouse = repo.get_warehouse(uow, warehouse_id)
        uow.commit()
    return warehouse


def dock_spot(warehouse: Warehouse) -> Spot:
    return Spot.floor(warehouse.dock_x_m, warehouse.dock_y_m)


def staging_bin(
    uow: UnitOfWork, warehouse: Warehouse, temperature: TemperatureClass, prefix: str = "DOCK"
) -> Location:
    """The dock bin where received goods of this temperature wait for putaway (created with its
    staging zone the first time; inside the caller's unit of work). Another ``prefix`` names
    another bin that is never allocated from (``RETQ``: returns held in quarantine)."""
    code = f"{prefix}-{temperature.value.upper()}"
    zone = repo.ensure_zone(
        uow, Zone(ZoneId(uow.ids.new("zon")), warehouse.id, code, temperature, ZoneRole.STAGING)
    )
    found = [x for x in repo.list_locations(uow, warehouse.id, zone.id) if x.code == code]
    if found:
        return found[0]
    location = Location(
        LocationId(uow.ids.new("loc")),
        warehouse.id,
        code,
        temperature,
        zone.id,
        zone.role,
        x_m=warehouse.dock_x_m,
        y_m=warehouse.dock_y_m,
    )
    repo.insert_locations(uow, [location])
    return location


def bin_states(
    uow: UnitOfWork,
    warehouse: Warehouse,
    bins: Sequence[Location] | None = None,
    *,
    planned: bool = False,
) -> list[BinState]:
    """Every bin of a warehouse (or these) as putaway sees it: what it holds -- and, when
    ``planned``, what open move tasks are about to bring (inside the caller's unit)."""
    locations = bins if bins is not None else repo.list_locations(uow, warehouse.id)
    only = locations[0].id if bins is not None and len(bins) == 1 else None
    contents = stock_repo.bin_contents(uow, warehouse.id, only)
    coming = inbound_repo.incoming(uow, warehouse.id) if planned else {}
    dock = dock_spot(warehouse)
    states = []
    for loc in locations:
        held = contents.get(loc.id, []) + coming.get(loc.id, [])
        states.append(
            BinState(
                loc,
                walk_m(dock, Spot.of(loc)),
                sum(h[3] for h in held),
                sum(h[4] for h in held),
                frozenset(h[0] for h in held),
                frozenset(h[1] for h in held),
            )
        )
    return states


def bin_state(uow: UnitOfWork, location: Location) -> BinState:
    """One bin as putaway sees it (inside the caller's unit)."""
    warehouse = repo.get_warehouse(uow, location.warehouse_id)
    return bin_states(uow, warehouse, [location])[0]
