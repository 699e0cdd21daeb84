"""W allocates orders: each request (a whole order, or one warehouse's part of an order that
O's sourcing split) is served from the locked book of ``promises.py`` -- by default all lines
or none; with the *partial* policy, what the best-stocked warehouse has, the rest back-ordered
-- and the counters are written in the same transaction. The CHECK constraints on ``stock`` are
the last line of defence, and ``UNIQUE(tenant_id, order_id, warehouse_id)`` on fulfilments
stops a double allocation of any part.

The order's cut-off (by when it must be packed; waves are planned by it) is given with the
request or, for an order with a delivery window, the window's start less ``PICK_LEAD``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from otwb.platform.errors import Conflict, OutOfStock
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, SkuId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import backorder_repo, fulfilment_repo, promises, repo, work_repo
from otwb.warehouse.allocation import Allocated, StockBook, allocate
from otwb.warehouse.events import AllocatedLine, AllocationFailed, ShortLine, StockAllocated
from otwb.warehouse.lots import Lot
from otwb.warehouse.model import Demand, Fulfilment, FulfilmentStatus, LotId, Warehouse

PICK_LEAD = timedelta(minutes=90)
"""Picking and packing lead time before a delivery window opens: the default cut-off."""


@dataclass(frozen=True)
class RequestedLine:
    line_id: OrderLineId
    sku: str
    quantity: int


@dataclass(frozen=True)
class AllocationRequest:
    """What W needs to know of an order to serve it (it comes with ``OrderPlaced``)."""

    order_id: OrderId
    customer_id: CustomerId
    lines: Sequence[RequestedLine]
    ship_to_name: str
    ship_to_address: str
    ship_to: GeoPoint
    service_level: str
    window_start: datetime | None = None
    window_end: datetime | None = None
    partial: bool = False
    """Allocate what is there and back-order the rest, instead of all lines or nothing."""
    min_shelf_life_days: int | None = None
    """Days of shelf life the goods must have left; None: the customer's rule (or 0)."""
    carrier: str | None = None
    route: str | None = None
    cut_off: datetime | None = None
    warehouse_id: WarehouseId | None = None
    """The warehouse O's sourcing chose for these lines (a part of the order); None: W picks
    the nearest that can serve them. A whole order sourced to a warehouse that can no longer
    serve it (stock moved since the decision) falls back to that rule; a part does not."""
    whole_order: bool = True
    """False for one part of an order split across warehouses."""


def allocate_orders(
    uow: UnitOfWork, requests: Sequence[AllocationRequest]
) -> list[Fulfilment | OutOfStock]:
    """Allocate each order from the nearest warehouse that has it all (or, with the partial
    policy, as much as the best-stocked one has); otherwise not at all.

    One transaction for the whole run: the orders are served one after the other from one
    locked book (so none can take what another was promised), lots by FEFO/FIFO within each
    customer's shelf-life rule, and every outcome is published -- ``StockAllocated`` or
    ``AllocationFailed`` with the shortages. The parts of a split order (consecutive
    requests of one order) are allocated all or none: one part refused, the others are not
    promised, and the order gets one ``AllocationFailed``.
    """
    outcomes: list[Fulfilment | OutOfStock] = []
    with uow:
        skus = repo.sku_ids_by_code(uow, sorted({x.sku for r in requests for x in r.lines}))
        codes = {sku_id: code for code, sku_id in skus.items()}
        book, lots = promises.book_for(uow, sorted(skus.values()))
        warehouses = repo.list_warehouses(uow)
        rules = work_repo.shelf_life_rules(uow, {r.customer_id for r in requests})
        allocated: list[Fulfilment] = []
        short_lines: list[tuple[str, list[tuple[OrderLineId, str, int]]]] = []
        for group in _by_order(requests):
            mark = book.checkpoint() if len(group) > 1 else None
            results = [_allocate(uow, r, skus, codes, book, warehouses, rules) for r in group]
            failed = next((x for x in results if isinstance(x, OutOfStock)), None)
            if failed is not None:
                if mark is not None:  # a split order: all its parts or none
                    book.restore(mark)
                outcomes.extend([failed] * len(group))
                uow.record(
                    AllocationFailed(
                        order_id=group[0].order_id,
                        reason=failed.detail,
                        short=tuple(ShortLine(**item) for item in failed.extra["short"]),
                    )
                )
                continue
            for request, outcome in zip(group, results, strict=True):
                assert isinstance(outcome, Fulfilment)
                outcomes.append(outcome)
                allocated.append(outcome)
                missing = _missing(request, outcome)
                if missing:
                    short_lines.append((outcome.id, missing))
                uow.record(_allocated_event(outcome, codes, lots, missing))
        promises.write_book(uow, book)
        try:
            fulfilment_repo.insert_fulfilments(uow, allocated)
        except IntegrityError:
            raise Conflict("an order of this run is already allocated") from None
        for fulfilment_id, missing in short_lines:
            backorder_repo.insert_backorders(
                uow,
                fulfilment_id,
                [(line, skus[code], qty) for line, code, qty in missing],
                "partial_allocation",
            )
        uow.commit()
    return outcomes


def _by_order(requests: Sequence[AllocationRequest]) -> list[list[AllocationRequest]]:
    """The run's requests, the parts of a split order (consecutive) grouped together."""
    groups: list[list[AllocationRequest]] = []
    for r in requests:
        if groups and not r.whole_order and groups[-1][0].order_id == r.order_id:
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


def _allocate(
    uow: UnitOfWork,
    request: AllocationRequest,
    skus: dict[str, SkuId],
    codes: dict[SkuId, str],
    book: StockBook,
    warehouses: Sequence[Warehouse],
    rules: dict[CustomerId, int],
) -> Fulfilment | OutOfStock:
    unknown = sorted({x.sku for x in request.lines} - set(skus))
    if unknown:
        return OutOfStock(
            f"order {request.order_id}: unknown SKU(s) {', '.join(unknown)}", short=[]
        )
    min_days = request.min_shelf_life_days
    if min_days is None:
        min_days = rules.get(request.customer_id, 0)
    demand = [Demand(x.line_id, skus[x.sku], x.quantity) for x in request.lines]
    result = allocate(
        demand,
        book,
        _candidates(request, warehouses),
        request.ship_to,
        customer_id=request.customer_id,
        eligible=promises.eligible(uow.clock.now().date(), min_days),
        partial=request.partial,
    )
    if not isinstance(result, Allocated) and request.warehouse_id and request.whole_order:
        result = allocate(
            demand,
            book,
            warehouses,
            request.ship_to,
            customer_id=request.customer_id,
            eligible=promises.eligible(uow.clock.now().date(), min_days),
            partial=request.partial,
        )
    if not isinstance(result, Allocated):
        where = (
            f"warehouse {request.warehouse_id} cannot serve every line of this part"
            if request.warehouse_id and not request.whole_order
            else "no warehouse can serve every line"
        )
        return OutOfStock(
            f"order {request.order_id}: {where}",
            short=[
                {"sku": codes[s.sku_id], "requested": s.requested, "available": s.available}
                for s in result
            ],
        )
    cut_off = request.cut_off
    if cut_off is None and request.window_start is not None:
        cut_off = request.window_start - PICK_LEAD
    return Fulfilment(
        id=uow.ids.new("ful"),
        order_id=request.order_id,
        warehouse_id=result.warehouse.id,
        customer_id=request.customer_id,
        status=FulfilmentStatus.ALLOCATED,
        ship_to_name=request.ship_to_name,
        ship_to_address=request.ship_to_address,
        ship_to=request.ship_to,
        service_level=request.service_level,
        window_start=request.window_start,
        window_end=request.window_end,
        picks=result.picks,
        carrier=request.carrier,
        route=request.route,
        cut_off=cut_off,
        min_shelf_life_days=min_days,
    )


def _candidates(request: AllocationRequest, warehouses: Sequence[Warehouse]) -> list[Warehouse]:
    if request.warehouse_id is None:
        return list(warehouses)
    return [w for w in warehouses if w.id == request.warehouse_id]


def _missing(request: AllocationRequest, outcome: Fulfilment) -> list[tuple[OrderLineId, str, int]]:
    """Per line, what a partial allocation did not serve."""
    served: dict[OrderLineId, int] = {}
    for p in outcome.picks:
        served[p.line_id] = served.get(p.line_id, 0) + p.quantity
    return [
        (x.line_id, x.sku, x.quantity - served.get(x.line_id, 0))
        for x in request.lines
        if x.quantity > served.get(x.line_id, 0)
    ]


def _allocated_event(
    f: Fulfilment,
    codes: dict[SkuId, str],
    lots: dict[LotId, Lot],
    missing: list[tuple[OrderLineId, str, int]],
) -> StockAllocated:
    served: dict[str, int] = {}
    for p in f.picks:
        served[codes[p.sku_id]] = served.get(codes[p.sku_id], 0) + p.quantity
    lacking: dict[str, int] = {}
    for _, code, qty in missing:
        lacking[code] = lacking.get(code, 0) + qty
    return StockAllocated(
        order_id=f.order_id,
        warehouse_id=f.warehouse_id,
        lines=tuple(
            AllocatedLine(
                line_id=p.line_id,
                sku=codes[p.sku_id],
                quantity=p.quantity,
                lot=lots[p.lot_id].code if p.lot_id else None,
                expires_on=lots[p.lot_id].expires_on if p.lot_id else None,
            )
            for p in f.picks
        ),
        short=tuple(
            ShortLine(sku=code, requested=served.get(code, 0) + qty, available=served.get(code, 0))
            for code, qty in sorted(lacking.items())
        ),
    )
