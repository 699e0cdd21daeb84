"""Reading and writing B's records (SQLAlchemy Core), always within the caller's tenant.

Tariffs are read and written in ``tariff_repo.py``, charge lines in ``charge_repo.py``; their
functions are also importable from here (``repo.list_tariffs``, ``repo.list_charges``...).

Sums of money are done in Python with ``Decimal`` (SQLite keeps ``Amount`` columns as text).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert, select, update

from otwb.billing.charge_repo import (
    charges_between,
    insert_charges,
    list_charges,
    rate_charge,
)
from otwb.billing.charges import Basis, ChargeKind, ChargeStatus
from otwb.billing.invoice import Invoice, InvoiceLine, InvoiceStatus, Period
from otwb.billing.numbers import plain
from otwb.billing.tables import charges, invoice_counters, invoice_lines, invoices
from otwb.billing.tariff_repo import insert_tariff, list_tariffs
from otwb.platform.db import upsert
from otwb.platform.errors import Conflict, NotFound
from otwb.platform.ids import ChargeId, CustomerId, InvoiceId, TariffId
from otwb.platform.money import minor_unit
from otwb.platform.uow import UnitOfWork

__all__ = [
    "charges_between",
    "insert_charges",
    "insert_tariff",
    "list_charges",
    "list_tariffs",
    "rate_charge",
]

CHUNK = 500  # ids per IN (...) list


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def assign_invoice(uow: UnitOfWork, charge_ids: Sequence[ChargeId], invoice_id: InvoiceId) -> None:
    """Put the charges on the invoice -- each only if it is on none yet; all of them or Conflict.

    The conditional UPDATE is what makes a charge impossible to invoice twice: of two runs that
    both read it as uninvoiced, the second finds ``invoice_id`` set and changes fewer rows.
    """
    changed = 0
    for chunk in _chunks(list(charge_ids)):
        changed += uow.conn.execute(
            update(charges)
            .where(
                charges.c.tenant_id == uow.tenant_id,
                charges.c.id.in_(list(chunk)),
                charges.c.invoice_id.is_(None),
                charges.c.status == ChargeStatus.RATED.value,
            )
            .values(invoice_id=invoice_id)
        ).rowcount
    if changed != len(charge_ids):
        raise Conflict(
            f"{len(charge_ids) - changed} of {len(charge_ids)} charge(s) were invoiced by another"
            " run meanwhile; nothing was issued, run again"
        )


# -- invoices ------------------------------------------------------------------------------
def lock_invoice_numbers(uow: UnitOfWork, year: int) -> int:
    """Take the tenant's invoice counter for ``year`` (creating it), locked until commit.

    Invoicing runs of one tenant queue here: on PostgreSQL the upsert holds the counter row's
    lock until the transaction ends, on SQLite ``BEGIN IMMEDIATE`` already serialises writers.
    The run that waited then reads the charges the first one left.
    """
    last: int = upsert(
        uow.conn,
        invoice_counters,
        {"tenant_id": uow.tenant_id, "year": year, "last_number": 0},
        keys=[invoice_counters.c.tenant_id, invoice_counters.c.year],
        update=lambda _excluded: {"last_number": invoice_counters.c.last_number},
        returning=invoice_counters.c.last_number,
    )
    return last


def next_invoice_number(uow: UnitOfWork, year: int) -> int:
    result = uow.conn.execute(
        update(invoice_counters)
        .where(invoice_counters.c.tenant_id == uow.tenant_id, invoice_counters.c.year == year)
        .values(last_number=invoice_counters.c.last_number + 1)
        .returning(invoice_counters.c.last_number)
    ).scalar_one()
    return int(result)


def insert_invoice(
    uow: UnitOfWork,
    invoice: Invoice,
    tax_tariff_id: TariffId,
) -> None:
    uow.conn.execute(
        insert(invoices).values(
            id=invoice.id,
            tenant_id=uow.tenant_id,
            number=invoice.number,
            customer_id=invoice.customer_id,
            period_start=invoice.period.start,
            period_end=invoice.period.end,
            currency=invoice.currency,
            subtotal=invoice.subtotal,
            tax_rate=invoice.tax_rate,
            tax=invoice.tax,
            total=invoice.total,
            status=invoice.status.value,
            tax_tariff_id=tax_tariff_id,
            issued_at=invoice.issued_at,
        )
    )
    uow.conn.execute(
        insert(invoice_lines),
        [
            {
                "invoice_id": invoice.id,
                "line_no": line.line_no,
                "tenant_id": uow.tenant_id,
                "kind": line.kind.value,
                "basis": line.basis.value,
                "description": line.description,
                "quantity": line.quantity,
                "amount": line.amount,
                "charge_count": line.charges,
            }
            for line in invoice.lines
        ],
    )


def _line(r: Any, unit: Any) -> InvoiceLine:
    return InvoiceLine(
        line_no=r.line_no,
        kind=ChargeKind(r.kind),
        basis=Basis(r.basis),
        description=r.description,
        quantity=plain(r.quantity),
        amount=r.amount.quantize(unit),
        charges=r.charge_count,
    )


def _invoice(r: Any, lines: Sequence[Any]) -> Invoice:
    unit = minor_unit(r.currency)
    return Invoice(
        id=InvoiceId(r.id),
        number=r.number,
        customer_id=CustomerId(r.customer_id),
        period=Period(r.period_start, r.period_end),
        currency=r.currency,
        subtotal=r.subtotal.quantize(unit),
        tax_rate=plain(r.tax_rate),
        tax=r.tax.quantize(unit),
        total=r.total.quantize(unit),
        status=InvoiceStatus(r.status),
        issued_at=r.issued_at,
        lines=tuple(_line(x, unit) for x in lines),
    )


def _with_lines(uow: UnitOfWork, rows: Sequence[Any]) -> list[Invoice]:
    if not rows:
        return []
    lines: dict[str, list[Any]] = {r.id: [] for r in rows}
    for chunk in _chunks(list(lines)):
        for line in uow.conn.execute(
            select(invoice_lines)
            .where(
                invoice_lines.c.tenant_id == uow.tenant_id,
                invoice_lines.c.invoice_id.in_(list(chunk)),
            )
            .order_by(invoice_lines.c.invoice_id, invoice_lines.c.line_no)
        ):
            lines[line.invoice_id].append(line)
    return [_invoice(r, lines[r.id]) for r in rows]


def get_invoice(uow: UnitOfWork, invoice_id: InvoiceId) -> Invoice:
    row = uow.conn.execute(
        select(invoices).where(invoices.c.tenant_id == uow.tenant_id, invoices.c.id == invoice_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no invoice {invoice_id}")
    return _with_lines(uow, [row])[0]


def list_invoices(
    uow: UnitOfWork,
    *,
    customer_id: CustomerId | None = None,
    within: Period | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Invoice]:
    query = select(invoices).where(invoices.c.tenant_id == uow.tenant_id)
    if customer_id is not None:
        query = query.where(invoices.c.customer_id == customer_id)
    if within is not None:
        query = query.where(
            invoices.c.period_start >= within.start, invoices.c.period_end <= within.end
        )
    query = query.order_by(invoices.c.issued_at, invoices.c.number).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return _with_lines(uow, uow.conn.execute(query).all())
