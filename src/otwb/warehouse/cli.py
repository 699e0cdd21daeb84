"""``otwb wh ...``: warehouses, locations, SKUs, stock and the outbound steps of an order; the
commands of ``cli_inbound``, ``cli_outbound`` and ``cli_stock`` join the same group."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, LocationId, OrderId, WarehouseId
from otwb.platform.terminal import (
    DbOption,
    JsonOption,
    TenantOption,
    console,
    domain_errors,
    print_json,
    runtime,
    tenant_uow,
)
from otwb.platform.values import TemperatureClass
from otwb.warehouse import cli_inbound, cli_outbound, cli_stock, fulfilment, service
from otwb.warehouse.model import WarehouseKind

app = typer.Typer(
    help="W: warehouses and racking, inbound, lots, stock, waves and picking, packing, "
    "counts, replenishment.",
    no_args_is_help=True,
)


@app.command("add-warehouse")
@domain_errors
def add_warehouse(
    code: str,
    name: str,
    lat: float,
    lon: float,
    tenant: TenantOption,
    kind: Annotated[WarehouseKind, typer.Option()] = WarehouseKind.CENTRAL,
    db: DbOption = None,
) -> None:
    w = service.create_warehouse(
        tenant_uow(runtime(db), tenant), code, name, kind, GeoPoint(lat, lon)
    )
    console.print(f"warehouse {w.id} ({w.code}, {w.kind.value})")


@app.command("warehouses")
@domain_errors
def warehouses(tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    items = service.list_warehouses(tenant_uow(runtime(db), tenant, read_only=True))
    if as_json:
        print_json(items)
        return
    table = Table("id", "code", "name", "kind", "lat", "lon")
    for w in items:
        table.add_row(
            w.id, w.code, w.name, w.kind.value, f"{w.point.lat:.5f}", f"{w.point.lon:.5f}"
        )
    console.print(table)


@app.command("add-locations")
@domain_errors
def add_locations(
    warehouse_id: str,
    codes: list[str],
    tenant: TenantOption,
    temperature: Annotated[TemperatureClass, typer.Option()] = TemperatureClass.AMBIENT,
    db: DbOption = None,
) -> None:
    items = service.create_locations(
        tenant_uow(runtime(db), tenant), WarehouseId(warehouse_id), codes, temperature
    )
    for x in items:
        console.print(f"location {x.id} ({x.code}, {x.temperature_class.value})")


@app.command("add-sku")
@domain_errors
def add_sku(
    code: str,
    tenant: TenantOption,
    weight_kg: Annotated[float, typer.Option("--weight")],
    volume_m3: Annotated[float, typer.Option("--volume")],
    name: str = "",
    temperature: Annotated[TemperatureClass, typer.Option()] = TemperatureClass.AMBIENT,
    owner: Annotated[str | None, typer.Option(help="Customer owning consignment stock")] = None,
    shelf_life: Annotated[int | None, typer.Option(help="Days: goods that expire")] = None,
    lot_tracked: bool = False,
    serial_tracked: bool = False,
    hazardous: bool = False,
    db: DbOption = None,
) -> None:
    new = service.NewSku(
        code,
        name,
        weight_kg,
        volume_m3,
        temperature,
        CustomerId(owner) if owner else None,
        shelf_life,
        lot_tracked,
        serial_tracked,
        hazardous,
    )
    sku = service.create_skus(tenant_uow(runtime(db), tenant), [new])[0]
    console.print(f"SKU {sku.id} ({sku.code})")


@app.command("receive")
@domain_errors
def receive(
    location_id: str,
    sku: str,
    quantity: int,
    tenant: TenantOption,
    reference: str | None = None,
    lot: str | None = None,
    expires: Annotated[str | None, typer.Option(help="Expiry date, YYYY-MM-DD")] = None,
    serial: Annotated[list[str] | None, typer.Option(help="Serial of a unit")] = None,
    db: DbOption = None,
) -> None:
    """Goods straight into a bin (with their lot and expiry, for goods that have them)."""
    row = service.receive_stock(
        tenant_uow(runtime(db), tenant),
        LocationId(location_id),
        sku,
        quantity,
        reference,
        lot=lot,
        expires_on=date.fromisoformat(expires) if expires else None,
        serials=serial or [],
    )
    console.print(f"{sku} in {location_id}: {row.on_hand} on hand, {row.available} available")


@app.command("stock")
@domain_errors
def stock(
    tenant: TenantOption,
    sku: str | None = None,
    warehouse: str | None = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    lines = service.stock_levels(
        tenant_uow(runtime(db), tenant, read_only=True),
        sku,
        WarehouseId(warehouse) if warehouse else None,
    )
    if as_json:
        print_json(
            [
                {
                    "sku": x.sku,
                    "location": x.location,
                    "lot": x.lot,
                    "expires_on": x.row.expires_on,
                    "warehouse_id": x.row.warehouse_id,
                    "on_hand": x.row.on_hand,
                    "allocated": x.row.allocated,
                }
                for x in lines
            ]
        )
        return
    table = Table("sku", "warehouse", "location", "lot", "on hand", "allocated", "available")
    for x in lines:
        table.add_row(
            x.sku,
            x.row.warehouse_id,
            x.location,
            x.lot or "-",
            str(x.row.on_hand),
            str(x.row.allocated),
            str(x.row.available),
        )
    console.print(table)


PartOption = Annotated[
    str | None, typer.Option(help="The warehouse of the part, for an order split across several")
]


def _part(warehouse: str | None) -> WarehouseId | None:
    return WarehouseId(warehouse) if warehouse else None


@app.command("pick")
@domain_errors
def pick(
    order_id: str, tenant: TenantOption, db: DbOption = None, warehouse: PartOption = None
) -> None:
    """Confirm the pick of every allocated unit of an order (of its part in --warehouse)."""
    f = fulfilment.confirm_pick(
        tenant_uow(runtime(db), tenant), OrderId(order_id), _part(warehouse)
    )
    console.print(f"order {order_id}: {f.status.value}")


@app.command("pack")
@domain_errors
def pack(
    order_id: str, tenant: TenantOption, db: DbOption = None, warehouse: PartOption = None
) -> None:
    """Pack a picked order (its part in --warehouse) into standard parcels."""
    f = fulfilment.pack_order(
        tenant_uow(runtime(db), tenant), OrderId(order_id), None, _part(warehouse)
    )
    console.print(f"order {order_id}: {f.status.value}, {len(f.parcels)} parcel(s)")


@app.command("hand-over")
@domain_errors
def hand_over(
    order_id: str, tenant: TenantOption, db: DbOption = None, warehouse: PartOption = None
) -> None:
    """Hand a packed order (its part in --warehouse) over to transport."""
    f = fulfilment.hand_over(tenant_uow(runtime(db), tenant), OrderId(order_id), _part(warehouse))
    console.print(f"order {order_id}: {f.status.value}")


# The other modules' commands join this group, after its own.
for _module in (cli_inbound, cli_outbound, cli_stock):
    app.registered_commands.extend(_module.commands.registered_commands)
