"""``otwb billing carrier ...`` (settlement and freight audit) and ``otwb billing report`` /
``cost-rate`` / ``route-costs`` (cost analytics): the same service functions as the API."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otwb.billing import analytics_service, cost_service
from otwb.billing import settlement_service as settlement
from otwb.billing.analytics import ReportPeriod
from otwb.billing.freight_audit import CarrierInvoice
from otwb.billing.model import parse_decimal
from otwb.billing.period_report import write_period_report
from otwb.billing.settlement import (
    DEFAULT_TOLERANCE_ABS,
    DEFAULT_TOLERANCE_PCT,
    CarrierPayable,
    PayableStatus,
    SettlementRule,
)
from otwb.billing.settlement_schemas import (
    CarrierInvoiceOut,
    CostReportOut,
    ExpectedOut,
    PayableOut,
    RuleOut,
)
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CarrierId
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

carrier_app = typer.Typer(
    help="Carrier settlement: rules, expected payables, freight audit, payables.",
    no_args_is_help=True,
)

CarrierOption = Annotated[str, typer.Option("--carrier", help="Carrier id (car_...)")]
PeriodOption = Annotated[str, typer.Option("--period", help="A month: 2026-11")]


def _show_invoice(invoice: CarrierInvoice, as_json: bool) -> None:
    if as_json:
        print_json(CarrierInvoiceOut.of(invoice).model_dump(mode="json"))
        return
    table = Table("#", "tracking", "billed", "expected", "finding", "status", "approved")
    for line in invoice.lines:
        colour = "green" if line.finding.value == "ok" else "yellow"
        table.add_row(
            str(line.line_no),
            line.reference,
            f"{line.amount} {line.currency}",
            str(line.expected_amount or "-"),
            f"[{colour}]{line.finding.value}[/{colour}]",
            line.status.value,
            str(line.approved_amount or ""),
        )
    console.print(f"invoice {invoice.id} ({invoice.number} of {invoice.invoice_date})")
    console.print(table)


def _show_payable(payable: CarrierPayable, as_json: bool) -> None:
    if as_json:
        print_json(PayableOut.of(payable).model_dump(mode="json"))
        return
    console.print(
        f"payable {payable.id}: {payable.lines} line(s), {payable.total} {payable.currency}"
    )


@carrier_app.command("rule")
@domain_errors
def set_rule(
    tenant: TenantOption,
    carrier: CarrierOption,
    pay_on_delivery: Annotated[
        bool, typer.Option("--pay-on-delivery/--on-invoice", help="Due when delivery accepted")
    ] = False,
    tolerance_abs: Annotated[str, typer.Option(help="Accepted excess, amount")] = str(
        DEFAULT_TOLERANCE_ABS
    ),
    tolerance_pct: Annotated[str, typer.Option(help="Accepted excess, % of expected")] = str(
        DEFAULT_TOLERANCE_PCT
    ),
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set a carrier's audit tolerance and its pay-on-accepted-delivery rule."""
    rule = SettlementRule(
        CarrierId(carrier),
        pay_on_delivery,
        parse_decimal(tolerance_abs, "tolerance_abs"),
        parse_decimal(tolerance_pct, "tolerance_pct"),
    )
    saved = settlement.set_rule(tenant_uow(runtime(db), tenant), rule)
    out = RuleOut.of(saved)
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    console.print(
        f"{carrier}: pay on delivery {'yes' if out.pay_on_delivery else 'no'}, tolerance "
        f"{out.tolerance_abs} or {out.tolerance_pct} %"
    )


@carrier_app.command("expected")
@domain_errors
def expected(
    tenant: TenantOption,
    carrier: Annotated[str | None, typer.Option("--carrier")] = None,
    status: Annotated[PayableStatus | None, typer.Option()] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What B expects to pay carriers, per tendered shipment."""
    uow = tenant_uow(runtime(db), tenant, read_only=True)
    items = settlement.list_expected(uow, CarrierId(carrier) if carrier else None, status)
    if as_json:
        print_json([ExpectedOut.of(p).model_dump(mode="json") for p in items])
        return
    table = Table("tracking", "shipment", "carrier", "expected", "status", "due", "paid")
    for p in items:
        table.add_row(
            p.tracking_number,
            p.shipment_id,
            p.carrier_id,
            f"{p.expected_amount} {p.currency}",
            p.status.value,
            str(p.due_amount or ""),
            str(p.paid_amount or ""),
        )
    console.print(table)


@carrier_app.command("import")
@domain_errors
def import_invoice(
    csv_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    tenant: TenantOption,
    carrier: CarrierOption,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import and audit a carrier invoice CSV; bad rows are listed, good rows kept."""
    text = csv_file.read_text(encoding="utf-8-sig")
    result = settlement.import_carrier_invoice(
        tenant_uow(runtime(db), tenant), CarrierId(carrier), text
    )
    if as_json:
        print_json(
            {
                "invoice": CarrierInvoiceOut.of(result.invoice).model_dump(mode="json"),
                "errors": [{"row": e.row, "message": e.message} for e in result.errors],
            }
        )
        return
    _show_invoice(result.invoice, False)
    for e in result.errors:
        console.print(f"[red]row {e.row}[/red]: {e.message}")


@carrier_app.command("show")
@domain_errors
def show(
    invoice_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """An audited carrier invoice, line by line."""
    _show_invoice(
        settlement.get_invoice(tenant_uow(runtime(db), tenant, read_only=True), invoice_id), as_json
    )


@carrier_app.command("approve")
@domain_errors
def approve(
    invoice_id: str,
    tenant: TenantOption,
    line: Annotated[
        int | None, typer.Option(help="One line; omit to approve all that can be")
    ] = None,
    amount: Annotated[str | None, typer.Option(help="Override amount (needs --reason)")] = None,
    reason: str | None = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve one line (an over-charge at the expected amount unless overridden) or all."""
    uow = tenant_uow(runtime(db), tenant)
    if line is None:
        if amount is not None:
            raise InvalidInput("--amount needs --line")
        invoice = settlement.approve_all(uow, invoice_id)
    else:
        value: Decimal | None = parse_decimal(amount, "amount") if amount is not None else None
        invoice = settlement.approve_line(uow, invoice_id, line, value, reason)
    _show_invoice(invoice, as_json)


@carrier_app.command("reject")
@domain_errors
def reject(
    invoice_id: str,
    tenant: TenantOption,
    line: Annotated[int | None, typer.Option(help="One line; omit to reject all pending")] = None,
    reason: str | None = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a line (an unknown shipment, a duplicate, another currency...) or every line
    still pending."""
    uow = tenant_uow(runtime(db), tenant)
    if line is None:
        invoice = settlement.reject_remaining(uow, invoice_id, reason)
    else:
        invoice = settlement.reject_line(uow, invoice_id, line, reason)
    _show_invoice(invoice, as_json)


@carrier_app.command("payable")
@domain_errors
def payable(
    invoice_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Produce the carrier payable of a fully decided invoice."""
    _show_payable(settlement.produce_payable(tenant_uow(runtime(db), tenant), invoice_id), as_json)


@carrier_app.command("settle-due")
@domain_errors
def settle_due(
    tenant: TenantOption, carrier: CarrierOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Self-billing: one payable of the carrier's due lines (pay-on-delivery carriers)."""
    _show_payable(
        settlement.settle_due(tenant_uow(runtime(db), tenant), CarrierId(carrier)), as_json
    )


@carrier_app.command("payables")
@domain_errors
def payables(
    tenant: TenantOption,
    payable_id: Annotated[str | None, typer.Argument(help="One document, with its lines")] = None,
    carrier: Annotated[str | None, typer.Option("--carrier")] = None,
    db: DbOption = None,
) -> None:
    """Carrier payable documents, or one with the shipments it pays."""
    uow = tenant_uow(runtime(db), tenant, read_only=True)
    if payable_id is not None:
        payable, items = settlement.get_payable(uow, payable_id)
        _show_payable(payable, False)
        table = Table("tracking", "shipment", "expected", "paid")
        for p in items:
            table.add_row(
                p.tracking_number, p.shipment_id, str(p.expected_amount), str(p.paid_amount)
            )
        console.print(table)
        return
    table = Table("payable", "carrier", "invoice", "lines", "total", "created")
    for doc in settlement.list_payables(uow, CarrierId(carrier) if carrier else None):
        table.add_row(
            doc.id,
            doc.carrier_id,
            doc.invoice_id or "(self-billed)",
            str(doc.lines),
            f"{doc.total} {doc.currency}",
            doc.created_at.isoformat(timespec="minutes"),
        )
    console.print(table)


@domain_errors
def cost_rate(
    activity: Annotated[str, typer.Argument(help="pick_line, parcel or unit_day")],
    rate: Annotated[str, typer.Argument(help="Decimal, in the tenant's currency")],
    tenant: TenantOption,
    db: DbOption = None,
) -> None:
    """Set an internal cost rate of warehouse work (for the cost report)."""
    value = cost_service.set_cost_rate(tenant_uow(runtime(db), tenant), activity, rate)
    console.print(f"{activity}: {value}")


@domain_errors
def route_costs(tenant: TenantOption, period: PeriodOption, db: DbOption = None) -> None:
    """Own-fleet route costs of a month, split into fixed / distance / time."""
    month = ReportPeriod.month(period)
    uow = tenant_uow(runtime(db), tenant, read_only=True)
    table = Table("date", "route", "km", "fixed", "distance", "time", "total", "shipments")
    for c, shares in cost_service.list_route_costs(uow, (month.start, month.end)):
        table.add_row(
            c.service_date.isoformat(),
            c.route_id,
            str(c.distance_km),
            str(c.parts.fixed),
            str(c.parts.distance),
            str(c.parts.time),
            f"{c.parts.total} {c.currency}",
            str(len(shares)),
        )
    console.print(table)


@domain_errors
def report(
    tenant: TenantOption,
    period: PeriodOption,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write CSV + PNG/SVG charts here")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revenue vs cost of a month, per customer (and order, service, warehouse in the files)."""
    result = analytics_service.cost_report(
        tenant_uow(runtime(db), tenant, read_only=True), ReportPeriod.month(period)
    )
    if as_json:
        print_json(CostReportOut.of(result).model_dump(mode="json"))
    else:
        table = Table("customer", "revenue", "cost", "margin", "margin %")
        for r in [*result.by_customer, result.total]:
            table.add_row(
                r.key, str(r.revenue), str(r.cost), str(r.margin), str(r.margin_pct or "-")
            )
        console.print(table)
        shares = ", ".join(f"{s.category.value} {s.share_pct} %" for s in result.shares)
        console.print(f"cost shares: {shares}")
    if out is not None:
        paths = write_period_report(result, out)
        if not as_json:
            console.print(f"wrote {len(paths)} files to {out}")


def register(billing: typer.Typer) -> None:
    """Add these commands to ``otwb billing``."""
    billing.add_typer(carrier_app, name="carrier")
    billing.command("cost-rate")(cost_rate)
    billing.command("route-costs")(route_costs)
    billing.command("report")(report)
