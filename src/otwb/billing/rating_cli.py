"""``otwb billing ...`` for tariffs, the fuel index, charge lines, services, re-rating and period
adjustments (the same service functions as the API). Registered on ``billing.cli.app``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from otwb.billing import rerating, service
from otwb.billing.charge_repo import ChargeFilter
from otwb.billing.charges import ChargeKind, ChargeStatus, SourceType
from otwb.billing.rating_schemas import ChargeOut, RerateRunOut, RuleIn, TariffOut
from otwb.billing.tariff import Tariff
from otwb.platform import auth
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, TariffId
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

ACTOR = "cli"
SELECTORS = (
    "temperature_class",
    "service",
    "zone",
    "max_km",
    "max_kg",
    "scope",
    "applies_to",
    "min_quantity",
)
CustomerOption = Annotated[str | None, typer.Option(help="Customer id; omit: the default / all")]


def money(value: object) -> str:
    return "-" if value is None else str(value)


def _rules(path: Path) -> list[service.NewRule]:
    try:
        raw = json.loads(path.read_text())
        return [RuleIn.model_validate(r).new() for r in raw]
    except (OSError, ValueError, TypeError, ValidationError) as exc:
        raise InvalidInput(f"--rules {path}: {exc}".splitlines()[0]) from None


def add_tariff(
    tenant: TenantOption,
    valid_from: Annotated[str, typer.Option("--valid-from", help="First day it applies")],
    rules: Annotated[Path, typer.Option("--rules", help="JSON file: a list of rules")],
    tax: Annotated[str, typer.Option("--tax", help="Tax rate, 0.20 for 20 %")],
    customer: CustomerOption = None,
    valid_to: Annotated[str | None, typer.Option("--valid-to", help="Last day")] = None,
    currency: Annotated[str | None, typer.Option(help="Default: the tenant's")] = None,
    db: DbOption = None,
) -> None:
    """Add a tariff version from a JSON list of rules (see the README for each basis)."""
    uow = tenant_uow(runtime(db), tenant)
    t = service.set_tariff(
        uow,
        service.NewTariff(
            customer_id=CustomerId(customer) if customer else None,
            valid_from=iso_day(valid_from, "--valid-from"),
            valid_to=iso_day(valid_to, "--valid-to") if valid_to else None,
            currency=currency or auth.get_tenant(uow, uow.tenant_id).currency,
            tax_rate=tax,
            rules=_rules(rules),
        ),
    )
    console.print(f"tariff {t.id} for {t.customer_id or 'default'} from {t.valid_from}")


def set_tariff(
    tenant: TenantOption,
    valid_from: Annotated[str, typer.Option("--valid-from", help="First day it applies")],
    handling: Annotated[str, typer.Option("--handling", help="Price per order line picked")],
    per_kg_km: Annotated[str, typer.Option("--per-kg-km", help="Transport price per kg·km")],
    per_drop: Annotated[str, typer.Option("--per-drop", help="Transport price per delivery")],
    storage: Annotated[str, typer.Option("--storage", help="Price per unit stored per day")],
    tax: Annotated[str, typer.Option("--tax", help="Tax rate, 0.20 for 20 %")],
    customer: CustomerOption = None,
    currency: Annotated[str | None, typer.Option(help="Default: the tenant's")] = None,
    db: DbOption = None,
) -> None:
    """Add a flat tariff version (per line, per kg·km, per drop, per unit·day)."""
    uow = tenant_uow(runtime(db), tenant)
    t = service.set_tariff(
        uow,
        service.FlatTariff(
            customer_id=CustomerId(customer) if customer else None,
            valid_from=iso_day(valid_from, "--valid-from"),
            currency=currency or auth.get_tenant(uow, uow.tenant_id).currency,
            handling_per_line=handling,
            transport_per_kg_km=per_kg_km,
            transport_per_drop=per_drop,
            storage_per_unit_day=storage,
            tax_rate=tax,
        ),
    )
    console.print(f"tariff {t.id} for {t.customer_id or 'default'} from {t.valid_from}")


def _rule_table(t: Tariff) -> Table:
    table = Table("rule", "basis", "price", "%", "selects", title=f"{t.id} rules")
    for r in t.rules:
        selects = [
            f"{name}={value}" for name in SELECTORS if (value := getattr(r, name)) is not None
        ]
        table.add_row(r.id, r.basis.value, money(r.price), money(r.percent), " ".join(selects))
    return table


def tariffs(
    tenant: TenantOption,
    customer: CustomerOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every tariff version, the default's first, with its rules."""
    items = service.list_tariffs(
        tenant_uow(runtime(db), tenant, read_only=True),
        CustomerId(customer) if customer else None,
    )
    if as_json:
        print_json([TariffOut.of(t).model_dump(mode="json") for t in items])
        return
    table = Table("id", "customer", "from", "to", "cur", "tax", "rules")
    for t in items:
        table.add_row(
            t.id,
            t.customer_id or "(default)",
            t.valid_from.isoformat(),
            t.valid_to.isoformat() if t.valid_to else "",
            t.currency,
            str(t.tax_rate),
            ", ".join(r.basis.value for r in t.rules),
        )
    console.print(table)


def tariff(
    tariff_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """One tariff version and its rules."""
    t = service.get_tariff(tenant_uow(runtime(db), tenant, read_only=True), TariffId(tariff_id))
    if as_json:
        print_json(TariffOut.of(t).model_dump(mode="json"))
        return
    console.print(f"[bold]{t.id}[/bold] {t.customer_id or '(default)'} from {t.valid_from}")
    console.print(_rule_table(t))


def fuel(
    tenant: TenantOption,
    valid_from: Annotated[str | None, typer.Option("--valid-from")] = None,
    percent: Annotated[str | None, typer.Option("--percent", help="12.5 for 12.5 %")] = None,
    db: DbOption = None,
) -> None:
    """Set the fuel surcharge % from a day (both options), or list the index (neither)."""
    rt = runtime(db)
    if valid_from and percent:
        value = service.set_fuel_index(
            tenant_uow(rt, tenant), iso_day(valid_from, "--valid-from"), percent
        )
        console.print(f"fuel surcharge {value} % from {valid_from}")
        return
    if valid_from or percent:
        raise InvalidInput("give both --valid-from and --percent, or neither to list")
    table = Table("from", "%")
    for d, p in service.fuel_index(tenant_uow(rt, tenant, read_only=True)):
        table.add_row(d.isoformat(), str(p))
    console.print(table)


def charges(
    tenant: TenantOption,
    customer: CustomerOption = None,
    status: Annotated[ChargeStatus | None, typer.Option()] = None,
    kind: Annotated[ChargeKind | None, typer.Option()] = None,
    source_type: Annotated[SourceType | None, typer.Option("--source-type")] = None,
    invoiced: Annotated[
        bool | None, typer.Option("--invoiced/--uninvoiced", help="Default: both")
    ] = None,
    limit: int = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Charge lines as they accrued (unrated ones have no price yet)."""
    where = ChargeFilter(
        customer_id=CustomerId(customer) if customer else None,
        status=status,
        invoiced=invoiced,
        kind=kind,
        source_type=source_type,
    )
    items = service.list_charges(
        tenant_uow(runtime(db), tenant, read_only=True), limit=limit, where=where
    )
    if as_json:
        print_json([ChargeOut.of(c).model_dump(mode="json") for c in items])
        return
    table = Table(
        "occurred", "customer", "kind", "basis", "source", "qty", "price", "amount", "rule"
    )
    for c in items:
        table.add_row(
            c.occurred_at.isoformat(timespec="minutes"),
            c.customer_id,
            c.kind.value,
            c.basis.value + (f" {c.service}" if c.service else ""),
            c.source_id,
            str(c.quantity),
            money(c.rating.unit_price if c.rating else None),
            money(c.amount) if c.rating else "[yellow]unrated[/yellow]",
            c.rule_id or "",
        )
    console.print(table)


def _print_run(out: RerateRunOut, as_json: bool) -> None:
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    console.print(
        f"run {out.id}: {out.examined} line(s) examined, {out.changed} changed,"
        f" {out.credit_notes_needed} invoiced line(s) need a credit note"
    )
    table = Table("charge", "old", "new", "applied")
    for c in out.changes or []:
        table.add_row(
            c.charge_id,
            money(c.old.amount if c.old else None),
            money(c.new.amount if c.new else None),
            "yes" if c.applied else "[red]credit note[/red]",
        )
    console.print(table)


def rerate(
    tenant: TenantOption,
    period_start: Annotated[str, typer.Option("--from", help="First day of the period")],
    period_end: Annotated[str, typer.Option("--to", help="Day after the period (exclusive)")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit)")] = "tariff correction",
    customer: CustomerOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-rate a period with today's tariffs (audited; invoiced lines listed, not changed)."""
    result = rerating.rerate(
        tenant_uow(runtime(db), tenant),
        iso_day(period_start, "--from"),
        iso_day(period_end, "--to"),
        CustomerId(customer) if customer else None,
        reason,
        ACTOR,
    )
    _print_run(RerateRunOut.of(result.run, result.changes), as_json)


def adjust(
    tenant: TenantOption,
    period_start: Annotated[str, typer.Option("--from", help="First day of the period")],
    period_end: Annotated[str, typer.Option("--to", help="Day after the period (exclusive)")],
    customer: CustomerOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Minimum charges and volume-tier discounts of a period (run before invoicing it)."""
    result = rerating.apply_adjustments(
        tenant_uow(runtime(db), tenant),
        iso_day(period_start, "--from"),
        iso_day(period_end, "--to"),
        CustomerId(customer) if customer else None,
        actor=ACTOR,
    )
    _print_run(RerateRunOut.of(result.run, result.changes), as_json)


def rerating_runs(
    tenant: TenantOption,
    run_id: Annotated[str | None, typer.Argument(help="A run's id: its audit")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-rating and adjustment runs, newest first; with a run id, its audit."""
    uow = tenant_uow(runtime(db), tenant, read_only=True)
    if run_id:
        run, changes = rerating.run_changes(uow, run_id)
        _print_run(RerateRunOut.of(run, changes), as_json)
        return
    runs = [RerateRunOut.of(r) for r in rerating.list_runs(uow)]
    if as_json:
        print_json([r.model_dump(mode="json") for r in runs])
        return
    table = Table("id", "ran", "period", "customer", "examined", "changed", "credit notes", "why")
    for r in runs:
        table.add_row(
            r.id,
            r.ran_at.isoformat(timespec="minutes"),
            f"{r.period_start} .. {r.period_end}",
            r.customer_id or "(all)",
            str(r.examined),
            str(r.changed),
            str(r.credit_notes_needed),
            r.reason,
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    commands: list[tuple[str, Callable[..., None]]] = [
        ("set-tariff", set_tariff),
        ("add-tariff", add_tariff),
        ("tariffs", tariffs),
        ("tariff", tariff),
        ("fuel-index", fuel),
        ("charges", charges),
        ("rerate", rerate),
        ("adjust", adjust),
        ("rerating-runs", rerating_runs),
    ]
    for name, fn in commands:
        app.command(name)(domain_errors(fn))
