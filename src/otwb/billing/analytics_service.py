"""The cost report of a period: gathers revenue and costs (``analytics.py`` has the rules)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from otwb.billing import cost_repo
from otwb.billing import settlement_repo as payables
from otwb.billing.analytics import (
    CostCategory,
    CostItem,
    CostReport,
    ReportPeriod,
    RevenueItem,
    build_report,
)
from otwb.billing.settlement import money_amount
from otwb.billing.settlement_tables import (
    expected_payables,
    route_cost_shares,
    route_costs,
    warehouse_activities,
)
from otwb.billing.tables import charges
from otwb.platform import auth
from otwb.platform.uow import UnitOfWork

ACTIVITY_CATEGORY = {
    "pick_line": CostCategory.HANDLING,
    "parcel": CostCategory.HANDLING,
    "unit_day": CostCategory.STORAGE,
}
STORAGE_KIND = "storage"
ORDER_SOURCE = "order"
SHIPMENT_SOURCE = "shipment"


def _period_charges(uow: UnitOfWork, period: ReportPeriod) -> Sequence[Any]:
    start, end = period.instants
    return uow.conn.execute(
        select(
            charges.c.customer_id,
            charges.c.kind,
            charges.c.source_type,
            charges.c.source_id,
            charges.c.quantity,
            charges.c.status,
            charges.c.amount,
            charges.c.currency,
        )
        .where(
            charges.c.tenant_id == uow.tenant_id,
            charges.c.occurred_at >= start,
            charges.c.occurred_at < end,
        )
        .order_by(charges.c.occurred_at, charges.c.id)
    ).all()


def _shipment_places(uow: UnitOfWork, ids: set[str]) -> dict[str, tuple[str | None, str]]:
    """Each shipment's (order, depot), from its carrier tender or its own-fleet route."""
    places: dict[str, tuple[str | None, str]] = {}
    if not ids:
        return places
    wanted = sorted(ids)
    for r in uow.conn.execute(
        select(
            expected_payables.c.shipment_id,
            expected_payables.c.order_id,
            expected_payables.c.depot_id,
        ).where(
            expected_payables.c.tenant_id == uow.tenant_id,
            expected_payables.c.shipment_id.in_(wanted),
        )
    ):
        places[r.shipment_id] = (r.order_id, r.depot_id)
    for r in uow.conn.execute(
        select(
            route_cost_shares.c.shipment_id, route_cost_shares.c.order_id, route_costs.c.depot_id
        )
        .join(route_costs, route_costs.c.id == route_cost_shares.c.route_cost_id)
        .where(
            route_cost_shares.c.tenant_id == uow.tenant_id,
            route_cost_shares.c.shipment_id.in_(wanted),
        )
    ):
        places.setdefault(r.shipment_id, (r.order_id, r.depot_id))
    return places


def _order_warehouses(uow: UnitOfWork, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = uow.conn.execute(
        select(warehouse_activities.c.order_id, warehouse_activities.c.warehouse_id).where(
            warehouse_activities.c.tenant_id == uow.tenant_id,
            warehouse_activities.c.order_id.in_(sorted(ids)),
        )
    )
    return {r.order_id: r.warehouse_id for r in rows}


def _revenue(
    uow: UnitOfWork, rows: Sequence[Any], currency: str
) -> tuple[list[RevenueItem], int, int]:
    rated = [r for r in rows if r.status == "rated"]
    shipments = {r.source_id for r in rated if r.source_type == SHIPMENT_SOURCE}
    places = _shipment_places(uow, shipments)
    orders = {r.source_id for r in rated if r.source_type == ORDER_SOURCE}
    warehouses = _order_warehouses(uow, orders)
    items: list[RevenueItem] = []
    for r in rated:
        if r.currency != currency:
            continue
        order_id: str | None = None
        warehouse_id: str | None = None
        if r.source_type == ORDER_SOURCE:
            order_id, warehouse_id = r.source_id, warehouses.get(r.source_id)
        elif r.source_type == SHIPMENT_SOURCE and r.source_id in places:
            order_id, warehouse_id = places[r.source_id]
        amount = money_amount(r.amount, currency)
        items.append(RevenueItem(r.customer_id, order_id, warehouse_id, r.kind, amount))
    other = sum(1 for r in rated if r.currency != currency)
    return items, len(rows) - len(rated), other


def _costs(
    uow: UnitOfWork, period: ReportPeriod, rows: Sequence[Any], currency: str
) -> tuple[list[CostItem], int]:
    items: list[CostItem] = []
    other = 0
    for p in payables.list_expected(uow, between=period.instants):
        if p.currency != currency:
            other += 1
            continue
        items.append(
            CostItem(
                p.customer_id, p.order_id, p.depot_id, CostCategory.TRANSPORT, "carrier", p.cost
            )
        )
    routes = cost_repo.list_route_costs(uow, (period.start, period.end))
    depot_of = {c.id: c.depot_id for c in routes}
    for route in routes:
        other += route.currency != currency
    for s in cost_repo.shares_of(uow, [c.id for c in routes if c.currency == currency]):
        items.append(
            CostItem(
                s.customer_id,
                s.order_id,
                depot_of[s.route_cost_id],
                CostCategory.TRANSPORT,
                "own_fleet",
                s.amount,
            )
        )
    rates = {a: rate for a, (rate, cur) in cost_repo.list_rates(uow).items() if cur == currency}
    for a in cost_repo.list_activities(uow, period.instants):
        amount = money_amount(a.quantity * rates.get(a.activity, Decimal(0)), currency)
        items.append(
            CostItem(
                a.customer_id,
                a.order_id,
                a.warehouse_id,
                ACTIVITY_CATEGORY[a.activity],
                a.activity,
                amount,
            )
        )
    per_unit_day = rates.get("unit_day", Decimal(0))
    for r in rows:
        if r.kind == STORAGE_KIND:
            amount = money_amount(r.quantity * per_unit_day, currency)
            items.append(
                CostItem(r.customer_id, None, None, CostCategory.STORAGE, "unit_day", amount)
            )
    return items, other


def cost_report(uow: UnitOfWork, period: ReportPeriod) -> CostReport:
    """Revenue vs cost of the period in the tenant's currency (items in another currency are
    left out and counted)."""
    with uow:
        currency = auth.get_tenant(uow, uow.tenant_id).currency
        rows = _period_charges(uow, period)
        revenue, unrated, other_revenue = _revenue(uow, rows, currency)
        costs, other_costs = _costs(uow, period, rows, currency)
    return build_report(period, currency, revenue, costs, unrated, other_revenue + other_costs)
