"""``otwb invoice ...``: billing runs, the invoice lifecycle, credit notes, documents, exchange
rates and billing currencies (the same service functions as the API).

Dates are ISO days (2026-11-25); amounts and rates are decimal strings, never floats.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otwb.billing import credit_notes, currency, exchange_rates, invoicing
from otwb.billing.api_invoices import InvoiceOut
from otwb.billing.credit_note import CreditRequest
from otwb.billing.invoice import DocumentType, Invoice, InvoiceStatus
from otwb.billing.model import parse_decimal, plain
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, InvoiceId
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

app = typer.Typer(
    help="B: invoices, credit notes, documents, exchange rates.", no_args_is_help=True
)

OutOption = Annotated[Path | None, typer.Option("--out", help="File to write (default: stdout)")]


def _show(items: list[Invoice], as_json: bool) -> None:
    if as_json:
        print_json([InvoiceOut.of(i).model_dump(mode="json") for i in items])
        return
    table = Table("number", "id", "status", "customer", "period", "total", "balance")
    for i in items:
        table.add_row(
            i.number or "(draft)",
            i.id,
            i.status.value,
            i.customer_id,
            f"{i.period.start} .. {i.period.last_day}",
            f"{i.total} {i.currency}",
            str(i.balance),
        )
    console.print(table)


def _one(i: Invoice, as_json: bool) -> None:
    if as_json:
        print_json(InvoiceOut.of(i).model_dump(mode="json"))
        return
    kind = "credit note" if i.doc_type is DocumentType.CREDIT_NOTE else "invoice"
    console.print(
        f"[bold]{i.number or '(draft)'}[/bold] {kind} {i.id} {i.status.value}"
        f"  customer {i.customer_id}  period {i.period.start} .. {i.period.last_day}"
    )
    table = Table("#", "service", "quantity", "charges", "rate", "amount", "tax")
    for x in i.lines:
        rate = "" if x.charge_currency == i.currency else f"{x.exchange_rate} {x.charge_currency}"
        table.add_row(
            str(x.line_no),
            x.description,
            str(x.quantity),
            str(x.charges),
            rate,
            str(x.amount),
            f"{x.tax} ({plain(x.tax_rate * 100)} %)",
        )
    table.add_row("", "subtotal", "", "", "", str(i.subtotal), str(i.tax))
    table.add_row("", "[bold]total[/bold]", "", "", "", f"[bold]{i.total} {i.currency}[/bold]", "")
    if i.doc_type is DocumentType.INVOICE:
        table.add_row("", "balance", "", "", "", str(i.balance), "")
    console.print(table)


@app.command("run")
@domain_errors
def run(
    tenant: TenantOption,
    period_start: Annotated[str, typer.Option("--from", help="First day of the period")],
    period_end: Annotated[str, typer.Option("--to", help="Day after the period (exclusive)")],
    customer: Annotated[str | None, typer.Option(help="Only this customer")] = None,
    issue: Annotated[bool, typer.Option("--issue", help="Issue the drafts at once")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draft (or --issue) the invoices of [--from, --to) from the rated, uninvoiced charges."""
    made = invoicing.run_billing(
        tenant_uow(runtime(db), tenant),
        iso_day(period_start, "--from"),
        iso_day(period_end, "--to"),
        CustomerId(customer) if customer else None,
        issue=issue,
    )
    if not as_json:
        console.print(f"{len(made)} invoice(s) {'issued' if issue else 'drafted'}")
    _show(made, as_json)


@app.command("list")
@domain_errors
def list_(
    tenant: TenantOption,
    customer: str | None = None,
    status: Annotated[InvoiceStatus | None, typer.Option()] = None,
    doc_type: Annotated[DocumentType | None, typer.Option("--type")] = None,
    limit: int = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Invoices and credit notes, oldest first."""
    items = invoicing.list_invoices(
        tenant_uow(runtime(db), tenant, read_only=True),
        CustomerId(customer) if customer else None,
        limit,
        status=status,
        doc_type=doc_type,
    )
    _show(items, as_json)


@app.command("show")
@domain_errors
def show(
    invoice_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """An invoice or credit note with its lines."""
    uow = tenant_uow(runtime(db), tenant, read_only=True)
    _one(invoicing.get_invoice(uow, InvoiceId(invoice_id)), as_json)


@app.command("issue")
@domain_errors
def issue_(
    invoice_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Number a draft and issue it."""
    _one(invoicing.issue_invoice(tenant_uow(runtime(db), tenant), InvoiceId(invoice_id)), as_json)


@app.command("pay")
@domain_errors
def pay(
    invoice_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Record the payment of an issued invoice's balance."""
    _one(invoicing.pay_invoice(tenant_uow(runtime(db), tenant), InvoiceId(invoice_id)), as_json)


@app.command("void")
@domain_errors
def void(
    invoice_id: str,
    tenant: TenantOption,
    reason: Annotated[str, typer.Option(help="Why it is voided")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Void an issued invoice (it keeps its number and charges; see 'rebill')."""
    uow = tenant_uow(runtime(db), tenant)
    _one(invoicing.void_invoice(uow, InvoiceId(invoice_id), reason), as_json)


@app.command("discard")
@domain_errors
def discard(invoice_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Delete a draft; its charges become billable again."""
    released = invoicing.discard_draft(tenant_uow(runtime(db), tenant), InvoiceId(invoice_id))
    console.print(f"draft {invoice_id} discarded, {released} charge(s) released")


@app.command("rerun")
@domain_errors
def rerun(
    invoice_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Discard a draft and draft its customer's period again."""
    _show(invoicing.rerun_draft(tenant_uow(runtime(db), tenant), InvoiceId(invoice_id)), as_json)


@app.command("rebill")
@domain_errors
def rebill(
    invoice_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Release a void invoice's charges and draft them again."""
    uow = tenant_uow(runtime(db), tenant)
    _show(invoicing.rebill_invoice(uow, InvoiceId(invoice_id)), as_json)


def _credit_request(value: str) -> CreditRequest:
    number, _, amount = value.partition(":")
    if not number.isdigit():
        raise InvalidInput(f"--line {value!r}: give LINE_NO or LINE_NO:AMOUNT, e.g. 2:10.00")
    return CreditRequest(int(number), parse_decimal(amount, "--line") if amount else None)


@app.command("credit")
@domain_errors
def credit(
    invoice_id: str,
    tenant: TenantOption,
    reason: Annotated[str, typer.Option(help="Why the customer is credited")],
    line: Annotated[
        list[str] | None,
        typer.Option("--line", help="LINE_NO or LINE_NO:AMOUNT (repeat); none: all of it"),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a credit note against an invoice, whole or for some lines."""
    requests = [_credit_request(x) for x in line] if line else None
    note = credit_notes.credit_invoice(
        tenant_uow(runtime(db), tenant), InvoiceId(invoice_id), reason, requests
    )
    _one(note, as_json)


@app.command("pdf")
@domain_errors
def pdf(
    invoice_id: str,
    tenant: TenantOption,
    out: Annotated[Path, typer.Option("--out", help="PDF file to write")],
    db: DbOption = None,
) -> None:
    """Write an invoice or credit note as a PDF."""
    uow = tenant_uow(runtime(db), tenant, read_only=True)
    invoice, body = invoicing.invoice_pdf(uow, InvoiceId(invoice_id))
    out.write_bytes(body)
    console.print(f"{invoice.number or invoice.id}: {len(body)} bytes written to {out}")


@app.command("csv")
@domain_errors
def csv_(invoice_id: str, tenant: TenantOption, out: OutOption = None, db: DbOption = None) -> None:
    """Write an invoice's or credit note's lines as CSV."""
    uow = tenant_uow(runtime(db), tenant, read_only=True)
    invoice, body = invoicing.invoice_csv(uow, InvoiceId(invoice_id))
    if out is None:
        sys.stdout.write(body)
        return
    out.write_text(body, encoding="utf-8")
    console.print(f"{invoice.number or invoice.id}: {len(invoice.lines)} line(s) written to {out}")


@app.command("set-rate")
@domain_errors
def set_rate(
    tenant: TenantOption,
    from_currency: Annotated[str, typer.Option("--from-currency", help="e.g. EUR")],
    to_currency: Annotated[str, typer.Option("--to-currency", help="e.g. USD")],
    day: Annotated[str, typer.Option(help="The day it applies from")],
    rate: Annotated[str, typer.Option(help="1 from-currency = RATE to-currency, e.g. 1.0842")],
    db: DbOption = None,
) -> None:
    """Store an exchange rate for a day."""
    saved = exchange_rates.set_exchange_rate(
        tenant_uow(runtime(db), tenant),
        currency.ExchangeRate(
            from_currency, to_currency, iso_day(day, "--day"), parse_decimal(rate, "--rate")
        ),
    )
    console.print(f"1 {saved.from_currency} = {saved.rate} {saved.to_currency} on {saved.day}")


@app.command("rates")
@domain_errors
def rates(
    tenant: TenantOption,
    from_currency: Annotated[str | None, typer.Option("--from-currency")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stored exchange rates."""
    items = exchange_rates.list_exchange_rates(
        tenant_uow(runtime(db), tenant, read_only=True), from_currency
    )
    if as_json:
        print_json(items)
        return
    table = Table("from", "to", "day", "rate")
    for r in items:
        table.add_row(r.from_currency, r.to_currency, r.day.isoformat(), str(r.rate))
    console.print(table)


@app.command("set-currency")
@domain_errors
def set_currency(customer: str, code: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Bill CUSTOMER in currency CODE from its next billing run on."""
    saved = exchange_rates.set_billing_currency(
        tenant_uow(runtime(db), tenant), currency.BillingCurrency(CustomerId(customer), code)
    )
    console.print(f"customer {saved.customer_id} is billed in {saved.currency}")
