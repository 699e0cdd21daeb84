"""``otwb order return ...`` and ``otwb order recall``: returns (RMA) and recalls from the command
line, through the same service functions as the API."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from otwb.orders import recalls_service, returns_service
from otwb.orders import returns_inspection as inspection
from otwb.orders.api_returns import RecallOut, RmaOut
from otwb.orders.recalls import RecallReport, to_csv
from otwb.orders.returns import Disposition, ReturnReason, Rma, RmaStatus
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, OrderId
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

app = typer.Typer(help="Returns (RMA): request, authorise, receive, inspect.", no_args_is_help=True)

LineOption = Annotated[
    list[str],
    typer.Option("--line", help="LINE_NO:QUANTITY:REASON[:UNIT_PRICE], e.g. 1:2:defective:12.50"),
]
InspectOption = Annotated[
    list[str],
    typer.Option(
        "--line",
        help="LINE_NO:QUANTITY:DISPOSITION[:LOT][:rejected], e.g. 1:2:restock, 1:1:scrap::rejected",
    ),
]


def _decimal(text: str, what: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{what} {text!r} is not a number") from None


def _int(text: str, what: str) -> int:
    if not text.strip().isdigit():
        raise InvalidInput(f"{what} {text!r} is not a whole number")
    return int(text)


def parse_return_line(spec: str) -> returns_service.ReturnLineRequest:
    parts = spec.split(":")
    if len(parts) not in (3, 4):
        raise InvalidInput(f"--line {spec!r}: LINE_NO:QUANTITY:REASON[:UNIT_PRICE]")
    reasons = [r.value for r in ReturnReason]
    if parts[2] not in reasons:
        raise InvalidInput(f"--line {spec!r}: the reason is one of {', '.join(reasons)}")
    return returns_service.ReturnLineRequest(
        _int(parts[0], "line"),
        _int(parts[1], "quantity"),
        ReturnReason(parts[2]),
        _decimal(parts[3], "unit price") if len(parts) == 4 else Decimal(0),
    )


def parse_inspect_line(spec: str) -> inspection.InspectLine:
    parts = spec.split(":")
    if not 3 <= len(parts) <= 5 or (len(parts) == 5 and parts[4] != "rejected"):
        raise InvalidInput(f"--line {spec!r}: LINE_NO:QUANTITY:DISPOSITION[:LOT][:rejected]")
    dispositions = [d.value for d in Disposition]
    if parts[2] not in dispositions:
        raise InvalidInput(f"--line {spec!r}: the disposition is one of {', '.join(dispositions)}")
    return inspection.InspectLine(
        _int(parts[0], "line"),
        _int(parts[1], "quantity"),
        Disposition(parts[2]),
        (parts[3] or None) if len(parts) >= 4 else None,
        accepted=len(parts) < 5,
    )


def _show(rma: Rma, as_json: bool) -> None:
    if as_json:
        print_json(RmaOut.of(rma).model_dump(mode="json"))
        return
    credit = f"  credit {rma.credit.net}" if rma.credit else ""
    pickup = f"  pickup {rma.pickup_tracking}" if rma.pickup_tracking else ""
    console.print(f"[bold]{rma.id}[/bold] {rma.status.value}  order {rma.order_id}{pickup}{credit}")
    for line in rma.lines:
        console.print(
            f"  {line.line_no:>3}  {line.sku:<20} x {line.quantity}  {line.reason.value}"
            f"  @ {line.unit_price}"
        )
    for x in rma.inspections:
        changed = f" (asked {x.requested.value})" if x.requested else ""
        kept = "" if x.accepted else "  not credited"
        console.print(f"      line {x.line_no}: {x.quantity} {x.disposition.value}{changed}{kept}")


@app.command("request")
@domain_errors
def request(
    order_id: str,
    tenant: TenantOption,
    line: LineOption,
    note: str = "",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Return lines of a delivered order (within the customer's return window)."""
    lines = [parse_return_line(x) for x in line]
    rma = returns_service.request_return(
        tenant_uow(runtime(db), tenant), OrderId(order_id), lines, note
    )
    _show(rma, as_json)


def _after(rt_db: str | None, tenant: str, rma_id: str, as_json: bool) -> None:
    _show(
        returns_service.get_return(tenant_uow(runtime(rt_db), tenant, read_only=True), rma_id),
        as_json,
    )


@app.command("authorise")
@domain_errors
def authorise(
    rma_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Authorise a return: T schedules the pickup at the customer's address."""
    returns_service.authorise_return(tenant_uow(runtime(db), tenant), rma_id)
    _after(db, tenant, rma_id, as_json)


@app.command("refuse")
@domain_errors
def refuse(
    rma_id: str,
    tenant: TenantOption,
    reason: Annotated[str, typer.Option(help="Why the return is refused")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    returns_service.refuse_return(tenant_uow(runtime(db), tenant), rma_id, reason)
    _after(db, tenant, rma_id, as_json)


@app.command("cancel")
@domain_errors
def cancel(
    rma_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Cancel a return before its goods are collected (its pickup too)."""
    returns_service.cancel_return(tenant_uow(runtime(db), tenant), rma_id)
    _after(db, tenant, rma_id, as_json)


@app.command("receive")
@domain_errors
def receive(
    rma_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """The returned goods are at the warehouse."""
    returns_service.receive_return(tenant_uow(runtime(db), tenant), rma_id)
    _after(db, tenant, rma_id, as_json)


@app.command("inspect")
@domain_errors
def inspect(
    rma_id: str,
    tenant: TenantOption,
    line: InspectOption,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Inspect the returned units: restock, quarantine or scrap; B records the credit."""
    lines = [parse_inspect_line(x) for x in line]
    inspection.inspect_return(tenant_uow(runtime(db), tenant), rma_id, lines)
    _after(db, tenant, rma_id, as_json)


@app.command("show")
@domain_errors
def show(
    rma_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    _after(db, tenant, rma_id, as_json)


@app.command("list")
@domain_errors
def list_(
    tenant: TenantOption,
    status: Annotated[RmaStatus | None, typer.Option()] = None,
    order: Annotated[str | None, typer.Option(help="Only this order's returns")] = None,
    limit: int = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    uow = tenant_uow(runtime(db), tenant, read_only=True)
    found = returns_service.list_returns(uow, status, OrderId(order) if order else None, limit)
    if as_json:
        print_json([RmaOut.of(r).model_dump(mode="json") for r in found])
        return
    table = Table("id", "status", "order", "units", "credit")
    for r in found:
        units = str(sum(x.quantity for x in r.lines))
        table.add_row(
            r.id, r.status.value, r.order_id, units, str(r.credit.net) if r.credit else ""
        )
    console.print(table)


@app.command("policy")
@domain_errors
def policy(
    customer_id: str,
    tenant: TenantOption,
    window_days: Annotated[int, typer.Option(help="Days after delivery a return is accepted")] = 30,
    fee_pct: Annotated[str, typer.Option(help="Restocking fee, % of changed-mind returns")] = "0",
    db: DbOption = None,
) -> None:
    """Set a customer's return window and restocking fee."""
    p = returns_service.set_return_policy(
        tenant_uow(runtime(db), tenant),
        CustomerId(customer_id),
        window_days,
        _decimal(fee_pct, "fee"),
    )
    console.print(f"{customer_id}: {p.window_days} days, restocking fee {p.restocking_fee_pct} %")


def _print_report(report: RecallReport, as_json: bool, as_csv: bool) -> None:
    if as_csv:
        print(to_csv(report), end="")
        return
    if as_json:
        print_json(RecallOut.of(report).model_dump(mode="json"))
        return
    head = f"[bold]{report.sku} lot {report.lot}[/bold]"
    if report.recall_id:
        head += f"  recall {report.recall_id}"
    console.print(
        f"{head}: {len(report.orders)} order(s), {len(report.customers)} customer(s); "
        f"{report.units_delivered} delivered, {report.units_on_the_way} not yet, "
        f"{report.units_in_stock} in stock"
    )
    table = Table("order", "customer", "units", "shipment", "delivered")
    for o in report.orders:
        when = o.delivered_at.isoformat(timespec="minutes") if o.delivered_at else ""
        table.add_row(o.order_id, o.customer, str(o.quantity), o.shipment_status or "-", when)
    console.print(table)
    stock = Table("warehouse", "bin", "on hand", "allocated")
    for s in report.in_stock:
        stock.add_row(s.warehouse_id, s.location, str(s.on_hand), str(s.allocated))
    console.print(stock)
    if report.returns:
        console.print(f"returns opened: {', '.join(report.returns)}")


CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table")]
SkuOption = Annotated[str, typer.Option("--sku", help="The SKU the lot is of")]


@domain_errors
def recall(
    lot: str,
    sku: SkuOption,
    tenant: TenantOption,
    reason: Annotated[str, typer.Option(help="Why the lot is recalled")],
    create_returns: Annotated[
        bool, typer.Option("--create-returns", help="Open an authorised return per delivered order")
    ] = False,
    credit_per_unit: Annotated[str, typer.Option(help="Credit per unit returned")] = "0",
    db: DbOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Recall a lot: W marks it recalled; report every order and customer that received it."""
    report = recalls_service.recall_lot(
        tenant_uow(runtime(db), tenant),
        sku,
        lot,
        reason,
        create_returns=create_returns,
        credit_per_unit=_decimal(credit_per_unit, "credit per unit"),
    )
    _print_report(report, as_json, as_csv)


@domain_errors
def recall_report(
    lot: str,
    sku: SkuOption,
    tenant: TenantOption,
    db: DbOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """Who received a lot and where the rest of it still is."""
    report = recalls_service.recall_report(
        tenant_uow(runtime(db), tenant, read_only=True), sku, lot
    )
    _print_report(report, as_json, as_csv)


def install(orders: typer.Typer) -> None:
    """Add ``return ...``, ``recall`` and ``recall-report`` to ``otwb order``."""
    orders.add_typer(app, name="return")
    orders.command("recall")(recall)
    orders.command("recall-report")(recall_report)
