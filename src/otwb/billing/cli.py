"""``otwb billing ...``: tariffs, charges, storage accrual, the summary (same service functions).
Invoices, credit notes and exchange rates are under ``otwb invoice`` (``cli_invoices.py``).

Dates are ISO days (2026-11-25); rates are decimal strings (0.0012), never floats. ``--json``
prints what the API returns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from otwb.billing import invoicing, service
from otwb.billing.api import ChargeOut, SummaryOut, TariffOut
from otwb.billing.model import ChargeStatus
from otwb.platform import auth
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId
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

RateOption = Annotated[str, typer.Option(help="Decimal, e.g. 0.45")]


def _day(value: str, label: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{label}: {value!r} is not a day like 2026-11-25") from None


def _money(value: object) -> str:
    return "-" if value is None else str(value)


@app.command("set-tariff")
@domain_errors
def set_tariff(
    tenant: TenantOption,
    valid_from: Annotated[str, typer.Option("--valid-from", help="First day it applies")],
    handling: Annotated[str, typer.Option("--handling", help="Price per order line picked")],
    per_kg_km: Annotated[str, typer.Option("--per-kg-km", help="Transport price per kg·km")],
    per_drop: Annotated[str, typer.Option("--per-drop", help="Transport price per delivery")],
    storage: Annotated[str, typer.Option("--storage", help="Price per unit stored per day")],
    tax: Annotated[str, typer.Option("--tax", help="Tax rate, 0.20 for 20 %")],
    customer: Annotated[
        str | None, typer.Option(help="Customer id; omit for the tenant's default tariff")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="Default: the tenant's")] = None,
    db: DbOption = None,
) -> None:
    """Add a tariff version (a customer's, or the default used when a customer has none)."""
    uow = tenant_uow(runtime(db), tenant)
    if currency is None:
        currency = auth.get_tenant(uow, uow.tenant_id).currency
    t = service.set_tariff(
        uow,
        service.NewTariff(
            customer_id=CustomerId(customer) if customer else None,
            valid_from=_day(valid_from, "--valid-from"),
            currency=currency,
            handling_per_line=handling,
            transport_per_kg_km=per_kg_km,
            transport_per_drop=per_drop,
            storage_per_unit_day=storage,
            tax_rate=tax,
        ),
    )
    console.print(f"tariff {t.id} for {t.customer_id or 'default'} from {t.valid_from}")


@app.command("tariffs")
@domain_errors
def tariffs(
    tenant: TenantOption,
    customer: str | None = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every tariff version, the default's first."""
    items = service.list_tariffs(
        tenant_uow(runtime(db), tenant, read_only=True),
        CustomerId(customer) if customer else None,
    )
    if as_json:
        print_json([TariffOut.of(t).model_dump(mode="json") for t in items])
        return
    table = Table(
        "id", "customer", "from", "cur", "per line", "per kg·km", "per drop", "per unit·day", "tax"
    )
    for t in items:
        table.add_row(
            t.id,
            t.customer_id or "(default)",
            t.valid_from.isoformat(),
            t.currency,
            str(t.handling_per_line),
            str(t.transport_per_kg_km),
            str(t.transport_per_drop),
            str(t.storage_per_unit_day),
            str(t.tax_rate),
        )
    console.print(table)


@app.command("charges")
@domain_errors
def charges(
    tenant: TenantOption,
    customer: str | None = None,
    status: Annotated[ChargeStatus | None, typer.Option()] = None,
    invoiced: Annotated[
        bool | None, typer.Option("--invoiced/--uninvoiced", help="Default: both")
    ] = None,
    limit: int = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Charges as they accrued (unrated ones have no price yet)."""
    items = service.list_charges(
        tenant_uow(runtime(db), tenant, read_only=True),
        CustomerId(customer) if customer else None,
        status,
        invoiced,
        limit,
    )
    if as_json:
        print_json([ChargeOut.of(c).model_dump(mode="json") for c in items])
        return
    table = Table(
        "occurred", "customer", "kind", "basis", "source", "qty", "price", "amount", "invoice"
    )
    for c in items:
        table.add_row(
            c.occurred_at.isoformat(timespec="minutes"),
            c.customer_id,
            c.kind.value,
            c.basis.value,
            c.source_id,
            str(c.quantity),
            _money(c.rating.unit_price if c.rating else None),
            _money(c.amount) if c.rating else "[yellow]unrated[/yellow]",
            c.invoice_id or "",
        )
    console.print(table)


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
