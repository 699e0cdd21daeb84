"""Re-routing on the road: a traffic incident (a slowdown or a closure on an area or a segment)
re-plans the remaining stops of every route it touches; a vehicle breakdown hands its remaining
stops to rescue vehicles from its depot. Both publish the changed ETAs.

The re-plan of a route is a small routing problem of its own: the vehicle starts where it is
now (its latest GPS fix, else its last stop), ends at its depot, carries what is still on
board, drives the matrices with the active incidents applied, and keeps its shift's end. Stops
that can no longer be served in their window stay on the route, at its end (they will be late),
and are reported. A rescue vehicle first drives from the depot to the broken-down one and
takes ``TRANSFER_S`` to move the goods across.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import RouteId, ShipmentId, VehicleId
from otwb.platform.uow import UnitOfWork
from otwb.transport import planning, repo, route_repo, routing, tracking, tracking_repo
from otwb.transport.dispatch import complete_route_if_done, fail_delivery
from otwb.transport.events import RouteReplanned, VehicleBrokeDown
from otwb.transport.model import (
    Route,
    RouteStatus,
    RouteStop,
    Shipment,
    ShipmentKind,
    ShipmentStatus,
    StopStatus,
    Vehicle,
    day_start,
    route_cost,
)
from otwb.transport.service import distance_provider
from otwb.transport.traffic import Incident, affected, slowed
from otwb.transport.vrp import RoutingDepot, RoutingProblem, RoutingStop, RoutingVehicle

DEFAULT_TIME_LIMIT_S = 2.0
TRANSFER_S = 20 * 60


@dataclass(frozen=True)
class Replan:
    route_id: RouteId
    order: list[ShipmentId]
    late: list[ShipmentId]
    etas_published: int


def _problem(
    uow: UnitOfWork,
    starts: list[tuple[Vehicle, GeoPoint, int]],
    depot: GeoPoint,
    shipments: list[Shipment],
    origin: datetime,
    now: datetime,
) -> RoutingProblem:
    """Vehicles (each leaving its own point at its own time) serving ``shipments``, all ending
    at ``depot``; the incidents in force slow the legs they touch."""
    points = [depot, *(p for _, p, _ in starts), *(s.ship_to for s in shipments)]
    provider = distance_provider(uow)
    incidents = tracking_repo.active_incidents(uow, now)
    distance = provider.distance_m(points)
    speeds = sorted({v.speed_kmh for v, _, _ in starts})
    durations = tuple(slowed(provider.duration_s(points, s), points, incidents) for s in speeds)
    n_starts = len(starts)
    stops = []
    for i, s in enumerate(shipments, start=1 + n_starts):
        load = planning.demand(s)
        window = s.window
        stops.append(
            RoutingStop(
                name=s.tracking_number,
                location=i,
                demand=(0, 0, 0) if s.kind is ShipmentKind.PICKUP else load,
                service_s=s.service_s,
                tw_early=max(0, int((window.start - origin).total_seconds())) if window else 0,
                tw_late=int((window.end - origin).total_seconds()) if window else 2**40,
                pickup=load if s.kind is ShipmentKind.PICKUP else (),
            )
        )
    vehicles = []
    for k, (v, _, leave) in enumerate(starts, start=1):
        weight, volume, cold = planning.capacity(v, len(shipments))
        vehicles.append(
            RoutingVehicle(
                name=v.code,
                depot=k,
                end_depot=0,
                capacity=(weight, volume, cold),
                tw_early=leave,
                tw_late=max(leave, v.shift_end_s),
                fixed_cost=0,
                cost_per_m=planning.milli_minor(v.cost_per_km, 1000),
                cost_per_s=planning.milli_minor(v.cost_per_hour, 3600),
                profile=speeds.index(v.speed_kmh),
            )
        )
    horizon = max(v.tw_late for v in vehicles)
    return RoutingProblem(
        dimensions=planning.DIMENSIONS[:3],
        coordinates=np.array([[p.lon, p.lat] for p in points], dtype=np.float64),
        distance_m=distance,
        durations_s=durations,
        depots=tuple(RoutingDepot(i, f"start {i}") for i in range(n_starts + 1)),
        vehicles=tuple(vehicles),
        stops=tuple(replace(s, tw_late=min(s.tw_late, horizon)) for s in stops),
    )


def _resequence(
    uow: UnitOfWork, route: Route, order: list[ShipmentId], now: datetime, reason: str
) -> int:
    """Give the remaining stops their new order (seq numbers after every existing one) and
    their new ETAs; publish what changed."""
    by_shipment = {s.shipment_id: s for s in route.remaining}
    top = max(s.seq for s in route.stops)
    moved: list[RouteStop] = []
    for k, shipment_id in enumerate(order, start=1):
        stop = by_shipment[shipment_id]
        route_repo.update_stop(uow, route.id, stop.seq, seq=top + k)
        moved.append(replace(stop, seq=top + k))
    fresh = replace(route, stops=(*(s for s in route.stops if s not in route.remaining), *moved))
    vehicle = repo.get_vehicle(uow, route.vehicle_id)
    here = tracking.position_of(uow, fresh)
    return tracking.publish_etas(uow, fresh, tracking.etas(uow, fresh, vehicle, here, now), reason)


def reroute(
    uow: UnitOfWork, route_id: RouteId, reason: str, time_limit_s: float = DEFAULT_TIME_LIMIT_S
) -> Replan:
    """Re-plan the remaining stops of a route on the road, from where its vehicle is now."""
    with uow:
        route = route_repo.get_route(uow, route_id)
        if route.status is not RouteStatus.DISPATCHED:
            raise InvalidTransition(
                f"route {route_id} is {route.status.value}; only a route on the road is re-routed",
                current=route.status.value,
            )
        vehicle = repo.get_vehicle(uow, route.vehicle_id)
        remaining = route.remaining
        shipments = repo.shipments_by_id(uow, [s.shipment_id for s in remaining])
        items = [shipments[s.shipment_id] for s in remaining]
        here = tracking.position_of(uow, route)
        depot = repo.get_depot(uow, route.depot_id).point
        now = uow.clock.now()
        origin = day_start(route.service_date)
        leave = max(0, int((now - origin).total_seconds()))
        problem = _problem(uow, [(vehicle, here, leave)], depot, items, origin, now)
    plan = routing.solve(problem, time_limit_s) if items else None
    order = [items[v.stop].id for r in (plan.routes if plan else ()) for v in r.visits]
    late = [s.id for s in items if s.id not in order]
    with uow:
        route = route_repo.get_route(uow, route_id)
        if [s.shipment_id for s in route.remaining] != [s.id for s in items]:
            raise InvalidTransition(f"route {route_id} moved on while re-planning; try again")
        published = _resequence(uow, route, order + late, now, reason)
        uow.record(
            RouteReplanned(
                route_id=route_id,
                vehicle_id=route.vehicle_id,
                reason=reason,
                stops=len(items),
                unplanned=len(late),
            )
        )
        uow.commit()
    return Replan(route_id, order + late, late, published)


def report_incident(
    uow: UnitOfWork, incident: Incident, time_limit_s: float = DEFAULT_TIME_LIMIT_S
) -> list[Replan]:
    """Record a traffic incident; re-plan every route on the road whose remaining way it
    touches (while it lasts)."""
    with uow:
        incident = replace(incident, id=uow.ids.new("inc"))
        tracking_repo.insert_incident(uow, incident)
        touched = []
        if incident.active(uow.clock.now()):
            for route in route_repo.list_routes(uow, statuses=[RouteStatus.DISPATCHED]):
                if route.remaining and _touches(uow, route, incident):
                    touched.append(route.id)
        uow.commit()
    why = f"{'closure' if incident.closed else 'congestion'}: {incident.note or incident.kind}"
    return [reroute(uow, r, why, time_limit_s) for r in touched]


def _touches(uow: UnitOfWork, route: Route, incident: Incident) -> bool:
    shipments = repo.shipments_by_id(uow, [s.shipment_id for s in route.remaining])
    depot = repo.get_depot(uow, route.depot_id).point
    points = [tracking.position_of(uow, route), *(s.ship_to for s in shipments.values()), depot]
    return bool(affected(points, incident).any())


@dataclass(frozen=True)
class Breakdown:
    route_id: RouteId | None
    rescues: list[RouteId]
    failed: list[ShipmentId]


def report_breakdown(
    uow: UnitOfWork,
    vehicle_id: VehicleId,
    point: GeoPoint | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> Breakdown:
    """A vehicle broke down: free vehicles of its depot come to take its remaining stops over
    (new routes, on the road at once); what none can reach in time fails, to be planned again."""
    with uow:
        vehicle = repo.get_vehicle(uow, vehicle_id)
        route = route_repo.route_of_vehicle(uow, vehicle_id, [RouteStatus.DISPATCHED])
        now = uow.clock.now()
        if route is None or not route.remaining:
            uow.record(VehicleBrokeDown(vehicle_id=vehicle_id, route_id=None, at=now))
            uow.commit()
            return Breakdown(None, [], [])
        here = point or tracking.position_of(uow, route)
        depot = repo.get_depot(uow, route.depot_id)
        busy = route_repo.busy_vehicles(uow, route.depot_id, route.service_date)
        free = [v for v in repo.list_vehicles(uow, route.depot_id) if v.active and v.id not in busy]
        shipments = repo.shipments_by_id(uow, [s.shipment_id for s in route.remaining])
        items = [shipments[s.shipment_id] for s in route.remaining]
        origin = day_start(route.service_date)
        provider = distance_provider(uow)
        starts = []
        for v in free:
            reach = int(provider.duration_s([depot.point, here], v.speed_kmh)[0, 1])
            leave = int((now - origin).total_seconds()) + reach + TRANSFER_S
            if leave < v.shift_end_s:
                starts.append((v, here, leave))
        problem = _problem(uow, starts, depot.point, items, origin, now) if starts else None
    plan = routing.solve(problem, time_limit_s) if problem is not None else None
    rescues: list[RouteId] = []
    with uow:
        served: set[ShipmentId] = set()
        for r in plan.routes if plan else ():
            assert problem is not None
            rescuer = starts[r.vehicle][0]
            rid = RouteId(uow.ids.new("rte"))
            stops = tuple(
                RouteStop(
                    k,
                    items[v.stop].id,
                    StopStatus.DISPATCHED,
                    origin + timedelta(seconds=v.start_s),
                    origin + timedelta(seconds=v.start_s),
                    problem.travel_s(
                        problem.vehicles[r.vehicle], problem.stops[v.stop].location, 0
                    ),
                )
                for k, v in enumerate(r.visits, start=1)
            )
            route_repo.insert_route(
                uow,
                Route(
                    id=rid,
                    depot_id=route.depot_id,
                    vehicle_id=rescuer.id,
                    service_date=route.service_date,
                    status=RouteStatus.DISPATCHED,
                    distance_m=r.distance_m,
                    duration_s=r.duration_s,
                    planned_start=now,
                    planned_end=origin + timedelta(seconds=r.end_s),
                    planned_cost=route_cost(rescuer, r.distance_m, r.duration_s),
                    stops=stops,
                ),
            )
            route_repo.update_route(uow, rid, dispatched_at=now)
            for stop in stops:
                route_repo.move_stop(
                    uow,
                    route.id,
                    stop.shipment_id,
                    [StopStatus.DISPATCHED],
                    StopStatus.CANCELLED,
                    resolved_at=now,
                )
                repo.move_shipment(
                    uow,
                    stop.shipment_id,
                    [ShipmentStatus.IN_TRANSIT],
                    ShipmentStatus.IN_TRANSIT,
                    route_id=rid,
                )
                served.add(stop.shipment_id)
            rescues.append(rid)
        failed = [s for s in items if s.id not in served]
        for s in failed:
            reason = "vehicle breakdown; no rescue vehicle could take it over in time"
            fail_delivery(uow, s, now, reason)
            route_repo.move_stop(
                uow, route.id, s.id, [StopStatus.DISPATCHED], StopStatus.FAILED, resolved_at=now
            )
        complete_route_if_done(uow, route.id)
        uow.record(
            VehicleBrokeDown(vehicle_id=vehicle.id, route_id=route.id, at=now, rescued_by=rescues)
        )
        uow.commit()
    return Breakdown(route.id, rescues, [s.id for s in failed])


def check_limit(time_limit_s: float) -> None:
    if not 0 < time_limit_s <= 30:
        raise InvalidInput("a re-plan's time limit is between 0 and 30 seconds")
