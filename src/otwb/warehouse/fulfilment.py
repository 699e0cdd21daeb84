"""W's outbound use cases after allocation: confirm an order's pick, pack it, hand it to
transport, or release it when the order is cancelled. (Allocation is in
``fulfilment_allocation.py``, re-exported here; waves, pick lists and pick tasks one by one are
in ``picking.py``.)

An order split by O's sourcing has one fulfilment per warehouse: each use case takes the
warehouse of the part (needed only when the order has several parts).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from otwb.platform.errors import Conflict, InvalidInput
from otwb.platform.ids import OrderId, OrderLineId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.warehouse import (
    backorder_repo,
    fulfilment_repo,
    packing,
    promises,
    repo,
    serial_repo,
    stock_repo,
)
from otwb.warehouse.events import (
    OrderHandedOver,
    OrderPacked,
    OrderPicked,
    PackedParcel,
    StockReleased,
)
from otwb.warehouse.fulfilment_allocation import (
    PICK_LEAD,
    AllocationRequest,
    RequestedLine,
    allocate_orders,
)
from otwb.warehouse.model import Fulfilment, FulfilmentStatus, Parcel

__all__ = [
    "PICK_LEAD",
    "AllocationRequest",
    "RequestedLine",
    "allocate_orders",
    "backorders",
    "confirm_pick",
    "get_fulfilment",
    "hand_over",
    "list_fulfilments",
    "pack_order",
    "parts",
    "release_order",
]

log = logging.getLogger("otwb.warehouse")


def confirm_pick(
    uow: UnitOfWork, order_id: OrderId, warehouse_id: WarehouseId | None = None
) -> Fulfilment:
    """The picker took every open pick task of the order in full: on hand drops, promise kept.
    (Serial-tracked goods are confirmed task by task, with their serials.)"""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id, warehouse_id)
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
        done = fulfilment_repo.get_fulfilment(uow, order_id, warehouse_id).picks
        taken = [p for p in done if p.status == "picked" and p.picked]
        uow.record(
            OrderPicked(
                order_id=order_id,
                warehouse_id=fulfilment.warehouse_id,
                customer_id=fulfilment.customer_id,
                lines=len({p.line_id for p in taken}),
                units=sum(p.picked for p in taken),
                picked_at=uow.clock.now(),
                short_units=sum(q for _, _, q in backorder_repo.backordered(uow, fulfilment.id)),
            )
        )
        uow.commit()
    return replace(picked, picks=done)


def pack_order(
    uow: UnitOfWork,
    order_id: OrderId,
    parcels: Sequence[Parcel] | None = None,
    warehouse_id: WarehouseId | None = None,
) -> Fulfilment:
    """Pack the picked goods into parcels -- given, or cartonised from the box catalogue (or
    standard parcels without one) -- each labelled with an SSCC."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id, warehouse_id)
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


def hand_over(
    uow: UnitOfWork, order_id: OrderId, warehouse_id: WarehouseId | None = None
) -> Fulfilment:
    """The parcels are at the dock: transport takes the order from here."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id, warehouse_id)
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
                consolidation_id=fulfilment.consolidation_id,
            )
        )
        uow.commit()
    return handed


def release_order(
    uow: UnitOfWork, order_id: OrderId, warehouse_id: WarehouseId | None = None
) -> Fulfilment:
    """The order was cancelled: free what is still promised, put picked goods back."""
    with uow:
        fulfilment = fulfilment_repo.get_fulfilment(uow, order_id, warehouse_id)
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


def get_fulfilment(
    uow: UnitOfWork, order_id: OrderId, warehouse_id: WarehouseId | None = None
) -> Fulfilment:
    with uow:
        return fulfilment_repo.get_fulfilment(uow, order_id, warehouse_id)


def parts(uow: UnitOfWork, order_id: OrderId) -> list[WarehouseId]:
    """The warehouses serving the order: one, or one per part of a split order."""
    with uow:
        return fulfilment_repo.parts_of(uow, order_id)


def list_fulfilments(
    uow: UnitOfWork,
    warehouse_id: WarehouseId | None = None,
    status: FulfilmentStatus | None = None,
    limit: int = 1000,
) -> list[OrderId]:
    """The orders a warehouse is serving, by status (the pick list of the day, for example)."""
    with uow:
        return fulfilment_repo.list_fulfilments(uow, warehouse_id, status, limit)


def backorders(
    uow: UnitOfWork, order_id: OrderId, warehouse_id: WarehouseId | None = None
) -> list[tuple[OrderLineId, str, int]]:
    """What of an allocated order could not be served: (line, SKU code, quantity)."""
    with uow:
        f = fulfilment_repo.get_fulfilment(uow, order_id, warehouse_id)
        items = backorder_repo.backordered(uow, f.id)
        skus = repo.skus_by_id(uow, {s for _, s, _ in items})
    return [(line, skus[s].code, q) for line, s, q in items]


def _move(uow: UnitOfWork, fulfilment: Fulfilment, to: FulfilmentStatus) -> Fulfilment:
    moved = fulfilment.moved_to(to)
    if not fulfilment_repo.save_fulfilment_status(uow, moved, fulfilment.status):
        raise Conflict(f"order {fulfilment.order_id} changed while this request ran; try again")
    return moved
