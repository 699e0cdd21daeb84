"""``otwb order webhooks ...``: subscriptions and the dispatcher."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from otwb.orders import webhook_dispatch, webhooks
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

app = typer.Typer(help="Webhooks out: order events POSTed to subscriber URLs.")


@app.command("add")
@domain_errors
def add(
    url: str,
    tenant: TenantOption,
    events: Annotated[str, typer.Option(help="Comma-separated names, or *")] = "*",
    secret: Annotated[str | None, typer.Option(help="16+ characters (default: generated)")] = None,
    db: DbOption = None,
) -> None:
    """Subscribe a URL; the secret (to verify X-OTWB-Signature) is printed once."""
    sub = webhooks.subscribe(tenant_uow(runtime(db), tenant), url, events.split(","), secret)
    console.print(f"webhook {sub.id} -> {sub.url} ({' '.join(sub.event_types)})")
    print(sub.secret)


@app.command("list")
@domain_errors
def list_(tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    subs = webhooks.list_subscriptions(tenant_uow(runtime(db), tenant, read_only=True))
    if as_json:
        print_json([{k: v for k, v in vars(s).items() if k != "secret"} for s in subs])
        return
    table = Table("id", "url", "events", "active")
    for s in subs:
        table.add_row(s.id, s.url, " ".join(s.event_types), "yes" if s.active else "no")
    console.print(table)


@app.command("remove")
@domain_errors
def remove(subscription_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    webhooks.unsubscribe(tenant_uow(runtime(db), tenant), subscription_id)
    console.print(f"webhook {subscription_id} stopped")


@app.command("deliveries")
@domain_errors
def deliveries(
    tenant: TenantOption,
    status: Annotated[str | None, typer.Option(help="pending, delivered or dead")] = None,
    limit: int = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    items = webhooks.list_deliveries(tenant_uow(runtime(db), tenant, read_only=True), status, limit)
    if as_json:
        print_json(items)
        return
    table = Table("id", "event", "status", "attempts", "last error", "next attempt")
    for d in items:
        table.add_row(
            d.id,
            d.event_type,
            d.status,
            str(d.attempts),
            d.last_error or "",
            d.next_attempt_at.isoformat(timespec="seconds") if d.status == "pending" else "",
        )
    console.print(table)


@app.command("deliver")
def deliver(
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering (Ctrl-C to stop)")] = False,
    every: Annotated[float, typer.Option(help="Seconds between passes with --loop")] = 2.0,
    db: DbOption = None,
) -> None:
    """POST the due deliveries of every tenant (signed); failures are retried with backoff."""
    rt = runtime(db)
    while True:
        report = webhook_dispatch.deliver_due(rt)
        console.print(
            f"delivered {report.delivered}, failed {report.failed} (will retry), dead {report.dead}"
        )
        if not loop:
            return
        time.sleep(every)
