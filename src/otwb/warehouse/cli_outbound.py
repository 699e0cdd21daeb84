"""``otwb wh ...`` for the outbound floor: waves, pick lists, pick tasks, back-orders,
reservations, boxes and the SSCC series."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from otwb.platform.ids import CustomerId, OrderId, WarehouseId
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
from otwb.warehouse import fulfilment, packing, picking, reservations
from otwb.warehouse.cartonisation import Box
from otwb.warehouse.model import TaskId

commands = typer.Typer()


@commands.command("waves-plan")
@domain_errors
def waves_plan(
    warehouse_id: str,
    tenant: TenantOption,
    pickers: Annotated[str, typer.Option(help="Comma-separated picker names")] = "P1",
    cart_size: int = 8,
    max_orders: int = 200,
    db: DbOption = None,
) -> None:
    """Plan waves and pick lists for the allocated orders not yet in a wave."""
    planned = picking.plan_waves(
        tenant_uow(runtime(db), tenant),
        WarehouseId(warehouse_id),
        max_orders=max_orders,
        cart_size=cart_size,
        pickers=[p.strip() for p in pickers.split(",")],
    )
    table = Table("wave", "cut-off", "orders", "lists", "S-shape m", "optimised m")
    for p in planned:
        cut = p.wave.cut_off.isoformat() if p.wave.cut_off else "-"
        table.add_row(
            p.wave.id,
            cut,
            str(p.orders),
            str(len(p.pick_lists)),
            f"{p.s_shape_m:,.0f}",
            f"{p.optimised_m:,.0f}",
        )
    console.print(table)


@commands.command("waves")
@domain_errors
def waves(
    tenant: TenantOption,
    warehouse: str | None = None,
    status: str | None = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Waves, by warehouse and status."""
    items = picking.list_waves(
        tenant_uow(runtime(db), tenant, read_only=True),
        WarehouseId(warehouse) if warehouse else None,
        status,
    )
    if as_json:
        print_json(items)
        return
    table = Table("wave", "warehouse", "cut-off", "status")
    for w in items:
        table.add_row(w.id, w.warehouse_id, w.cut_off.isoformat() if w.cut_off else "-", w.status)
    console.print(table)


@commands.command("wave-release")
@domain_errors
def wave_release(wave_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Release a wave to the floor: its pick tasks may be confirmed."""
    w = picking.release_wave(tenant_uow(runtime(db), tenant), wave_id)
    console.print(f"wave {w.id}: {w.status}")


@commands.command("pick-list")
@domain_errors
def pick_list(
    pick_list_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """A pick list in walking order (with its S-shape and optimised distances)."""
    view = picking.get_pick_list(tenant_uow(runtime(db), tenant, read_only=True), pick_list_id)
    p = view.pick_list
    if as_json:
        print_json({"pick_list": p, "tasks": [dict(t._mapping) for t in view.tasks]})
        return
    console.print(
        f"pick list {p.id} ({p.zone}, picker {p.picker}): {p.stops} stops, "
        f"{p.optimised_m:,.0f} m optimised vs {p.s_shape_m:,.0f} m S-shape"
    )
    table = Table("#", "bin", "sku", "lot", "order", "tote", "qty", "status", "task")
    for t in view.tasks:
        table.add_row(
            str(t.seq),
            t.location,
            t.sku,
            t.lot or "-",
            t.order_id,
            str(view.totes[t.order_id]),
            str(t.quantity),
            t.status,
            t.id,
        )
    console.print(table)


@commands.command("pick-task")
@domain_errors
def pick_task(
    task_id: str,
    quantity: int,
    tenant: TenantOption,
    serial: Annotated[list[str] | None, typer.Option(help="Serial of a unit taken")] = None,
    backorder: Annotated[bool, typer.Option(help="Back-order a short pick's rest")] = False,
    db: DbOption = None,
) -> None:
    """Confirm a pick task with the quantity taken (fewer: a short pick)."""
    done = picking.confirm_pick_task(
        tenant_uow(runtime(db), tenant),
        TaskId(task_id),
        quantity,
        serial or [],
        reallocate_short=not backorder,
    )
    console.print(
        f"task {done.task_id}: {done.picked}/{done.quantity} picked; "
        f"order {done.order_id} {done.fulfilment_status.value}"
    )


@commands.command("backorders")
@domain_errors
def backorders(order_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """What of an order could not be served."""
    for line, sku, qty in fulfilment.backorders(
        tenant_uow(runtime(db), tenant, read_only=True), OrderId(order_id)
    ):
        console.print(f"{line}: {qty} x {sku}")


@commands.command("reserve")
@domain_errors
def reserve(
    warehouse_id: str,
    sku: str,
    quantity: int,
    customer: str,
    tenant: TenantOption,
    minutes: int = 60,
    db: DbOption = None,
) -> None:
    """Keep units for a customer for some minutes (a soft reservation that lapses by itself)."""
    r = reservations.reserve(
        tenant_uow(runtime(db), tenant),
        WarehouseId(warehouse_id),
        sku,
        quantity,
        CustomerId(customer),
        timedelta(minutes=minutes),
    )
    console.print(f"reservation {r.id}: {r.quantity} x {r.sku} until {r.expires_at.isoformat()}")


@commands.command("reservations")
@domain_errors
def list_reservations(
    tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Soft reservations in force."""
    items = reservations.list_reservations(tenant_uow(runtime(db), tenant, read_only=True))
    if as_json:
        print_json(items)
        return
    for r in items:
        console.print(
            f"{r.id}: {r.quantity - r.consumed} x {r.sku} for {r.customer_id} until {r.expires_at}"
        )


@commands.command("unreserve")
@domain_errors
def unreserve(reservation_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Give a soft reservation's units back before it lapses."""
    r = reservations.release(tenant_uow(runtime(db), tenant), reservation_id)
    console.print(f"reservation {r.id}: released")


@commands.command("box")
@domain_errors
def box(
    code: str,
    tenant: TenantOption,
    inner_m3: Annotated[float, typer.Option("--inner")],
    max_weight_kg: Annotated[float, typer.Option("--max-weight")],
    tare_kg: Annotated[float, typer.Option("--tare")] = 0.0,
    outer_m3: Annotated[float | None, typer.Option("--outer")] = None,
    db: DbOption = None,
) -> None:
    """Add (or change) a box of the catalogue that orders are packed in."""
    b = packing.set_box(
        tenant_uow(runtime(db), tenant), Box(code, inner_m3, max_weight_kg, tare_kg, outer_m3)
    )
    console.print(f"box {b.code}: {b.inner_m3} m³ inside, {b.max_weight_kg} kg at most")


@commands.command("boxes")
@domain_errors
def boxes(tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    """The box catalogue."""
    items = packing.list_boxes(tenant_uow(runtime(db), tenant, read_only=True))
    if as_json:
        print_json(items)
        return
    for b in items:
        console.print(f"{b.code}: {b.inner_m3} m³, {b.max_weight_kg} kg, tare {b.tare_kg} kg")


@commands.command("sscc-prefix")
@domain_errors
def sscc_prefix(prefix: str, tenant: TenantOption, extension: int = 0, db: DbOption = None) -> None:
    """The GS1 company prefix (and extension digit) of the parcels' SSCCs."""
    s = packing.set_sscc_series(tenant_uow(runtime(db), tenant), prefix, extension)
    console.print(f"SSCCs: extension {s.extension_digit}, company prefix {s.company_prefix}")
