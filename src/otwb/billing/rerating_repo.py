"""Reading and writing the re-rating audit: runs (when, who, why, counts) and every charge's
old and new price, within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from otwb.billing.charges import ChargeStatus, Rating
from otwb.billing.numbers import plain
from otwb.billing.tables import charge_rating_changes, rerating_runs
from otwb.platform.ids import ChargeId, CustomerId
from otwb.platform.money import minor_unit
from otwb.platform.uow import UnitOfWork


# -- re-rating audit -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Price:
    unit_price: Decimal
    amount: Decimal
    rule_id: str | None


@dataclass(frozen=True, slots=True)
class RatingChange:
    """One charge's price before and after a re-rating run (``applied`` False: it is invoiced,
    so it was not changed and needs a credit note). ``None``: unrated."""

    run_id: str
    charge_id: ChargeId
    applied: bool
    currency: str | None
    old: Price | None
    new: Price | None
    changed_at: datetime


def price_of(r: Rating | None) -> Price | None:
    return None if r is None else Price(r.unit_price, r.amount, r.rule_id)


@dataclass(frozen=True, slots=True)
class RerateRun:
    id: str
    period_start: date
    period_end: date
    customer_id: CustomerId | None
    reason: str
    actor: str
    ran_at: datetime
    examined: int
    changed: int
    credit_notes_needed: int


def insert_run(uow: UnitOfWork, run: RerateRun, changes: Sequence[RatingChange]) -> None:
    uow.conn.execute(
        insert(rerating_runs).values(
            id=run.id,
            tenant_id=uow.tenant_id,
            period_start=run.period_start,
            period_end=run.period_end,
            customer_id=run.customer_id,
            reason=run.reason,
            actor=run.actor,
            ran_at=run.ran_at,
            examined=run.examined,
            changed=run.changed,
            credit_notes_needed=run.credit_notes_needed,
        )
    )
    if not changes:
        return

    def side(prefix: str, p: Price | None) -> dict[str, Any]:
        return {
            f"{prefix}_status": (ChargeStatus.RATED if p else ChargeStatus.UNRATED).value,
            f"{prefix}_unit_price": p.unit_price if p else None,
            f"{prefix}_amount": p.amount if p else None,
            f"{prefix}_rule_id": p.rule_id if p else None,
        }

    uow.conn.execute(
        insert(charge_rating_changes),
        [
            {
                "id": uow.ids.new("rrc"),
                "tenant_id": uow.tenant_id,
                "run_id": c.run_id,
                "charge_id": c.charge_id,
                "applied": c.applied,
                "currency": c.currency,
                "changed_at": c.changed_at,
                **side("old", c.old),
                **side("new", c.new),
            }
            for c in changes
        ],
    )


def _run(r: Any) -> RerateRun:
    return RerateRun(
        r.id,
        r.period_start,
        r.period_end,
        CustomerId(r.customer_id) if r.customer_id else None,
        r.reason,
        r.actor,
        r.ran_at,
        r.examined,
        r.changed,
        r.credit_notes_needed,
    )


def list_runs(uow: UnitOfWork, limit: int = 100) -> list[RerateRun]:
    rows = uow.conn.execute(
        select(rerating_runs)
        .where(rerating_runs.c.tenant_id == uow.tenant_id)
        .order_by(rerating_runs.c.ran_at.desc(), rerating_runs.c.id.desc())
        .limit(limit)
    ).all()
    return [_run(r) for r in rows]


def get_run(uow: UnitOfWork, run_id: str) -> RerateRun | None:
    row = uow.conn.execute(
        select(rerating_runs).where(
            rerating_runs.c.tenant_id == uow.tenant_id, rerating_runs.c.id == run_id
        )
    ).one_or_none()
    return None if row is None else _run(row)


def list_changes(uow: UnitOfWork, run_id: str) -> list[RatingChange]:
    rows = uow.conn.execute(
        select(charge_rating_changes)
        .where(
            charge_rating_changes.c.tenant_id == uow.tenant_id,
            charge_rating_changes.c.run_id == run_id,
        )
        .order_by(charge_rating_changes.c.charge_id)
    ).all()

    def side(r: Any, prefix: str) -> Price | None:
        if getattr(r, f"{prefix}_status") != ChargeStatus.RATED:
            return None
        unit = minor_unit(r.currency or "EUR")
        return Price(
            plain(getattr(r, f"{prefix}_unit_price")),
            getattr(r, f"{prefix}_amount").quantize(unit),
            getattr(r, f"{prefix}_rule_id"),
        )

    return [
        RatingChange(
            r.run_id,
            ChargeId(r.charge_id),
            r.applied,
            r.currency,
            side(r, "old"),
            side(r, "new"),
            r.changed_at,
        )
        for r in rows
    ]
