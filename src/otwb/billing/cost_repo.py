"""Reading and writing B's own costs: route costs and their shares, warehouse activities and the
internal cost rates -- always within the caller's tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from otwb.billing.fleet_cost import CostParts
from otwb.billing.settlement import money_amount
from otwb.billing.settlement_tables import (
    internal_cost_rates,
    route_cost_shares,
    route_costs,
    warehouse_activities,
)
from otwb.platform.db import upsert
from otwb.platform.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class RouteCost:
    id: str
    route_id: str
    vehicle_id: str
    depot_id: str
    service_date: date
    distance_km: Decimal
    duration_s: int
    parts: CostParts
    currency: str
    completed_at: datetime


@dataclass(frozen=True, slots=True)
class CostShare:
    """A shipment's share of its route's cost."""

    route_cost_id: str
    shipment_id: str
    order_id: str | None
    customer_id: str
    weight_kg: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Activity:
    """Warehouse work counted for its internal cost (``pick_line``, ``parcel``)."""

    activity: str
    source_id: str
    warehouse_id: str
    customer_id: str
    order_id: str | None
    quantity: Decimal
    occurred_at: datetime


def _insert(uow: UnitOfWork) -> Any:
    return postgresql.insert if uow.conn.dialect.name == "postgresql" else sqlite.insert


def insert_route_cost(uow: UnitOfWork, cost: RouteCost, shares: list[CostShare]) -> bool:
    """Record the route's cost and its shares, unless the route already has them."""
    statement = (
        _insert(uow)(route_costs)
        .values(
            id=cost.id,
            tenant_id=uow.tenant_id,
            route_id=cost.route_id,
            vehicle_id=cost.vehicle_id,
            depot_id=cost.depot_id,
            service_date=cost.service_date,
            distance_km=cost.distance_km,
            duration_s=cost.duration_s,
            distance_cost=cost.parts.distance,
            time_cost=cost.parts.time,
            fixed_cost=cost.parts.fixed,
            total=cost.parts.total,
            currency=cost.currency,
            completed_at=cost.completed_at,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "route_id"])
    )
    if not uow.conn.execute(statement.returning(route_costs.c.id)).all():
        return False
    if shares:
        uow.conn.execute(
            insert(route_cost_shares),
            [
                {
                    "route_cost_id": s.route_cost_id,
                    "shipment_id": s.shipment_id,
                    "tenant_id": uow.tenant_id,
                    "order_id": s.order_id,
                    "customer_id": s.customer_id,
                    "weight_kg": s.weight_kg,
                    "amount": s.amount,
                }
                for s in shares
            ],
        )
    return True


def _route_cost(r: Any) -> RouteCost:
    return RouteCost(
        id=r.id,
        route_id=r.route_id,
        vehicle_id=r.vehicle_id,
        depot_id=r.depot_id,
        service_date=r.service_date,
        distance_km=r.distance_km,
        duration_s=r.duration_s,
        parts=CostParts(
            money_amount(r.distance_cost, r.currency),
            money_amount(r.time_cost, r.currency),
            money_amount(r.fixed_cost, r.currency),
        ),
        currency=r.currency,
        completed_at=r.completed_at,
    )


def list_route_costs(uow: UnitOfWork, between: tuple[date, date] | None = None) -> list[RouteCost]:
    query = select(route_costs).where(route_costs.c.tenant_id == uow.tenant_id)
    if between is not None:
        query = query.where(
            route_costs.c.service_date >= between[0], route_costs.c.service_date < between[1]
        )
    rows = uow.conn.execute(query.order_by(route_costs.c.service_date, route_costs.c.route_id))
    return [_route_cost(r) for r in rows]


def shares_of(uow: UnitOfWork, route_cost_ids: list[str]) -> list[CostShare]:
    if not route_cost_ids:
        return []
    rows = uow.conn.execute(
        select(route_cost_shares, route_costs.c.currency)
        .join(route_costs, route_costs.c.id == route_cost_shares.c.route_cost_id)
        .where(
            route_cost_shares.c.tenant_id == uow.tenant_id,
            route_cost_shares.c.route_cost_id.in_(route_cost_ids),
        )
        .order_by(route_cost_shares.c.route_cost_id, route_cost_shares.c.shipment_id)
    )
    return [
        CostShare(r.route_cost_id, r.shipment_id, r.order_id, r.customer_id, r.weight_kg, r.amount)
        for r in rows
    ]


def insert_activity(uow: UnitOfWork, a: Activity) -> bool:
    statement = (
        _insert(uow)(warehouse_activities)
        .values(
            tenant_id=uow.tenant_id,
            activity=a.activity,
            source_id=a.source_id,
            warehouse_id=a.warehouse_id,
            customer_id=a.customer_id,
            order_id=a.order_id,
            quantity=a.quantity,
            occurred_at=a.occurred_at,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "activity", "source_id"])
    )
    return bool(uow.conn.execute(statement.returning(warehouse_activities.c.source_id)).all())


def list_activities(uow: UnitOfWork, between: tuple[datetime, datetime]) -> list[Activity]:
    rows = uow.conn.execute(
        select(warehouse_activities)
        .where(
            warehouse_activities.c.tenant_id == uow.tenant_id,
            warehouse_activities.c.occurred_at >= between[0],
            warehouse_activities.c.occurred_at < between[1],
        )
        .order_by(warehouse_activities.c.occurred_at, warehouse_activities.c.source_id)
    )
    return [
        Activity(
            r.activity,
            r.source_id,
            r.warehouse_id,
            r.customer_id,
            r.order_id,
            r.quantity,
            r.occurred_at,
        )
        for r in rows
    ]


def save_rate(uow: UnitOfWork, activity: str, rate: Decimal, currency: str) -> None:
    upsert(
        uow.conn,
        internal_cost_rates,
        {
            "tenant_id": uow.tenant_id,
            "activity": activity,
            "rate": rate,
            "currency": currency,
            "updated_at": uow.clock.now(),
        },
        [internal_cost_rates.c.tenant_id, internal_cost_rates.c.activity],
        lambda new: {"rate": new.rate, "currency": new.currency, "updated_at": new.updated_at},
    )


def list_rates(uow: UnitOfWork) -> dict[str, tuple[Decimal, str]]:
    rows = uow.conn.execute(
        select(internal_cost_rates).where(internal_cost_rates.c.tenant_id == uow.tenant_id)
    )
    return {r.activity: (r.rate, r.currency) for r in rows}
