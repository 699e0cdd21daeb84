"""T's use cases for depots, the fleet and route planning. The API, the CLI, the demo and event
handlers all call these. Shipments (taken over from W, tracked, called off) are in
``shipments.py``; dispatch and proof of delivery in ``dispatch.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from otwb.platform import auth
from otwb.platform.errors import Conflict, InvalidInput, NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import (
    RouteId,
    VehicleId,
    WarehouseId,
)
from otwb.platform.money import Money, to_decimal
from otwb.platform.uow import UnitOfWork
from otwb.transport import emissions, fleet_repo, planning, repo, route_repo, routing
from otwb.transport.distance import DistanceProvider, HaversineProvider
from otwb.transport.events import RoutePlanned
from otwb.transport.fleet_model import DriverId, Fuel, VehicleTypeId
from otwb.transport.model import (
    PLANNABLE,
    Depot,
    Route,
    RouteStatus,
    RouteStop,
    Shipment,
    ShipmentKind,
    ShipmentStatus,
    StopStatus,
    Vehicle,
)
from otwb.transport.osrm import OsrmProvider
from otwb.transport.planning import Unplanned
from otwb.transport.tables import vehicles

log = logging.getLogger("otwb.transport")

DEFAULT_TIME_LIMIT_S = 5.0
MAX_TIME_LIMIT_S = 120.0


def distance_provider(uow: UnitOfWork) -> DistanceProvider:
    """The configured distance provider: OSRM when ``OTWB_OSRM_URL`` names a server, else
    haversine x the settings' road factor."""
    settings = uow.runtime.settings
    if settings.osrm_url:
        return OsrmProvider(settings.osrm_url)
    return HaversineProvider(settings.road_factor)


# -- depots ---------------------------------------------------------------------------------
def open_depot(uow: UnitOfWork, depot_id: WarehouseId, name: str, point: GeoPoint) -> Depot:
    """A warehouse opened (or moved, or was renamed): vehicles can be based there."""
    depot = Depot(depot_id, name.strip() or depot_id, point)
    with uow:
        repo.upsert_depot(uow, depot)
        uow.commit()
    return depot


def list_depots(uow: UnitOfWork) -> list[Depot]:
    with uow:
        return repo.list_depots(uow)


# -- vehicles -------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewVehicle:
    code: str
    depot_id: WarehouseId
    capacity_kg: float
    capacity_m3: float
    cost_per_km: Decimal
    cost_per_hour: Decimal
    fixed_cost: Decimal = Decimal(0)
    speed_kmh: float = 50.0
    shift_start: time = time(7, 0)
    shift_end: time = time(17, 0)
    refrigerated: bool = False
    label: str = "van"
    active: bool = True
    vehicle_type_id: VehicleTypeId | None = None
    capacity_pallets: int | None = None
    fuel: Fuel = Fuel.DIESEL
    range_km: float | None = None
    co2_kg_per_km: Decimal | None = None
    driver_id: DriverId | None = None


def add_vehicle(uow: UnitOfWork, new: NewVehicle) -> Vehicle:
    """Add a vehicle to a depot's fleet; its costs are in the tenant's currency."""
    with uow:
        currency = auth.get_tenant(uow, uow.tenant_id).currency
        try:
            per_km, per_hour, fixed = (
                _rate(x) for x in (new.cost_per_km, new.cost_per_hour, new.fixed_cost)
            )
            vehicle = Vehicle(
                id=VehicleId(uow.ids.new("veh")),
                code=new.code.strip(),
                depot_id=new.depot_id,
                label=new.label.strip() or "van",
                capacity_kg=new.capacity_kg,
                capacity_m3=new.capacity_m3,
                refrigerated=new.refrigerated,
                cost_per_km=Money.of(per_km, currency),
                cost_per_hour=Money.of(per_hour, currency),
                fixed_cost=Money.of(fixed, currency),
                speed_kmh=new.speed_kmh,
                shift_start=new.shift_start,
                shift_end=new.shift_end,
                active=new.active,
                vehicle_type_id=new.vehicle_type_id,
                capacity_pallets=new.capacity_pallets,
                fuel=new.fuel,
                range_km=new.range_km,
                co2_kg_per_km=new.co2_kg_per_km,
                driver_id=new.driver_id,
            )
        except (TypeError, ValueError, ArithmeticError) as exc:  # a float, NaN, too precise
            raise InvalidInput(f"invalid vehicle cost: {exc}") from None
        try:
            repo.get_depot(uow, new.depot_id)
        except NotFound:
            raise InvalidInput(f"unknown depot {new.depot_id}", field="depot_id") from None
        repo.insert_coded(uow, vehicles, "vehicle", repo.insert_vehicle, vehicle)
        uow.commit()
    return vehicle


RATE_PLACES = Decimal("0.0001")
"""Vehicle rates are kept to 4 decimal places (a tenth of a cent per km is meaningful)."""


def _rate(value: Decimal) -> Decimal:
    """The rate at 4 places, as the database keeps it; more precision is refused, not lost."""
    rate = to_decimal(value)
    fixed = rate.quantize(RATE_PLACES)
    if fixed != rate:
        raise ValueError(f"{value} has more than 4 decimal places")
    return fixed


def list_vehicles(uow: UnitOfWork, depot_id: WarehouseId | None = None) -> list[Vehicle]:
    with uow:
        return repo.list_vehicles(uow, depot_id)


def get_vehicle(uow: UnitOfWork, vehicle_id: VehicleId) -> Vehicle:
    with uow:
        return repo.get_vehicle(uow, vehicle_id)


# -- planning -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanResult:
    routes: list[Route]
    unplanned: list[Unplanned]


def plan_routes(
    uow: UnitOfWork,
    depot_id: WarehouseId,
    service_date: date,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    seed: int = 0,
) -> PlanResult:
    """Plan routes for the shipments waiting at a depot, with its free vehicles, on a date."""
    return plan_depots(uow, [depot_id], service_date, time_limit_s, seed)


def plan_depots(
    uow: UnitOfWork,
    depot_ids: Sequence[WarehouseId],
    service_date: date,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    seed: int = 0,
    fleet_filter: Callable[[list[Vehicle]], list[Vehicle]] | None = None,
) -> PlanResult:
    """Plan the waiting shipments (deliveries and pickups) of several depots together, with
    their free vehicles and drivers: one routing problem, each shipment served from its depot.

    The router runs outside any transaction (it takes seconds); the plan is then written in
    one transaction that first checks nothing moved meanwhile: every shipment still waiting,
    every vehicle still free (a concurrent plan makes this one a ``Conflict``, not a double
    booking). Shipments that could not be planned stay as they are and come back with why.
    ``fleet_filter`` narrows the free vehicles (load planning's consolidation).
    """
    if not 0 < time_limit_s <= MAX_TIME_LIMIT_S:
        raise InvalidInput(f"the time limit is between 0 and {MAX_TIME_LIMIT_S:g} seconds")
    if not depot_ids or len(set(depot_ids)) != len(depot_ids):
        raise InvalidInput("name each depot to plan once")
    with uow:
        depots = [repo.get_depot(uow, d) for d in depot_ids]
        fleet: list[Vehicle] = []
        waiting: list[Shipment] = []
        for d in depot_ids:
            busy = route_repo.busy_vehicles(uow, d, service_date)
            fleet += [v for v in repo.list_vehicles(uow, d) if v.active and v.id not in busy]
            waiting += repo.list_shipments(uow, PLANNABLE, d)
        crews = [x for d in depot_ids for x in fleet_repo.list_drivers(uow, d)]
        taken = fleet_repo.busy_drivers(uow, service_date)
        now = uow.clock.now()
    if fleet_filter is not None:
        fleet = fleet_filter(fleet)
    problem = planning.build(
        depots, fleet, waiting, service_date, now, distance_provider(uow), crews, taken
    )
    plan = routing.solve(problem.problem, time_limit_s, seed)
    drafts, unplanned = planning.drafts(problem, plan)
    created: list[Route] = []
    with uow:
        for draft in drafts:
            created.append(_persist(uow, draft.vehicle.depot_id, service_date, draft))
        uow.commit()
    return PlanResult(created, unplanned)


def _persist(
    uow: UnitOfWork, depot_id: WarehouseId, service_date: date, draft: planning.RouteDraft
) -> Route:
    route_id = RouteId(uow.ids.new("rte"))
    total_co2, shares = emissions_of(draft)
    route = Route(
        id=route_id,
        depot_id=depot_id,
        vehicle_id=draft.vehicle.id,
        service_date=service_date,
        status=RouteStatus.PLANNED,
        distance_m=draft.distance_m,
        duration_s=draft.duration_s,
        planned_start=draft.start,
        planned_end=draft.end,
        planned_cost=draft.cost,
        stops=tuple(
            RouteStop(
                seq,
                s.shipment.id,
                StopStatus.PLANNED,
                s.arrival,
                s.arrival,
                s.return_s,
                leg_m=s.leg_m,
                co2_kg=share,
            )
            for seq, (s, share) in enumerate(zip(draft.stops, shares, strict=True), start=1)
        ),
        driver_id=draft.driver.id if draft.driver else None,
        co2_kg=total_co2,
        break_s=draft.break_s,
    )
    try:
        route_repo.insert_route(uow, route)
    except IntegrityError:
        raise Conflict(
            f"vehicle {draft.vehicle.code} was planned on {service_date} meanwhile; plan again"
        ) from None
    for stop in draft.stops:
        stop.shipment.moved_to(ShipmentStatus.PLANNED)
        if not repo.plan_shipment(uow, stop.shipment, route_id):
            raise Conflict(f"shipment {stop.shipment.id} changed while planning; plan again")
    uow.record(
        RoutePlanned(
            route_id=route_id,
            depot_id=depot_id,
            vehicle_id=draft.vehicle.id,
            service_date=service_date,
            stops=len(route.stops),
            distance_km=float(route.distance_km),
            duration_s=route.duration_s,
        )
    )
    return route


def emissions_of(draft: planning.RouteDraft) -> tuple[Decimal, list[Decimal]]:
    """The route's CO2e and each stop's share (see ``emissions.py`` for the method)."""
    v = draft.vehicle
    full = v.co2_kg_per_km or emissions.default_co2_kg_per_km(v.fuel, v.capacity_kg)
    pickup = [s.shipment.kind is ShipmentKind.PICKUP for s in draft.stops]
    total = emissions.route_co2(
        [*(s.leg_m for s in draft.stops), draft.back_m],
        [0.0 if p else s.shipment.weight_kg for s, p in zip(draft.stops, pickup, strict=True)],
        [s.shipment.weight_kg if p else 0.0 for s, p in zip(draft.stops, pickup, strict=True)],
        v.capacity_kg,
        full,
    )
    tkm = [s.shipment.weight_kg / 1000 * s.direct_m / 1000 for s in draft.stops]
    return total, emissions.allocate(total, tkm)


def cancel_route(uow: UnitOfWork, route_id: RouteId) -> Route:
    """Call off a planned route (to plan again, say): its shipments wait for the next plan."""
    with uow:
        route = route_repo.get_route(uow, route_id)
        cancelled = route.moved_to(RouteStatus.CANCELLED)
        for stop in route.stops:
            if stop.status is not StopStatus.PLANNED:
                continue
            if not repo.move_shipment(
                uow, stop.shipment_id, [ShipmentStatus.PLANNED], ShipmentStatus.READY
            ):
                raise Conflict(f"shipment {stop.shipment_id} changed meanwhile; try again")
            route_repo.move_stop(
                uow, route_id, stop.shipment_id, [StopStatus.PLANNED], StopStatus.CANCELLED
            )
        if not route_repo.move_route(uow, route_id, RouteStatus.PLANNED, RouteStatus.CANCELLED):
            raise Conflict(f"route {route_id} changed while this request ran; try again")
        uow.commit()
    return cancelled


# -- routes ---------------------------------------------------------------------------------
def get_route(uow: UnitOfWork, route_id: RouteId) -> Route:
    with uow:
        return route_repo.get_route(uow, route_id)


def list_routes(
    uow: UnitOfWork, service_date: date | None = None, depot_id: WarehouseId | None = None
) -> list[Route]:
    with uow:
        return route_repo.list_routes(uow, service_date, depot_id)


@dataclass(frozen=True)
class FleetSummary:
    service_date: date
    routes: int
    vehicles_used: int
    stops: int
    delivered: int
    failed: int
    distance_km: Decimal
    cost: Money
    """Completed routes at their actual cost, the others at their planned cost."""


def fleet_summary(uow: UnitOfWork, service_date: date) -> FleetSummary:
    with uow:
        currency = auth.get_tenant(uow, uow.tenant_id).currency
        live = [
            r
            for r in route_repo.list_routes(uow, service_date)
            if r.status is not RouteStatus.CANCELLED
        ]
    stops = [s for r in live for s in r.stops if s.status is not StopStatus.CANCELLED]
    cost = Money.zero(currency)
    for r in live:
        cost = cost + (r.actual_cost or r.planned_cost)
    return FleetSummary(
        service_date=service_date,
        routes=len(live),
        vehicles_used=len({r.vehicle_id for r in live}),
        stops=len(stops),
        delivered=sum(s.status is StopStatus.DELIVERED for s in stops),
        failed=sum(s.status is StopStatus.FAILED for s in stops),
        distance_km=sum((r.distance_km for r in live), Decimal(0)),
        cost=cost,
    )
