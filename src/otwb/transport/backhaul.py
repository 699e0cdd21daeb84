"""Backhaul: put pickups near a route's empty way home onto that route.

After its last delivery a vehicle drives back empty. A pickup waiting at the same depot whose
detour off that leg (last stop -> pickup -> depot, instead of last stop -> depot) is at most
``max_detour_km``, that fits the empty vehicle, that can be served in its window and still let
the vehicle home by the end of its shift, is appended to the route. Each route takes the
pickups with the smallest detours first. The empty kilometres saved: the dedicated trip
(depot -> pickup -> depot) no longer driven, less the detour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from otwb.platform.ids import RouteId, ShipmentId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.transport import repo, route_repo
from otwb.transport.model import (
    RouteStatus,
    RouteStop,
    ShipmentKind,
    ShipmentStatus,
    StopStatus,
    day_start,
    route_cost,
)
from otwb.transport.service import distance_provider


@dataclass(frozen=True)
class Match:
    route_id: RouteId
    shipment_id: ShipmentId
    detour_km: float
    empty_km_saved: float


def match_backhaul(
    uow: UnitOfWork, depot_id: WarehouseId, service_date: date, max_detour_km: float = 10.0
) -> list[Match]:
    matches: list[Match] = []
    provider = distance_provider(uow)
    with uow:
        depot = repo.get_depot(uow, depot_id)
        pickups = [
            s
            for s in repo.list_shipments(uow, [ShipmentStatus.READY], depot_id)
            if s.kind is ShipmentKind.PICKUP
        ]
        routes = route_repo.list_routes(uow, service_date, depot_id, [RouteStatus.PLANNED])
        for route in routes:
            live = [s for s in route.stops if s.status is StopStatus.PLANNED]
            if not live or not pickups:
                continue
            vehicle = repo.get_vehicle(uow, route.vehicle_id)
            on_route = repo.shipments_by_id(uow, [s.shipment_id for s in live])
            last = on_route[live[-1].shipment_id]
            if any(s.kind is ShipmentKind.PICKUP for s in on_route.values()):
                continue  # one backhaul per route: the vehicle is no longer empty
            points = [depot.point, last.ship_to, *(p.ship_to for p in pickups)]
            d = provider.distance_m(points)
            t = provider.duration_s(points, vehicle.speed_kmh)
            leave = live[-1].planned_arrival + timedelta(seconds=last.service_s)
            best = None
            for k, p in enumerate(pickups, start=2):
                detour = int(d[1, k] + d[k, 0] - d[1, 0])
                arrive = leave + timedelta(seconds=int(t[1, k]))
                if p.window is not None:
                    arrive = max(arrive, p.window.start)
                    if arrive > p.window.end:
                        continue
                back = arrive + timedelta(seconds=p.service_s + int(t[k, 0]))
                fits = p.weight_kg <= vehicle.capacity_kg and p.volume_m3 <= vehicle.capacity_m3
                cold = vehicle.can_carry(p.temperature_class)
                shift_end = day_start(service_date) + timedelta(seconds=vehicle.shift_end_s)
                ok = detour <= max_detour_km * 1000 and fits and cold and back <= shift_end
                if ok and (best is None or detour < best[0]):
                    best = (detour, p, arrive, back, int(d[0, k]), int(d[1, k]), int(t[k, 0]))
            if best is None:
                continue
            detour, p, arrive, back, out_m, leg_m, return_s = best
            seq = max(s.seq for s in route.stops) + 1
            route_repo.insert_stops(
                uow,
                route.id,
                [RouteStop(seq, p.id, StopStatus.PLANNED, arrive, arrive, return_s, leg_m=leg_m)],
            )
            distance = route.distance_m + detour
            duration = int((back - route.planned_start).total_seconds())
            route_repo.update_route(
                uow,
                route.id,
                distance_m=distance,
                duration_s=duration,
                planned_end=back,
                planned_cost=route_cost(vehicle, distance, duration).amount,
            )
            repo.plan_shipment(uow, p, route.id)
            pickups.remove(p)
            matches.append(Match(route.id, p.id, detour / 1000, (2 * out_m - detour) / 1000))
        uow.commit()
    return matches
