"""T's use cases on the road: dispatch a planned route, record each delivery with its proof
(time, recipient) or its failure with a reason, and complete the route when every stop is done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from otwb.platform.clock import as_utc
from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition
from otwb.platform.ids import RouteId, ShipmentId
from otwb.platform.uow import UnitOfWork
from otwb.transport import repo, route_repo
from otwb.transport.distance import road_distance_km
from otwb.transport.events import (
    DeliveryFailed,
    RouteCompleted,
    ShipmentDelivered,
    ShipmentDispatched,
)
from otwb.transport.model import (
    Route,
    RouteStatus,
    Shipment,
    ShipmentStatus,
    StopStatus,
    completion,
    day_start,
)
from otwb.transport.service import distance_provider

MAX_RECIPIENT = 200
MAX_REASON = 500


def _changed(what: str) -> Conflict:
    return Conflict(f"{what} changed while this request ran; try again")


def dispatch_route(uow: UnitOfWork, route_id: RouteId) -> Route:
    """The vehicle leaves: its shipments are in transit, each with an ETA.

    ETAs are the planned arrivals, pushed back by however late the vehicle leaves.
    """
    with uow:
        route = route_repo.get_route(uow, route_id)
        dispatched = route.moved_to(RouteStatus.DISPATCHED)
        now = uow.clock.now()
        if now < day_start(route.service_date):
            raise InvalidTransition(
                f"route {route_id} is for {route.service_date}; it cannot leave before that day",
                current=route.status.value,
                requested=RouteStatus.DISPATCHED.value,
            )
        delay = max(now - route.planned_start, timedelta(0))
        live = [s for s in route.stops if s.status is StopStatus.PLANNED]
        shipments = repo.shipments_by_id(uow, [s.shipment_id for s in live])
        for stop in live:
            shipment = shipments[stop.shipment_id]
            shipment.moved_to(ShipmentStatus.IN_TRANSIT)
            if not repo.move_shipment(
                uow,
                shipment.id,
                [ShipmentStatus.PLANNED],
                ShipmentStatus.IN_TRANSIT,
                attempts=shipment.attempts + 1,
            ):
                raise _changed(f"shipment {shipment.id}")
            eta = stop.planned_arrival + delay
            route_repo.move_stop(
                uow, route_id, shipment.id, [StopStatus.PLANNED], StopStatus.DISPATCHED, eta=eta
            )
            uow.record(
                ShipmentDispatched(
                    shipment_id=shipment.id,
                    order_id=shipment.order_id,
                    route_id=route_id,
                    tracking_number=shipment.tracking_number,
                    eta=eta,
                )
            )
        if not route_repo.move_route(
            uow, route_id, RouteStatus.PLANNED, RouteStatus.DISPATCHED, dispatched_at=now
        ):
            raise _changed(f"route {route_id}")
        uow.commit()
    return dispatched


def _resolution_time(uow: UnitOfWork, route: Route, at: datetime | None) -> datetime:
    now = uow.clock.now()
    if at is None:
        return now
    try:
        at = as_utc(at)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="delivered_at") from None
    if at > now:
        raise InvalidInput("a delivery cannot be recorded in the future", field="delivered_at")
    if route.dispatched_at is not None and at < route.dispatched_at:
        raise InvalidInput(
            "a delivery cannot be before its route was dispatched", field="delivered_at"
        )
    return at


def _on_the_road(
    uow: UnitOfWork, shipment_id: ShipmentId, to: ShipmentStatus
) -> tuple[Shipment, Route]:
    shipment = repo.get_shipment(uow, shipment_id)
    shipment.moved_to(to)  # InvalidTransition unless in transit
    assert shipment.route_id is not None  # guaranteed by the on_a_route CHECK
    return shipment, route_repo.get_route(uow, shipment.route_id)


def record_delivery(
    uow: UnitOfWork,
    shipment_id: ShipmentId,
    recipient: str,
    delivered_at: datetime | None = None,
) -> Shipment:
    """Proof of delivery: who received the shipment, and when (now, unless given)."""
    recipient = recipient.strip()
    if not recipient or len(recipient) > MAX_RECIPIENT:
        raise InvalidInput(
            f"the recipient's name is 1 to {MAX_RECIPIENT} characters", field="recipient"
        )
    with uow:
        shipment, route = _on_the_road(uow, shipment_id, ShipmentStatus.DELIVERED)
        at = _resolution_time(uow, route, delivered_at)
        if not repo.move_shipment(
            uow,
            shipment_id,
            [ShipmentStatus.IN_TRANSIT],
            ShipmentStatus.DELIVERED,
            delivered_at=at,
            recipient=recipient,
        ):
            raise _changed(f"shipment {shipment_id}")
        route_repo.move_stop(
            uow,
            route.id,
            shipment_id,
            [StopStatus.DISPATCHED],
            StopStatus.DELIVERED,
            resolved_at=at,
        )
        depot = repo.get_depot(uow, shipment.depot_id)
        uow.record(
            ShipmentDelivered(
                shipment_id=shipment_id,
                order_id=shipment.order_id,
                customer_id=shipment.customer_id,
                depot_id=shipment.depot_id,
                delivered_at=at,
                recipient=recipient,
                on_time=shipment.on_time(at),
                weight_kg=shipment.weight_kg,
                distance_km=road_distance_km(distance_provider(uow), depot.point, shipment.ship_to),
            )
        )
        _complete_if_done(uow, route.id)
        delivered = repo.get_shipment(uow, shipment_id)
        uow.commit()
    return delivered


def record_delivery_failure(uow: UnitOfWork, shipment_id: ShipmentId, reason: str) -> Shipment:
    """The driver could not deliver (nobody in, refused, wrong address): say why.

    The shipment waits at the depot for a later plan, unless its order is called off.
    """
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(
            f"a failure needs a reason of 1 to {MAX_REASON} characters", field="reason"
        )
    with uow:
        shipment, route = _on_the_road(uow, shipment_id, ShipmentStatus.FAILED)
        at = uow.clock.now()
        if not repo.move_shipment(
            uow,
            shipment_id,
            [ShipmentStatus.IN_TRANSIT],
            ShipmentStatus.FAILED,
            failure_reason=reason,
        ):
            raise _changed(f"shipment {shipment_id}")
        route_repo.move_stop(
            uow, route.id, shipment_id, [StopStatus.DISPATCHED], StopStatus.FAILED, resolved_at=at
        )
        uow.record(
            DeliveryFailed(
                shipment_id=shipment_id,
                order_id=shipment.order_id,
                customer_id=shipment.customer_id,
                failed_at=at,
                reason=reason,
            )
        )
        _complete_if_done(uow, route.id)
        failed = repo.get_shipment(uow, shipment_id)
        uow.commit()
    return failed


def _complete_if_done(uow: UnitOfWork, route_id: RouteId) -> None:
    """Close the route once its last stop is resolved, at its actual duration and cost."""
    route = route_repo.get_route(uow, route_id)
    vehicle = repo.get_vehicle(uow, route.vehicle_id)
    done = completion(route, vehicle, route.stops)
    if done is None:
        return
    back, duration_s, cost = done
    route.moved_to(RouteStatus.COMPLETED)
    if not route_repo.move_route(
        uow,
        route_id,
        RouteStatus.DISPATCHED,
        RouteStatus.COMPLETED,
        completed_at=back,
        actual_duration_s=duration_s,
        actual_cost=cost.amount,
    ):
        raise _changed(f"route {route_id}")
    uow.record(
        RouteCompleted(
            route_id=route_id,
            vehicle_id=route.vehicle_id,
            depot_id=route.depot_id,
            distance_km=float(route.distance_km),
            duration_s=duration_s,
            cost=cost.amount,
            currency=cost.currency,
        )
    )
