"""``otwb wh ...`` for the building and inbound: zones, racking, the dock, ASNs, move tasks.

ASN and receipt files are JSON, as the API takes them: ``{"warehouse_id", "reference",
"supplier", "lines": [{"sku", "quantity", "lot"?, "expires_on"?}]}`` and ``{"lines":
[{"line_no", "received", "damaged"?, "lot"?, "expires_on"?, "serials"?}]}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import LocationId, WarehouseId
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
from otwb.warehouse import inbound, moves, sites
from otwb.warehouse.api_inbound import AsnIn, ReceiptIn
from otwb.warehouse.layout import LayoutSpec
from otwb.warehouse.model import ZoneRole

commands = typer.Typer()


M = TypeVar("M", bound=BaseModel)


def read_body(schema: type[M], path: Path) -> M:
    """A JSON file read as the API's request body (the same validation, the same errors)."""
    try:
        return schema.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    except ValidationError as exc:
        raise InvalidInput(str(exc)) from None


@commands.command("zone")
@domain_errors
def zone(
    warehouse_id: str,
    code: str,
    tenant: TenantOption,
    temperature: Annotated[TemperatureClass, typer.Option()] = TemperatureClass.AMBIENT,
    role: Annotated[ZoneRole, typer.Option()] = ZoneRole.PICK,
    hazardous: bool = False,
    db: DbOption = None,
) -> None:
    """Create a zone (temperature, pick/reserve/staging, hazardous or not)."""
    z = sites.create_zone(
        tenant_uow(runtime(db), tenant),
        WarehouseId(warehouse_id),
        code,
        temperature,
        role,
        hazardous,
    )
    console.print(f"zone {z.id} ({z.code}, {z.temperature_class.value}, {z.role.value})")


@commands.command("zones")
@domain_errors
def zones(
    warehouse_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """The zones of a warehouse."""
    items = sites.list_zones(
        tenant_uow(runtime(db), tenant, read_only=True), WarehouseId(warehouse_id)
    )
    if as_json:
        print_json(items)
        return
    table = Table("id", "code", "temperature", "role", "hazardous")
    for z in items:
        table.add_row(z.id, z.code, z.temperature_class.value, z.role.value, str(z.hazardous))
    console.print(table)


@commands.command("layout")
@domain_errors
def layout(
    warehouse_id: str,
    zone_code: str,
    spec: Annotated[str, typer.Argument(help="aisles x bays x levels, e.g. 'A-F x 20 x 4'")],
    tenant: TenantOption,
    bay_width: float = 1.2,
    pitch: Annotated[float, typer.Option(help="Aisle centre to centre, m")] = 3.2,
    front: Annotated[float, typer.Option(help="Front cross aisle from the dock wall, m")] = 3.0,
    capacity_m3: float | None = None,
    capacity_kg: float | None = None,
    db: DbOption = None,
) -> None:
    """Rack a zone from a compact spec: its bins, coordinates and capacity."""
    built = sites.build_layout(
        tenant_uow(runtime(db), tenant),
        WarehouseId(warehouse_id),
        zone_code,
        LayoutSpec.parse(
            spec,
            bay_width_m=bay_width,
            aisle_pitch_m=pitch,
            front_m=front,
            bin_capacity_m3=capacity_m3,
            bin_capacity_kg=capacity_kg,
        ),
    )
    console.print(
        f"{len(built.bins)} bins in {built.zone.code}: aisles {', '.join(built.aisles)} "
        f"({built.bins[0].code} .. {built.bins[-1].code})"
    )


@commands.command("dock")
@domain_errors
def dock(
    warehouse_id: str, x_m: float, y_m: float, tenant: TenantOption, db: DbOption = None
) -> None:
    """Where pickers start and end their tours, in the building's metres."""
    w = sites.set_dock(tenant_uow(runtime(db), tenant), WarehouseId(warehouse_id), x_m, y_m)
    console.print(f"dock of {w.code} at ({w.dock_x_m}, {w.dock_y_m})")


@commands.command("asn-create")
@domain_errors
def asn_create(
    file: Annotated[Path, typer.Argument(help="JSON ASN, as POST /api/v1/asns takes it")],
    tenant: TenantOption,
    db: DbOption = None,
) -> None:
    """Record an advance shipping notice from a JSON file."""
    body = read_body(AsnIn, file)
    asn = inbound.create_asn(
        tenant_uow(runtime(db), tenant),
        WarehouseId(body.warehouse_id),
        body.reference,
        body.supplier,
        [x.line() for x in body.lines],
        body.expected_at,
    )
    console.print(f"asn {asn.id} ({asn.reference}, {len(asn.lines)} line(s))")


@commands.command("asn-receive")
@domain_errors
def asn_receive(
    asn_id: str,
    file: Annotated[
        Path, typer.Argument(help="JSON receipt, as POST /asns/{id}/receipts takes it")
    ],
    tenant: TenantOption,
    db: DbOption = None,
) -> None:
    """Receive goods against an ASN: putaway tasks are planned."""
    body = read_body(ReceiptIn, file)
    received = inbound.receive_asn(
        tenant_uow(runtime(db), tenant), asn_id, [x.receipt() for x in body.lines]
    )
    console.print(
        f"asn {asn_id}: {len(received.putaway)} putaway task(s), "
        f"{received.waiting_at_dock} unit(s) waiting at the dock"
    )


@commands.command("asn-close")
@domain_errors
def asn_close(
    asn_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Close an ASN: its over, short and damaged lines."""
    asn = inbound.close_asn(tenant_uow(runtime(db), tenant), asn_id)
    if as_json:
        print_json(asn)
        return
    table = Table("line", "expected", "received", "damaged", "over", "short")
    for x in asn.lines:
        table.add_row(
            *(str(v) for v in (x.line_no, x.expected, x.received, x.damaged, x.over, x.short))
        )
    console.print(table)


@commands.command("moves")
@domain_errors
def list_moves(
    tenant: TenantOption,
    warehouse: str | None = None,
    kind: str | None = None,
    status: str = "open",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move tasks (putaway, replenishment)."""
    items = moves.list_moves(
        tenant_uow(runtime(db), tenant, read_only=True),
        WarehouseId(warehouse) if warehouse else None,
        kind,
        status,
    )
    if as_json:
        print_json(list(items))
        return
    table = Table("task", "kind", "from", "to bin", "qty", "status")
    for t in items:
        table.add_row(t.id, t.kind, t.from_stock_id, t.to_location_id, str(t.quantity), t.status)
    console.print(table)


@commands.command("move-confirm")
@domain_errors
def move_confirm(
    task_id: str,
    tenant: TenantOption,
    to: Annotated[str | None, typer.Option(help="Another bin than planned")] = None,
    db: DbOption = None,
) -> None:
    """The goods of a move task are in their bin."""
    t = moves.confirm_move(tenant_uow(runtime(db), tenant), task_id, LocationId(to) if to else None)
    console.print(f"task {t.id}: {t.status}, {t.quantity} into {t.to_location_id}")
