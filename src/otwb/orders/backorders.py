"""Back-orders on the order: what the warehouse could not serve yet, and its automatic retry.

W reports what it cannot serve -- a whole order it could not allocate (``AllocationFailed``),
the short part of a partial allocation (``StockAllocated.short``), lines lost later
(``LinesBackordered``). O keeps those quantities per order line (shown on the order) and, when
stock of one of those SKUs arrives (a receipt, an ASN's goods put away, a transfer received),
re-releases the waiting orders to the warehouse oldest first (FIFO by placing time). An order
that was partly allocated is re-released with the partial policy (it keeps what it can get);
a fully allocated order's back-orders are cleared.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from otwb.orders import changes_repo, repo
from otwb.orders.model import Backorder, Order, OrderLine, OrderStatus
from otwb.orders.release import release_to_warehouse
from otwb.platform.ids import OrderId, OrderLineId
from otwb.platform.uow import UnitOfWork

log = logging.getLogger("otwb.orders")

RETRY_BATCH = 500
"""Orders re-released per stock arrival at most (the oldest); later arrivals retry the rest."""


@dataclass(frozen=True)
class Shortage:
    """What W could not serve of an order: by line (``lines``) or by SKU (``skus``)."""

    order_id: OrderId
    lines: dict[OrderLineId, int] | None = None
    skus: dict[str, int] | None = None
    replaces: bool = True
    """True: this report is the whole truth for the order (an allocation run)."""


def record_shortages(uow: UnitOfWork, reports: Sequence[Shortage]) -> None:
    """Keep the back-ordered quantities of these orders (one transaction for the lot)."""
    with uow:
        changes_repo.clear_backorders(uow, [r.order_id for r in reports if r.replaces])
        short = [r for r in reports if r.lines or r.skus]
        if short:
            ids = [r.order_id for r in short]
            lines = repo.lines_of(uow, ids)
            placed = repo.placed_at(uow, ids)
            now = uow.clock.now()
            items = [
                (r.order_id, placed[r.order_id], b)
                for r in short
                if r.order_id in placed
                for b in _backorders(r, lines[r.order_id], now)
            ]
            changes_repo.add_backorders(uow, items)
        uow.commit()


def _backorders(report: Shortage, lines: Sequence[OrderLine], now: datetime) -> list[Backorder]:
    """Per line: a line-level report as is; a SKU-level one spread over the SKU's lines."""
    if report.lines:
        by_id = {x.id: x for x in lines}
        return [
            Backorder(line_id, by_id[line_id].sku, qty, now)
            for line_id, qty in report.lines.items()
            if line_id in by_id and qty > 0
        ]
    out: list[Backorder] = []
    left = dict(report.skus or {})
    for line in reversed(lines):  # the last lines of a SKU are the ones left unserved
        want = min(left.get(line.sku, 0), line.quantity)
        if want > 0:
            out.append(Backorder(line.id, line.sku, want, now))
            left[line.sku] -= want
    return out


def retry_for_stock(uow: UnitOfWork, skus: Iterable[str]) -> list[OrderId]:
    """Stock of these SKUs arrived: re-release the orders waiting for them, oldest first."""
    wanted = sorted({s for s in skus if s})
    if not wanted:
        return []
    with uow:
        waiting = changes_repo.waiting_for(uow, wanted, RETRY_BATCH)
        if not waiting:
            return []
        statuses = repo.lock_statuses(uow, waiting)
        whole: list[Order] = []
        partly: list[Order] = []
        for order_id in waiting:  # FIFO
            status = statuses.get(order_id)
            if status is OrderStatus.PLACED:
                whole.append(repo.get_order(uow, order_id))
            elif status is OrderStatus.ALLOCATED:
                partly.append(repo.get_order(uow, order_id))
        now = uow.clock.now()
        repo.set_statuses(uow, [(o.id, OrderStatus.PLACED) for o in partly], now)
        retried = whole + partly
        repo.add_timeline_entries(
            uow,
            [(o.id, "backorder_retry", f"stock of {', '.join(wanted)} arrived") for o in retried],
            now,
        )
        release_to_warehouse(uow, whole, "backorder_retry")
        release_to_warehouse(uow, partly, "backorder_retry", partial=True)
        uow.commit()
    log.info("back-orders retried for %d order(s) on arrival of %s", len(retried), wanted)
    return [o.id for o in retried]
