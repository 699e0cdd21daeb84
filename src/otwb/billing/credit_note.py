"""Credit notes: the domain rules (pure). A credit note reverses an issued (or paid) invoice,
whole or in part, in its own series (``CN-2026-000004``) with negative amounts and its tax
reversed; the invoice's balance is its total plus its credit notes' totals.

* **Full**: every line's remaining amount and tax, reversed (discount lines too), so the
  invoice's balance drops to what was already paid.
* **Partial**: chosen lines, each whole (its remaining amount) or for an amount; only lines
  with a positive amount. The tax is the amount x the line's tax rate, rounded half-up -- and the
  credit that empties a line takes exactly the tax still left on it, so a line's credited tax
  never exceeds its tax, however it was split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from otwb.billing.invoice import (
    DocumentType,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    round_money,
    totals_of,
)
from otwb.billing.model import product
from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.ids import InvoiceId
from otwb.platform.money import minor_unit


@dataclass(frozen=True, slots=True)
class CreditRequest:
    """Credit ``line_no`` of the invoice: its whole remaining amount, or ``amount`` of it."""

    line_no: int
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Credited:
    """How much of an invoice line earlier credit notes reversed (positive magnitudes)."""

    amount: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)


def _reverse(
    line: InvoiceLine, no: int, amount: Decimal, tax: Decimal, whole_line: bool
) -> InvoiceLine:
    return InvoiceLine(
        line_no=no,
        kind=line.kind,
        basis=line.basis,
        description=line.description,
        quantity=-line.quantity if whole_line else Decimal(0),
        charge_currency=line.charge_currency,
        charge_amount=-line.charge_amount if whole_line else line.charge_amount * 0,
        exchange_rate=line.exchange_rate,
        amount=-amount,
        tax_rate=line.tax_rate,
        tax=-tax,
        charges=0,
        credited_line_no=line.line_no,
        service=line.service,
    )


def credit_lines(
    invoice: Invoice,
    requests: Sequence[CreditRequest] | None,
    credited: Mapping[int, Credited],
) -> tuple[InvoiceLine, ...]:
    """The lines of a credit note against ``invoice`` (``requests`` None: credit it all)."""
    if invoice.doc_type is not DocumentType.INVOICE:
        raise InvalidInput("only an invoice can be credited, not a credit note")
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID):
        raise InvalidTransition(
            f"only an issued or paid invoice can be credited; {invoice.id} is"
            f" {invoice.status.value}"
        )
    by_no = {x.line_no: x for x in invoice.lines}
    out: list[InvoiceLine] = []
    if requests is None:
        for line in invoice.lines:
            done = credited.get(line.line_no, Credited())
            amount, tax = line.amount - done.amount, line.tax - done.tax
            if amount or tax:
                whole = done.amount == 0 and done.tax == 0
                out.append(_reverse(line, len(out) + 1, amount, tax, whole))
    else:
        if not requests:
            raise InvalidInput("name at least one line to credit (or none: the whole invoice)")
        if len({r.line_no for r in requests}) != len(requests):
            raise InvalidInput("each invoice line may be credited once per credit note")
        for r in requests:
            if r.line_no not in by_no:
                raise InvalidInput(f"invoice {invoice.number} has no line {r.line_no}")
            line = by_no[r.line_no]
            if line.amount <= 0:
                raise InvalidInput(f"line {r.line_no} is not positive: it cannot be credited")
            done = credited.get(line.line_no, Credited())
            remaining = line.amount - done.amount
            amount = remaining if r.amount is None else r.amount
            if amount != round_money(amount, invoice.currency):
                raise InvalidInput(
                    f"line {r.line_no}: {amount} is not in {invoice.currency}'s unit"
                )
            if amount <= 0 or amount > remaining:
                raise InvalidInput(
                    f"line {r.line_no}: credit between 0 and {remaining} {invoice.currency}"
                    f" (what is left of it), not {amount}"
                )
            tax_left = line.tax - done.tax
            tax = (
                tax_left
                if amount == remaining
                else min(round_money(product(amount, line.tax_rate), invoice.currency), tax_left)
            )
            whole = amount == line.amount and done.amount == 0
            out.append(_reverse(line, len(out) + 1, amount, tax, whole))
    if not out:
        raise InvalidInput(f"invoice {invoice.number} has nothing left to credit")
    return tuple(out)


def credit_note(
    note_id: InvoiceId,
    invoice: Invoice,
    lines: tuple[InvoiceLine, ...],
    reason: str,
    at: datetime,
) -> Invoice:
    """The credit note (not numbered yet) against ``invoice``."""
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise InvalidInput("a credit note needs a reason (1 to 200 characters)", field="reason")
    subtotal, tax, total = totals_of(lines, invoice.currency)
    if total >= 0:
        raise InvalidInput(f"the credit note's total must be negative, not {total}")
    if total + invoice.total + invoice.credited < 0:
        raise InvalidInput("a credit note cannot credit more than the invoice's total")
    return Invoice(
        id=note_id,
        doc_type=DocumentType.CREDIT_NOTE,
        number=None,
        customer_id=invoice.customer_id,
        period=invoice.period,
        currency=invoice.currency,
        rate_date=invoice.rate_date,
        subtotal=subtotal,
        tax=tax,
        total=total,
        status=InvoiceStatus.ISSUED,
        created_at=at,
        lines=lines,
        issued_at=at,
        credited_invoice_id=invoice.id,
        reason=reason,
        credited=Decimal(0).quantize(minor_unit(invoice.currency)),
    )
