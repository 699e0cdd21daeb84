"""W's outbound use cases: allocate orders, confirm an order's pick, pack it, hand it to
transport, or release it when the order is cancelled. (Waves, pick lists and pick tasks one by
one are in ``picking.py``.)

No oversell, on either database: an allocation run promises from the locked book of
``promises.py`` -- by default each order all lines or none; with the *partial* policy, what the
best-stocked warehouse has, the rest back-ordered -- and writes the counters in the same
transaction. The CHECK constraints on ``stock`` are the last line of defence, and
``UNIQUE(tenant_id, order_id)`` on fulfilments stops a double allocation.

The order's cut-off (by when it must be packed; waves are planned by it) is given with the
request or, for an order with a delivery window, the window's start less ``PICK_LEAD``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from otwb.platform.errors import Conflict, InvalidInput, OutOfStock
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, SkuId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse import (
    fulfilment_repo,
    packing,
    promises,
    repo,
    serial_repo,
    stock_repo,
    work_repo,
)
from otwb.warehouse.allocation import Allocated, StockBook, allocate
from otwb.warehouse.events import (
    AllocatedLine,
    AllocationFailed,
    OrderHandedOver,
    OrderPacked,
    OrderPicked,
    PackedParcel,
    ShortLine,
    StockAllocated,
    StockReleased,
)
from otwb.warehouse.lots import Lot
from otwb.warehouse.model import (
    Demand,
    Fulfilment,
    FulfilmentStatus,
    LotId,
    Parcel,
    Sku,
    Warehouse,
)

log = logging.getLogger("otwb.warehouse")

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


def allocate_orders(
    uow: UnitOfWork, requests: Sequence[AllocationRequest]
) -> list[Fulfilment | OutOfStock]:
    """Allocate each order from the nearest warehouse that has it all (or, with the partial
    policy, as much as the best-stocked one has); otherwise not at all.

    One transaction for the whole run: the orders are served one after the other from one
    locked book (so none can take what another was promised), lots by FEFO/FIFO within each
    customer's shelf-life rule, and every outcome is published -- ``StockAllocated`` or
    ``AllocationFailed`` with the shortages.
    """
    outcomes: list[Fulfilment | OutOfStock] = []
    with uow:
        skus = repo.skus_by_code(uow, sorted({x.sku for r in requests for x in r.lines}))
        codes = {sku.id: code for code, sku in skus.items()}
        book, lots = promises.book_for(uow, sorted(s.id for s in skus.values()))
        warehouses = repo.list_warehouses(uow)
        rules = work_repo.shelf_life_rules(uow, {r.customer_id for r in requests})
        allocated: list[Fulfilment] = []
        short_lines: list[tuple[str, list[tuple[OrderLineId, str, int]]]] = []
        for request in requests:
            outcome = _allocate(uow, request, skus, codes, book, warehouses, rules)
            outcomes.append(outcome)
            if isinstance(outcome, OutOfStock):
                uow.record(
                    AllocationFailed(
                        order_id=request.order_id,
                        reason=outcome.detail,
                        short=tuple(ShortLine(**item) for item in outcome.extra["short"]),
                    )
                )
                continue
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
            fulfilment_repo.insert_backorders(
                uow,
                fulfilment_id,
                [(line, skus[code].id, qty) for line, code, qty in missing],
                "partial_allocation",
            )
        uow.commit()
    return outcomes


def _allocate(
    uow: UnitOfWork,
    request: AllocationRequest,
    skus: dict[str, Sku],
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
    demand = [Demand(x.line_id, skus[x.sku].id, x.quantity) for x in request.lines]
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
        return OutOfStock(
            f"order {request.order_id}: no warehouse can serve every line",
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


def confirm_pick(uow: UnitOfWork, order_id: OrderId) -> Fulfilment:
    """The picker took every open pick task of the order in full: on hand drops, promise kept.
    (Serial-tracked goods are confirmed task by task, with their serials.)"""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id)
        promises.lock_skus(uow, {p.sku_id for p in fulfilment.open_picks})
        picked = _move(uow, fulfilment, FulfilmentStatus.PICKED)
        todo = sorted(fulfilment.open_picks, key=lambda p: p.stock_id)
        skus = repo.skus_by_id(uow, {p.sku_id for p in todo})
        if any(skus[p.sku_id].serial_tracked for p in todo):
            raise InvalidInput("serial-tracked goods: confirm their pick tasks with the serials")
        for pick in todo:
            assert pick.task_id is not None
            stock_repo.take_picked(uow, pick.stock_id, pick.quantity, order_id)
            fulfilment_repo.mark_picked(uow, pick.task_id, pick.quantity)
        done = fulfilment_repo.get_fulfilment(uow, order_id).picks
        taken = [p for p in done if p.status == "picked" and p.picked]
        uow.record(
            OrderPicked(
                order_id=order_id,
                warehouse_id=fulfilment.warehouse_id,
                customer_id=fulfilment.customer_id,
                lines=len({p.line_id for p in taken}),
                units=sum(p.picked for p in taken),
                picked_at=uow.clock.now(),
                short_units=sum(q for _, _, q in fulfilment_repo.backordered(uow, fulfilment.id)),
            )
        )
        uow.commit()
    return replace(picked, picks=done)


def pack_order(
    uow: UnitOfWork, order_id: OrderId, parcels: Sequence[Parcel] | None = None
) -> Fulfilment:
    """Pack the picked goods into parcels -- given, or cartonised from the box catalogue (or
    standard parcels without one) -- each labelled with an SSCC."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id)
        packed = _move(uow, fulfilment, FulfilmentStatus.PACKED)
        if parcels is None:
            parcels = packing.parcels_for(uow, fulfilment)
        if not parcels:
            raise InvalidInput("packing needs at least one parcel")
        labelled = packing.label(uow, parcels)
        fulfilment_repo.insert_parcels(uow, fulfilment.id, labelled)
        uow.record(
            OrderPacked(
                order_id=order_id,
                warehouse_id=fulfilment.warehouse_id,
                parcels=tuple(
                    PackedParcel(
                        seq=i, weight_kg=p.weight_kg, volume_m3=p.volume_m3, sscc=p.sscc, box=p.box
                    )
                    for i, p in enumerate(labelled, start=1)
                ),
            )
        )
        uow.commit()
    return replace(packed, parcels=tuple(labelled))


def hand_over(uow: UnitOfWork, order_id: OrderId) -> Fulfilment:
    """The parcels are at the dock: transport takes the order from here."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id)
        handed = _move(uow, fulfilment, FulfilmentStatus.HANDED_OVER)
        skus = repo.skus_by_id(uow, {p.sku_id for p in fulfilment.picks if p.picked})
        uow.record(
            OrderHandedOver(
                order_id=order_id,
                warehouse_id=fulfilment.warehouse_id,
                customer_id=fulfilment.customer_id,
                ship_to_name=fulfilment.ship_to_name,
                ship_to_address=fulfilment.ship_to_address,
                lat=fulfilment.ship_to.lat,
                lon=fulfilment.ship_to.lon,
                service_level=fulfilment.service_level,
                window_start=fulfilment.window_start,
                window_end=fulfilment.window_end,
                weight_kg=sum(p.weight_kg for p in fulfilment.parcels),
                volume_m3=sum(p.volume_m3 for p in fulfilment.parcels),
                parcel_count=len(fulfilment.parcels),
                temperature_class=TemperatureClass.strictest(
                    s.temperature_class for s in skus.values()
                ).value,
                parcel_ids=tuple(p.sscc for p in fulfilment.parcels if p.sscc),
            )
        )
        uow.commit()
    return handed


def release_order(uow: UnitOfWork, order_id: OrderId) -> Fulfilment:
    """The order was cancelled: free what is still promised, put picked goods back."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id)
        promises.lock_skus(uow, {p.sku_id for p in fulfilment.picks})
        released = _move(uow, fulfilment, FulfilmentStatus.RELEASED)
        ordered = sorted(fulfilment.picks, key=lambda p: p.stock_id)
        still_open = [p for p in ordered if p.status == "open"]
        taken = [p for p in ordered if p.status == "picked" and p.picked]
        for pick in still_open:
            stock_repo.release_allocated(uow, pick.stock_id, pick.quantity)
        fulfilment_repo.set_allocation_status(uow, fulfilment.id, "open", "released")
        stock_repo.change_on_hand(uow, [(p.stock_id, p.picked) for p in taken], "return", order_id)
        serial_repo.put_back(uow, order_id)
        uow.record(
            StockReleased(
                order_id=order_id,
                warehouse_id=fulfilment.warehouse_id,
                units=sum(p.quantity for p in still_open) + sum(p.picked for p in taken),
            )
        )
        uow.commit()
    return released


def get_fulfilment(uow: UnitOfWork, order_id: OrderId) -> Fulfilment:
    with uow:
        return fulfilment_repo.get_fulfilment(uow, order_id)


def list_fulfilments(
    uow: UnitOfWork,
    warehouse_id: WarehouseId | None = None,
    status: FulfilmentStatus | None = None,
    limit: int = 1000,
) -> list[OrderId]:
    """The orders a warehouse is serving, by status (the pick list of the day, for example)."""
    with uow:
        return fulfilment_repo.list_fulfilments(uow, warehouse_id, status, limit)


def backorders(uow: UnitOfWork, order_id: OrderId) -> list[tuple[OrderLineId, str, int]]:
    """What of an allocated order could not be served: (line, SKU code, quantity)."""
    with uow:
        f = fulfilment_repo.get_fulfilment(uow, order_id)
        items = fulfilment_repo.backordered(uow, f.id)
        skus = repo.skus_by_id(uow, {s for _, s, _ in items})
    return [(line, skus[s].code, q) for line, s, q in items]


def _move(uow: UnitOfWork, fulfilment: Fulfilment, to: FulfilmentStatus) -> Fulfilment:
    moved = fulfilment.moved_to(to)
    if not fulfilment_repo.save_fulfilment_status(uow, moved, fulfilment.status):
        raise Conflict(f"order {fulfilment.order_id} changed while this request ran; try again")
    return moved
