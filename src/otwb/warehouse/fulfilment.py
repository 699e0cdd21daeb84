"""W's outbound use cases: allocate an order, confirm its pick, pack it, hand it to transport,
or release it when the order is cancelled.

No oversell, on either database: an allocation run locks the candidate stock rows in primary-key
order (so concurrent runs queue and never deadlock), promises from that locked book -- each order
all lines or none -- and writes the counters in the same transaction. The CHECK constraints on
``stock`` are the last line of defence, and ``UNIQUE(tenant_id, order_id)`` on fulfilments stops
a double allocation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from otwb.platform.errors import Conflict, InvalidInput, OutOfStock
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse import fulfilment_repo, repo
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
from otwb.warehouse.model import (
    Allocated,
    Demand,
    Fulfilment,
    FulfilmentStatus,
    Parcel,
    Sku,
    StockBook,
    Warehouse,
    allocate,
    default_parcels,
)

log = logging.getLogger("otwb.warehouse")


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


def allocate_orders(
    uow: UnitOfWork, requests: Sequence[AllocationRequest]
) -> list[Fulfilment | OutOfStock]:
    """Allocate each order in full from the nearest warehouse that has it all, or not at all.

    One transaction for the whole run: the candidate stock rows are locked in primary-key
    order, the orders are served one after the other from that book (so none can take what
    another was promised), and every outcome is published -- ``StockAllocated`` or
    ``AllocationFailed`` with the shortages.
    """
    outcomes: list[Fulfilment | OutOfStock] = []
    with uow:
        skus = repo.skus_by_code(uow, sorted({x.sku for r in requests for x in r.lines}))
        codes = {sku.id: code for code, sku in skus.items()}
        book = StockBook(repo.lock_available_stock(uow, sorted(codes)))
        warehouses = repo.list_warehouses(uow)
        allocated: list[Fulfilment] = []
        for request in requests:
            outcome = _allocate(uow, request, skus, book, warehouses)
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
            uow.record(
                StockAllocated(
                    order_id=request.order_id,
                    warehouse_id=outcome.warehouse_id,
                    lines=tuple(
                        AllocatedLine(line_id=p.line_id, sku=codes[p.sku_id], quantity=p.quantity)
                        for p in outcome.picks
                    ),
                )
            )
        repo.promise(uow, book.promised)
        try:
            fulfilment_repo.insert_fulfilments(uow, allocated)
        except IntegrityError:
            raise Conflict("an order of this run is already allocated") from None
        uow.commit()
    return outcomes


def _allocate(
    uow: UnitOfWork,
    request: AllocationRequest,
    skus: dict[str, Sku],
    book: StockBook,
    warehouses: Sequence[Warehouse],
) -> Fulfilment | OutOfStock:
    unknown = sorted({x.sku for x in request.lines} - set(skus))
    if unknown:
        return OutOfStock(
            f"order {request.order_id}: unknown SKU(s) {', '.join(unknown)}", short=[]
        )
    demand = [Demand(x.line_id, skus[x.sku].id, x.quantity) for x in request.lines]
    result = allocate(demand, book, warehouses, request.ship_to)
    if not isinstance(result, Allocated):
        codes = {sku.id: code for code, sku in skus.items()}
        return OutOfStock(
            f"order {request.order_id}: no warehouse can serve every line",
            short=[
                {"sku": codes[s.sku_id], "requested": s.requested, "available": s.available}
                for s in result
            ],
        )
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
    )


def confirm_pick(uow: UnitOfWork, order_id: OrderId) -> Fulfilment:
    """The picker took every allocated unit from its location: on hand drops, promise kept."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id)
        picked = _move(uow, fulfilment, FulfilmentStatus.PICKED)
        for pick in sorted(fulfilment.picks, key=lambda p: p.stock_id):
            repo.take_picked(uow, pick.stock_id, pick.quantity)
        repo.record_movements(
            uow, "pick", order_id, [(p.stock_id, -p.quantity) for p in fulfilment.picks]
        )
        fulfilment_repo.set_allocation_status(uow, fulfilment.id, "open", "picked")
        uow.record(
            OrderPicked(
                order_id=order_id,
                warehouse_id=fulfilment.warehouse_id,
                customer_id=fulfilment.customer_id,
                lines=len({p.line_id for p in fulfilment.picks}),
                units=sum(p.quantity for p in fulfilment.picks),
                picked_at=uow.clock.now(),
            )
        )
        uow.commit()
    return picked


def pack_order(
    uow: UnitOfWork, order_id: OrderId, parcels: Sequence[Parcel] | None = None
) -> Fulfilment:
    """Pack the picked goods into parcels (given, or split by the standard parcel limits)."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id)
        if parcels is None:
            weight, volume = _load(uow, fulfilment)
            parcels = default_parcels(weight, volume)
        if not parcels:
            raise InvalidInput("packing needs at least one parcel")
        packed = _move(uow, fulfilment, FulfilmentStatus.PACKED)
        fulfilment_repo.insert_parcels(uow, fulfilment.id, parcels)
        uow.record(
            OrderPacked(
                order_id=order_id,
                warehouse_id=fulfilment.warehouse_id,
                parcels=tuple(
                    PackedParcel(seq=i, weight_kg=p.weight_kg, volume_m3=p.volume_m3)
                    for i, p in enumerate(parcels, start=1)
                ),
            )
        )
        uow.commit()
    return replace(packed, parcels=tuple(parcels))


def hand_over(uow: UnitOfWork, order_id: OrderId) -> Fulfilment:
    """The parcels are at the dock: transport takes the order from here."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id)
        handed = _move(uow, fulfilment, FulfilmentStatus.HANDED_OVER)
        skus = repo.skus_by_id(uow, sorted({p.sku_id for p in fulfilment.picks}))
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
            )
        )
        uow.commit()
    return handed


def release_order(uow: UnitOfWork, order_id: OrderId) -> Fulfilment:
    """The order was cancelled: free its promised stock, or put picked goods back."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id)
        previous = fulfilment.status
        released = _move(uow, fulfilment, FulfilmentStatus.RELEASED)
        ordered = sorted(fulfilment.picks, key=lambda p: p.stock_id)
        if previous is FulfilmentStatus.ALLOCATED:
            for pick in ordered:
                repo.release_allocated(uow, pick.stock_id, pick.quantity)
            fulfilment_repo.set_allocation_status(uow, fulfilment.id, "open", "released")
        else:  # the goods were already out of their locations: they go back
            for pick in ordered:
                repo.put_back(uow, pick.stock_id, pick.quantity)
            repo.record_movements(
                uow, "return", order_id, [(p.stock_id, p.quantity) for p in ordered]
            )
        uow.record(
            StockReleased(
                order_id=order_id,
                warehouse_id=fulfilment.warehouse_id,
                units=sum(p.quantity for p in ordered),
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


def _move(uow: UnitOfWork, fulfilment: Fulfilment, to: FulfilmentStatus) -> Fulfilment:
    moved = fulfilment.moved_to(to)
    if not fulfilment_repo.save_fulfilment_status(uow, moved, fulfilment.status):
        raise Conflict(f"order {fulfilment.order_id} changed while this request ran; try again")
    return moved


def _load(uow: UnitOfWork, fulfilment: Fulfilment) -> tuple[float, float]:
    skus = repo.skus_by_id(uow, sorted({p.sku_id for p in fulfilment.picks}))
    weight = sum(skus[p.sku_id].weight_kg * p.quantity for p in fulfilment.picks)
    volume = sum(skus[p.sku_id].volume_m3 * p.quantity for p in fulfilment.picks)
    return weight, volume
