"""Reading and writing B's records (SQLAlchemy Core), always within the caller's tenant.

Sums of money are done in Python with ``Decimal`` (SQLite keeps ``Amount`` columns as text).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from otwb.billing.invoice import Invoice, InvoiceLine, InvoiceStatus, Period
from otwb.billing.model import (
    Basis,
    Charge,
    ChargeKind,
    ChargeStatus,
    Rating,
    SourceType,
    Tariff,
    plain,
)
from otwb.billing.tables import (
    ACTIVITY_KEY,
    charges,
    invoice_counters,
    invoice_lines,
    invoices,
    tariffs,
)
from otwb.platform.db import upsert
from otwb.platform.errors import Conflict, NotFound
from otwb.platform.ids import ChargeId, CustomerId, InvoiceId, TariffId
from otwb.platform.money import minor_unit
from otwb.platform.uow import UnitOfWork

CHUNK = 500  # ids per IN (...) list


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# -- tariffs -------------------------------------------------------------------------------
def _tariff(r: Any) -> Tariff:
    return Tariff(
        id=TariffId(r.id),
        customer_id=CustomerId(r.customer_id) if r.customer_id is not None else None,
        valid_from=r.valid_from,
        currency=r.currency,
        handling_per_line=plain(r.handling_per_line),
        transport_per_kg_km=plain(r.transport_per_kg_km),
        transport_per_drop=plain(r.transport_per_drop),
        storage_per_unit_day=plain(r.storage_per_unit_day),
        tax_rate=plain(r.tax_rate),
    )


def insert_tariff(uow: UnitOfWork, t: Tariff) -> None:
    uow.conn.execute(
        insert(tariffs).values(
            id=t.id,
            tenant_id=uow.tenant_id,
            customer_id=t.customer_id,
            valid_from=t.valid_from,
            currency=t.currency,
            handling_per_line=t.handling_per_line,
            transport_per_kg_km=t.transport_per_kg_km,
            transport_per_drop=t.transport_per_drop,
            storage_per_unit_day=t.storage_per_unit_day,
            tax_rate=t.tax_rate,
            created_at=uow.clock.now(),
        )
    )


def list_tariffs(
    uow: UnitOfWork, customer_ids: Sequence[CustomerId] | None = None, *, with_default: bool = True
) -> list[Tariff]:
    """Every version of the tenant's tariffs (or of these customers', plus the default's)."""
    query = select(tariffs).where(tariffs.c.tenant_id == uow.tenant_id)
    if customer_ids is not None:
        owners = [tariffs.c.customer_id.in_(list(customer_ids))]
        if with_default:
            owners.append(tariffs.c.customer_id.is_(None))
        query = query.where(or_(*owners))
    rows = uow.conn.execute(
        # the default first on both databases (they sort NULL differently)
        query.order_by(
            tariffs.c.customer_id.is_not(None),
            tariffs.c.customer_id,
            tariffs.c.valid_from,
            tariffs.c.id,
        )
    ).all()
    return [_tariff(r) for r in rows]


# -- charges -------------------------------------------------------------------------------
def _charge(r: Any) -> Charge:
    rating = None
    if r.status == ChargeStatus.RATED:
        rating = Rating(
            TariffId(r.tariff_id),
            plain(r.unit_price),
            r.amount.quantize(minor_unit(r.currency)),
            r.currency,
        )
    return Charge(
        id=ChargeId(r.id),
        customer_id=CustomerId(r.customer_id),
        kind=ChargeKind(r.kind),
        basis=Basis(r.basis),
        source_type=SourceType(r.source_type),
        source_id=r.source_id,
        quantity=plain(r.quantity),
        status=ChargeStatus(r.status),
        occurred_at=r.occurred_at,
        rating=rating,
        invoice_id=InvoiceId(r.invoice_id) if r.invoice_id is not None else None,
    )


def _rating_values(rating: Rating | None) -> dict[str, Any]:
    return {
        "unit_price": rating.unit_price if rating else None,
        "amount": rating.amount if rating else None,
        "currency": rating.currency if rating else None,
        "tariff_id": rating.tariff_id if rating else None,
    }


def insert_charges(uow: UnitOfWork, items: Sequence[Charge]) -> int:
    """Insert each charge unless the same activity is already charged; how many were new."""
    dialect_insert = postgresql.insert if uow.conn.dialect.name == "postgresql" else sqlite.insert
    now = uow.clock.now()
    created = 0
    for c in items:
        statement = (
            dialect_insert(charges)
            .values(
                id=c.id,
                tenant_id=uow.tenant_id,
                customer_id=c.customer_id,
                kind=c.kind.value,
                basis=c.basis.value,
                source_type=c.source_type.value,
                source_id=c.source_id,
                quantity=c.quantity,
                status=c.status.value,
                occurred_at=c.occurred_at,
                created_at=now,
                **_rating_values(c.rating),
            )
            .on_conflict_do_nothing(index_elements=ACTIVITY_KEY)
        )
        # Count RETURNING rows: rowcount came back -1 on PostgreSQL (SQLAlchemy 2.1, psycopg 3).
        created += len(uow.conn.execute(statement.returning(charges.c.id)).all())
    return created


def list_charges(
    uow: UnitOfWork,
    *,
    customer_id: CustomerId | None = None,
    status: ChargeStatus | None = None,
    invoiced: bool | None = None,
    invoice_id: InvoiceId | None = None,
    source: tuple[SourceType, str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Charge]:
    query = select(charges).where(charges.c.tenant_id == uow.tenant_id)
    if customer_id is not None:
        query = query.where(charges.c.customer_id == customer_id)
    if status is not None:
        query = query.where(charges.c.status == status.value)
    if invoiced is not None:
        column = charges.c.invoice_id
        query = query.where(column.is_not(None) if invoiced else column.is_(None))
    if invoice_id is not None:
        query = query.where(charges.c.invoice_id == invoice_id)
    if source is not None:
        query = query.where(
            charges.c.source_type == source[0].value, charges.c.source_id == source[1]
        )
    query = query.order_by(charges.c.occurred_at, charges.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_charge(r) for r in uow.conn.execute(query)]


def charges_between(
    uow: UnitOfWork, start: datetime, end: datetime, *, to_invoice: bool = False
) -> list[Charge]:
    """Charges that occurred in ``[start, end)`` (only rated, uninvoiced ones: ``to_invoice``)."""
    query = select(charges).where(
        charges.c.tenant_id == uow.tenant_id,
        charges.c.occurred_at >= start,
        charges.c.occurred_at < end,
    )
    if to_invoice:
        query = query.where(
            charges.c.invoice_id.is_(None), charges.c.status == ChargeStatus.RATED.value
        )
    rows = uow.conn.execute(
        query.order_by(charges.c.customer_id, charges.c.occurred_at, charges.c.id)
    ).all()
    return [_charge(r) for r in rows]


def rate_charge(uow: UnitOfWork, charge_id: ChargeId, rating: Rating) -> bool:
    """Price an unrated charge, unless someone else did meanwhile."""
    result = uow.conn.execute(
        update(charges)
        .where(
            charges.c.tenant_id == uow.tenant_id,
            charges.c.id == charge_id,
            charges.c.status == ChargeStatus.UNRATED.value,
        )
        .values(status=ChargeStatus.RATED.value, **_rating_values(rating))
    )
    return result.rowcount == 1


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
