"""The charges a billing run bills (SQLAlchemy Core, tenant-scoped).

A billing run never loads charges one by one: it sums them in SQL (``GROUP BY`` customer,
service, currency and tax rate) and puts them on their invoices with one conditional ``UPDATE``
joined to a small table of claims (customer, currency -> invoice). Sums are exact on both
databases: PostgreSQL sums ``NUMERIC``; SQLite (where ``Amount`` is text) sums integers scaled
by the column's decimal places.

Both statements read the tenant's uninvoiced, rated charges through ``ix_charges_uninvoiced``,
in storage order, and keep the period's (``tests/integration/test_invoicing_plans.py`` holds
SQLite, which keeps no statistics, to that plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    MetaData,
    Numeric,
    String,
    Table,
    cast,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
    update,
)

from otwb.billing.invoice import Period, ServiceTotal
from otwb.billing.model import Basis, ChargeKind, ChargeStatus, plain, start_of
from otwb.billing.tables import charges, tariffs
from otwb.platform.errors import Conflict
from otwb.platform.ids import CustomerId, InvoiceId
from otwb.platform.tables import ID
from otwb.platform.uow import UnitOfWork

QUANTITY_SCALE = 6
AMOUNT_SCALE = 4


def _exact_sum(uow: UnitOfWork, column: Any, scale: int) -> ColumnElement[Any]:
    if uow.dialect == "postgresql":
        return func.sum(type_coerce(column, Numeric(38, scale)))
    scaled = func.round(type_coerce(column, Numeric) * literal_column(str(10**scale)))
    return func.sum(cast(scaled, BigInteger))


def _exact(value: Any, scale: int, dialect: str) -> Decimal:
    if dialect == "postgresql":
        return Decimal(value)
    return Decimal(int(value)).scaleb(-scale)


def _billable(period: Period, customer_id: CustomerId | None, tenant: str) -> list[Any]:
    where = [
        charges.c.tenant_id == tenant,
        charges.c.occurred_at >= start_of(period.start),
        charges.c.occurred_at < start_of(period.end),
        charges.c.invoice_id.is_(None),
        charges.c.status == ChargeStatus.RATED.value,
    ]
    if customer_id is not None:
        where.append(charges.c.customer_id == customer_id)
    return where


def billable_totals(
    uow: UnitOfWork, period: Period, customer_id: CustomerId | None = None
) -> list[ServiceTotal]:
    """The rated, uninvoiced charges of the period, summed per customer, service (kind,
    basis), currency and their tariff's tax rate."""
    tax_rate = tariffs.c.tax_rate
    # a value-added line names its service (rate cards' ``service`` column, where it exists)
    named = charges.c.get("service")
    service = (named if named is not None else literal("")).label("service")
    group = [
        charges.c.customer_id,
        charges.c.kind,
        charges.c.basis,
        charges.c.currency,
        tax_rate,
        service,
    ]
    rows = uow.conn.execute(
        select(
            *group,
            _exact_sum(uow, charges.c.quantity, QUANTITY_SCALE).label("quantity"),
            _exact_sum(uow, charges.c.amount, AMOUNT_SCALE).label("amount"),
            func.count().label("n"),
        )
        .select_from(charges.join(tariffs, tariffs.c.id == charges.c.tariff_id))
        .where(*_billable(period, customer_id, uow.tenant_id))
        .group_by(*group)
        .order_by(*group)
    ).all()
    return [
        ServiceTotal(
            customer_id=CustomerId(r.customer_id),
            kind=ChargeKind(r.kind),
            basis=Basis(r.basis),
            currency=r.currency,
            tax_rate=plain(r.tax_rate),
            quantity=_exact(r.quantity, QUANTITY_SCALE, uow.dialect),
            amount=_exact(r.amount, AMOUNT_SCALE, uow.dialect),
            charges=int(r.n),
            service=r.service or "",
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Assignment:
    """The customer's billable charges in ``currency`` go on ``invoice_id``."""

    customer_id: CustomerId
    currency: str
    invoice_id: InvoiceId


CLAIMS = Table(
    "billing_claims",
    MetaData(),
    Column("customer_id", String(ID), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("invoice_id", String(ID), nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
    sqlite_with_rowid=False,  # one look-up per charge claimed, not two
)
"""Which invoice takes a customer's charges in a currency: a temporary table of the run's
transaction (its connection's own; created and dropped around the claim, gone with a
rollback)."""


def assign_charges(
    uow: UnitOfWork, period: Period, assignments: Sequence[Assignment], expected: int
) -> None:
    """Put the billable charges of the period on their drafts -- exactly the ``expected`` ones,
    or ``Conflict`` (a concurrent run, a charge that arrived since the sums were taken: the
    caller rolls back whole, the temporary table with it).

    One ``UPDATE ... FROM`` the claims, whatever the number of customers and charges: each
    uninvoiced charge read once, in storage order, its invoice found by the claims' primary
    key. (A ``CASE`` of a thousand customers compared each row with every customer in turn.)"""
    changed = _claim(uow, period, assignments) if assignments else 0
    if changed != expected:
        raise Conflict(
            f"the period's charges changed while invoicing ({changed} found, {expected} summed);"
            " nothing was written, run again"
        )


def _claim(uow: UnitOfWork, period: Period, assignments: Sequence[Assignment]) -> int:
    conn = uow.conn
    CLAIMS.create(conn)
    conn.execute(
        CLAIMS.insert(),
        [
            {"customer_id": a.customer_id, "currency": a.currency, "invoice_id": a.invoice_id}
            for a in assignments
        ],
    )
    changed = conn.execute(
        update(charges)
        .where(
            *_billable(period, None, uow.tenant_id),
            charges.c.customer_id == CLAIMS.c.customer_id,
            charges.c.currency == CLAIMS.c.currency,
        )
        .values(invoice_id=CLAIMS.c.invoice_id)
    ).rowcount
    CLAIMS.drop(conn)
    return int(changed)


def release_charges(uow: UnitOfWork, invoice_id: InvoiceId) -> int:
    """Take every charge off the invoice (they become billable again); how many."""
    return int(
        uow.conn.execute(
            update(charges)
            .where(charges.c.tenant_id == uow.tenant_id, charges.c.invoice_id == invoice_id)
            .values(invoice_id=None)
        ).rowcount
    )
