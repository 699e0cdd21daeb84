"""T's use cases for following routes on the road: drivers' arrivals, GPS positions, the ETA of
every remaining stop (recomputed from the latest position, with the traffic incidents in force),
and what a customer sees by tracking number.

ETAs: from where the vehicle is now, along its remaining stops in order, at its speed, slowed by
the active incidents, waiting for windows to open, with each stop's service time. A change of
at least ``ETA_NOTICE_S`` is published (``EtaChanged``); smaller ones are only stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from otwb.platform.errors import InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import RouteId, ShipmentId, VehicleId
from otwb.platform.uow import UnitOfWork
from otwb.transport import repo, route_repo, tracking_repo
from otwb.transport.dispatch import reported_time
from otwb.transport.events import EtaChanged, StopArrived
from otwb.transport.model import Route, RouteStatus, Shipment, StopStatus, Vehicle
from otwb.transport.service import distance_provider
from otwb.transport.shipments import get_shipment_by_tracking
from otwb.transport.traffic import slowed

ETA_NOTICE_S = 300


@dataclass(frozen=True)
class Eta:
    seq: int
    shipment_id: ShipmentId
    eta: datetime


def etas(
    uow: UnitOfWork, route: Route, vehicle: Vehicle, here: GeoPoint, now: datetime
) -> list[Eta]:
    """Expected service start at each remaining stop, leaving ``here`` at ``now``."""
    remaining = route.remaining
    if not remaining:
        return []
    shipments = repo.shipments_by_id(uow, [s.shipment_id for s in remaining])
    points = [here, *(shipments[s.shipment_id].ship_to for s in remaining)]
    durations = distance_provider(uow).duration_s(points, vehicle.speed_kmh)
    durations = slowed(durations, points, tracking_repo.active_incidents(uow, now))
    out, clock = [], now
    for i, stop in enumerate(remaining, start=1):
        shipment = shipments[stop.shipment_id]
        clock += timedelta(seconds=int(durations[i - 1, i]))
        if shipment.window is not None and clock < shipment.window.start:
            clock = shipment.window.start
        out.append(Eta(stop.seq, stop.shipment_id, clock))
        clock += timedelta(seconds=shipment.service_s)
    return out


def publish_etas(uow: UnitOfWork, route: Route, new: list[Eta], reason: str) -> int:
    """Store the new ETAs; publish those that moved by ``ETA_NOTICE_S`` or more."""
    old = {s.seq: s.eta for s in route.stops}
    tracking = {
        s.id: s.tracking_number
        for s in repo.shipments_by_id(uow, [e.shipment_id for e in new]).values()
    }
    published = 0
    for e in new:
        route_repo.update_stop(uow, route.id, e.seq, eta=e.eta)
        previous = old.get(e.seq, e.eta)
        if abs((e.eta - previous).total_seconds()) >= ETA_NOTICE_S:
            uow.record(
                EtaChanged(
                    shipment_id=e.shipment_id,
                    route_id=route.id,
                    tracking_number=tracking[e.shipment_id],
                    eta=e.eta,
                    previous_eta=previous,
                    reason=reason,
                )
            )
            published += 1
    return published


def position_of(uow: UnitOfWork, route: Route) -> GeoPoint:
    """Where the vehicle is: its latest GPS fix on this route, else the last stop it resolved,
    else its depot."""
    fix = tracking_repo.last_position(uow, route.id)
    if fix is not None:
        return fix[1]
    done = [s for s in route.stops if s.status in (StopStatus.DELIVERED, StopStatus.FAILED)]
    if done:
        last = max(done, key=lambda s: (s.resolved_at or route.planned_start, s.seq))
        return repo.get_shipment(uow, last.shipment_id).ship_to
    return repo.get_depot(uow, route.depot_id).point


def record_position(
    uow: UnitOfWork, vehicle_id: VehicleId, point: GeoPoint, at: datetime | None = None
) -> list[Eta]:
    """A GPS fix of a vehicle; on a route on the road, its remaining stops' ETAs follow."""
    with uow:
        vehicle = repo.get_vehicle(uow, vehicle_id)
        when = reported_time(uow, at, "at")
        route = route_repo.route_of_vehicle(uow, vehicle_id, [RouteStatus.DISPATCHED])
        tracking_repo.insert_position(uow, vehicle_id, route.id if route else None, when, point)
        new = etas(uow, route, vehicle, point, when) if route else []
        if route is not None:
            publish_etas(uow, route, new, "position")
        uow.commit()
    return new


def record_arrival(
    uow: UnitOfWork, shipment_id: ShipmentId, at: datetime | None = None
) -> Shipment:
    """The driver is at the door: the stop's arrival time (for ETA accuracy and waiting)."""
    with uow:
        shipment = repo.get_shipment(uow, shipment_id)
        if shipment.route_id is None:
            raise InvalidTransition(
                f"shipment {shipment_id} is not on a route", current=shipment.status.value
            )
        route = route_repo.get_route(uow, shipment.route_id)
        stop = next(s for s in route.stops if s.shipment_id == shipment_id)
        if stop.status is not StopStatus.DISPATCHED:
            raise InvalidTransition(
                f"stop of {shipment_id} is {stop.status.value}; arrivals are for stops on the road",
                current=stop.status.value,
            )
        when = reported_time(uow, at, "arrived_at")
        route_repo.update_stop(uow, route.id, stop.seq, arrived_at=when)
        uow.record(StopArrived(shipment_id=shipment_id, route_id=route.id, arrived_at=when))
        uow.commit()
    return shipment


@dataclass(frozen=True)
class CustomerView:
    """What a customer sees by tracking number: no driver, no position, only their parcel."""

    shipment: Shipment
    eta: datetime | None
    stops_before: int | None
    carrier_name: str | None


def customer_view(uow: UnitOfWork, number: str) -> CustomerView:
    from otwb.transport import carrier_repo

    with uow:
        shipment = get_shipment_by_tracking(uow, number)
        eta, before, carrier = None, None, None
        if shipment.route_id is not None and shipment.carrier_id is None:
            route = route_repo.get_route(uow, shipment.route_id)
            remaining = route.remaining
            mine = next((i for i, s in enumerate(remaining) if s.shipment_id == shipment.id), None)
            if mine is not None and route.status is RouteStatus.DISPATCHED:
                eta, before = remaining[mine].eta, mine
        if shipment.carrier_id is not None:
            carrier = carrier_repo.get_carrier(uow, shipment.carrier_id).name
    return CustomerView(shipment, eta, before, carrier)


def route_etas(uow: UnitOfWork, route_id: RouteId) -> list[Eta]:
    with uow:
        route = route_repo.get_route(uow, route_id)
    return [Eta(s.seq, s.shipment_id, s.eta) for s in route.remaining]
