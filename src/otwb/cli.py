"""The ``otwb`` command: database, tenants and keys, the demo, the server, and each context."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.table import Table

from otwb.billing.cli import app as billing_app
from otwb.billing.cli_invoices import app as invoice_app
from otwb.billing.cli_settlement import register as register_billing_costs
from otwb.orders.cli import app as orders_app
from otwb.orders.cli_promise import app as promise_app
from otwb.orders.cli_returns import install as install_returns
from otwb.orders.cli_sourcing import commands as sourcing_commands
from otwb.platform import auth, migrate
from otwb.platform.auth import Role
from otwb.platform.ids import ApiKeyId
from otwb.platform.settings import Settings
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
from otwb.transport.cli import app as transport_app
from otwb.warehouse.cli import app as warehouse_app

app = typer.Typer(help="OTWB: Orders, Transport, Warehouse, Billing.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
tenant_app = typer.Typer(
    help="Tenants: the clients whose stock and orders OTWB holds.", no_args_is_help=True
)
key_app = typer.Typer(help="API keys (stored hashed; shown once).", no_args_is_help=True)
outbox_app = typer.Typer(help="The event outbox.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tenant_app, name="tenant")
app.add_typer(key_app, name="apikey")
app.add_typer(outbox_app, name="outbox")
orders_app.registered_commands.extend(sourcing_commands.registered_commands)
app.add_typer(orders_app, name="order")
app.add_typer(promise_app, name="promise")

install_returns(orders_app)
app.add_typer(warehouse_app, name="wh")
app.add_typer(transport_app, name="route")
app.add_typer(billing_app, name="billing")
app.add_typer(invoice_app, name="invoice")

register_billing_costs(billing_app)


def _url(db: str | None) -> str:
    return db or Settings().database_url


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema to the newest revision."""
    migrate.upgrade(_url(db))
    console.print(f"schema at {', '.join(sorted(migrate.current_heads(_url(db))))}")


@tenant_app.command("create")
@domain_errors
def tenant_create(name: str, currency: str = "EUR", db: DbOption = None) -> None:
    tenant = auth.create_tenant(runtime(db).uow(), name, currency)
    console.print(f"tenant {tenant.id} ({tenant.name}, {tenant.currency})")


@tenant_app.command("list")
def tenant_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    tenants = auth.list_tenants(runtime(db).uow(read_only=True))
    if as_json:
        print_json(tenants)
        return
    table = Table("id", "name", "currency")
    for t in tenants:
        table.add_row(t.id, t.name, t.currency)
    console.print(table)


@key_app.command("create")
@domain_errors
def key_create(
    tenant: TenantOption,
    role: Annotated[Role, typer.Option(help="admin, operator or read_only")] = Role.OPERATOR,
    name: str = "",
    db: DbOption = None,
) -> None:
    """Issue an API key; the token is printed once."""
    key = auth.create_api_key(tenant_uow(runtime(db), tenant), role, name)
    console.print(f"key {key.id} ({key.role.value}) for {key.tenant_id}")
    print(key.token)


@key_app.command("revoke")
@domain_errors
def key_revoke(key_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    auth.revoke_api_key(tenant_uow(runtime(db), tenant), ApiKeyId(key_id))
    console.print(f"revoked {key_id}")


@outbox_app.command("dispatch")
def outbox_dispatch(db: DbOption = None) -> None:
    """Deliver stored events that are due (failed earlier, or left by a crash)."""
    rt = runtime(db)
    report = rt.bus.dispatch_pending(rt)
    console.print(f"delivered {report.delivered}, failed {report.failed}")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    db: DbOption = None,
) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, docs at /docs)."""
    from otwb.server import serve as run_server

    run_server(runtime(db), host, port)


@app.command()
def demo(
    orders: Annotated[int, typer.Option(help="Orders in the simulated day")] = 500,
    seed: Annotated[int, typer.Option(help="Seed of the scenario and the simulation")] = 7,
    db: DbOption = None,
    as_json: JsonOption = False,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API afterwards")
    ] = True,
    host: str = "127.0.0.1",
    port: int = 8000,
    route_seconds: Annotated[float, typer.Option(help="PyVRP time limit per depot")] = 3.0,
) -> None:
    """Build a regional distributor, run a day of orders through O, W, T and B, and report.

    Without --db (or OTWB_DATABASE_URL) it works in a fresh SQLite file, otwb-demo.db; with
    one, it adds a new tenant there. Then it serves the API (--no-serve to skip).
    """
    from otwb.demo.run import run_demo

    run_demo(
        orders=orders,
        seed=seed,
        db=db,
        as_json=as_json,
        serve_after=serve_after,
        host=host,
        port=port,
        route_seconds=route_seconds,
    )


def main() -> None:
    logging.basicConfig(
        level=Settings().log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app()
