"""Reading and writing charge lines and the re-rating audit, within the caller's tenant.

Two ways in: ``insert_charges`` (a few lines of one activity, counting the new ones) and, for
the bulk path, ``charge_rows.BulkInsert`` (prepared rows, ``executemany`` in chunks, conflicts
skipped).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from otwb.billing.charges import (
    Basis,
    Charge,
    ChargeKind,
    ChargeStatus,
    Rating,
    SourceType,
)
from otwb.billing.numbers import plain
from otwb.billing.tables import ACTIVITY_KEY, charges
from otwb.platform.ids import ChargeId, CustomerId, InvoiceId, TariffId
from otwb.platform.money import minor_unit
from otwb.platform.uow import UnitOfWork


def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else plain(value)


def to_charge(r: Any) -> Charge:
    rating = None
    if r.status == ChargeStatus.RATED:
        rating = Rating(
            TariffId(r.tariff_id),
            plain(r.unit_price),
            r.amount.quantize(minor_unit(r.currency)),
            r.currency,
            r.rule_id,
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
        service=r.service,
        temperature_class=r.temperature_class,
        weight_kg=_number(r.weight_kg),
        distance_km=_number(r.distance_km),
    )


def rating_values(rating: Rating | None) -> dict[str, Any]:
    return {
        "status": (ChargeStatus.RATED if rating else ChargeStatus.UNRATED).value,
        "unit_price": rating.unit_price if rating else None,
        "amount": rating.amount if rating else None,
        "currency": rating.currency if rating else None,
        "tariff_id": rating.tariff_id if rating else None,
        "rule_id": rating.rule_id if rating else None,
    }


def _row(uow: UnitOfWork, c: Charge, now: datetime) -> dict[str, Any]:
    return {
        "id": c.id,
        "tenant_id": uow.tenant_id,
        "customer_id": c.customer_id,
        "kind": c.kind.value,
        "basis": c.basis.value,
        "source_type": c.source_type.value,
        "source_id": c.source_id,
        "quantity": c.quantity,
        "occurred_at": c.occurred_at,
        "created_at": now,
        "service": c.service,
        "temperature_class": c.temperature_class,
        "weight_kg": c.weight_kg,
        "distance_km": c.distance_km,
        **rating_values(c.rating),
    }


def _insert(uow: UnitOfWork) -> Any:
    dialect_insert = postgresql.insert if uow.conn.dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(charges).on_conflict_do_nothing(index_elements=ACTIVITY_KEY)


def insert_charges(uow: UnitOfWork, items: Sequence[Charge]) -> int:
    """Insert each charge unless the same activity line is already charged; how many were new."""
    now = uow.clock.now()
    created = 0
    for c in items:
        statement = _insert(uow).values(**_row(uow, c, now))
        # Count RETURNING rows: rowcount came back -1 on PostgreSQL (SQLAlchemy 2.1, psycopg 3).
        created += len(uow.conn.execute(statement.returning(charges.c.id)).all())
    return created


@dataclass(frozen=True)
class ChargeFilter:
    customer_id: CustomerId | None = None
    status: ChargeStatus | None = None
    invoiced: bool | None = None
    invoice_id: InvoiceId | None = None
    source: tuple[SourceType, str] | None = None
    kind: ChargeKind | None = None
    source_type: SourceType | None = None
    occurred_from: datetime | None = None
    occurred_before: datetime | None = None


def _filtered(uow: UnitOfWork, f: ChargeFilter) -> Select[Any]:
    query = select(charges).where(charges.c.tenant_id == uow.tenant_id)
    if f.customer_id is not None:
        query = query.where(charges.c.customer_id == f.customer_id)
    if f.status is not None:
        query = query.where(charges.c.status == f.status.value)
    if f.invoiced is not None:
        column = charges.c.invoice_id
        query = query.where(column.is_not(None) if f.invoiced else column.is_(None))
    if f.invoice_id is not None:
        query = query.where(charges.c.invoice_id == f.invoice_id)
    if f.source is not None:
        query = query.where(
            charges.c.source_type == f.source[0].value, charges.c.source_id == f.source[1]
        )
    if f.kind is not None:
        query = query.where(charges.c.kind == f.kind.value)
    if f.source_type is not None:
        query = query.where(charges.c.source_type == f.source_type.value)
    if f.occurred_from is not None:
        query = query.where(charges.c.occurred_at >= f.occurred_from)
    if f.occurred_before is not None:
        query = query.where(charges.c.occurred_at < f.occurred_before)
    return query


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
    where: ChargeFilter | None = None,
) -> list[Charge]:
    f = where or ChargeFilter(customer_id, status, invoiced, invoice_id, source)
    query = _filtered(uow, f).order_by(charges.c.occurred_at, charges.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [to_charge(r) for r in uow.conn.execute(query)]


def stream_charges(uow: UnitOfWork, where: ChargeFilter, chunk: int = 5000) -> Iterator[Charge]:
    """The charges ``where`` selects, by customer and source, read in chunks (keyset)."""
    order = (charges.c.customer_id, charges.c.source_type, charges.c.source_id, charges.c.id)
    after: tuple[str, str, str, str] | None = None
    while True:
        query = _filtered(uow, where)
        if after is not None:
            query = query.where(tuple_(*order) > after)
        rows = uow.conn.execute(query.order_by(*order).limit(chunk)).all()
        yield from (to_charge(r) for r in rows)
        if len(rows) < chunk:
            return
        last = rows[-1]
        after = (last.customer_id, last.source_type, last.source_id, last.id)


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
    return [to_charge(r) for r in rows]


def rate_charge(uow: UnitOfWork, charge_id: ChargeId, rating: Rating) -> bool:
    """Price an unrated charge, unless someone else did meanwhile."""
    result = uow.conn.execute(
        update(charges)
        .where(
            charges.c.tenant_id == uow.tenant_id,
            charges.c.id == charge_id,
            charges.c.status == ChargeStatus.UNRATED.value,
        )
        .values(**rating_values(rating))
    )
    return result.rowcount == 1


def rerate_charge(
    uow: UnitOfWork, charge_id: ChargeId, quantity: Decimal, rating: Rating | None
) -> bool:
    """Give an uninvoiced charge a new price (or none: unrated); False if it was invoiced."""
    result = uow.conn.execute(
        update(charges)
        .where(
            charges.c.tenant_id == uow.tenant_id,
            charges.c.id == charge_id,
            charges.c.invoice_id.is_(None),
        )
        .values(quantity=quantity, **rating_values(rating))
    )
    return result.rowcount == 1
