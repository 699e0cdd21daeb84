"""Which stock serves an order: the warehouse, then the bins and lots of every line. Pure.

* **The warehouse**: the nearest to the ship-to that can serve every line. With the *partial*
  policy, when none can, the one that can serve the most units (the nearest of those).
* **The bins and lots**: each line takes its stock in rotation order -- FEFO for goods that
  expire, FIFO by receipt day otherwise (``lots.rotation_key``) -- then from the fullest bin,
  so a line is split across as few bins as its rotation allows. A line may be split across
  lots and bins; with the partial policy, served in part.
* **What may be promised**: only stock the caller found eligible (released lots, unexpired,
  enough shelf life left for this customer, not in a dock bin), less what soft reservations
  hold for *other* customers. A customer's own reservations are consumed by its allocation.

Orders of one run are allocated one after the other against one ``StockBook``, so the second
order sees what the first one took; ``promised`` and ``consumed`` are what the run must write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from otwb.platform.errors import InvalidInput, OutOfStock
from otwb.platform.geo import GeoPoint, haversine_km
from otwb.platform.ids import CustomerId, SkuId, StockId, WarehouseId
from otwb.warehouse.lots import rotation_key
from otwb.warehouse.model import Demand, Pick, Shortage, StockRow, Warehouse

Held = dict[tuple[WarehouseId, SkuId], int]
"""Units of a SKU in a warehouse that soft reservations keep for somebody else."""


@dataclass(frozen=True, slots=True)
class Hold:
    """A soft reservation still in force: ``quantity`` of a SKU kept for a customer."""

    reservation_id: str
    warehouse_id: WarehouseId
    sku_id: SkuId
    customer_id: CustomerId
    quantity: int


def _needed(demand: Sequence[Demand]) -> dict[SkuId, int]:
    needed: dict[SkuId, int] = defaultdict(int)
    for line in demand:
        if line.quantity <= 0:
            raise InvalidInput("quantities must be positive")
        needed[line.sku_id] += line.quantity
    return needed


def _available(stock: Sequence[StockRow], held: Held) -> dict[tuple[WarehouseId, SkuId], int]:
    available: dict[tuple[WarehouseId, SkuId], int] = defaultdict(int)
    for row in stock:
        available[row.warehouse_id, row.sku_id] += max(row.available, 0)
    for key, qty in held.items():
        if key in available:
            available[key] = max(available[key] - qty, 0)
    return available


def choose_warehouse(
    demand: Sequence[Demand],
    warehouses: Sequence[Warehouse],
    stock: Sequence[StockRow],
    ship_to: GeoPoint,
    held: Held | None = None,
) -> Warehouse | None:
    """The warehouse nearest to the ship-to that can serve the whole order, if any."""
    needed = _needed(demand)
    available = _available(stock, held or {})
    able = [
        w for w in warehouses if all(available[w.id, sku] >= qty for sku, qty in needed.items())
    ]
    return min(able, key=lambda w: (haversine_km(w.point, ship_to), w.code), default=None)


def _most_served(
    demand: Sequence[Demand],
    warehouses: Sequence[Warehouse],
    stock: Sequence[StockRow],
    ship_to: GeoPoint,
    held: Held,
) -> Warehouse | None:
    """The warehouse that can serve the most units (the nearest of those), if any can serve."""
    needed = _needed(demand)
    available = _available(stock, held)
    served = {
        w.id: sum(min(qty, available[w.id, sku]) for sku, qty in needed.items()) for w in warehouses
    }
    able = [w for w in warehouses if served[w.id] > 0]
    return min(
        able, key=lambda w: (-served[w.id], haversine_km(w.point, ship_to), w.code), default=None
    )


def shortages(
    demand: Sequence[Demand],
    stock: Sequence[StockRow],
    warehouse_id: WarehouseId | None = None,
    held: Held | None = None,
) -> list[Shortage]:
    """What is missing, SKU by SKU, to serve ``demand`` (from one warehouse, or anywhere)."""
    needed = _needed(demand)
    per_site = _available(
        [r for r in stock if warehouse_id is None or r.warehouse_id == warehouse_id], held or {}
    )
    available: dict[SkuId, int] = defaultdict(int)
    for (_, sku), qty in per_site.items():
        available[sku] += qty
    return [
        Shortage(sku, qty, available[sku])
        for sku, qty in sorted(needed.items())
        if available[sku] < qty
    ]


def _plan(
    demand: Sequence[Demand], stock: Sequence[StockRow], held: Held
) -> tuple[list[Pick], list[Shortage]]:
    """Serve each line in rotation order from ``stock`` (one warehouse's rows), as far as it
    goes: the picks, and what each SKU lacked."""
    left = {row.id: max(row.available, 0) for row in stock}
    by_sku: dict[SkuId, list[StockRow]] = defaultdict(list)
    for row in stock:
        by_sku[row.sku_id].append(row)
    # What soft reservations keep for others may not be taken, from any bin of the SKU.
    allowance = {
        sku: sum(left[r.id] for r in rows) - held.get((rows[0].warehouse_id, sku), 0)
        for sku, rows in by_sku.items()
    }
    picks: list[Pick] = []
    requested: dict[SkuId, int] = defaultdict(int)
    served_sku: dict[SkuId, int] = defaultdict(int)
    for line in demand:
        if line.quantity <= 0:
            raise InvalidInput("quantities must be positive")
        wanted = min(line.quantity, max(allowance.get(line.sku_id, 0), 0))
        served = 0
        rows = sorted(by_sku[line.sku_id], key=lambda r: (rotation_key(r), -left[r.id], r.id))
        for row in rows:
            if served == wanted:
                break
            take = min(wanted - served, left[row.id])
            if take > 0:
                picks.append(Pick(line.line_id, line.sku_id, row.id, take, lot_id=row.lot_id))
                left[row.id] -= take
                served += take
        if line.sku_id in allowance:
            allowance[line.sku_id] -= served
        requested[line.sku_id] += line.quantity
        served_sku[line.sku_id] += served
    short = [
        Shortage(sku, requested[sku], served_sku[sku])
        for sku in sorted(requested)
        if served_sku[sku] < requested[sku]
    ]
    return picks, short


def plan_picks(
    demand: Sequence[Demand], stock: Sequence[StockRow], held: Held | None = None
) -> list[Pick]:
    """Allocate every line from ``stock`` (one warehouse's rows), all or nothing: raises
    ``OutOfStock`` when a line cannot be served in full."""
    picks, short = _plan(demand, stock, held or {})
    if short:
        s = short[0]
        raise OutOfStock(f"SKU {s.sku_id}: {s.requested} requested, {s.available} available")
    return picks


@dataclass(slots=True)
class _Left:
    reservation_id: str
    customer_id: CustomerId
    left: int


@dataclass(frozen=True, slots=True)
class BookMark:
    promised: dict[StockId, int]
    consumed: dict[str, int]
    hold_lefts: dict[tuple[WarehouseId, SkuId], list[int]]


class StockBook:
    """The stock rows an allocation run may promise, the soft reservations in force on them,
    and what the run has promised and consumed so far."""

    def __init__(self, rows: Iterable[StockRow], holds: Iterable[Hold] = ()) -> None:
        self._rows: dict[StockId, StockRow] = {}
        self._by_sku: dict[SkuId, list[StockId]] = defaultdict(list)
        for row in rows:
            self._rows[row.id] = row
            self._by_sku[row.sku_id].append(row.id)
        self._holds: dict[tuple[WarehouseId, SkuId], list[_Left]] = defaultdict(list)
        for h in holds:
            self._holds[h.warehouse_id, h.sku_id].append(
                _Left(h.reservation_id, h.customer_id, h.quantity)
            )
        self.promised: dict[StockId, int] = defaultdict(int)
        self.consumed: dict[str, int] = defaultdict(int)
        """Units of each soft reservation that its customer's allocations used up."""

    def rows(self, sku_ids: Iterable[SkuId]) -> list[StockRow]:
        """The current rows of these SKUs, with this run's promises counted as allocated."""
        return [
            replace(row, allocated=row.allocated + self.promised[row.id])
            if self.promised.get(row.id)
            else row
            for sku in sorted(set(sku_ids))
            for row in (self._rows[i] for i in self._by_sku.get(sku, ()))
        ]

    def held_for_others(self, customer_id: CustomerId | None) -> Held:
        if not self._holds:
            return {}
        return {
            key: total
            for key, holds in self._holds.items()
            if (total := sum(h.left for h in holds if h.customer_id != customer_id)) > 0
        }

    def free(self, warehouse_id: WarehouseId, sku_id: SkuId) -> int:
        """What a new soft reservation may still take: available less every hold in force."""
        available = sum(
            max(r.available, 0) for r in self.rows([sku_id]) if r.warehouse_id == warehouse_id
        )
        return available - sum(h.left for h in self._holds.get((warehouse_id, sku_id), []))

    def promise(self, picks: Iterable[Pick], customer_id: CustomerId | None = None) -> None:
        for pick in picks:
            self.promised[pick.stock_id] += pick.quantity
            if customer_id is not None and self._holds:
                row = self._rows[pick.stock_id]
                self._consume(row.warehouse_id, pick.sku_id, customer_id, pick.quantity)

    def checkpoint(self) -> BookMark:
        """What the run has promised and consumed so far, to ``restore`` if what follows fails
        (the parts of a split order are promised all or none)."""
        lefts = {key: [h.left for h in holds] for key, holds in self._holds.items()}
        return BookMark(dict(self.promised), dict(self.consumed), lefts)

    def restore(self, mark: BookMark) -> None:
        self.promised = defaultdict(int, mark.promised)
        self.consumed = defaultdict(int, mark.consumed)
        for key, lefts in mark.hold_lefts.items():
            for hold, left in zip(self._holds[key], lefts, strict=True):
                hold.left = left

    def _consume(
        self, warehouse_id: WarehouseId, sku_id: SkuId, customer_id: CustomerId, quantity: int
    ) -> None:
        for hold in self._holds.get((warehouse_id, sku_id), []):
            if hold.customer_id == customer_id and quantity > 0 and hold.left > 0:
                used = min(quantity, hold.left)
                hold.left -= used
                self.consumed[hold.reservation_id] += used
                quantity -= used


@dataclass(frozen=True, slots=True)
class Allocated:
    warehouse: Warehouse
    picks: tuple[Pick, ...]
    short: tuple[Shortage, ...] = ()
    """With the partial policy: what could not be served (to back-order)."""


def allocate(
    demand: Sequence[Demand],
    book: StockBook,
    warehouses: Sequence[Warehouse],
    ship_to: GeoPoint,
    *,
    customer_id: CustomerId | None = None,
    eligible: Callable[[StockRow], bool] | None = None,
    partial: bool = False,
) -> Allocated | list[Shortage]:
    """Serve the order from the nearest warehouse that can serve it whole and promise it in
    the book -- or, with ``partial``, as much of it as the best-stocked warehouse can. When
    nothing is promised: the network-wide shortages."""
    stock = book.rows(d.sku_id for d in demand)
    if eligible is not None:
        stock = [r for r in stock if eligible(r)]
    held = book.held_for_others(customer_id)
    warehouse = choose_warehouse(demand, warehouses, stock, ship_to, held)
    if warehouse is None and partial:
        warehouse = _most_served(demand, warehouses, stock, ship_to, held)
    if warehouse is None:
        return shortages(demand, stock, held=held)
    picks, short = _plan(demand, [r for r in stock if r.warehouse_id == warehouse.id], held)
    book.promise(picks, customer_id)
    return Allocated(warehouse, tuple(picks), tuple(short))
