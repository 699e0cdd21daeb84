"""Sourcing: which warehouse(s) serve an order. Pure -- no I/O.

The decision is taken on W's *available-to-promise* per warehouse x SKU, read without locks; W's
locked allocation stays the guarantee that nothing is oversold. Orders of one batch are sourced
one after the other against one ``Availability``, so the second order sees what the first took.

* **Able**: a warehouse can serve a line if it keeps the line's temperature class (a site
  without a chilled or frozen zone never serves chilled or frozen SKUs) and has the quantity.
  A line is served whole by one warehouse (lines are never cut in two).
* **Cost** of serving from a warehouse: its handling cost per order plus the haversine distance
  to the ship-to times its cost per km (defaults: ``DEFAULT_HANDLING_COST`` and
  ``DEFAULT_COST_PER_KM``, so that with defaults the nearest warehouse is the cheapest).
* **Ranking** of warehouses and of sets of warehouses: fewest warehouses, then lowest cost, then
  front warehouses before the central one, then nearest, then code.
* **Policies**: ``ship_complete`` -- one warehouse serves every line, or the order waits
  (``unsourced``); ``allow_split`` -- one warehouse if any can, else the smallest set of
  warehouses that together can (cheapest of those), else the order waits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import combinations

from otwb.platform.geo import GeoPoint, haversine_km
from otwb.platform.ids import OrderId, OrderLineId, WarehouseId
from otwb.platform.money import minor_unit
from otwb.platform.values import TemperatureClass

DEFAULT_HANDLING_COST = Decimal("0.00")
DEFAULT_COST_PER_KM = Decimal("1.00")
DEFAULT_CURRENCY = "EUR"
MAX_SPLIT = 3
"""At most this many warehouses serve one order; beyond, the order waits for stock."""


class SourcingPolicy(StrEnum):
    SHIP_COMPLETE = "ship_complete"
    ALLOW_SPLIT = "allow_split"


class SourcingOutcome(StrEnum):
    SINGLE = "single"
    SPLIT = "split"
    UNSOURCED = "unsourced"


class PartStage(StrEnum):
    """How far W (then T, from that warehouse's depot) has taken one warehouse's part of an
    order."""

    SOURCED = "sourced"
    ALLOCATED = "allocated"
    PICKED = "picked"
    PACKED = "packed"
    HANDED_OVER = "handed_over"
    SHIPPED = "shipped"
    DELIVERED = "delivered"

    @property
    def rank(self) -> int:
        return _STAGES.index(self)


_STAGES = list(PartStage)


def order_stage(parts: Iterable[PartStage]) -> PartStage | None:
    """Where the order as a whole stands: the stage every part has reached (None: no part)."""
    return min(parts, key=lambda p: p.rank, default=None)


@dataclass(frozen=True, slots=True)
class Site:
    """A warehouse as sourcing sees it."""

    warehouse_id: WarehouseId
    code: str
    front: bool
    point: GeoPoint
    temperatures: frozenset[TemperatureClass]
    handling_cost: Decimal = DEFAULT_HANDLING_COST
    cost_per_km: Decimal = DEFAULT_COST_PER_KM
    currency: str = DEFAULT_CURRENCY

    def keeps(self, temperature: TemperatureClass) -> bool:
        return temperature in self.temperatures


@dataclass(frozen=True, slots=True)
class LineToSource:
    line_id: OrderLineId
    sku: str
    quantity: int
    temperature: TemperatureClass = TemperatureClass.AMBIENT


@dataclass(frozen=True, slots=True)
class SourcingRequest:
    order_id: OrderId
    ship_to: GeoPoint
    lines: tuple[LineToSource, ...]
    policy: SourcingPolicy = SourcingPolicy.SHIP_COMPLETE


@dataclass(frozen=True, slots=True)
class PlannedPart:
    """The lines one warehouse serves, what it costs and how far it is."""

    warehouse_id: WarehouseId
    lines: tuple[LineToSource, ...]
    distance_km: float
    cost: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class SourcingPlan:
    order_id: OrderId
    policy: SourcingPolicy
    outcome: SourcingOutcome
    parts: tuple[PlannedPart, ...]
    reason: str

    @property
    def warehouses(self) -> list[WarehouseId]:
        return [p.warehouse_id for p in self.parts]


@dataclass
class Availability:
    """Units available to promise per (warehouse, SKU); sourcing an order takes from it."""

    units: dict[tuple[WarehouseId, str], int] = field(default_factory=dict)

    def of(self, warehouse_id: WarehouseId, sku: str) -> int:
        return self.units.get((warehouse_id, sku), 0)

    def take(self, warehouse_id: WarehouseId, sku: str, quantity: int) -> None:
        self.units[warehouse_id, sku] = self.of(warehouse_id, sku) - quantity


def cost_of(site: Site, distance_km: float) -> Decimal:
    """Handling cost + distance x cost per km, rounded to the currency's minor unit."""
    raw = site.handling_cost + Decimal(str(round(distance_km, 3))) * site.cost_per_km
    return raw.quantize(minor_unit(site.currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class _Candidate:
    site: Site
    distance_km: float
    cost: Decimal

    @property
    def rank(self) -> tuple[Decimal, bool, float, str]:
        return (self.cost, not self.site.front, self.distance_km, self.site.code)


def _serves(site: Site, line: LineToSource, left: dict[tuple[WarehouseId, str], int]) -> bool:
    return site.keeps(line.temperature) and left[site.warehouse_id, line.sku] >= line.quantity


def _whole(candidate: _Candidate, lines: Sequence[LineToSource], stock: Availability) -> bool:
    """Can this warehouse serve every line (several lines may share a SKU)?"""
    site = candidate.site
    needed: dict[str, int] = {}
    for line in lines:
        if not site.keeps(line.temperature):
            return False
        needed[line.sku] = needed.get(line.sku, 0) + line.quantity
    return all(stock.of(site.warehouse_id, sku) >= qty for sku, qty in needed.items())


def _assign(
    group: Sequence[_Candidate], lines: Sequence[LineToSource], stock: Availability
) -> dict[WarehouseId, list[LineToSource]] | None:
    """Each line to the best-ranked warehouse of ``group`` able to serve it; None if a line
    finds none or a warehouse of the group would serve nothing."""
    left = {
        (c.site.warehouse_id, x.sku): stock.of(c.site.warehouse_id, x.sku)
        for c in group
        for x in lines
    }
    served: dict[WarehouseId, list[LineToSource]] = {c.site.warehouse_id: [] for c in group}
    for line in sorted(lines, key=lambda x: -x.quantity):
        chosen = next((c for c in group if _serves(c.site, line, left)), None)
        if chosen is None:
            return None
        left[chosen.site.warehouse_id, line.sku] -= line.quantity
        served[chosen.site.warehouse_id].append(line)
    if any(not v for v in served.values()):
        return None
    return served


def _part(c: _Candidate, lines: Iterable[LineToSource]) -> PlannedPart:
    ordered = tuple(sorted(lines, key=lambda x: x.line_id))
    return PlannedPart(c.site.warehouse_id, ordered, c.distance_km, c.cost, c.site.currency)


def source_order(
    request: SourcingRequest, sites: Sequence[Site], stock: Availability
) -> SourcingPlan:
    """The plan for one order; what it sources is taken from ``stock``."""
    candidates = sorted(
        (
            _Candidate(s, d, cost_of(s, d))
            for s in sites
            for d in (haversine_km(s.point, request.ship_to),)
        ),
        key=lambda c: c.rank,
    )
    lines = request.lines
    best = next((c for c in candidates if _whole(c, lines, stock)), None)
    if best is not None:
        plan = SourcingPlan(
            request.order_id,
            request.policy,
            SourcingOutcome.SINGLE,
            (_part(best, lines),),
            f"{best.site.code} serves every line, {best.distance_km:.1f} km, "
            f"cost {best.cost} {best.site.currency}",
        )
    elif request.policy is SourcingPolicy.SHIP_COMPLETE:
        return _unsourced(request, "ship_complete: no single warehouse can serve every line")
    elif (gone := _nowhere(candidates, lines, stock)) is not None:
        return _unsourced(request, f"no warehouse can serve {gone.sku} x{gone.quantity}")
    else:
        split = _split(candidates, lines, stock)
        if split is None:
            return _unsourced(
                request, f"allow_split: no set of up to {MAX_SPLIT} warehouses can serve it"
            )
        parts = tuple(sorted(split, key=lambda p: p.warehouse_id))
        codes = {c.site.warehouse_id: c.site.code for c in candidates}
        total = sum((p.cost for p in parts), Decimal(0))
        plan = SourcingPlan(
            request.order_id,
            request.policy,
            SourcingOutcome.SPLIT,
            parts,
            f"no single warehouse can serve every line: split across "
            f"{', '.join(codes[p.warehouse_id] for p in parts)}, cost {total}",
        )
    for part in plan.parts:
        for line in part.lines:
            stock.take(part.warehouse_id, line.sku, line.quantity)
    return plan


def _nowhere(
    candidates: Sequence[_Candidate], lines: Sequence[LineToSource], stock: Availability
) -> LineToSource | None:
    """A line no warehouse can serve on its own (then no split can serve the order)."""
    for line in lines:
        if not any(
            c.site.keeps(line.temperature)
            and stock.of(c.site.warehouse_id, line.sku) >= line.quantity
            for c in candidates
        ):
            return line
    return None


def _split(
    candidates: Sequence[_Candidate], lines: Sequence[LineToSource], stock: Availability
) -> list[PlannedPart] | None:
    """The fewest warehouses that together serve every line, the cheapest such set."""
    for size in range(2, min(MAX_SPLIT, len(candidates)) + 1):
        best: tuple[tuple[Decimal, int, float], list[PlannedPart]] | None = None
        for group in combinations(candidates, size):
            served = _assign(group, lines, stock)
            if served is None:
                continue
            key = (
                sum((c.cost for c in group), Decimal(0)),
                sum(not c.site.front for c in group),
                sum(c.distance_km for c in group),
            )
            if best is None or key < best[0]:
                best = (key, [_part(c, served[c.site.warehouse_id]) for c in group])
        if best is not None:
            return best[1]
    return None


def _unsourced(request: SourcingRequest, reason: str) -> SourcingPlan:
    return SourcingPlan(request.order_id, request.policy, SourcingOutcome.UNSOURCED, (), reason)


def source_batch(
    requests: Sequence[SourcingRequest], sites: Sequence[Site], stock: Availability
) -> list[SourcingPlan]:
    """Plans for a batch, one order after the other against the same ``stock``."""
    return [source_order(r, sites, stock) for r in requests]
