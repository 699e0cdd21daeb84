"""Period adjustments: volume-tier discounts and minimum charges (pure, no I/O).

Run for a customer and a billing period before invoicing, from the period's rated charges:

* **Volume tiers**: for each basis a tier rule discounts (``applies_to``), the period's quantity
  of that basis picks the highest tier whose ``min_quantity`` it reaches; the discount line is
  quantity = the period's amount of that basis, unit price = -percent / 100 (a negative line).
* **Minimums**: per order and per shipment (a source charged less than the minimum is topped
  up on its own source), then per period (the total after discounts and the other minimums).

The tariff used is the customer's tariff valid on the period's last day. Lines are rounded
half-up to the currency's minor unit, like every charge line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from otwb.billing.charges import Basis, SourceType
from otwb.billing.rating import HUNDRED, ONE, CompiledTariff
from otwb.billing.tariff import MinimumScope, Rule

SCOPE_SOURCE = {MinimumScope.ORDER: SourceType.ORDER, MinimumScope.SHIPMENT: SourceType.SHIPMENT}
ADJUSTMENT_BASES = frozenset({Basis.TIER, Basis.MINIMUM})


def period_source(start: date, end: date) -> str:
    """The source id of a period's adjustments: ``2026-11-01/2026-12-01`` (end exclusive)."""
    return f"{start.isoformat()}/{end.isoformat()}"


@dataclass(frozen=True, slots=True)
class Adjustment:
    basis: Basis
    source_type: SourceType
    source_id: str
    service: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    rule_id: str
    occurred_at: datetime

    @property
    def key(self) -> tuple[Basis, SourceType, str, str]:
        return self.basis, self.source_type, self.source_id, self.service


@dataclass
class PeriodTotals:
    """One customer's rated charges of a period (adjustment lines excluded), summed."""

    by_basis: dict[Basis, tuple[Decimal, Decimal]]
    """basis -> (quantity, amount)"""
    by_source: dict[tuple[SourceType, str], tuple[Decimal, datetime]]
    """(order or shipment) -> (amount, when its last line occurred)"""


def _tier(rules: list[Rule], quantity: Decimal) -> Rule | None:
    reached = [r for r in rules if r.min_quantity is not None and r.min_quantity <= quantity]
    return max(reached, key=lambda r: r.min_quantity or 0, default=None)


def adjustments(
    tariff: CompiledTariff,
    totals: PeriodTotals,
    period_id: str,
    period_at: datetime,
) -> list[Adjustment]:
    """The discount and minimum lines the tariff gives these totals."""
    out: list[Adjustment] = []
    tiers: dict[Basis, list[Rule]] = {}
    for r in tariff.tariff.rules:
        if r.basis is Basis.TIER and r.applies_to is not None:
            tiers.setdefault(r.applies_to, []).append(r)
    for basis, rules in sorted(tiers.items()):
        quantity, amount = totals.by_basis.get(basis, (Decimal(0), Decimal(0)))
        rule = _tier(rules, quantity)
        if rule is None or rule.percent is None or amount <= 0 or rule.percent == 0:
            continue
        price = -rule.percent / HUNDRED
        out.append(
            Adjustment(
                Basis.TIER,
                SourceType.PERIOD,
                period_id,
                basis.value,
                amount,
                price,
                tariff.amount(amount, price),
                rule.id,
                period_at,
            )
        )
    minimums = {r.scope: r for r in tariff.tariff.rules if r.basis is Basis.MINIMUM}
    for scope, source_type in SCOPE_SOURCE.items():
        rule = minimums.get(scope)
        if rule is None or rule.price is None:
            continue
        for (st, sid), (amount, at) in sorted(totals.by_source.items()):
            if st is source_type and amount < rule.price:
                out.append(_top_up(tariff, rule, st, sid, rule.price - amount, at))
    rule = minimums.get(MinimumScope.PERIOD)
    if rule is not None and rule.price is not None:
        total = sum((a for _, a in totals.by_basis.values()), Decimal(0))
        total += sum((a.amount for a in out), Decimal(0))
        if total < rule.price:
            out.append(
                _top_up(tariff, rule, SourceType.PERIOD, period_id, rule.price - total, period_at)
            )
    return out


def _top_up(
    tariff: CompiledTariff,
    rule: Rule,
    source_type: SourceType,
    source_id: str,
    missing: Decimal,
    at: datetime,
) -> Adjustment:
    price = tariff.amount(ONE, missing)
    return Adjustment(Basis.MINIMUM, source_type, source_id, "", ONE, price, price, rule.id, at)


def needs_sources(tariff: CompiledTariff) -> set[SourceType]:
    """The source types whose per-source totals the tariff's minimums need."""
    return {
        SCOPE_SOURCE[r.scope]
        for r in tariff.tariff.rules
        if r.basis is Basis.MINIMUM and r.scope in SCOPE_SOURCE
    }
