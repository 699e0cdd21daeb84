"""From the depot's shipments and vehicles to a routing problem, and from a plan back to routes.

Pure: no database, no solver. The units are chosen here and nowhere else:

* distance in metres, time in seconds from the service date at 00:00 UTC;
* loads in three dimensions: weight in grams, volume in cm³, and "cold" (1 for a chilled or
  frozen shipment; a refrigerated vehicle can take them all, any other vehicle none);
  demands round up and capacities round down, so integer rounding never overloads a vehicle;
* money in milli-cents (thousandths of the currency's minor unit) per metre and per second, so
  the router minimises what the routes cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from otwb.platform.geo import GeoPoint
from otwb.platform.ids import ShipmentId
from otwb.platform.money import Money, minor_unit
from otwb.transport.distance import DistanceProvider
from otwb.transport.model import (
    Depot,
    Shipment,
    Vehicle,
    day_start,
    route_cost,
    service_seconds,
)
from otwb.transport.vrp import (
    PlannedRoute,
    RoutingDepot,
    RoutingPlan,
    RoutingProblem,
    RoutingStop,
    RoutingVehicle,
)

DIMENSIONS = ("weight_g", "volume_cm3", "cold")

NO_VEHICLE = "no vehicle of this depot is free on this date"
NEEDS_COLD = "needs a refrigerated vehicle; none is free"
TOO_BIG = "heavier or bulkier than any free vehicle can carry"
WINDOW_MISSED = "its delivery window ends before any vehicle could arrive"
OUTSIDE_SHIFTS = "it cannot be delivered and the vehicle back at the depot within any shift"
FLEET_FULL = "the free vehicles have no capacity or time left for it on this date"


@dataclass(frozen=True, slots=True)
class Unplanned:
    shipment_id: ShipmentId
    reason: str


@dataclass(frozen=True)
class Planning:
    """A routing problem with the domain objects its indices stand for."""

    origin: datetime
    problem: RoutingProblem
    vehicles: tuple[Vehicle, ...]
    shipments: tuple[Shipment, ...]
    excluded: tuple[Unplanned, ...]


@dataclass(frozen=True)
class StopDraft:
    shipment: Shipment
    arrival: datetime
    return_s: int


@dataclass(frozen=True)
class RouteDraft:
    vehicle: Vehicle
    stops: tuple[StopDraft, ...]
    start: datetime
    end: datetime
    distance_m: int
    duration_s: int
    cost: Money


def demand(shipment: Shipment) -> tuple[int, int, int]:
    return (
        math.ceil(round(shipment.weight_kg * 1000, 6)),
        math.ceil(round(shipment.volume_m3 * 1_000_000, 6)),
        1 if shipment.temperature_class.needs_refrigeration else 0,
    )


def capacity(vehicle: Vehicle, stops: int) -> tuple[int, int, int]:
    return (
        math.floor(round(vehicle.capacity_kg * 1000, 6)),
        math.floor(round(vehicle.capacity_m3 * 1_000_000, 6)),
        stops if vehicle.refrigerated else 0,
    )


def milli_minor(amount: Money, per: int) -> int:
    """``amount`` per ``per`` units (metres, seconds) in milli-minor-units per unit, rounded."""
    scale = Decimal(1000) / minor_unit(amount.currency)
    return int((amount.amount * scale / per).to_integral_value(ROUND_HALF_UP))


def _seconds(instant: datetime, origin: datetime) -> int:
    return math.floor((instant - origin).total_seconds())


def build(
    depot: Depot,
    vehicles: Sequence[Vehicle],
    shipments: Sequence[Shipment],
    service_date: date,
    now: datetime,
    provider: DistanceProvider,
) -> Planning:
    """The problem of serving ``shipments`` from ``depot`` with ``vehicles`` on ``service_date``.

    Vehicles leave at the start of their shift, or now if the shift has begun; a vehicle whose
    shift is over is left out. Shipments no free vehicle could serve at all (too big, needs
    cold, window missed, outside every shift) are left out up front, with the reason.
    """
    origin = day_start(service_date)
    elapsed = max(0, math.ceil((now - origin).total_seconds()))
    free = [
        (v, max(v.shift_start_s, elapsed))
        for v in vehicles
        if v.active and max(v.shift_start_s, elapsed) < v.shift_end_s
    ]
    points: list[GeoPoint] = [depot.point, *(s.ship_to for s in shipments)]
    distance = provider.distance_m(points)
    speeds = sorted({v.speed_kmh for v, _ in free})
    durations = tuple(provider.duration_s(points, speed) for speed in speeds)
    profile = {speed: i for i, speed in enumerate(speeds)}
    routing_vehicles = [
        RoutingVehicle(
            name=v.code,
            depot=0,
            capacity=capacity(v, len(shipments)),
            tw_early=leave,
            tw_late=v.shift_end_s,
            fixed_cost=milli_minor(v.fixed_cost, 1),
            cost_per_m=milli_minor(v.cost_per_km, 1000),
            cost_per_s=milli_minor(v.cost_per_hour, 3600),
            profile=profile[v.speed_kmh],
        )
        for v, leave in free
    ]
    kept: list[Shipment] = []
    kept_points: list[int] = [0]  # the depot, then each kept shipment's ship-to
    stops: list[RoutingStop] = []
    excluded: list[Unplanned] = []
    for location, shipment in enumerate(shipments, start=1):
        stop = RoutingStop(
            name=shipment.tracking_number,
            location=location,
            demand=demand(shipment),
            service_s=service_seconds(shipment.parcel_count),
            tw_early=max(0, _seconds(shipment.window.start, origin)) if shipment.window else 0,
            tw_late=_seconds(shipment.window.end, origin) if shipment.window else 2**40,
        )
        reason = _why_not(stop, routing_vehicles, durations)
        if reason is not None:
            excluded.append(Unplanned(shipment.id, reason))
            continue
        horizon = max(v.tw_late for v in routing_vehicles)
        stops.append(
            RoutingStop(
                stop.name,
                len(kept) + 1,
                stop.demand,
                stop.service_s,
                stop.tw_early,
                min(stop.tw_late, horizon),
            )
        )
        kept.append(shipment)
        kept_points.append(location)
    index = np.array(kept_points, dtype=np.intp)
    coordinates = np.array([[p.lon, p.lat] for p in (points[i] for i in index)], dtype=np.float64)
    problem = RoutingProblem(
        dimensions=DIMENSIONS,
        coordinates=coordinates.reshape(len(index), 2),
        distance_m=np.ascontiguousarray(distance[np.ix_(index, index)]),
        durations_s=tuple(np.ascontiguousarray(d[np.ix_(index, index)]) for d in durations)
        or (np.zeros((len(index), len(index)), dtype=np.int64),),
        depots=(RoutingDepot(0, depot.name),),
        vehicles=tuple(routing_vehicles),
        stops=tuple(stops),
    )
    return Planning(origin, problem, tuple(v for v, _ in free), tuple(kept), tuple(excluded))


def _why_not(
    stop: RoutingStop, vehicles: Sequence[RoutingVehicle], durations: Sequence[np.ndarray]
) -> str | None:
    """Why no vehicle could serve this stop even alone, or ``None`` if one could."""
    if not vehicles:
        return NO_VEHICLE
    furthest = -1
    reasons = (NEEDS_COLD, TOO_BIG, WINDOW_MISSED, OUTSIDE_SHIFTS)
    for v in vehicles:
        there = int(durations[v.profile][0, stop.location])
        back = int(durations[v.profile][stop.location, 0])
        arrival = max(v.tw_early + there, stop.tw_early)
        if stop.demand[2] > v.capacity[2]:
            step = 0
        elif any(d > c for d, c in zip(stop.demand, v.capacity, strict=True)):
            step = 1
        elif arrival > stop.tw_late:
            step = 2
        elif arrival + stop.service_s + back > v.tw_late:
            step = 3
        else:
            return None
        furthest = max(furthest, step)
    return reasons[furthest]


def drafts(planning: Planning, plan: RoutingPlan) -> tuple[list[RouteDraft], list[Unplanned]]:
    """The routes of a (checked) plan, with real times and costs, and what was left out."""
    routes = [_draft(planning, r) for r in plan.routes]
    left = [Unplanned(planning.shipments[i].id, FLEET_FULL) for i in plan.unplanned]
    return routes, [*planning.excluded, *left]


def _draft(planning: Planning, route: PlannedRoute) -> RouteDraft:
    problem, origin = planning.problem, planning.origin
    vehicle = planning.vehicles[route.vehicle]
    routing_vehicle = problem.vehicles[route.vehicle]

    def at(seconds: int) -> datetime:
        return origin + timedelta(seconds=seconds)

    depot = problem.depots[routing_vehicle.depot].location
    stops = tuple(
        StopDraft(
            planning.shipments[visit.stop],
            at(visit.start_s),
            problem.travel_s(routing_vehicle, problem.stops[visit.stop].location, depot),
        )
        for visit in route.visits
    )
    return RouteDraft(
        vehicle=vehicle,
        stops=stops,
        start=at(route.start_s),
        end=at(route.end_s),
        distance_m=route.distance_m,
        duration_s=route.duration_s,
        cost=route_cost(vehicle, route.distance_m, route.duration_s),
    )
