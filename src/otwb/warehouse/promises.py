"""Keeping W's promises of stock: the locked book every allocation promises from, and what
happens when a promise breaks -- a short pick, a lot put on hold or recalled, a count or an
adjustment that found less than was promised.

**The book.** The candidate stock rows are locked first, in primary-key order (``FOR UPDATE``
on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` holds the write lock): concurrent allocations queue
and never deadlock. Then, in statements of their own (so that whatever committed while this one
waited is seen), the lots' status and expiry and the soft reservations in force are read. Only
released, unexpired lots outside the dock are in the book.

**A broken promise.** The open pick tasks that cannot be served are released; their quantities
are allocated again in the order's warehouse (same rules: FEFO/FIFO, the customer's shelf life,
never a bin-lot that already failed that line); the new tasks go to the end of the same pick
list; what nothing can replace is back-ordered (``LinesBackordered``). A fulfilment left with no
open task is settled: picked if anything was picked, released otherwise.

Every use case that changes stock or promises locks first *all* stock rows of the SKUs
concerned, in key order, and only then the order's records (fulfilment, pick tasks): so it
never waits for a lock while holding one another run wants first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from otwb.platform.errors import Conflict
from otwb.platform.ids import OrderLineId, SkuId, StockId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import backorder_repo, fulfilment_repo, lot_repo, repo, stock_repo, work_repo
from otwb.warehouse.allocation import Allocated, StockBook, allocate
from otwb.warehouse.events import (
    AllocatedLine,
    BackorderedLine,
    LinesBackordered,
    OrderPicked,
    StockReallocated,
    StockReleased,
)
from otwb.warehouse.fulfilment_repo import TaskRow
from otwb.warehouse.lots import Lot, is_expired, usable_for
from otwb.warehouse.model import Demand, FulfilmentStatus, LotId, StockRow, TaskId, ZoneRole
from otwb.warehouse.tables import stock


def lock_skus(uow: UnitOfWork, sku_ids: Iterable[SkuId]) -> list[Any]:
    """Lock every stock row of these SKUs, in key order (before changing any of them)."""
    return stock_repo.lock_rows(uow, stock.c.sku_id.in_(sorted(set(sku_ids))))


def book_for(
    uow: UnitOfWork, sku_ids: Sequence[SkuId], rows: Sequence[Any] | None = None
) -> tuple[StockBook, dict[LotId, Lot]]:
    """The book of these SKUs, and their lots: ``rows`` already locked, or the rows with stock
    available (locked now); lots and reservations are read after the lock."""
    if rows is None:
        rows = stock_repo.lock_available_stock(uow, sku_ids)
    lots = lot_repo.lots_by_id(uow, {r.lot_id for r in rows if r.lot_id})
    today = uow.clock.now().date()
    usable: list[StockRow] = []
    for r in rows:
        lot = lots.get(r.lot_id) if r.lot_id else None
        if lot is not None and (not lot.status.allocatable or is_expired(lot.expires_on, today)):
            continue
        if r.role == ZoneRole.STAGING.value or r.on_hand <= r.allocated:
            continue
        usable.append(stock_repo.stock_row(r, lot))
    return StockBook(usable, work_repo.active_holds(uow, sku_ids, uow.clock.now())), lots


def eligible(
    today: date, min_shelf_life_days: int, exclude: Iterable[StockId] = ()
) -> Callable[[StockRow], bool]:
    excluded = frozenset(exclude)

    def ok(row: StockRow) -> bool:
        return row.id not in excluded and usable_for(row, today, min_shelf_life_days)

    return ok


def _per_line(parts: Sequence[Unserved]) -> list[Unserved]:
    """One item per order line (several of its tasks may have failed at once)."""
    lines: dict[OrderLineId, Unserved] = {}
    for u in parts:
        seen = lines.get(u.line_id)
        lines[u.line_id] = u if seen is None else replace(seen, quantity=seen.quantity + u.quantity)
    return list(lines.values())


def _untried(
    ok: Callable[[StockRow], bool], line_id: OrderLineId, tried: set[tuple[OrderLineId, StockId]]
) -> Callable[[StockRow], bool]:
    """Eligible, and not a bin-lot that already failed this line."""
    return lambda row: ok(row) and (line_id, row.id) not in tried


def write_book(uow: UnitOfWork, book: StockBook) -> None:
    """Write what the run promised (allocated counters) and consumed (reservations)."""
    stock_repo.promise(uow, book.promised)
    work_repo.consume_holds(uow, book.consumed)


@dataclass(frozen=True, slots=True)
class Unserved:
    """Part of an order line that lost its stock and needs another bin-lot."""

    fulfilment_id: str
    line_id: OrderLineId
    sku_id: SkuId
    quantity: int
    pick_list_id: str | None
    failed_stock: StockId


def release(
    uow: UnitOfWork, tasks: Sequence[TaskRow], parts: Sequence[int] | None = None
) -> list[Unserved]:
    """Take back the promises of these open tasks -- all of each, or ``parts`` of them (the
    rest stays promised on its task). The caller locked the rows."""
    amounts = list(parts) if parts is not None else [t.pick.quantity for t in tasks]
    whole = [t.pick.task_id for t, q in zip(tasks, amounts, strict=True) if q == t.pick.quantity]
    fulfilment_repo.release_tasks(uow, [t for t in whole if t])
    for t, q in sorted(zip(tasks, amounts, strict=True), key=lambda tq: tq[0].pick.stock_id):
        if q < t.pick.quantity and t.pick.task_id:
            fulfilment_repo.increase_task(uow, t.pick.task_id, -q)
        stock_repo.release_allocated(uow, t.pick.stock_id, q)
    return [
        Unserved(t.fulfilment_id, t.pick.line_id, t.pick.sku_id, q, t.pick_list_id, t.pick.stock_id)
        for t, q in zip(tasks, amounts, strict=True)
        if q
    ]


def find_elsewhere(
    uow: UnitOfWork,
    unserved: Sequence[Unserved],
    reason: str,
    exclude: Iterable[StockId] = (),
    *,
    reallocate: bool = True,
) -> None:
    """Allocate what lost its stock again, in its order's warehouse (unless not to
    ``reallocate``), and back-order what nothing can replace."""
    if not unserved:
        return
    skus = repo.skus_by_id(uow, {u.sku_id for u in unserved})
    book, _ = book_for(uow, sorted(skus), lock_skus(uow, skus))
    fulfilments = fulfilment_repo.fulfilments_by_id(uow, {u.fulfilment_id for u in unserved})
    warehouses = {w.id: w for w in repo.list_warehouses(uow)}
    today = uow.clock.now().date()
    by_order: dict[str, list[Unserved]] = defaultdict(list)
    for u in unserved:
        by_order[u.fulfilment_id].append(u)
    for fulfilment_id, parts in sorted(by_order.items()):
        f = fulfilments[fulfilment_id]
        items = _per_line(parts)
        tried = {(p.line_id, p.stock_id) for p in f.picks if p.status != "open"}
        tried |= {(u.line_id, u.failed_stock) for u in items}
        open_tasks = {(p.line_id, p.stock_id): p.task_id for p in f.picks if p.status == "open"}
        moved: list[AllocatedLine] = []
        short: list[tuple[OrderLineId, SkuId, int]] = []
        for u in items:
            line_ok = eligible(today, f.min_shelf_life_days, exclude)
            result = (
                None
                if not reallocate
                else allocate(
                    [Demand(u.line_id, u.sku_id, u.quantity)],
                    book,
                    [warehouses[f.warehouse_id]],
                    f.ship_to,
                    customer_id=f.customer_id,
                    eligible=_untried(line_ok, u.line_id, tried),
                    partial=True,
                )
            )
            picks = result.picks if isinstance(result, Allocated) else ()
            new_tasks: list[TaskId] = []
            for p in picks:
                existing = open_tasks.get((p.line_id, p.stock_id))
                if existing is not None:
                    fulfilment_repo.increase_task(uow, existing, p.quantity)
                else:
                    [made] = fulfilment_repo.insert_picks(uow, [(fulfilment_id, p)])
                    open_tasks[p.line_id, p.stock_id] = made
                    new_tasks.append(made)
                moved.append(
                    AllocatedLine(line_id=p.line_id, sku=skus[p.sku_id].code, quantity=p.quantity)
                )
            if u.pick_list_id is not None and new_tasks:
                fulfilment_repo.append_to_pick_list(uow, u.pick_list_id, new_tasks)
            missing = u.quantity - sum(p.quantity for p in picks)
            if missing:
                short.append((u.line_id, u.sku_id, missing))
        if moved:
            uow.record(
                StockReallocated(
                    order_id=f.order_id,
                    warehouse_id=f.warehouse_id,
                    reason=reason,
                    lines=tuple(moved),
                )
            )
        if short:
            backorder_repo.insert_backorders(uow, f.id, short, reason)
            uow.record(
                LinesBackordered(
                    order_id=f.order_id,
                    warehouse_id=f.warehouse_id,
                    reason=reason,
                    lines=tuple(
                        BackorderedLine(line_id=line, sku=skus[sku].code, quantity=qty)
                        for line, sku, qty in short
                    ),
                )
            )
    write_book(uow, book)
    for fulfilment_id in sorted(by_order):
        settle(uow, fulfilment_id)


def take_away(
    uow: UnitOfWork, row: StockRow, quantity: int, kind: str, reason: str, reference: str | None
) -> None:
    """Less is in a bin than recorded (an adjustment, a count): on hand drops; what was
    promised from it beyond what is left -- newest promises first, only that part of them -- is
    allocated elsewhere or back-ordered. The caller locked the SKU's rows."""
    excess = quantity - row.available
    tasks: list[TaskRow] = []
    parts: list[int] = []
    for task in reversed(fulfilment_repo.open_tasks_on(uow, [row.id])):  # newest first
        if excess <= 0:
            break
        tasks.append(task)
        parts.append(min(excess, task.pick.quantity))
        excess -= parts[-1]
    unserved = release(uow, tasks, parts)
    stock_repo.change_on_hand(uow, [(row.id, -quantity)], kind, reference, reason)
    find_elsewhere(uow, unserved, reason)


def settle(uow: UnitOfWork, fulfilment_id: str) -> None:
    """A fulfilment still allocated with no open task left is done picking: picked if anything
    was picked (``OrderPicked``), released otherwise (nothing left to ship)."""
    f = fulfilment_repo.fulfilments_by_id(uow, [fulfilment_id])[fulfilment_id]
    if f.status is not FulfilmentStatus.ALLOCATED or f.open_picks:
        return
    to = FulfilmentStatus.PICKED if f.picked_units else FulfilmentStatus.RELEASED
    moved = f.moved_to(to)
    if not fulfilment_repo.save_fulfilment_status(uow, moved, f.status):
        raise Conflict(f"order {f.order_id} changed while this request ran; try again")
    if to is FulfilmentStatus.RELEASED:
        uow.record(StockReleased(order_id=f.order_id, warehouse_id=f.warehouse_id, units=0))
        return
    picked = [p for p in f.picks if p.status == "picked" and p.picked]
    uow.record(
        OrderPicked(
            order_id=f.order_id,
            warehouse_id=f.warehouse_id,
            customer_id=f.customer_id,
            lines=len({p.line_id for p in picked}),
            units=sum(p.picked for p in picked),
            picked_at=uow.clock.now(),
            short_units=sum(q for _, _, q in backorder_repo.backordered(uow, f.id)),
        )
    )
