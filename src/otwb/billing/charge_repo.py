"""Reading and writing charge lines and the re-rating audit, within the caller's tenant.

Two ways in: ``insert_charges`` (a few lines of one activity, counting the new ones) and
``BulkInsert`` (the bulk path: prepared rows, ``executemany`` in chunks, conflicts skipped).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect, Select, bindparam, select, tuple_, update
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

BULK_CHUNK = 10_000


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


BULK_COLUMNS = (
    "id",
    "tenant_id",
    "customer_id",
    "kind",
    "basis",
    "source_type",
    "source_id",
    "quantity",
    "status",
    "unit_price",
    "amount",
    "currency",
    "tariff_id",
    "occurred_at",
    "created_at",
    "rule_id",
    "service",
    "temperature_class",
    "weight_kg",
    "distance_km",
)
"""A bulk row's values, in the table's column order (the order the INSERT binds them)."""
CONVERTED = ("quantity", "unit_price", "amount", "occurred_at", "created_at", "weight_kg",
             "distance_km")  # fmt: skip
"""The columns whose values go through their type's bind processor (``Amount``,
``UtcDateTime``); every other bulk column is plain text on both databases."""
MEMO = 1 << 12
"""Distinct values each column's converter remembers (prices, quantities and instants repeat)."""


def _to_db(column: str, dialect: Dialect) -> Callable[[Any], Any]:
    """The value as this database stores it: the column type's own bind processor for the
    dialect -- on SQLite an ``Amount`` becomes its canonical decimal text and an instant the
    same text every query compares with -- remembering the last ``MEMO`` distinct values."""
    processor = charges.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return lambda value: value
    return lru_cache(maxsize=MEMO, typed=True)(processor)


class BulkInsert:
    """One compiled ``INSERT ... ON CONFLICT DO NOTHING`` of charge rows, executed with the
    driver's ``executemany``, without SQLAlchemy's per-row parameter handling.

    A row is a tuple of ``BULK_COLUMNS`` values, those of ``CONVERTED`` already put through
    ``to_db[column]`` -- the conversion SQLAlchemy would apply, done once per distinct value
    (sorting a chunk by the activity key first was measured: it cost more in Python than it
    saved SQLite)."""

    def __init__(self, uow: UnitOfWork) -> None:
        dialect = uow.conn.dialect
        statement = _insert(uow).values({c: bindparam(c) for c in BULK_COLUMNS})
        compiled = statement.compile(dialect=dialect)
        names = compiled.positiontup
        if names is not None and tuple(names) != BULK_COLUMNS:
            raise RuntimeError(f"the INSERT binds {names}, not BULK_COLUMNS")
        unconverted = [
            c
            for c in BULK_COLUMNS
            if c not in CONVERTED
            and charges.c[c].type.dialect_impl(dialect).bind_processor(dialect) is not None
        ]
        if unconverted:
            raise RuntimeError(f"bulk columns {unconverted} need their type's conversion")
        self.sql = compiled.string
        self.named = names is None
        self.to_db = {c: _to_db(c, dialect) for c in CONVERTED}
        self.uow = uow

    def __call__(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        params: list[Any] = (
            [dict(zip(BULK_COLUMNS, r, strict=True)) for r in rows] if self.named else rows
        )
        self.uow.conn.exec_driver_sql(self.sql, params)


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
