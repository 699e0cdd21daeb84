"""``otwb order ...``: customers and orders from the command line (same service functions)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from otwb.orders import changes, cli_import, cli_webhooks, service
from otwb.orders.api import AmendIn, amendment_of
from otwb.orders.api_schemas import OrderIn, OrderOut, to_command
from otwb.orders.model import OrderStatus
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

app = typer.Typer(help="O: customers and orders.", no_args_is_help=True)
app.command("import")(cli_import.import_orders)
app.add_typer(cli_import.postcodes_app, name="postcodes")
app.add_typer(cli_webhooks.app, name="webhooks")


@app.command("add-customer")
@domain_errors
def add_customer(code: str, name: str, tenant: TenantOption, db: DbOption = None) -> None:
    customer = service.create_customer(tenant_uow(runtime(db), tenant), code, name)
    console.print(f"customer {customer.id} ({customer.code})")


@app.command("customers")
@domain_errors
def customers(tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    items = service.list_customers(tenant_uow(runtime(db), tenant, read_only=True))
    if as_json:
        print_json(items)
        return
    table = Table("id", "code", "name")
    for c in items:
        table.add_row(c.id, c.code, c.name)
    console.print(table)


@app.command("place")
@domain_errors
def place(
    file: Annotated[Path, typer.Argument(help="JSON order, as POST /api/v1/orders takes it")],
    tenant: TenantOption,
    db: DbOption = None,
) -> None:
    """Place an order from a JSON file; the warehouse allocates it at once."""
    try:
        body = OrderIn.model_validate_json(file.read_bytes())
    except ValidationError as exc:
        raise InvalidInput(str(exc)) from None
    rt = runtime(db)
    order = service.place_order(tenant_uow(rt, tenant), to_command(body))
    now = service.get_order(tenant_uow(rt, tenant, read_only=True), order.id)
    console.print(f"order {order.id}: {now.status.value}")


@app.command("show")
@domain_errors
def show(
    order_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """An order with its timeline."""
    order = service.get_order(tenant_uow(runtime(db), tenant, read_only=True), OrderId(order_id))
    if as_json:
        print_json(OrderOut.of(order).model_dump(mode="json"))
        return
    console.print(f"[bold]{order.id}[/bold] {order.status.value}  customer {order.customer_id}")
    for line in order.lines:
        console.print(f"  {line.line_no:>3}  {line.sku:<20} x {line.quantity}")
    table = Table("at", "event", "detail")
    for entry in order.timeline:
        table.add_row(entry.at.isoformat(timespec="seconds"), entry.kind, entry.detail)
    console.print(table)


@app.command("list")
@domain_errors
def list_(
    tenant: TenantOption,
    status: Annotated[OrderStatus | None, typer.Option()] = None,
    limit: int = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    orders = service.list_orders(tenant_uow(runtime(db), tenant, read_only=True), status, limit)
    if as_json:
        print_json([OrderOut.of(o).model_dump(mode="json") for o in orders])
        return
    table = Table("id", "status", "customer", "lines", "placed")
    for o in orders:
        table.add_row(
            o.id,
            o.status.value,
            o.customer_id,
            str(len(o.lines)),
            o.placed_at.isoformat(timespec="minutes"),
        )
    console.print(table)


@app.command("cancel")
@domain_errors
def cancel(order_id: str, tenant: TenantOption, reason: str = "", db: DbOption = None) -> None:
    order = service.cancel_order(tenant_uow(runtime(db), tenant), OrderId(order_id), reason)
    console.print(f"order {order.id}: {order.status.value}")


@app.command("hold")
@domain_errors
def hold(order_id: str, reason: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Keep an order back from the warehouse (its allocation is released)."""
    order = changes.hold_order(tenant_uow(runtime(db), tenant), OrderId(order_id), reason)
    console.print(f"order {order.id}: {order.status.value} ({order.hold_reason})")


@app.command("release")
@domain_errors
def release(order_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Send a held order to the warehouse."""
    rt = runtime(db)
    changes.release_order(tenant_uow(rt, tenant), OrderId(order_id))
    now = service.get_order(tenant_uow(rt, tenant, read_only=True), OrderId(order_id))
    console.print(f"order {now.id}: {now.status.value}")


@app.command("amend")
@domain_errors
def amend(
    order_id: str,
    file: Annotated[Path, typer.Argument(help='JSON: {"lines": [...], "ship_to": {...}}')],
    tenant: TenantOption,
    db: DbOption = None,
) -> None:
    """Change the lines and/or the address of an order not yet picked."""
    try:
        body = AmendIn.model_validate_json(file.read_bytes())
    except ValidationError as exc:
        raise InvalidInput(str(exc)) from None
    rt = runtime(db)
    changes.amend_order(tenant_uow(rt, tenant), OrderId(order_id), amendment_of(body))
    now = service.get_order(tenant_uow(rt, tenant, read_only=True), OrderId(order_id))
    console.print(f"order {now.id}: {now.status.value}, {len(now.lines)} line(s)")


@app.command("credit-hold")
@domain_errors
def credit_hold(
    customer_id: str,
    tenant: TenantOption,
    on: Annotated[bool, typer.Option("--on/--off", help="Put on credit hold, or lift it")] = True,
    db: DbOption = None,
) -> None:
    """Credit hold: new orders of the customer wait on hold; lifting it releases them."""
    released = changes.set_credit_hold(tenant_uow(runtime(db), tenant), CustomerId(customer_id), on)
    state = "on credit hold" if on else f"credit hold lifted, {len(released)} order(s) released"
    console.print(f"customer {customer_id}: {state}")
