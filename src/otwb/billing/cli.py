"""``otwb billing ...``: tariffs, charges, storage accrual, invoice runs (same service functions).

Dates are ISO days (2026-11-25); rates are decimal strings (0.0012), never floats. ``--json``
prints what the API returns.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from otwb.billing import invoicing, rating_cli, service
from otwb.billing.api import InvoiceOut, SummaryOut
from otwb.billing.invoice import Invoice
from otwb.billing.model import plain
from otwb.platform.ids import CustomerId, InvoiceId
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

app = typer.Typer(help="B: tariffs, charges, invoices.", no_args_is_help=True)
rating_cli.register(app)  # tariffs, fuel index, charges, re-rating, adjustments

RateOption = Annotated[str, typer.Option(help="Decimal, e.g. 0.45")]


_day = rating_cli.day


@app.command("accrue-storage")
@domain_errors
def accrue_storage(
    tenant: TenantOption,
    day: Annotated[str | None, typer.Option(help="Default: today (UTC)")] = None,
    db: DbOption = None,
) -> None:
    """Charge each consignment owner for its units on hand, once per day."""
    rt = runtime(db)
    which = _day(day, "--day") if day else rt.clock.now().date()
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


@app.command("invoice-run")
@domain_errors
def invoice_run(
    tenant: TenantOption,
    period_start: Annotated[str, typer.Option("--from", help="First day of the period")],
    period_end: Annotated[str, typer.Option("--to", help="Day after the period (exclusive)")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invoice every customer's rated, uninvoiced charges of [--from, --to)."""
    issued = invoicing.issue_invoices(
        tenant_uow(runtime(db), tenant), _day(period_start, "--from"), _day(period_end, "--to")
    )
    if as_json:
        print_json([InvoiceOut.of(i).model_dump(mode="json") for i in issued])
        return
    console.print(f"{len(issued)} invoice(s) issued")
    _invoice_table(issued)


def _invoice_table(items: list[Invoice]) -> None:
    table = Table("number", "id", "customer", "period", "subtotal", "tax", "total")
    for i in items:
        table.add_row(
            i.number,
            i.id,
            i.customer_id,
            f"{i.period.start} .. {i.period.last_day}",
            str(i.subtotal),
            str(i.tax),
            f"{i.total} {i.currency}",
        )
    console.print(table)


@app.command("invoices")
@domain_errors
def invoices(
    tenant: TenantOption,
    customer: str | None = None,
    limit: int = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invoices in the order they were issued."""
    items = invoicing.list_invoices(
        tenant_uow(runtime(db), tenant, read_only=True),
        CustomerId(customer) if customer else None,
        limit,
    )
    if as_json:
        print_json([InvoiceOut.of(i).model_dump(mode="json") for i in items])
        return
    _invoice_table(items)


@app.command("invoice")
@domain_errors
def invoice(
    invoice_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """An invoice with its lines."""
    i = invoicing.get_invoice(
        tenant_uow(runtime(db), tenant, read_only=True), InvoiceId(invoice_id)
    )
    if as_json:
        print_json(InvoiceOut.of(i).model_dump(mode="json"))
        return
    console.print(
        f"[bold]{i.number}[/bold] {i.status.value}  customer {i.customer_id}"
        f"  period {i.period.start} .. {i.period.last_day}"
    )
    table = Table("#", "service", "quantity", "charges", "amount")
    for x in i.lines:
        table.add_row(str(x.line_no), x.description, str(x.quantity), str(x.charges), str(x.amount))
    table.add_row("", "subtotal", "", "", str(i.subtotal))
    table.add_row("", f"tax {plain(i.tax_rate * 100)} %", "", "", str(i.tax))
    table.add_row("", "[bold]total[/bold]", "", "", f"[bold]{i.total} {i.currency}[/bold]")
    console.print(table)


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
        _day(period_start, "--from"),
        _day(period_end, "--to"),
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
