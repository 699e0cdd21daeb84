"""``otwb billing ...``: tariffs, charges, storage accrual, the summary (same service functions).
Invoices, credit notes and exchange rates are under ``otwb invoice`` (``cli_invoices.py``).

Dates are ISO days (2026-11-25); rates are decimal strings (0.0012), never floats. ``--json``
prints what the API returns.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from otwb.billing import invoicing, rating_cli, service
from otwb.billing.api import SummaryOut
from otwb.platform.terminal import (
    DbOption,
    JsonOption,
    TenantOption,
    console,
    domain_errors,
    iso_day,
    print_json,
    runtime,
    tenant_uow,
)

app = typer.Typer(help="B: tariffs, charges, invoices.", no_args_is_help=True)
rating_cli.register(app)  # tariffs, fuel index, charges, re-rating, adjustments

RateOption = Annotated[str, typer.Option(help="Decimal, e.g. 0.45")]


@app.command("accrue-storage")
@domain_errors
def accrue_storage(
    tenant: TenantOption,
    day: Annotated[str | None, typer.Option(help="Default: today (UTC)")] = None,
    db: DbOption = None,
) -> None:
    """Charge each consignment owner for its units on hand, once per day."""
    rt = runtime(db)
    which = iso_day(day, "--day") if day else rt.clock.now().date()
    accrual = service.accrue_storage(tenant_uow(rt, tenant), which)
    console.print(
        f"storage {which}: {accrual.created} new charge(s), {len(accrual.charges)} in all"
    )


@app.command("rate-unrated")
@domain_errors
def rate_unrated(tenant: TenantOption, db: DbOption = None) -> None:
    """Price the unrated charges that a tariff now covers."""
    rated = service.rate_unrated_charges(tenant_uow(runtime(db), tenant))
    console.print(f"{rated} charge(s) rated")


@app.command("summary")
@domain_errors
def summary(
    tenant: TenantOption,
    period_start: Annotated[str, typer.Option("--from")],
    period_end: Annotated[str, typer.Option("--to")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invoices of the period (totals per currency) and its revenue by kind of service."""
    s = invoicing.billing_summary(
        tenant_uow(runtime(db), tenant, read_only=True),
        iso_day(period_start, "--from"),
        iso_day(period_end, "--to"),
    )
    if as_json:
        print_json(SummaryOut.of(s).model_dump(mode="json"))
        return
    console.print(f"{s.invoice_count} invoice(s), {s.unrated_charges} unrated charge(s)")
    totals = Table("currency", "invoices", "subtotal", "tax", "total")
    for t in s.totals:
        totals.add_row(t.currency, str(t.invoices), str(t.subtotal), str(t.tax), str(t.total))
    console.print(totals)
    revenue = Table("kind", "currency", "charges", "accrued", "invoiced")
    for r in s.revenue_by_kind:
        revenue.add_row(r.kind.value, r.currency, str(r.charges), str(r.amount), str(r.invoiced))
    console.print(revenue)
