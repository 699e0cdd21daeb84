"""B's side of returns: the credit owed to a customer for an inspected return.

An inspected return (``ReturnInspected``) becomes one ``return_credits`` row -- the credit (unit
price x accepted units, less any restocking fee, as O computed and rounded it), ``open`` until
an invoicing run applies it (``applied``, with the invoice or credit note that took it). The
database keeps it to one credit per return (UNIQUE), never negative, and an applied credit
names what applied it. ``open_credits`` is what the invoicing run reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
    update,
)

from otwb.billing.events import ReturnCreditRecorded
from otwb.orders.events import ReturnInspected
from otwb.platform.bus import MessageBus
from otwb.platform.errors import Conflict, NotFound
from otwb.platform.ids import CustomerId
from otwb.platform.money import Money
from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column
from otwb.platform.uow import UnitOfWork


class CreditStatus(StrEnum):
    OPEN = "open"
    APPLIED = "applied"


return_credits = Table(
    "return_credits",
    metadata,
    id_column(),
    tenant_column(),
    Column("rma_id", String(ID), nullable=False),
    Column("order_id", String(ID), nullable=False),
    Column("customer_id", String(ID), nullable=False),
    Column("amount", Amount(19, 4), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(12), nullable=False),
    Column("applied_to", String(ID)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("applied_at", UtcDateTime()),
    UniqueConstraint("tenant_id", "rma_id"),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
    CheckConstraint(one_of("status", CreditStatus), name="status"),
    CheckConstraint("(status = 'applied') = (applied_to IS NOT NULL)", name="applied_to"),
)
Index("ix_return_credits_customer_status", return_credits.c.customer_id, return_credits.c.status)


@dataclass(frozen=True, slots=True)
class ReturnCredit:
    id: str
    rma_id: str
    order_id: str
    customer_id: CustomerId
    amount: Money
    status: CreditStatus
    created_at: datetime
    applied_to: str | None = None


def record_return_credit(uow: UnitOfWork, e: ReturnInspected) -> ReturnCredit:
    """The credit of an inspected return, open for the next invoicing run."""
    amount = Money(e.credit, e.currency).rounded()
    credit = ReturnCredit(
        uow.ids.new("rcr"),
        e.rma_id,
        e.order_id,
        e.customer_id,
        amount,
        CreditStatus.OPEN,
        uow.clock.now(),
    )
    with uow:
        uow.conn.execute(
            insert(return_credits).values(
                id=credit.id,
                tenant_id=uow.tenant_id,
                rma_id=credit.rma_id,
                order_id=credit.order_id,
                customer_id=credit.customer_id,
                amount=amount.amount,
                currency=amount.currency,
                status=credit.status.value,
                created_at=credit.created_at,
            )
        )
        uow.record(
            ReturnCreditRecorded(
                credit_id=credit.id,
                rma_id=credit.rma_id,
                customer_id=credit.customer_id,
                amount=amount.amount,
                currency=amount.currency,
            )
        )
        uow.commit()
    return credit


def _credit(r: Any) -> ReturnCredit:
    return ReturnCredit(
        r.id,
        r.rma_id,
        r.order_id,
        CustomerId(r.customer_id),
        Money(r.amount, r.currency),
        CreditStatus(r.status),
        r.created_at,
        r.applied_to,
    )


def open_credits(uow: UnitOfWork, customer_id: CustomerId | None = None) -> list[ReturnCredit]:
    """Credits not yet applied (of one customer, or all), oldest first: for the invoicing run."""
    query = select(return_credits).where(
        return_credits.c.tenant_id == uow.tenant_id,
        return_credits.c.status == CreditStatus.OPEN.value,
    )
    if customer_id is not None:
        query = query.where(return_credits.c.customer_id == customer_id)
    with uow:
        rows = uow.conn.execute(query.order_by(return_credits.c.id)).all()
    return [_credit(r) for r in rows]


def credit_of_return(uow: UnitOfWork, rma_id: str) -> ReturnCredit:
    with uow:
        row = uow.conn.execute(
            select(return_credits).where(
                return_credits.c.tenant_id == uow.tenant_id, return_credits.c.rma_id == rma_id
            )
        ).one_or_none()
    if row is None:
        raise NotFound(f"no credit for return {rma_id}")
    return _credit(row)


def apply_credits(uow: UnitOfWork, credit_ids: Sequence[str], applied_to: str) -> None:
    """Mark open credits applied by an invoice or credit note (all of them, or none)."""
    with uow:
        now = uow.clock.now()
        for credit_id in sorted(set(credit_ids)):
            done = uow.conn.execute(
                update(return_credits)
                .where(
                    return_credits.c.tenant_id == uow.tenant_id,
                    return_credits.c.id == credit_id,
                    return_credits.c.status == CreditStatus.OPEN.value,
                )
                .values(status=CreditStatus.APPLIED.value, applied_to=applied_to, applied_at=now)
            )
            if done.rowcount != 1:
                raise Conflict(f"credit {credit_id} is not open")
        uow.commit()


def on_return_inspected(uow: UnitOfWork, e: ReturnInspected) -> None:
    record_return_credit(uow, e)


def register(bus: MessageBus) -> None:
    bus.subscribe(ReturnInspected, "billing.return_credit", on_return_inspected)
