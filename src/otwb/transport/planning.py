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
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from otwb.platform.geo import GeoPoint
from otwb.platform.ids import ShipmentId
from otwb.platform.money import Money, minor_unit
from otwb.transport.distance import DistanceProvider
from otwb.transport.fleet_model import Driver, DriverId, shared_shift
from otwb.transport.model import (
    Depot,
    Shipment,
    ShipmentKind,
    Vehicle,
    day_start,
    route_cost,
    seconds_of_day,
)
from otwb.transport.vrp import (
    PlannedRoute,
    RoutingDepot,
    RoutingPlan,
    RoutingProblem,
    RoutingStop,
    RoutingVehicle,
)

DIMENSIONS = ("weight_g", "volume_cm3", "cold", "pallets")
"""Then, when several depots plan together, one dimension per depot ("from <depot>"): a
shipment has 1 in its depot's, a vehicle capacity only in its own depot's -- goods leave (and
pickups return to) the depot they belong to."""

NO_VEHICLE = "no vehicle of this depot is free on this date"
NEEDS_COLD = "needs a refrigerated vehicle; none is free"
TOO_BIG = "heavier or bulkier than any free vehicle can carry"
WINDOW_MISSED = "its delivery window ends before any vehicle could arrive"
OUTSIDE_SHIFTS = "it cannot be delivered and the vehicle back at the depot within any shift"
FLEET_FULL = "the free vehicles have no capacity or time left for it on this date"
NO_DRIVER = "no driver of this depot is free on this date"


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
    drivers: tuple[Driver | None, ...] = ()
    depots: tuple[Depot, ...] = ()


@dataclass(frozen=True)
class StopDraft:
    shipment: Shipment
    arrival: datetime
    return_s: int
    leg_m: int = 0
    direct_m: int = 0
    """Road distance from the depot straight to it (GLEC's allocation basis)."""


@dataclass(frozen=True)
class RouteDraft:
    vehicle: Vehicle
    stops: tuple[StopDraft, ...]
    start: datetime
    end: datetime
    distance_m: int
    duration_s: int
    cost: Money
    driver: Driver | None = None
    break_s: int = 0
    back_m: int = 0
    """Road distance from the last stop back to the depot."""


def crew(
    vehicles: Sequence[Vehicle], drivers: Sequence[Driver], busy: Collection[DriverId] = ()
) -> list[tuple[Vehicle, Driver | None]]:
    """Pair each depot's free vehicles with its free drivers: a vehicle's usual driver when free,
    then the others by longest shift. A depot that keeps no drivers in OTWB plans its vehicles
    alone (their own shifts); one that does, plans only the vehicles it can crew."""
    by_depot: dict[str, list[Driver]] = {}
    for d in sorted(drivers, key=lambda d: (d.shift_start, d.code)):
        pool = by_depot.setdefault(d.depot_id, [])
        if d.active and d.id not in busy:
            pool.append(d)
    pairs: list[tuple[Vehicle, Driver | None]] = []
    for v in vehicles:
        crew_of = by_depot.get(v.depot_id)
        if crew_of is None:
            pairs.append((v, None))
            continue
        own = next((d for d in crew_of if d.id == v.driver_id), None)
        if own is None and crew_of:
            own = max(
                crew_of, key=lambda d: seconds_of_day(d.shift_end) - seconds_of_day(d.shift_start)
            )
        if own is not None:
            crew_of.remove(own)
            pairs.append((v, own))
    return pairs


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


def _load(shipment: Shipment, dims: int, depot_dim: int | None) -> tuple[int, ...]:
    weight, volume, cold = demand(shipment)
    vector = [weight, volume, cold, shipment.pallets] + [0] * (dims - len(DIMENSIONS))
    if depot_dim is not None:
        vector[depot_dim] = 1
    return tuple(vector)


def build(
    depots: Depot | Sequence[Depot],
    vehicles: Sequence[Vehicle],
    shipments: Sequence[Shipment],
    service_date: date,
    now: datetime,
    provider: DistanceProvider,
    drivers: Sequence[Driver] = (),
    busy_drivers: Collection[DriverId] = (),
) -> Planning:
    """The problem of serving ``shipments`` from their depots with ``vehicles`` on a date.

    Vehicles leave at the start of their shift (shared with their driver's), or now if it has
    begun; a vehicle whose shift is over is left out. Shipments no free vehicle could serve at
    all (too big, needs cold, window missed, outside every shift) are left out up front, with
    the reason. Deliveries load at their depot; pickups ride back to theirs.
    """
    sites = (depots,) if isinstance(depots, Depot) else tuple(depots)
    depot_index = {d.id: i for i, d in enumerate(sites)}
    dims = len(DIMENSIONS) + (len(sites) if len(sites) > 1 else 0)
    names = DIMENSIONS + tuple(f"from {d.name}" for d in sites if len(sites) > 1)
    origin = day_start(service_date)
    elapsed = max(0, math.ceil((now - origin).total_seconds()))
    free: list[tuple[Vehicle, Driver | None, int, int, int, int]] = []
    for v, driver in crew(
        [v for v in vehicles if v.depot_id in depot_index], drivers, busy_drivers
    ):
        start, end, brk_after, brk = shared_shift((v.shift_start_s, v.shift_end_s), driver)
        leave = max(start, elapsed)
        if v.active and leave < end:
            free.append((v, driver, leave, end, brk_after, brk))
    points: list[GeoPoint] = [*(d.point for d in sites), *(s.ship_to for s in shipments)]
    distance = provider.distance_m(points)
    speeds = sorted({v.speed_kmh for v, *_ in free})
    durations = tuple(provider.duration_s(points, speed) for speed in speeds)
    profile = {speed: i for i, speed in enumerate(speeds)}
    total_pallets = sum(s.pallets for s in shipments)
    routing_vehicles = []
    for v, _driver, leave, end, brk_after, brk in free:
        weight, volume, cold = capacity(v, len(shipments))
        cap = [weight, volume, cold, v.capacity_pallets or total_pallets] + [0] * (dims - 4)
        if len(sites) > 1:
            cap[len(DIMENSIONS) + depot_index[v.depot_id]] = len(shipments)
        routing_vehicles.append(
            RoutingVehicle(
                name=v.code,
                depot=depot_index[v.depot_id],
                capacity=tuple(cap),
                tw_early=leave,
                tw_late=end,
                fixed_cost=milli_minor(v.fixed_cost, 1),
                cost_per_m=milli_minor(v.cost_per_km, 1000),
                cost_per_s=milli_minor(v.cost_per_hour, 3600),
                profile=profile[v.speed_kmh],
                max_distance_m=int(v.range_km * 1000) if v.range_km is not None else None,
                break_after_s=brk_after,
                break_s=brk,
            )
        )
    kept: list[Shipment] = []
    kept_points: list[int] = list(range(len(sites)))
    stops: list[RoutingStop] = []
    excluded: list[Unplanned] = []
    horizon = max((v.tw_late for v in routing_vehicles), default=0)
    for location, shipment in enumerate(shipments, start=len(sites)):
        depot_dim = len(DIMENSIONS) + depot_index[shipment.depot_id] if len(sites) > 1 else None
        load = _load(shipment, dims, depot_dim)
        pickup = shipment.kind is ShipmentKind.PICKUP
        stop = RoutingStop(
            name=shipment.tracking_number,
            location=location,
            demand=(0,) * dims if pickup else load,
            service_s=shipment.service_s,
            tw_early=max(0, _seconds(shipment.window.start, origin)) if shipment.window else 0,
            tw_late=_seconds(shipment.window.end, origin) if shipment.window else 2**40,
            pickup=load if pickup else (),
        )
        home = depot_index[shipment.depot_id]
        own = [v for v in routing_vehicles if v.depot == home]
        reason = _why_not(stop, own, durations, home) if own or not drivers else NO_DRIVER
        if reason is not None:
            excluded.append(Unplanned(shipment.id, reason))
            continue
        stops.append(replace(stop, location=len(kept_points), tw_late=min(stop.tw_late, horizon)))
        kept.append(shipment)
        kept_points.append(location)
    index = np.array(kept_points, dtype=np.intp)
    coordinates = np.array([[p.lon, p.lat] for p in (points[i] for i in index)], dtype=np.float64)
    problem = RoutingProblem(
        dimensions=names,
        coordinates=coordinates.reshape(len(index), 2),
        distance_m=np.ascontiguousarray(distance[np.ix_(index, index)]),
        durations_s=tuple(np.ascontiguousarray(d[np.ix_(index, index)]) for d in durations)
        or (np.zeros((len(index), len(index)), dtype=np.int64),),
        depots=tuple(RoutingDepot(i, d.name) for i, d in enumerate(sites)),
        vehicles=tuple(routing_vehicles),
        stops=tuple(stops),
    )
    return Planning(
        origin,
        problem,
        tuple(v for v, *_ in free),
        tuple(kept),
        tuple(excluded),
        tuple(d for _, d, *_ in free),
        sites,
    )


def _why_not(
    stop: RoutingStop,
    vehicles: Sequence[RoutingVehicle],
    durations: Sequence[np.ndarray],
    home: int,
) -> str | None:
    """Why no vehicle could serve this stop even alone, or ``None`` if one could."""
    if not vehicles:
        return NO_VEHICLE
    furthest = -1
    reasons = (NEEDS_COLD, TOO_BIG, WINDOW_MISSED, OUTSIDE_SHIFTS)
    load = [max(d, p) for d, p in zip(stop.demand, stop.picked(len(stop.demand)), strict=True)]
    for v in vehicles:
        there = int(durations[v.profile][home, stop.location])
        back = int(durations[v.profile][stop.location, home])
        arrival = max(v.tw_early + there, stop.tw_early)
        if load[2] > v.capacity[2]:
            step = 0
        elif any(d > c for d, c in zip(load, v.capacity, strict=True)):
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
    here = depot
    stops = []
    for visit in route.visits:
        there = problem.stops[visit.stop].location
        stops.append(
            StopDraft(
                planning.shipments[visit.stop],
                at(visit.start_s),
                problem.travel_s(routing_vehicle, there, depot),
                int(problem.distance_m[here, there]),
                int(problem.distance_m[depot, there]),
            )
        )
        here = there
    return RouteDraft(
        vehicle=vehicle,
        stops=tuple(stops),
        start=at(route.start_s),
        end=at(route.end_s),
        distance_m=route.distance_m,
        duration_s=route.duration_s,
        cost=route_cost(vehicle, route.distance_m, route.duration_s),
        driver=planning.drivers[route.vehicle] if planning.drivers else None,
        break_s=routing_vehicle.break_s * len(route.breaks),
        back_m=int(problem.distance_m[here, depot]),
    )
