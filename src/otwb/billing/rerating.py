"""Re-rating a period after a tariff correction, and the period's adjustments (minimums and
volume-tier discounts), both audited.

``rerate`` prices again every charge line of ``[period_start, period_end)`` (of one customer,
or all) with the tariffs as they are now: uninvoiced lines take the new price (or become
unrated when nothing prices them any more); invoiced lines are **not** changed but recorded as
needing a credit note. Every difference is written to ``charge_rating_changes`` (old and new
unit price, amount and rule) under one ``rerating_runs`` row (when, who, why). The period's
adjustments are then brought up to date the same way. Re-rating twice changes nothing the
second time (it is idempotent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

from otwb.billing import charge_repo, rerating_repo, tariff_repo
from otwb.billing.adjustments import (
    ADJUSTMENT_BASES,
    Adjustment,
    PeriodTotals,
    adjustments,
    period_source,
)
from otwb.billing.charge_repo import ChargeFilter
from otwb.billing.charges import (
    KIND_OF,
    TRANSPORT_BASES,
    Charge,
    ChargeKind,
    ChargeStatus,
    Rating,
    SourceType,
)
from otwb.billing.invoice import Period
from otwb.billing.numbers import start_of
from otwb.billing.rating import SURCHARGES, CompiledTariff
from otwb.billing.rerating_repo import Price, RatingChange, RerateRun, price_of
from otwb.billing.service import rerated
from otwb.billing.tariff import Tariff, applicable_tariff
from otwb.platform.errors import InvalidInput, NotFound
from otwb.platform.ids import ChargeId, CustomerId
from otwb.platform.uow import UnitOfWork

TOTALLED = (SourceType.ORDER, SourceType.SHIPMENT)


def same(a: Rating | None, b: Rating | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.tariff_id, a.unit_price, a.amount, a.rule_id) == (
        b.tariff_id,
        b.unit_price,
        b.amount,
        b.rule_id,
    )


@dataclass
class _Run:
    """What a run found: the changes to audit, and its counts."""

    id: str
    at: datetime
    changes: list[RatingChange]
    examined: int = 0
    changed: int = 0
    credit_notes_needed: int = 0

    def record(self, uow: UnitOfWork, c: Charge, new: Rating | None, quantity: Decimal) -> None:
        """Give ``c`` its new rating (unless invoiced: then note that it needs a credit note)."""
        applied = c.invoice_id is None and charge_repo.rerate_charge(uow, c.id, quantity, new)
        if applied:
            self.changed += 1
        else:
            self.credit_notes_needed += 1
        either = new or c.rating
        currency = either.currency if either is not None else None
        self.changes.append(
            RatingChange(
                self.id, c.id, applied, currency, price_of(c.rating), price_of(new), self.at
            )
        )


@dataclass(frozen=True)
class RerateResult:
    run: RerateRun
    changes: list[RatingChange]

    @property
    def credit_notes(self) -> list[RatingChange]:
        """Invoiced charges whose price changed: a credit note (B2) must correct them."""
        return [c for c in self.changes if not c.applied]


def _period(period_start: date, period_end: date) -> Period:
    return Period(period_start, period_end)


def rerate(
    uow: UnitOfWork,
    period_start: date,
    period_end: date,
    customer_id: CustomerId | None = None,
    reason: str = "tariff correction",
    actor: str = "system",
) -> RerateResult:
    """Re-rate the period's charges (of one customer, or all) with today's tariffs; audited."""
    period = _period(period_start, period_end)
    reason, actor = reason.strip(), actor.strip()
    if not reason or len(reason) > 200 or not actor or len(actor) > 100:
        raise InvalidInput("a re-rating needs a reason (<= 200) and an actor (<= 100 chars)")
    with uow:
        run = _Run(uow.ids.new("rrr"), uow.clock.now(), [])
        tariffs = tariff_repo.list_tariffs(uow)
        fuel = tariff_repo.fuel_entries(uow)
        where = ChargeFilter(
            customer_id=customer_id,
            occurred_from=start_of(period.start),
            occurred_before=start_of(period.end),
        )
        stream = charge_repo.stream_charges(uow, where)
        for _, group in groupby(stream, key=lambda c: (c.customer_id, c.source_type, c.source_id)):
            _rerate_source(uow, run, tariffs, fuel, list(group))
        _adjust(uow, run, tariffs, period, customer_id)
        result = RerateRun(
            run.id,
            period.start,
            period.end,
            customer_id,
            reason,
            actor,
            run.at,
            run.examined,
            run.changed,
            run.credit_notes_needed,
        )
        rerating_repo.insert_run(uow, result, run.changes)
        uow.commit()
    return RerateResult(result, run.changes)


def _rerate_source(
    uow: UnitOfWork,
    run: _Run,
    tariffs: Sequence[Tariff],
    fuel: Sequence[tuple[date, Decimal]],
    lines: list[Charge],
) -> None:
    """One activity's lines: its own bases first, then the surcharges on its new transport."""
    transport: list[Charge] = []
    for c in lines:
        if c.basis in ADJUSTMENT_BASES or c.basis in SURCHARGES:
            continue
        run.examined += 1
        new = rerated(tariffs, fuel, c, [])
        if c.basis in TRANSPORT_BASES:
            transport.append(replace(c, rating=new))
        if not same(c.rating, new):
            run.record(uow, c, new, c.quantity)
    for c in lines:
        if c.basis in SURCHARGES:
            run.examined += 1
            new = rerated(tariffs, fuel, c, transport)
            base = sum((t.amount or Decimal(0) for t in transport), Decimal(0))
            quantity = base if transport and base > 0 else c.quantity
            if not same(c.rating, new) or quantity != c.quantity:
                run.record(uow, c, new, quantity)


def apply_adjustments(
    uow: UnitOfWork,
    period_start: date,
    period_end: date,
    customer_id: CustomerId | None = None,
    reason: str = "period adjustments",
    actor: str = "system",
) -> RerateResult:
    """Bring the period's minimum and volume-discount lines up to date (before invoicing it).
    Idempotent; a change to a line already made is audited like a re-rating."""
    period = _period(period_start, period_end)
    with uow:
        run = _Run(uow.ids.new("rrr"), uow.clock.now(), [])
        tariffs = tariff_repo.list_tariffs(uow)
        created = _adjust(uow, run, tariffs, period, customer_id)
        result = RerateRun(
            run.id,
            period.start,
            period.end,
            customer_id,
            reason,
            actor,
            run.at,
            run.examined + created,
            run.changed + created,
            run.credit_notes_needed,
        )
        rerating_repo.insert_run(uow, result, run.changes)
        uow.commit()
    return RerateResult(result, run.changes)


def _totals(charges: Iterable[Charge]) -> dict[CustomerId, PeriodTotals]:
    out: dict[CustomerId, PeriodTotals] = {}
    for c in charges:
        if c.rating is None or c.basis in ADJUSTMENT_BASES:
            continue
        t = out.setdefault(c.customer_id, PeriodTotals({}, {}))
        q, a = t.by_basis.get(c.basis, (Decimal(0), Decimal(0)))
        t.by_basis[c.basis] = (q + c.quantity, a + c.rating.amount)
        if c.source_type in TOTALLED:
            key = (c.source_type, c.source_id)
            amount, at = t.by_source.get(key, (Decimal(0), c.occurred_at))
            t.by_source[key] = (amount + c.rating.amount, max(at, c.occurred_at))
    return out


def _adjust(
    uow: UnitOfWork,
    run: _Run,
    tariffs: Sequence[Tariff],
    period: Period,
    customer_id: CustomerId | None,
) -> int:
    """Insert, change or zero the period's adjustment lines; how many were inserted."""
    since, before = start_of(period.start), start_of(period.end)
    totals = _totals(
        charge_repo.stream_charges(
            uow,
            ChargeFilter(
                customer_id=customer_id,
                status=ChargeStatus.RATED,
                occurred_from=since,
                occurred_before=before,
            ),
        )
    )
    existing: dict[tuple[CustomerId, object], Charge] = {}
    for kind in (ChargeKind.DISCOUNT, ChargeKind.MINIMUM):
        where = ChargeFilter(
            customer_id=customer_id, kind=kind, occurred_from=since, occurred_before=before
        )
        for c in charge_repo.stream_charges(uow, where):
            existing[c.customer_id, (c.basis, c.source_type, c.source_id, c.service)] = c
    pid = period_source(period.start, period.end)
    new: list[Charge] = []
    wanted: set[tuple[CustomerId, object]] = set()
    for customer, t in sorted(totals.items()):
        tariff = applicable_tariff(tariffs, customer, period.last_day)
        if tariff is None:
            continue
        compiled = CompiledTariff(tariff)
        for adj in adjustments(compiled, t, pid, start_of(period.start)):
            key: tuple[CustomerId, object] = (customer, adj.key)
            wanted.add(key)
            rating = Rating(tariff.id, adj.unit_price, adj.amount, tariff.currency, adj.rule_id)
            old = existing.get(key)
            if old is None:
                new.append(_adjustment(uow, customer, adj, rating))
            elif not same(old.rating, rating) or old.quantity != adj.quantity:
                run.examined += 1
                run.record(uow, old, rating, adj.quantity)
    for key, old in sorted(existing.items(), key=lambda kv: kv[1].id):
        if key not in wanted and old.rating is not None and old.rating.amount != 0:
            run.examined += 1
            zero = replace(old.rating, unit_price=Decimal(0), amount=Decimal(0))
            run.record(uow, old, zero, old.quantity)
    return charge_repo.insert_charges(uow, new)


def _adjustment(uow: UnitOfWork, customer: CustomerId, a: Adjustment, r: Rating) -> Charge:
    return Charge(
        id=ChargeId(uow.ids.new("chg")),
        customer_id=customer,
        kind=KIND_OF[a.basis],
        basis=a.basis,
        source_type=a.source_type,
        source_id=a.source_id,
        quantity=a.quantity,
        status=ChargeStatus.RATED,
        occurred_at=a.occurred_at,
        rating=r,
        service=a.service,
    )


def list_runs(uow: UnitOfWork, limit: int = 100) -> list[RerateRun]:
    with uow:
        return rerating_repo.list_runs(uow, limit)


def run_changes(uow: UnitOfWork, run_id: str) -> tuple[RerateRun, list[RatingChange]]:
    """A re-rating run and every change it made or found (the audit)."""
    with uow:
        run = rerating_repo.get_run(uow, run_id)
        if run is None:
            raise NotFound(f"no re-rating run {run_id}")
        return run, rerating_repo.list_changes(uow, run_id)


__all__ = ["Price", "RerateResult", "apply_adjustments", "list_runs", "rerate", "run_changes"]
