"""T's use cases for shipments: take an order over from the warehouse, find and track it, and
call it off when its order is cancelled before it leaves the depot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import (
    CustomerId,
    OrderId,
    RouteId,
    ShipmentId,
    WarehouseId,
)
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.transport import repo, route_repo
from otwb.transport.model import (
    PLANNABLE,
    RouteStatus,
    Shipment,
    ShipmentKind,
    ShipmentStatus,
    StopStatus,
    pallet_places,
)
from otwb.transport.tracking_numbers import is_valid_tracking_number, tracking_number

log = logging.getLogger("otwb.transport")


@dataclass(frozen=True)
class HandedOver:
    """What transport learns of an order when W hands it over at the dock."""

    order_id: OrderId
    customer_id: CustomerId
    depot_id: WarehouseId
    ship_to_name: str
    ship_to_address: str
    ship_to: GeoPoint
    window_start: datetime | None
    window_end: datetime | None
    weight_kg: float
    volume_m3: float
    parcel_count: int
    temperature_class: TemperatureClass
    extra_service_s: int = 0
    """Extra time at the stop: installation on delivery, as the order's options say."""
    promised_by: datetime | None = None
    """The latest delivery promised to the customer."""


def receive_shipment(uow: UnitOfWork, handed: HandedOver) -> Shipment:
    """Take an order over from the warehouse: a shipment ready to be planned from its depot.

    One shipment per order and depot (a split order ships one part from each warehouse):
    taking the same part over again returns the shipment it has.
    """
    with uow:
        existing = repo.find_order_shipment(uow, handed.order_id, handed.depot_id)
        if existing is not None:
            return existing
        repo.get_depot(uow, handed.depot_id)  # NotFound until W's WarehouseOpened arrives
        window = None
        if handed.window_start is not None and handed.window_end is not None:
            window = DeliveryWindow(handed.window_start, handed.window_end)
        shipment_id = ShipmentId(uow.ids.new("shp"))
        shipment = Shipment(
            id=shipment_id,
            order_id=handed.order_id,
            customer_id=handed.customer_id,
            depot_id=handed.depot_id,
            tracking_number=tracking_number(shipment_id),
            ship_to_name=handed.ship_to_name,
            ship_to_address=handed.ship_to_address,
            ship_to=handed.ship_to,
            window=window,
            weight_kg=handed.weight_kg,
            volume_m3=handed.volume_m3,
            parcel_count=handed.parcel_count,
            temperature_class=handed.temperature_class,
            status=ShipmentStatus.READY,
            created_at=uow.clock.now(),
            pallets=pallet_places(handed.volume_m3),
            extra_service_s=handed.extra_service_s,
            promised_by=handed.promised_by,
        )
        repo.insert_shipment(uow, shipment)
        uow.commit()
    return shipment


def cancel_order_shipments(uow: UnitOfWork, order_id: OrderId) -> list[Shipment]:
    """The order was called off: cancel each of its shipments (one per part) that has not left
    its depot.

    A shipment on a planned route leaves that route; a route left with no stop is cancelled,
    which frees its vehicle for that date. Returns the shipments as they now are (by id).
    """
    with uow:
        cancelled = [cancel_unsent(uow, s) for s in repo.order_shipments(uow, order_id)]
        uow.commit()
    return cancelled


def cancel_unsent(uow: UnitOfWork, shipment: Shipment) -> Shipment:
    """Cancel a shipment (a delivery, a pickup) that has not left the depot, inside the caller's
    unit of work; one on the road or done is left as it is."""
    if shipment.status not in (*PLANNABLE, ShipmentStatus.PLANNED):
        log.info("shipment %s is %s; not cancelled", shipment.id, shipment.status.value)
        return shipment
    cancelled = shipment.moved_to(ShipmentStatus.CANCELLED)
    if not repo.move_shipment(uow, shipment.id, [shipment.status], cancelled.status):
        raise Conflict(f"shipment {shipment.id} changed while this request ran; try again")
    if shipment.status is ShipmentStatus.PLANNED and shipment.route_id is not None:
        _leave_planned_route(uow, shipment.route_id, shipment.id)
    return cancelled


def _leave_planned_route(uow: UnitOfWork, route_id: RouteId, shipment_id: ShipmentId) -> None:
    route_repo.move_stop(uow, route_id, shipment_id, [StopStatus.PLANNED], StopStatus.CANCELLED)
    route = route_repo.get_route(uow, route_id)
    if route.status is RouteStatus.PLANNED and all(
        s.status is StopStatus.CANCELLED for s in route.stops
    ):
        route.moved_to(RouteStatus.CANCELLED)
        route_repo.move_route(uow, route_id, RouteStatus.PLANNED, RouteStatus.CANCELLED)


def reschedule_shipment(
    uow: UnitOfWork, shipment_id: ShipmentId, window: DeliveryWindow | None
) -> Shipment:
    """Agree a new delivery window (or none) for a shipment still at the depot: after a
    failed delivery, the first window has usually passed."""
    with uow:
        shipment = repo.get_shipment(uow, shipment_id)
        if shipment.status not in PLANNABLE:
            raise InvalidTransition(
                f"shipment {shipment_id} is {shipment.status.value}; only a shipment waiting "
                "at the depot (ready or failed) gets a new window",
                current=shipment.status.value,
            )
        if not repo.reschedule(uow, shipment_id, shipment.status, window):
            raise Conflict(f"shipment {shipment_id} changed while this request ran; try again")
        moved = repo.get_shipment(uow, shipment_id)
        uow.commit()
    return moved


def get_shipment(uow: UnitOfWork, shipment_id: ShipmentId) -> Shipment:
    with uow:
        return repo.get_shipment(uow, shipment_id)


def get_shipment_by_tracking(uow: UnitOfWork, number: str) -> Shipment:
    number = number.strip().upper()
    if not is_valid_tracking_number(number):
        raise InvalidInput(
            f"{number[:40]!r} is not a tracking number (OT-XXXX-XXXX-XXXX-X)",
            field="tracking_number",
        )
    with uow:
        found = repo.find_shipment_by_tracking(uow, number)
    if found is None:
        raise NotFound(f"no shipment with tracking number {number}")
    return found


@dataclass(frozen=True)
class Tracking:
    shipment: Shipment
    eta: datetime | None
    """While in transit: when the vehicle is expected at the door."""


def track(uow: UnitOfWork, number: str) -> Tracking:
    """Where a shipment is, by its tracking number: its status and, on the road, its ETA."""
    with uow:
        shipment = get_shipment_by_tracking(uow, number)
        eta = None
        if shipment.status is ShipmentStatus.IN_TRANSIT and shipment.route_id is not None:
            route = route_repo.get_route(uow, shipment.route_id)
            eta = next((s.eta for s in route.stops if s.shipment_id == shipment.id), None)
    return Tracking(shipment, eta)


def list_shipments(
    uow: UnitOfWork,
    status: ShipmentStatus | None = None,
    depot_id: WarehouseId | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[Shipment]:
    with uow:
        return repo.list_shipments(
            uow, None if status is None else [status], depot_id, limit, offset
        )


@dataclass(frozen=True)
class NewPickup:
    """Goods to collect at a customer's and bring back to a depot (returns, empties)."""

    customer_id: CustomerId
    depot_id: WarehouseId
    name: str
    address: str
    point: GeoPoint
    weight_kg: float
    volume_m3: float
    parcel_count: int = 1
    temperature_class: TemperatureClass = TemperatureClass.AMBIENT
    window: DeliveryWindow | None = None
    pallets: int = 0


def request_pickup(uow: UnitOfWork, new: NewPickup) -> Shipment:
    """A pickup waiting to be planned (with the deliveries, or as a backhaul)."""
    with uow:
        try:
            repo.get_depot(uow, new.depot_id)
        except NotFound:
            raise InvalidInput(f"unknown depot {new.depot_id}", field="depot_id") from None
        shipment_id = ShipmentId(uow.ids.new("shp"))
        shipment = Shipment(
            id=shipment_id,
            order_id=None,
            customer_id=new.customer_id,
            depot_id=new.depot_id,
            tracking_number=tracking_number(shipment_id),
            ship_to_name=new.name.strip() or "pickup",
            ship_to_address=new.address.strip() or "-",
            ship_to=new.point,
            window=new.window,
            weight_kg=new.weight_kg,
            volume_m3=new.volume_m3,
            parcel_count=new.parcel_count,
            temperature_class=new.temperature_class,
            status=ShipmentStatus.READY,
            created_at=uow.clock.now(),
            kind=ShipmentKind.PICKUP,
            pallets=new.pallets,
        )
        repo.insert_shipment(uow, shipment)
        uow.commit()
    return shipment
