"""Reading and writing T's routes and their stops (SQLAlchemy Core), always within the caller's
tenant.

Status changes are conditional updates (``WHERE status = <what we read>``): a writer that lost
a race changes nothing and finds out from the row count.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update

from otwb.platform.errors import NotFound
from otwb.platform.ids import (
    RouteId,
    ShipmentId,
    VehicleId,
    WarehouseId,
)
from otwb.platform.money import Money
from otwb.platform.uow import UnitOfWork
from otwb.transport.fleet_model import DriverId
from otwb.transport.model import (
    ACTIVE_ROUTE,
    Route,
    RouteStatus,
    RouteStop,
    StopStatus,
)
from otwb.transport.tables import route_stops, routes


def busy_vehicles(uow: UnitOfWork, depot_id: WarehouseId, service_date: date) -> set[VehicleId]:
    """Vehicles of the depot already on a planned or dispatched route that date."""
    rows = uow.conn.execute(
        select(routes.c.vehicle_id).where(
            routes.c.tenant_id == uow.tenant_id,
            routes.c.depot_id == depot_id,
            routes.c.service_date == service_date,
            routes.c.status.in_([s.value for s in ACTIVE_ROUTE]),
        )
    ).scalars()
    return {VehicleId(v) for v in rows}


def insert_route(uow: UnitOfWork, route: Route) -> None:
    now = uow.clock.now()
    uow.conn.execute(
        insert(routes).values(
            id=route.id,
            tenant_id=uow.tenant_id,
            depot_id=route.depot_id,
            vehicle_id=route.vehicle_id,
            service_date=route.service_date,
            status=route.status.value,
            distance_m=route.distance_m,
            duration_s=route.duration_s,
            planned_start=route.planned_start,
            planned_end=route.planned_end,
            currency=route.planned_cost.currency,
            planned_cost=route.planned_cost.amount,
            created_at=now,
            updated_at=now,
            driver_id=route.driver_id,
            co2_kg=route.co2_kg,
            break_s=route.break_s,
        )
    )
    insert_stops(uow, route.id, route.stops)


def insert_stops(uow: UnitOfWork, route_id: RouteId, stops: Sequence[RouteStop]) -> None:
    uow.conn.execute(
        insert(route_stops),
        [
            {
                "route_id": route_id,
                "seq": s.seq,
                "tenant_id": uow.tenant_id,
                "shipment_id": s.shipment_id,
                "status": s.status.value,
                "planned_arrival": s.planned_arrival,
                "eta": s.eta,
                "return_s": s.return_s,
                "leg_m": s.leg_m,
                "co2_kg": s.co2_kg,
            }
            for s in stops
        ],
    )


def _stop(r: Any) -> RouteStop:
    return RouteStop(
        seq=r.seq,
        shipment_id=ShipmentId(r.shipment_id),
        status=StopStatus(r.status),
        planned_arrival=r.planned_arrival,
        eta=r.eta,
        return_s=r.return_s,
        resolved_at=r.resolved_at,
        leg_m=r.leg_m,
        arrived_at=r.arrived_at,
        co2_kg=r.co2_kg,
    )


def _route(r: Any, stops: tuple[RouteStop, ...]) -> Route:
    return Route(
        id=RouteId(r.id),
        depot_id=WarehouseId(r.depot_id),
        vehicle_id=VehicleId(r.vehicle_id),
        service_date=r.service_date,
        status=RouteStatus(r.status),
        distance_m=r.distance_m,
        duration_s=r.duration_s,
        planned_start=r.planned_start,
        planned_end=r.planned_end,
        # Costs are fixed to the cent; the column keeps 4 places, so round back on the way out.
        planned_cost=Money(r.planned_cost, r.currency).rounded(),
        stops=stops,
        dispatched_at=r.dispatched_at,
        completed_at=r.completed_at,
        actual_duration_s=r.actual_duration_s,
        actual_cost=(
            Money(r.actual_cost, r.currency).rounded() if r.actual_cost is not None else None
        ),
        driver_id=DriverId(r.driver_id) if r.driver_id else None,
        co2_kg=r.co2_kg,
        break_s=r.break_s,
    )


def _stops_of(uow: UnitOfWork, route_ids: Sequence[str]) -> dict[str, list[RouteStop]]:
    by_route: dict[str, list[RouteStop]] = {rid: [] for rid in route_ids}
    if not route_ids:
        return by_route
    for r in uow.conn.execute(
        select(route_stops)
        .where(route_stops.c.tenant_id == uow.tenant_id, route_stops.c.route_id.in_(route_ids))
        .order_by(route_stops.c.route_id, route_stops.c.seq)
    ):
        by_route[r.route_id].append(_stop(r))
    return by_route


def get_route(uow: UnitOfWork, route_id: RouteId) -> Route:
    row = uow.conn.execute(
        select(routes).where(routes.c.tenant_id == uow.tenant_id, routes.c.id == route_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no route {route_id}")
    return _route(row, tuple(_stops_of(uow, [row.id])[row.id]))


def list_routes(
    uow: UnitOfWork,
    service_date: date | None = None,
    depot_id: WarehouseId | None = None,
    statuses: Collection[RouteStatus] | None = None,
) -> list[Route]:
    query = select(routes).where(routes.c.tenant_id == uow.tenant_id)
    if service_date is not None:
        query = query.where(routes.c.service_date == service_date)
    if depot_id is not None:
        query = query.where(routes.c.depot_id == depot_id)
    if statuses is not None:
        query = query.where(routes.c.status.in_([s.value for s in statuses]))
    rows = uow.conn.execute(query.order_by(routes.c.service_date, routes.c.id)).all()
    stops = _stops_of(uow, [r.id for r in rows])
    return [_route(r, tuple(stops[r.id])) for r in rows]


def move_route(
    uow: UnitOfWork, route_id: RouteId, previous: RouteStatus, to: RouteStatus, **values: Any
) -> bool:
    result = uow.conn.execute(
        update(routes)
        .where(
            routes.c.tenant_id == uow.tenant_id,
            routes.c.id == route_id,
            routes.c.status == previous.value,
        )
        .values(status=to.value, updated_at=uow.clock.now(), **values)
    )
    return result.rowcount == 1


def move_stop(
    uow: UnitOfWork,
    route_id: RouteId,
    shipment_id: ShipmentId,
    previous: Collection[StopStatus],
    to: StopStatus,
    **values: Any,
) -> bool:
    result = uow.conn.execute(
        update(route_stops)
        .where(
            route_stops.c.tenant_id == uow.tenant_id,
            route_stops.c.route_id == route_id,
            route_stops.c.shipment_id == shipment_id,
            route_stops.c.status.in_([s.value for s in previous]),
        )
        .values(status=to.value, **values)
    )
    return result.rowcount == 1


def update_route(uow: UnitOfWork, route_id: RouteId, **values: Any) -> None:
    uow.conn.execute(
        update(routes)
        .where(routes.c.tenant_id == uow.tenant_id, routes.c.id == route_id)
        .values(updated_at=uow.clock.now(), **values)
    )


def update_stop(uow: UnitOfWork, route_id: RouteId, at_seq: int, **values: Any) -> None:
    uow.conn.execute(
        update(route_stops)
        .where(
            route_stops.c.tenant_id == uow.tenant_id,
            route_stops.c.route_id == route_id,
            route_stops.c.seq == at_seq,
        )
        .values(**values)
    )


def route_of_vehicle(
    uow: UnitOfWork, vehicle_id: VehicleId, statuses: Collection[RouteStatus]
) -> Route | None:
    """The vehicle's latest route in one of ``statuses`` (its route on the road, say)."""
    row = uow.conn.execute(
        select(routes.c.id)
        .where(
            routes.c.tenant_id == uow.tenant_id,
            routes.c.vehicle_id == vehicle_id,
            routes.c.status.in_([s.value for s in statuses]),
        )
        .order_by(routes.c.service_date.desc(), routes.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else get_route(uow, RouteId(row.id))
