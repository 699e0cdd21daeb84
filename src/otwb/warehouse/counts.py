"""W's inventory control: cycle counts -- which bins to count, the count itself, the decision on
its variance -- and adjustments with a reason code.

* **Planning**: by ABC class -- a bin is due when the fastest-moving SKU it holds is due: class A
  every 30 days, B every 90, C every 180 (``FREQUENCY_DAYS``), counted from the bin's last count
  -- or by naming bins. A bin has one open count at a time; a short pick asks for one too.
* **Counting** is blind: the counter says what is in the bin (SKU, lot, quantity); the expected
  quantity is what the system holds at that moment, and a stock row the counter did not mention
  was counted as zero. No variance: the count is approved at once. A variance waits for a
  supervisor.
* **Deciding**: approved, each line's variance is applied to the bin with a ``count`` movement
  (reason ``cycle_count``); less than promised re-allocates or back-orders the orders concerned.
  (Should picks since the count have taken the bin below the loss, it goes to zero.) Rejected, a
  recount of the bin is planned. Deciding twice the same way changes nothing.
* **Adjustments** correct a bin outside a count (damaged, expired, lost, found...), with their
  reason code in the ledger; taking away promised goods re-allocates or back-orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from otwb.platform.ids import LocationId, SkuId, StockId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import (
    counts_repo,
    lot_repo,
    promises,
    repo,
    service,
    sites,
    stock_repo,
    work_repo,
)
from otwb.warehouse.counts_repo import CountTask
from otwb.warehouse.events import CycleCountDecided, CycleCountRecorded, StockAdjusted
from otwb.warehouse.model import Location, LotId, Sku, StockRow
from otwb.warehouse.slotting import check_capacity

FREQUENCY_DAYS = {"A": 30, "B": 90, "C": 180}
ADJUSTMENT_REASONS = ("damaged", "expired", "lost", "found", "quality", "correction")


def due(last_counted: date | None, abc: str, today: date) -> bool:
    """Is a bin holding a class ``abc`` SKU due for counting?"""
    return last_counted is None or (today - last_counted).days >= FREQUENCY_DAYS[abc]


@dataclass(frozen=True)
class Counted:
    sku: str
    lot: str | None
    quantity: int


def request_count(
    uow: UnitOfWork, warehouse_id: WarehouseId, location_id: LocationId, reason: str
) -> str:
    """The bin's open count, or a new one (inside the caller's unit of work)."""
    found = counts_repo.open_count_of(uow, location_id)
    if found is not None:
        return found
    count_id = uow.ids.new("cnt")
    counts_repo.insert_counts(uow, warehouse_id, [(count_id, location_id, reason)])
    return count_id


def plan_cycle_counts(
    uow: UnitOfWork,
    warehouse_id: WarehouseId,
    *,
    bins: Sequence[LocationId] = (),
    max_bins: int = 200,
) -> list[CountTask]:
    """Count tasks for the named bins, or else for the bins due by ABC class (most urgent
    first, at most ``max_bins``). Bins with an open count keep it."""
    if not 1 <= max_bins <= 10_000:
        raise InvalidInput("max_bins must be within 1..10000", field="max_bins")
    with uow:
        warehouse = repo.get_warehouse(uow, warehouse_id)
        busy = counts_repo.open_counts(uow, warehouse_id)
        if bins:
            found = repo.locations_by_id(uow, bins)
            strangers = [b for b in bins if b not in found or found[b].warehouse_id != warehouse_id]
            if strangers:
                raise NotFound(f"no bin {strangers[0]} in this warehouse")
            chosen = [(b, "bin") for b in dict.fromkeys(bins) if b not in busy]
        else:
            chosen = [(b, "abc") for b in _due_bins(uow, warehouse.id, busy)[:max_bins]]
        made = [(uow.ids.new("cnt"), b, reason) for b, reason in chosen]
        counts_repo.insert_counts(uow, warehouse_id, made)
        tasks = [counts_repo.get_count(uow, count_id) for count_id, _, _ in made]
        uow.commit()
    return tasks


def _due_bins(
    uow: UnitOfWork, warehouse_id: WarehouseId, busy: set[LocationId]
) -> list[LocationId]:
    classes = work_repo.abc_classes(uow, warehouse_id)
    last = counts_repo.last_counted(uow, warehouse_id)
    today = uow.clock.now().date()
    urgency: list[tuple[str, date, LocationId]] = []
    for location_id, held in stock_repo.bin_contents(uow, warehouse_id).items():
        if location_id in busy:
            continue
        abc = min(classes.get(sku, "C") for sku, *_ in held)
        counted = last.get(location_id)
        if due(counted.date() if counted else None, abc, today):
            urgency.append((abc, counted.date() if counted else date.min, location_id))
    return [loc for _, _, loc in sorted(urgency)]


def record_count(
    uow: UnitOfWork, count_id: str, counted: Sequence[Counted], counted_by: str
) -> CountTask:
    """What the counter found in the bin (blind): see the module's docstring."""
    if any(c.quantity < 0 for c in counted):
        raise InvalidInput("counted quantities are not negative")
    keys = [(c.sku, c.lot) for c in counted]
    if len(set(keys)) != len(keys):
        raise InvalidInput("a SKU and lot is counted once per bin")
    with uow:
        task = counts_repo.get_count(uow, count_id)
        if task.status != "open":
            if _same(task, counted):
                return task
            raise Conflict(f"count {count_id} was already recorded otherwise")
        location = repo.get_location(uow, task.location_id)
        skus = {c.sku: service.sku_by_code(uow, c.sku) for c in counted}
        here = stock_repo.stock_levels(uow, None, None, location.id)
        promises.lock_skus(uow, {s.id for s in skus.values()} | {r.sku_id for r, *_ in here})
        rows = {
            (sku, lot): row
            for row, sku, _, lot, _ in stock_repo.stock_levels(uow, None, None, location.id)
        }
        lines: dict[StockId, tuple[int, int]] = {
            row.id: (row.on_hand, 0) for row in rows.values() if row.on_hand > 0
        }
        for c in counted:
            row = rows.get((c.sku, c.lot))
            if row is None:
                stock_id = _found_row(uow, location, skus[c.sku], c.lot)
                lines[stock_id] = (0, c.quantity)
            else:
                lines[row.id] = (row.on_hand, c.quantity)
        counts_repo.record_lines(uow, count_id, [(s, e, q) for s, (e, q) in sorted(lines.items())])
        variance = sum(abs(q - e) for e, q in lines.values())
        status = "approved" if variance == 0 else "counted"
        counts_repo.set_status(uow, count_id, "open", status, counted_by, counted=True)
        uow.record(
            CycleCountRecorded(
                count_id=count_id,
                warehouse_id=task.warehouse_id,
                location_id=task.location_id,
                variance_units=variance,
                status=status,
            )
        )
        task = counts_repo.get_count(uow, count_id)
        uow.commit()
    return task


def _same(task: CountTask, counted: Sequence[Counted]) -> bool:
    given = {(c.sku, c.lot): c.quantity for c in counted}
    recorded = {
        (x.sku, x.lot): x.counted for x in task.lines if x.counted or (x.sku, x.lot) in given
    }
    return recorded == given


def _found_row(uow: UnitOfWork, location: Location, sku: Sku, lot: str | None) -> StockId:
    """A stock row for goods found where the system had none (0 on hand until approved)."""
    lot_id = None
    if lot is not None:
        found = lot_repo.find_lot(uow, sku.id, lot)
        if found is None:
            raise NotFound(f"no lot {lot!r} of {sku.code}: lots come in with receipts")
        lot_id = found.id
    elif sku.tracks_lots:
        raise InvalidInput(f"SKU {sku.code} is tracked by lot: say which lot was counted")
    return stock_repo.receive_into(
        uow, StockId(uow.ids.new("stk")), location, sku.id, lot_id, 0, "count"
    )


def _decided(task: CountTask, decision: str) -> bool:
    """True if the count was already decided so (nothing to do); refuses a count that is not
    waiting for a decision."""
    if task.status == decision:
        return True
    if task.status != "counted":
        raise InvalidTransition(
            f"the count is {task.status}", current=task.status, requested=decision
        )
    return False


def approve_count(uow: UnitOfWork, count_id: str, approved_by: str) -> CountTask:
    with uow:
        task = counts_repo.get_count(uow, count_id)
        if _decided(task, "approved"):
            return task
        rows = {
            r.id: stock_repo.stock_row(r)
            for r in promises.lock_skus(uow, _skus_of(uow, task))
            if any(x.stock_id == r.id for x in task.lines)
        }
        adjusted = 0
        for line in task.lines:
            row = rows[line.stock_id]
            if line.variance > 0:
                stock_repo.change_on_hand(
                    uow, [(row.id, line.variance)], "count", count_id, "cycle_count"
                )
            elif line.variance < 0:
                loss = min(-line.variance, row.on_hand)
                if loss:
                    promises.take_away(uow, row, loss, "count", "cycle_count", count_id)
            adjusted += abs(line.variance)
        counts_repo.set_status(uow, count_id, "counted", "approved", approved_by, counted=False)
        uow.record(
            CycleCountDecided(
                count_id=count_id,
                warehouse_id=task.warehouse_id,
                location_id=task.location_id,
                status="approved",
                adjusted_units=adjusted,
            )
        )
        task = counts_repo.get_count(uow, count_id)
        uow.commit()
    return task


def _skus_of(uow: UnitOfWork, task: CountTask) -> set[SkuId]:
    return {stock_repo.sku_of(uow, line.stock_id) for line in task.lines}


def reject_count(uow: UnitOfWork, count_id: str, rejected_by: str) -> CountTask:
    """The count is not believed: nothing changes, and the bin is counted again."""
    with uow:
        task = counts_repo.get_count(uow, count_id)
        if _decided(task, "rejected"):
            return task
        counts_repo.set_status(uow, count_id, "counted", "rejected", rejected_by, counted=False)
        request_count(uow, task.warehouse_id, task.location_id, "recount")
        uow.record(
            CycleCountDecided(
                count_id=count_id,
                warehouse_id=task.warehouse_id,
                location_id=task.location_id,
                status="rejected",
                adjusted_units=0,
            )
        )
        task = counts_repo.get_count(uow, count_id)
        uow.commit()
    return task


def adjust_stock(
    uow: UnitOfWork,
    location_id: LocationId,
    sku_code: str,
    quantity: int,
    reason: str,
    lot: str | None = None,
    reference: str | None = None,
) -> StockRow:
    """Correct what a bin holds (damaged, lost, found...), with a reason code in the ledger.
    Taking away goods already promised to orders re-allocates those orders elsewhere or
    back-orders them."""
    if quantity == 0:
        raise InvalidInput("an adjustment changes the quantity")
    if reason not in ADJUSTMENT_REASONS:
        raise InvalidInput(f"reason must be one of {', '.join(ADJUSTMENT_REASONS)}", field="reason")
    with uow:
        location = repo.get_location(uow, location_id)
        sku = service.sku_by_code(uow, sku_code)
        lot_id: LotId | None = None
        if lot is not None:
            found = lot_repo.find_lot(uow, sku.id, lot)
            if found is None:
                raise NotFound(f"no lot {lot!r} of {sku.code}")
            lot_id = found.id
        if quantity > 0:
            check_capacity(sku, sites.bin_state(uow, location), quantity)
            new_id = StockId(uow.ids.new("stk"))
            stock_id = stock_repo.receive_into(
                uow, new_id, location, sku.id, lot_id, quantity, "adjustment", reference, reason
            )
        else:
            row = _locked_row(uow, location, sku, lot_id)
            if row.on_hand + quantity < 0:
                raise InvalidInput(f"bin {location.code} holds {row.on_hand} of {sku.code}")
            stock_id = row.id
            promises.take_away(uow, row, -quantity, "adjustment", reason, reference)
        uow.record(
            StockAdjusted(
                warehouse_id=location.warehouse_id,
                location_id=location.id,
                sku=sku.code,
                lot=lot,
                quantity=quantity,
                reason=reason,
            )
        )
        rows = stock_repo.stock_levels(uow, sku.id, location.warehouse_id, location.id)
        uow.commit()
    return next(row for row, *_ in rows if row.id == stock_id)


def _locked_row(uow: UnitOfWork, location: Location, sku: Sku, lot_id: LotId | None) -> StockRow:
    """The bin's row of this SKU and lot, every row of the SKU locked first (key order)."""
    for r in promises.lock_skus(uow, [sku.id]):
        if r.location_id == location.id and (r.lot_id or None) == lot_id:
            return stock_repo.stock_row(r)
    raise NotFound(f"bin {location.code} holds no {sku.code} of that lot")


def list_counts(
    uow: UnitOfWork, warehouse_id: WarehouseId | None = None, status: str | None = None
) -> list[CountTask]:
    with uow:
        return counts_repo.list_counts(uow, warehouse_id, status)


def get_count(uow: UnitOfWork, count_id: str) -> CountTask:
    with uow:
        return counts_repo.get_count(uow, count_id)
