"""Reading and writing vehicles' GPS positions and traffic incidents, within the tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from otwb.platform.geo import GeoPoint
from otwb.platform.ids import RouteId, VehicleId
from otwb.platform.uow import UnitOfWork
from otwb.transport.tables import traffic_incidents, vehicle_positions
from otwb.transport.traffic import Incident


def insert_position(
    uow: UnitOfWork, vehicle_id: VehicleId, route_id: RouteId | None, at: datetime, point: GeoPoint
) -> None:
    uow.conn.execute(
        insert(vehicle_positions).values(
            id=uow.ids.new("pos"),
            tenant_id=uow.tenant_id,
            vehicle_id=vehicle_id,
            route_id=route_id,
            at=at,
            lat=point.lat,
            lon=point.lon,
        )
    )


def last_position(uow: UnitOfWork, route_id: RouteId) -> tuple[datetime, GeoPoint] | None:
    row = uow.conn.execute(
        select(vehicle_positions)
        .where(
            vehicle_positions.c.tenant_id == uow.tenant_id, vehicle_positions.c.route_id == route_id
        )
        .order_by(vehicle_positions.c.at.desc(), vehicle_positions.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.at, GeoPoint(row.lat, row.lon))


def insert_incident(uow: UnitOfWork, i: Incident) -> None:
    uow.conn.execute(
        insert(traffic_incidents).values(
            id=i.id,
            tenant_id=uow.tenant_id,
            kind=i.kind,
            lat=i.at.lat,
            lon=i.at.lon,
            to_lat=i.to.lat if i.to else None,
            to_lon=i.to.lon if i.to else None,
            radius_m=i.radius_m,
            factor=i.factor,
            starts_at=i.starts_at,
            ends_at=i.ends_at,
            note=i.note,
            created_at=uow.clock.now(),
        )
    )


def _incident(r: Any) -> Incident:
    return Incident(
        id=r.id,
        kind=r.kind,
        at=GeoPoint(r.lat, r.lon),
        to=GeoPoint(r.to_lat, r.to_lon) if r.to_lat is not None else None,
        radius_m=r.radius_m,
        factor=r.factor,
        starts_at=r.starts_at,
        ends_at=r.ends_at,
        note=r.note,
    )


def active_incidents(uow: UnitOfWork, at: datetime) -> list[Incident]:
    rows = uow.conn.execute(
        select(traffic_incidents)
        .where(
            traffic_incidents.c.tenant_id == uow.tenant_id,
            traffic_incidents.c.starts_at <= at,
            traffic_incidents.c.ends_at > at,
        )
        .order_by(traffic_incidents.c.id)
    ).all()
    return [_incident(r) for r in rows]
