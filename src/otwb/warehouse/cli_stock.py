"""``otwb wh ...`` for inventory control and replenishment: lots, shelf-life rules,
adjustments, the ledger, cycle counts, ABC velocity, re-slotting, replenishment rules, transfers
and pick faces."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, LocationId, WarehouseId
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
from otwb.warehouse import counts, quality, replenishment, service, velocity
from otwb.warehouse.lots import LotStatus

commands = typer.Typer()


@commands.command("lots")
@domain_errors
def lots(
    tenant: TenantOption,
    sku: str | None = None,
    status: LotStatus | None = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lots, by SKU and status."""
    items = quality.list_lots(tenant_uow(runtime(db), tenant, read_only=True), sku, status)
    if as_json:
        print_json(items)
        return
    table = Table("lot", "code", "expires", "status")
    for x in items:
        table.add_row(
            x.id, x.code, x.expires_on.isoformat() if x.expires_on else "-", x.status.value
        )
    console.print(table)


@commands.command("lot-status")
@domain_errors
def lot_status(
    sku: str,
    lot: str,
    status: LotStatus,
    tenant: TenantOption,
    reason: str = "",
    db: DbOption = None,
) -> None:
    """Quarantine, release, recall or write off a lot (its open promises move or back-order)."""
    rt = runtime(db)
    found = quality.find_lot(tenant_uow(rt, tenant, read_only=True), sku, lot)
    changed = quality.set_lot_status(tenant_uow(rt, tenant), found.id, status, reason)
    console.print(f"lot {changed.code} of {sku}: {changed.status.value}")


@commands.command("shelf-life")
@domain_errors
def shelf_life(customer: str, days: int, tenant: TenantOption, db: DbOption = None) -> None:
    """The remaining shelf life a customer's goods must have."""
    quality.set_min_shelf_life(tenant_uow(runtime(db), tenant), CustomerId(customer), days)
    console.print(f"{customer}: at least {days} day(s) of shelf life left")


@commands.command("adjust")
@domain_errors
def adjust(
    location_id: str,
    sku: str,
    quantity: Annotated[int, typer.Argument(help="Signed: found + / lost -")],
    reason: str,
    tenant: TenantOption,
    lot: str | None = None,
    db: DbOption = None,
) -> None:
    """Correct a bin with a reason code (damaged, expired, lost, found, quality, correction)."""
    row = counts.adjust_stock(
        tenant_uow(runtime(db), tenant), LocationId(location_id), sku, quantity, reason, lot
    )
    console.print(f"{sku} in {location_id}: {row.on_hand} on hand, {row.available} available")


@commands.command("ledger")
@domain_errors
def ledger(
    tenant: TenantOption,
    sku: str | None = None,
    reference: str | None = None,
    limit: int = 200,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The movement ledger: every stock change, oldest first."""
    items = service.movements(
        tenant_uow(runtime(db), tenant, read_only=True), sku, None, reference, limit
    )
    rows = [
        {
            "at": m.at.isoformat(),
            "kind": m.kind,
            "reason": m.reason,
            "sku": m.sku_code,
            "location": m.location_code,
            "lot": m.lot_code,
            "quantity": m.quantity,
            "reference": m.reference,
        }
        for m in items
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("at", "kind", "reason", "sku", "bin", "lot", "qty", "reference")
    for r in rows:
        table.add_row(
            *(
                str(r[k] if r[k] is not None else "-")
                for k in ("at", "kind", "reason", "sku", "location", "lot", "quantity", "reference")
            )
        )
    console.print(table)


@commands.command("count-plan")
@domain_errors
def count_plan(
    warehouse_id: str,
    tenant: TenantOption,
    bin_: Annotated[list[str] | None, typer.Option("--bin", help="A bin to count")] = None,
    max_bins: int = 200,
    db: DbOption = None,
) -> None:
    """Cycle counts for the named bins, or the bins due by ABC class."""
    planned = counts.plan_cycle_counts(
        tenant_uow(runtime(db), tenant),
        WarehouseId(warehouse_id),
        bins=[LocationId(b) for b in bin_ or []],
        max_bins=max_bins,
    )
    for t in planned:
        console.print(f"count {t.id}: bin {t.location} ({t.reason})")


def _counted(line: str) -> counts.Counted:
    """``SKU=QTY`` or ``SKU@LOT=QTY``."""
    what, sep, qty = line.rpartition("=")
    if not sep or not qty.strip().isdigit():
        raise InvalidInput(f"count lines read SKU=QTY or SKU@LOT=QTY, not {line!r}")
    sku, _, lot = what.partition("@")
    return counts.Counted(sku.strip(), lot.strip() or None, int(qty))


@commands.command("count-record")
@domain_errors
def count_record(
    count_id: str,
    lines: Annotated[list[str] | None, typer.Argument(help="SKU=QTY or SKU@LOT=QTY")],
    tenant: TenantOption,
    by: str = "counter",
    db: DbOption = None,
) -> None:
    """Record a blind count of a bin (what is not named was counted as zero)."""
    task = counts.record_count(
        tenant_uow(runtime(db), tenant), count_id, [_counted(x) for x in lines or []], by
    )
    variance = sum(abs(x.variance) for x in task.lines)
    console.print(f"count {task.id}: {task.status}, variance {variance} unit(s)")


@commands.command("count-approve")
@domain_errors
def count_approve(
    count_id: str, tenant: TenantOption, by: str = "supervisor", db: DbOption = None
) -> None:
    """Approve a count's variance: the bin is adjusted."""
    task = counts.approve_count(tenant_uow(runtime(db), tenant), count_id, by)
    console.print(f"count {task.id}: {task.status}")


@commands.command("count-reject")
@domain_errors
def count_reject(
    count_id: str, tenant: TenantOption, by: str = "supervisor", db: DbOption = None
) -> None:
    """Reject a count: nothing changes, a recount is planned."""
    task = counts.reject_count(tenant_uow(runtime(db), tenant), count_id, by)
    console.print(f"count {task.id}: {task.status} (a recount is planned)")


@commands.command("velocity")
@domain_errors
def classify(warehouse_id: str, tenant: TenantOption, days: int = 30, db: DbOption = None) -> None:
    """ABC classes from recent pick lines."""
    for v in velocity.classify_skus(
        tenant_uow(runtime(db), tenant), WarehouseId(warehouse_id), days
    ):
        console.print(f"{v.abc} {v.sku}: {v.pick_lines} pick line(s)")


@commands.command("reslot")
@domain_errors
def reslot(warehouse_id: str, tenant: TenantOption, days: int = 30, db: DbOption = None) -> None:
    """Re-slotting suggestions from recent pick velocity."""
    for r in velocity.reslotting_suggestions(
        tenant_uow(runtime(db), tenant, read_only=True), WarehouseId(warehouse_id), days
    ):
        console.print(f"{r.sku} ({r.abc}): {r.from_bin} -> {r.to_bin}, {r.metres_saved:+,.0f} m")


@commands.command("replenish-rule")
@domain_errors
def replenish_rule(
    warehouse_id: str,
    sku: str,
    tenant: TenantOption,
    min_qty: Annotated[int | None, typer.Option("--min")] = None,
    max_qty: Annotated[int | None, typer.Option("--max")] = None,
    pick_min: int | None = None,
    pick_max: int | None = None,
    db: DbOption = None,
) -> None:
    """Min/max of a SKU at a site, and/or at its pick face."""
    rule = replenishment.set_rule(
        tenant_uow(runtime(db), tenant),
        WarehouseId(warehouse_id),
        sku,
        min_qty=min_qty,
        max_qty=max_qty,
        pick_min=pick_min,
        pick_max=pick_max,
    )
    console.print(
        f"{rule.sku}: site {rule.min_qty}/{rule.max_qty}, pick face {rule.pick_min}/{rule.pick_max}"
    )


@commands.command("transfer-plan")
@domain_errors
def transfer_plan(
    warehouse_id: str, tenant: TenantOption, source: str | None = None, db: DbOption = None
) -> None:
    """A transfer from the central warehouse for the SKUs at or below their min."""
    order = replenishment.plan_transfer(
        tenant_uow(runtime(db), tenant),
        WarehouseId(warehouse_id),
        WarehouseId(source) if source else None,
    )
    if order is None:
        console.print("nothing at or below its min")
        return
    lines = ", ".join(f"{x.requested} x {x.sku}" for x in order.lines)
    console.print(f"transfer {order.id}: {lines}")


@commands.command("transfer-ship")
@domain_errors
def transfer_ship(transfer_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Ship a transfer: free stock leaves the source by FEFO/FIFO."""
    order = replenishment.ship_transfer(tenant_uow(runtime(db), tenant), transfer_id)
    console.print(
        f"transfer {order.id}: {order.status}, {sum(x.shipped for x in order.lines)} unit(s)"
    )


@commands.command("transfer-receive")
@domain_errors
def transfer_receive(transfer_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Receive a transfer at its destination: putaway is planned."""
    order, tasks = replenishment.receive_transfer(tenant_uow(runtime(db), tenant), transfer_id)
    console.print(f"transfer {order.id}: {order.status}, {len(tasks)} putaway task(s)")


@commands.command("replenish-pick-faces")
@domain_errors
def replenish_pick_faces(warehouse_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Replenishment tasks from reserve for the pick faces at or below their min."""
    tasks = replenishment.plan_pick_faces(
        tenant_uow(runtime(db), tenant), WarehouseId(warehouse_id)
    )
    console.print(f"{len(tasks)} replenishment task(s), {sum(t.quantity for t in tasks)} unit(s)")
