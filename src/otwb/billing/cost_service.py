"""B's own costs as the other contexts work: a completed route's cost shared among its
shipments, warehouse work counted for its internal cost, and the internal cost rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from otwb.billing import cost_repo as repo
from otwb.billing.cost_repo import Activity, CostShare, RouteCost
from otwb.billing.fleet_cost import allocate, split_route_cost
from otwb.billing.model import measured, parse_decimal, plain
from otwb.billing.settlement import check_amount
from otwb.billing.settlement_tables import WAREHOUSE_ACTIVITIES
from otwb.platform import auth
from otwb.platform.errors import InvalidInput
from otwb.platform.uow import UnitOfWork
from otwb.transport import service as transport
from otwb.transport import shipments as transport_shipments
from otwb.transport.events import RouteCompleted
from otwb.transport.model import StopStatus
from otwb.warehouse.events import OrderHandedOver, OrderPicked

MAX_RATE_PLACES = 6


def record_route_cost(uow: UnitOfWork, e: RouteCompleted) -> RouteCost | None:
    """The completed route's cost, split into distance / time / fixed and allocated to the
    shipments it carried by weight (``fleet_cost.py``); once per route."""
    with uow:
        route = transport.get_route(uow, e.route_id)
        vehicle = transport.get_vehicle(uow, e.vehicle_id)
        carried = [s for s in route.stops if s.status is not StopStatus.CANCELLED]
        shipments = [transport_shipments.get_shipment(uow, s.shipment_id) for s in carried]
        total = check_amount(e.cost, "cost")
        distance_km = measured(e.distance_km, "distance_km")
        parts = split_route_cost(
            total, distance_km, vehicle.cost_per_km.amount, vehicle.fixed_cost.amount, e.currency
        )
        cost = RouteCost(
            id=uow.ids.new("rtc"),
            route_id=e.route_id,
            vehicle_id=e.vehicle_id,
            depot_id=e.depot_id,
            service_date=route.service_date,
            distance_km=distance_km,
            duration_s=e.duration_s,
            parts=parts,
            currency=e.currency,
            completed_at=route.completed_at or uow.clock.now(),
        )
        weights: dict[str, Decimal] = {s.id: measured(s.weight_kg, "weight_kg") for s in shipments}
        amounts = allocate(total, weights, e.currency)
        shares = [
            CostShare(cost.id, s.id, s.order_id, s.customer_id, weights[s.id], amounts[s.id])
            for s in shipments
        ]
        created = repo.insert_route_cost(uow, cost, shares)
        uow.commit()
    return cost if created else None


def record_picked(uow: UnitOfWork, e: OrderPicked) -> bool:
    """Count the order lines picked (internal cost ``pick_line``)."""
    activity = Activity(
        "pick_line",
        e.order_id,
        e.warehouse_id,
        e.customer_id,
        e.order_id,
        Decimal(e.lines),
        e.picked_at,
    )
    with uow:
        created = repo.insert_activity(uow, activity)
        uow.commit()
    return created


def record_handed_over(uow: UnitOfWork, e: OrderHandedOver) -> bool:
    """Count the parcels packed and handed to transport (internal cost ``parcel``)."""
    with uow:
        created = repo.insert_activity(
            uow,
            Activity(
                "parcel",
                e.order_id,
                e.warehouse_id,
                e.customer_id,
                e.order_id,
                Decimal(e.parcel_count),
                uow.clock.now(),
            ),
        )
        uow.commit()
    return created


def set_cost_rate(uow: UnitOfWork, activity: str, rate: Decimal | str) -> Decimal:
    """What one unit of warehouse work costs the operator, in the tenant's currency:
    ``pick_line`` (per order line picked), ``parcel`` (per parcel packed), ``unit_day``
    (per unit stored one day)."""
    if activity not in WAREHOUSE_ACTIVITIES:
        raise InvalidInput(
            f"activity is one of {', '.join(WAREHOUSE_ACTIVITIES)}", field="activity"
        )
    value = check_amount(parse_decimal(rate, "rate"), "rate")
    if -value.as_tuple().exponent > MAX_RATE_PLACES:  # type: ignore[operator]
        raise InvalidInput(f"a rate has at most {MAX_RATE_PLACES} decimal places", field="rate")
    with uow:
        currency = auth.get_tenant(uow, uow.tenant_id).currency
        repo.save_rate(uow, activity, value, currency)
        uow.commit()
    return value


def cost_rates(uow: UnitOfWork) -> dict[str, Decimal]:
    """Every activity's internal rate (0 where none was set)."""
    with uow:
        stored = repo.list_rates(uow)
    return {a: plain(stored[a][0]) if a in stored else Decimal(0) for a in WAREHOUSE_ACTIVITIES}


def list_route_costs(
    uow: UnitOfWork, between: tuple[date, date] | None = None
) -> list[tuple[RouteCost, list[CostShare]]]:
    with uow:
        costs = repo.list_route_costs(uow, between)
        shares = repo.shares_of(uow, [c.id for c in costs])
    by_cost: dict[str, list[CostShare]] = {c.id: [] for c in costs}
    for s in shares:
        by_cost[s.route_cost_id].append(s)
    return [(c, by_cost[c.id]) for c in costs]
