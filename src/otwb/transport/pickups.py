"""T's side of returns: an authorised return becomes a pickup at the customer's address for the
order's warehouse (a ``pickup`` shipment that planning puts on a route with the deliveries or
as a backhaul); a cancelled return's pickup is called off unless it has left; and the read
function O uses to know when (and whether) its orders were delivered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from otwb.orders.events import ReturnAuthorised, ReturnCancelled
from otwb.platform.bus import MessageBus
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, ShipmentId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.transport import repo, shipments
from otwb.transport.events import ReturnPickupScheduled
from otwb.transport.model import ShipmentStatus
from otwb.transport.tables import shipments as shipments_table


@dataclass(frozen=True, slots=True)
class Delivery:
    order_id: OrderId
    shipment_id: ShipmentId
    status: ShipmentStatus
    delivered_at: datetime | None
    tracking_number: str


def deliveries(uow: UnitOfWork, order_ids: Sequence[OrderId]) -> dict[OrderId, Delivery]:
    """The delivery of each order T knows of: its status and when it was delivered. A split
    order ships in parts (one shipment per depot): it is delivered when its last part is, and
    until then it stands as the first part still on its way."""
    wanted = sorted(set(order_ids))
    if not wanted:
        return {}
    t = shipments_table
    with uow:
        rows = uow.conn.execute(
            select(t.c.id, t.c.order_id, t.c.status, t.c.delivered_at, t.c.tracking_number)
            .where(t.c.tenant_id == uow.tenant_id, t.c.order_id.in_(wanted))
            .order_by(t.c.id)
        ).all()
    parts: dict[OrderId, list[Delivery]] = {}
    for r in rows:
        parts.setdefault(OrderId(r.order_id), []).append(
            Delivery(
                OrderId(r.order_id),
                ShipmentId(r.id),
                ShipmentStatus(r.status),
                r.delivered_at,
                r.tracking_number,
            )
        )
    return {order_id: _whole(found) for order_id, found in parts.items()}


def _whole(parts: list[Delivery]) -> Delivery:
    live = [p for p in parts if p.status is not ShipmentStatus.CANCELLED] or parts
    waiting = [p for p in live if p.status is not ShipmentStatus.DELIVERED]
    if waiting:
        return waiting[0]
    dated = [(p.delivered_at, p) for p in live if p.delivered_at is not None]
    return max(dated, key=lambda x: x[0])[1] if dated else live[-1]


def schedule_return_pickup(uow: UnitOfWork, e: ReturnAuthorised) -> ShipmentId:
    """A pickup of the returned goods at the customer's, bound for the order's warehouse."""
    at = e.pickup_from
    with uow:
        pickup = shipments.request_pickup(
            uow,
            shipments.NewPickup(
                customer_id=CustomerId(e.customer_id),
                depot_id=WarehouseId(e.warehouse_id),
                name=at.name,
                address=f"{at.street}, {at.postcode} {at.city}, {at.country}",
                point=GeoPoint(at.lat, at.lon),
                weight_kg=e.weight_kg,
                volume_m3=e.volume_m3,
                parcel_count=e.parcel_count,
                temperature_class=TemperatureClass(e.temperature_class),
            ),
        )
        uow.record(
            ReturnPickupScheduled(
                rma_id=e.rma_id,
                shipment_id=pickup.id,
                tracking_number=pickup.tracking_number,
                depot_id=pickup.depot_id,
            )
        )
        uow.commit()
    return pickup.id


def on_return_cancelled(uow: UnitOfWork, e: ReturnCancelled) -> None:
    if e.pickup_shipment_id is None:
        return  # cancelled before T scheduled anything: O tells again once it hears of it
    with uow:
        shipments.cancel_unsent(uow, repo.get_shipment(uow, ShipmentId(e.pickup_shipment_id)))
        uow.commit()


def on_return_authorised(uow: UnitOfWork, e: ReturnAuthorised) -> None:
    schedule_return_pickup(uow, e)


def register(bus: MessageBus) -> None:
    bus.subscribe(ReturnAuthorised, "transport.return_pickup", on_return_authorised)
    bus.subscribe(ReturnCancelled, "transport.cancel_return_pickup", on_return_cancelled)
