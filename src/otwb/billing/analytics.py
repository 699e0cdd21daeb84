"""Cost analytics, pure: revenue against cost for a period, per order, customer, service and
warehouse; the share of transport, storage and handling in the total cost; margins.

* **Revenue** is the rated charges of the period (by the activity's date), in the tenant's
  currency; unrated charges have no price yet and are left out (and counted).
* **Cost** is what the operation cost B: carrier payables (the paid, else due, else expected
  amount of each tendered shipment, dated by its tender), own-fleet route costs (each shipment's
  share, dated by the route's service date), and warehouse work at the internal cost rates
  (order lines picked and parcels packed are *handling*, unit·days held are *storage*).
* Each cost item is rounded half-up to the cent where it is made; sums are exact.
* A **margin** is revenue - cost; its percentage is of the revenue (none without revenue),
  rounded to 0.1 %. Items without an order or a warehouse (storage) are grouped under ``-``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from otwb.platform.errors import InvalidInput

NONE = "-"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class CostCategory(StrEnum):
    TRANSPORT = "transport"
    STORAGE = "storage"
    HANDLING = "handling"


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """A calendar month, ``[start, end)`` in UTC."""

    start: date
    end: date

    @classmethod
    def month(cls, text: str) -> ReportPeriod:
        match = _MONTH.match(text.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise InvalidInput(f"a period is a month like 2026-11, got {text!r}", field="period")
        year, month = int(match.group(1)), int(match.group(2))
        end = date(year + month // 12, month % 12 + 1, 1)
        return cls(date(year, month, 1), end)

    @property
    def label(self) -> str:
        return f"{self.start.year:04}-{self.start.month:02}"

    @property
    def instants(self) -> tuple[datetime, datetime]:
        def at(day: date) -> datetime:
            return datetime(day.year, day.month, day.day, tzinfo=UTC)

        return at(self.start), at(self.end)


@dataclass(frozen=True, slots=True)
class RevenueItem:
    customer_id: str
    order_id: str | None
    warehouse_id: str | None
    service: str
    """The kind of charge: handling, transport, storage..."""
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CostItem:
    customer_id: str
    order_id: str | None
    warehouse_id: str | None
    category: CostCategory
    source: str
    """carrier, own_fleet, pick_line, parcel, unit_day"""
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MarginRow:
    key: str
    revenue: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_pct(self) -> Decimal | None:
        if self.revenue == 0:
            return None
        return (self.margin * 100 / self.revenue).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class CostShare:
    category: CostCategory
    amount: Decimal
    share_pct: Decimal


@dataclass(frozen=True, slots=True)
class CostReport:
    period: ReportPeriod
    currency: str
    total: MarginRow
    shares: list[CostShare]
    by_customer: list[MarginRow]
    by_order: list[MarginRow]
    by_service: list[MarginRow]
    by_warehouse: list[MarginRow]
    unrated_charges: int = 0
    other_currency_items: int = 0


def _rows(
    revenue: Iterable[RevenueItem],
    costs: Iterable[CostItem],
    key_of_revenue: Callable[[RevenueItem], str | None],
    key_of_cost: Callable[[CostItem], str | None],
) -> list[MarginRow]:
    earned: dict[str, Decimal] = defaultdict(Decimal)
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for r in revenue:
        earned[key_of_revenue(r) or NONE] += r.amount
    for c in costs:
        spent[key_of_cost(c) or NONE] += c.amount
    keys = sorted(set(earned) | set(spent), key=lambda k: (k == NONE, k))
    return [MarginRow(k, earned[k], spent[k]) for k in keys]


def build_report(
    period: ReportPeriod,
    currency: str,
    revenue: list[RevenueItem],
    costs: list[CostItem],
    unrated_charges: int = 0,
    other_currency_items: int = 0,
) -> CostReport:
    total_revenue = sum((r.amount for r in revenue), Decimal(0))
    total_cost = sum((c.amount for c in costs), Decimal(0))
    by_category = {cat: Decimal(0) for cat in CostCategory}
    for c in costs:
        by_category[c.category] += c.amount
    shares = [
        CostShare(
            cat,
            amount,
            (amount * 100 / total_cost).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if total_cost
            else Decimal(0),
        )
        for cat, amount in by_category.items()
    ]
    return CostReport(
        period=period,
        currency=currency,
        total=MarginRow("total", total_revenue, total_cost),
        shares=shares,
        by_customer=_rows(revenue, costs, lambda r: r.customer_id, lambda c: c.customer_id),
        by_order=_rows(revenue, costs, lambda r: r.order_id, lambda c: c.order_id),
        by_service=_rows(revenue, costs, lambda r: r.service, lambda c: c.category.value),
        by_warehouse=_rows(revenue, costs, lambda r: r.warehouse_id, lambda c: c.warehouse_id),
        unrated_charges=unrated_charges,
        other_currency_items=other_currency_items,
    )
