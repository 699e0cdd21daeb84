"""T's use cases on the road: dispatch a planned route, record each delivery with its proof
(time, recipient) or its failure with a reason, and complete the route when every stop is done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from otwb.platform.clock import as_utc
from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition
from otwb.platform.ids import CarrierId, RouteId, ShipmentId
from otwb.platform.money import Money
from otwb.platform.uow import UnitOfWork
from otwb.transport import repo, route_repo
from otwb.transport.distance import road_distance_km
from otwb.transport.events import (
    DeliveryFailed,
    PickupCollected,
    ProofOfDeliveryAccepted,
    RouteCompleted,
    ShipmentDelivered,
    ShipmentDispatched,
)
from otwb.transport.model import (
    RESOLVED_STOP,
    Route,
    RouteStatus,
    RouteStop,
    Shipment,
    ShipmentStatus,
    StopStatus,
    Vehicle,
    day_start,
    route_cost,
)
from otwb.transport.service import distance_provider

MAX_RECIPIENT = 200
MAX_REASON = 500
MAX_PHOTO_REF = 500


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
            if shipment.order_id is not None:  # pickups have no order to tell
                uow.record(
                    ShipmentDispatched(
                        shipment_id=shipment.id,
                        order_id=shipment.order_id,
                        route_id=route_id,
                        tracking_number=shipment.tracking_number,
                        depot_id=shipment.depot_id,
                        eta=eta,
                    )
                )
        if not route_repo.move_route(
            uow, route_id, RouteStatus.PLANNED, RouteStatus.DISPATCHED, dispatched_at=now
        ):
            raise _changed(f"route {route_id}")
        uow.commit()
    return dispatched


def reported_time(
    uow: UnitOfWork,
    at: datetime | None,
    field: str,
    since: tuple[datetime | None, str] = (None, ""),
) -> datetime:
    """When something reported from the road happened: now, unless given; a given time has its
    offset, is not in the future, and not before ``since`` (a moment, and what it was)."""
    now = uow.clock.now()
    if at is None:
        return now
    try:
        at = as_utc(at)
    except ValueError as exc:
        raise InvalidInput(str(exc), field=field) from None
    if at > now:
        raise InvalidInput(f"{field} cannot be in the future", field=field)
    start, what = since
    if start is not None and at < start:
        raise InvalidInput(f"{field} cannot be before {what}", field=field)
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
    signature_name: str | None = None,
    photo_ref: str | None = None,
) -> Shipment:
    """Proof of delivery: who received the shipment and when (now, unless given), with the
    signature's name and a photo reference when the driver's app took them. For a pickup, the
    goods were collected. Publishes ``ShipmentDelivered`` and ``ProofOfDeliveryAccepted``."""
    recipient = _text(recipient, "recipient", MAX_RECIPIENT)
    signature = _text(signature_name, "signature_name", MAX_RECIPIENT) if signature_name else None
    photo = _text(photo_ref, "photo_ref", MAX_PHOTO_REF) if photo_ref else None
    with uow:
        shipment, route = _on_the_road(uow, shipment_id, ShipmentStatus.DELIVERED)
        at = reported_time(
            uow, delivered_at, "delivered_at", (route.dispatched_at, "its route left")
        )
        deliver(uow, shipment, recipient, at, signature, photo, None)
        route_repo.move_stop(
            uow,
            route.id,
            shipment_id,
            [StopStatus.DISPATCHED],
            StopStatus.DELIVERED,
            resolved_at=at,
        )
        complete_route_if_done(uow, route.id)
        delivered = repo.get_shipment(uow, shipment_id)
        uow.commit()
    return delivered


def _text(value: str | None, field: str, longest: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > longest:
        raise InvalidInput(f"{field} is 1 to {longest} characters", field=field)
    return text


def deliver(
    uow: UnitOfWork,
    shipment: Shipment,
    recipient: str,
    at: datetime,
    signature_name: str | None,
    photo_ref: str | None,
    carrier_id: CarrierId | None,
) -> None:
    """The shipment reached its customer (own fleet, or ``carrier_id``): record it with its
    proof, and tell O and B. A pickup's "delivery" is its collection (``PickupCollected``)."""
    previous = (
        [ShipmentStatus.IN_TRANSIT]
        if carrier_id is None
        else [
            ShipmentStatus.TENDERED,
            ShipmentStatus.IN_TRANSIT,
        ]
    )
    shipment.moved_to(ShipmentStatus.DELIVERED)
    if not repo.move_shipment(
        uow,
        shipment.id,
        previous,
        ShipmentStatus.DELIVERED,
        delivered_at=at,
        recipient=recipient,
        signature_name=signature_name,
        photo_ref=photo_ref,
    ):
        raise _changed(f"shipment {shipment.id}")
    if shipment.order_id is None:
        uow.record(
            PickupCollected(
                shipment_id=shipment.id,
                customer_id=shipment.customer_id,
                depot_id=shipment.depot_id,
                collected_at=at,
            )
        )
        return
    depot = repo.get_depot(uow, shipment.depot_id)
    uow.record(
        ShipmentDelivered(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            customer_id=shipment.customer_id,
            depot_id=shipment.depot_id,
            delivered_at=at,
            recipient=recipient,
            on_time=shipment.on_time(at),
            weight_kg=shipment.weight_kg,
            distance_km=road_distance_km(distance_provider(uow), depot.point, shipment.ship_to),
            carrier_id=carrier_id,
        )
    )
    uow.record(
        ProofOfDeliveryAccepted(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            carrier_id=carrier_id,
            accepted_at=uow.clock.now(),
        )
    )


def fail_delivery(uow: UnitOfWork, shipment: Shipment, at: datetime, reason: str) -> None:
    """The shipment could not be delivered (own fleet or carrier): record why, and tell O. It
    waits at the depot for another plan or tender, unless its order is called off."""
    shipment.moved_to(ShipmentStatus.FAILED)
    if not repo.move_shipment(
        uow, shipment.id, [shipment.status], ShipmentStatus.FAILED, failure_reason=reason
    ):
        raise _changed(f"shipment {shipment.id}")
    if shipment.order_id is not None:
        uow.record(
            DeliveryFailed(
                shipment_id=shipment.id,
                order_id=shipment.order_id,
                customer_id=shipment.customer_id,
                failed_at=at,
                reason=reason,
            )
        )


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
        fail_delivery(uow, shipment, at, reason)
        route_repo.move_stop(
            uow, route.id, shipment_id, [StopStatus.DISPATCHED], StopStatus.FAILED, resolved_at=at
        )
        complete_route_if_done(uow, route.id)
        failed = repo.get_shipment(uow, shipment_id)
        uow.commit()
    return failed


def complete_route_if_done(uow: UnitOfWork, route_id: RouteId) -> None:
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


def completion(
    route: Route, vehicle: Vehicle, stops: tuple[RouteStop, ...]
) -> tuple[datetime, int, Money] | None:
    """When every stop is resolved: (completed at, duration in s, cost); else ``None``.

    The vehicle is back at the depot the planned driving time after its last resolved stop; the
    route lasted from dispatch until then, and costs its planned distance plus that time.
    """
    live = [s for s in stops if s.status is not StopStatus.CANCELLED]
    if route.dispatched_at is None or any(s.status not in RESOLVED_STOP for s in stops):
        return None
    if not live:
        back = route.dispatched_at
    else:
        last = max(live, key=lambda s: (s.resolved_at or route.dispatched_at, s.seq))
        resolved = last.resolved_at or route.dispatched_at
        back = max(resolved, route.dispatched_at) + timedelta(seconds=last.return_s)
    duration = int((back - route.dispatched_at).total_seconds())
    return back, duration, route_cost(vehicle, route.distance_m, duration)
