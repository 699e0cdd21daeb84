"""Reading and writing B's records (SQLAlchemy Core), always within the caller's tenant.

Sums of money are done in Python with ``Decimal`` (SQLite keeps ``Amount`` columns as text).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

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
from otwb.billing.tables import ACTIVITY_KEY, charges, tariffs
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
