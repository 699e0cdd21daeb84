"""Reading and writing invoices and credit notes, and their number counters (SQLAlchemy Core),
always within the tenant. The charges a billing run sums and claims: ``billable_repo.py``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    and_,
    delete,
    insert,
    select,
    update,
)

from otwb.billing.credit_note import Credited
from otwb.billing.invoice import (
    DocumentType,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Period,
)
from otwb.billing.invoice_tables import invoice_counters, invoice_lines, invoices
from otwb.billing.model import Basis, ChargeKind, plain
from otwb.platform.db import upsert
from otwb.platform.errors import InvalidTransition, NotFound
from otwb.platform.ids import CustomerId, InvoiceId
from otwb.platform.money import minor_unit
from otwb.platform.uow import UnitOfWork

QUANTITY_SCALE = 6
AMOUNT_SCALE = 4


# -- numbers -------------------------------------------------------------------------------
def lock_billing(uow: UnitOfWork, year: int) -> None:
    """Take the tenant's ``INV`` counter row for ``year`` (creating it), locked until commit,
    without changing it: billing runs of one tenant queue here (PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers), and the one that waited then sees the
    charges the first one invoiced -- instead of failing with ``Conflict``."""
    upsert(
        uow.conn,
        invoice_counters,
        {"tenant_id": uow.tenant_id, "series": "INV", "year": year, "last_number": 0},
        keys=[invoice_counters.c.tenant_id, invoice_counters.c.series, invoice_counters.c.year],
        update=lambda _excluded: {"last_number": invoice_counters.c.last_number},
    )


def next_number(uow: UnitOfWork, series: str, year: int) -> int:
    """The next number of the tenant's series for the year, from its counter row -- which stays
    locked until the transaction ends (PostgreSQL row lock; SQLite serialises writers)."""
    last: int = upsert(
        uow.conn,
        invoice_counters,
        {"tenant_id": uow.tenant_id, "series": series, "year": year, "last_number": 1},
        keys=[invoice_counters.c.tenant_id, invoice_counters.c.series, invoice_counters.c.year],
        update=lambda _excluded: {"last_number": invoice_counters.c.last_number + 1},
        returning=invoice_counters.c.last_number,
    )
    return int(last)


# -- writing invoices ------------------------------------------------------------------------
def insert_invoice(uow: UnitOfWork, invoice: Invoice) -> None:
    uow.conn.execute(
        insert(invoices).values(
            id=invoice.id,
            tenant_id=uow.tenant_id,
            doc_type=invoice.doc_type.value,
            series=invoice.series,
            number=invoice.number,
            customer_id=invoice.customer_id,
            period_start=invoice.period.start,
            period_end=invoice.period.end,
            currency=invoice.currency,
            rate_date=invoice.rate_date,
            subtotal=invoice.subtotal,
            tax=invoice.tax,
            total=invoice.total,
            status=invoice.status.value,
            credited_invoice_id=invoice.credited_invoice_id,
            reason=invoice.reason,
            created_at=invoice.created_at,
            issued_at=invoice.issued_at,
        )
    )
    uow.conn.execute(
        insert(invoice_lines),
        [
            {
                "invoice_id": invoice.id,
                "line_no": x.line_no,
                "tenant_id": uow.tenant_id,
                "kind": x.kind.value,
                "basis": x.basis.value,
                "description": x.description,
                "quantity": x.quantity,
                "charge_currency": x.charge_currency,
                "charge_amount": x.charge_amount,
                "exchange_rate": x.exchange_rate,
                "amount": x.amount,
                "tax_rate": x.tax_rate,
                "tax": x.tax,
                "charge_count": x.charges,
                "credited_line_no": x.credited_line_no,
                "service": x.service,
            }
            for x in invoice.lines
        ],
    )


def _transition(
    uow: UnitOfWork, invoice_id: InvoiceId, before: InvoiceStatus, **values: Any
) -> None:
    """Change the document's status only if it still is ``before`` (else someone was first)."""
    changed = uow.conn.execute(
        update(invoices)
        .where(
            invoices.c.tenant_id == uow.tenant_id,
            invoices.c.id == invoice_id,
            invoices.c.status == before.value,
        )
        .values(**values)
    ).rowcount
    if changed != 1:
        raise InvalidTransition(f"invoice {invoice_id} is no longer {before.value}")


def mark_issued(uow: UnitOfWork, invoice_id: InvoiceId, number: str, at: datetime) -> None:
    _transition(
        uow,
        invoice_id,
        InvoiceStatus.DRAFT,
        status=InvoiceStatus.ISSUED.value,
        number=number,
        issued_at=at,
    )


def mark_paid(uow: UnitOfWork, invoice_id: InvoiceId, amount: Decimal, at: datetime) -> None:
    _transition(
        uow,
        invoice_id,
        InvoiceStatus.ISSUED,
        status=InvoiceStatus.PAID.value,
        paid_at=at,
        paid_amount=amount,
    )


def mark_void(uow: UnitOfWork, invoice_id: InvoiceId, reason: str, at: datetime) -> None:
    _transition(
        uow,
        invoice_id,
        InvoiceStatus.ISSUED,
        status=InvoiceStatus.VOID.value,
        voided_at=at,
        reason=reason,
    )


def delete_draft(uow: UnitOfWork, invoice_id: InvoiceId) -> None:
    owned = [invoice_lines.c.tenant_id == uow.tenant_id, invoice_lines.c.invoice_id == invoice_id]
    uow.conn.execute(delete(invoice_lines).where(*owned))
    gone = uow.conn.execute(
        delete(invoices).where(
            invoices.c.tenant_id == uow.tenant_id,
            invoices.c.id == invoice_id,
            invoices.c.status == InvoiceStatus.DRAFT.value,
        )
    ).rowcount
    if gone != 1:
        raise InvalidTransition(f"invoice {invoice_id} is no longer a draft")


# -- reading -------------------------------------------------------------------------------
def _line(r: Any, unit: Decimal) -> InvoiceLine:
    return InvoiceLine(
        line_no=r.line_no,
        kind=ChargeKind(r.kind),
        basis=Basis(r.basis),
        description=r.description,
        quantity=plain(r.quantity),
        charge_currency=r.charge_currency,
        charge_amount=r.charge_amount.quantize(minor_unit(r.charge_currency)),
        exchange_rate=plain(r.exchange_rate),
        amount=r.amount.quantize(unit),
        tax_rate=plain(r.tax_rate),
        tax=r.tax.quantize(unit),
        charges=r.charge_count,
        credited_line_no=r.credited_line_no,
        service=r.service,
    )


def _invoice(r: Any, lines: Sequence[Any], credited: Decimal) -> Invoice:
    unit = minor_unit(r.currency)

    def money(value: Decimal | None) -> Decimal | None:
        return None if value is None else value.quantize(unit)

    return Invoice(
        id=InvoiceId(r.id),
        doc_type=DocumentType(r.doc_type),
        number=r.number,
        customer_id=CustomerId(r.customer_id),
        period=Period(r.period_start, r.period_end),
        currency=r.currency,
        rate_date=r.rate_date,
        subtotal=r.subtotal.quantize(unit),
        tax=r.tax.quantize(unit),
        total=r.total.quantize(unit),
        status=InvoiceStatus(r.status),
        created_at=r.created_at,
        lines=tuple(_line(x, unit) for x in lines),
        issued_at=r.issued_at,
        paid_at=r.paid_at,
        paid_amount=money(r.paid_amount),
        voided_at=r.voided_at,
        credited_invoice_id=InvoiceId(r.credited_invoice_id) if r.credited_invoice_id else None,
        reason=r.reason,
        credited=credited.quantize(unit),
    )


def _hydrate(uow: UnitOfWork, rows: Sequence[Any]) -> list[Invoice]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    lines: dict[str, list[Any]] = defaultdict(list)
    credited: dict[str, Decimal] = defaultdict(Decimal)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for line in uow.conn.execute(
            select(invoice_lines)
            .where(
                invoice_lines.c.tenant_id == uow.tenant_id, invoice_lines.c.invoice_id.in_(chunk)
            )
            .order_by(invoice_lines.c.invoice_id, invoice_lines.c.line_no)
        ):
            lines[line.invoice_id].append(line)
        for note in uow.conn.execute(
            select(invoices.c.credited_invoice_id, invoices.c.total).where(
                invoices.c.tenant_id == uow.tenant_id, invoices.c.credited_invoice_id.in_(chunk)
            )
        ):
            credited[note.credited_invoice_id] += note.total
    return [_invoice(r, lines[r.id], credited[r.id]) for r in rows]


def get_invoice(uow: UnitOfWork, invoice_id: InvoiceId, *, lock: bool = False) -> Invoice:
    """The document with its lines (``lock``: its row locked until commit, on PostgreSQL)."""
    query = select(invoices).where(
        invoices.c.tenant_id == uow.tenant_id, invoices.c.id == invoice_id
    )
    if lock:
        query = query.with_for_update()
    row = uow.conn.execute(query).one_or_none()
    if row is None:
        raise NotFound(f"no invoice or credit note {invoice_id}")
    return _hydrate(uow, [row])[0]


def list_invoices(
    uow: UnitOfWork,
    *,
    customer_id: CustomerId | None = None,
    status: InvoiceStatus | None = None,
    doc_type: DocumentType | None = None,
    within: Period | None = None,
    credited_invoice_id: InvoiceId | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Invoice]:
    """Documents in the order they were created (drafts included unless filtered)."""
    query = select(invoices).where(invoices.c.tenant_id == uow.tenant_id)
    if customer_id is not None:
        query = query.where(invoices.c.customer_id == customer_id)
    if status is not None:
        query = query.where(invoices.c.status == status.value)
    if doc_type is not None:
        query = query.where(invoices.c.doc_type == doc_type.value)
    if credited_invoice_id is not None:
        query = query.where(invoices.c.credited_invoice_id == credited_invoice_id)
    if within is not None:
        query = query.where(
            and_(invoices.c.period_start >= within.start, invoices.c.period_end <= within.end)
        )
    query = query.order_by(invoices.c.created_at, invoices.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return _hydrate(uow, uow.conn.execute(query).all())


def credited_lines(uow: UnitOfWork, invoice_id: InvoiceId) -> dict[int, Credited]:
    """Per line of the invoice: the amount and tax its credit notes reversed so far."""
    amount: dict[int, Decimal] = defaultdict(Decimal)
    tax: dict[int, Decimal] = defaultdict(Decimal)
    for r in uow.conn.execute(
        select(invoice_lines.c.credited_line_no, invoice_lines.c.amount, invoice_lines.c.tax)
        .select_from(invoice_lines.join(invoices, invoices.c.id == invoice_lines.c.invoice_id))
        .where(
            invoices.c.tenant_id == uow.tenant_id,
            invoices.c.credited_invoice_id == invoice_id,
        )
    ):
        amount[r.credited_line_no] -= r.amount
        tax[r.credited_line_no] -= r.tax
    return {no: Credited(amount[no], tax[no]) for no in amount}
