"""CO2e reports: per route (stored at planning) and per customer (their shipments' shares)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select

from otwb.platform.errors import InvalidInput
from otwb.platform.uow import UnitOfWork
from otwb.transport.tables import route_stops, shipments


def co2_by_customer(uow: UnitOfWork, start: date, end: date) -> dict[str, Decimal]:
    """kg CO2e of the shipments delivered in [start, end): own-fleet shares of their route,
    and carriers' tonne-km estimates."""
    if end <= start:
        raise InvalidInput("the period ends after it starts", field="end")
    since = datetime.combine(start, time(0), tzinfo=UTC)
    until = datetime.combine(end, time(0), tzinfo=UTC)
    delivered = and_(
        shipments.c.tenant_id == uow.tenant_id,
        shipments.c.status == "delivered",
        shipments.c.delivered_at >= since,
        shipments.c.delivered_at < until,
    )
    totals: dict[str, Decimal] = {}
    with uow:
        return _sum(uow, delivered, totals)


def _sum(uow: UnitOfWork, delivered: Any, totals: dict[str, Decimal]) -> dict[str, Decimal]:
    own = uow.conn.execute(
        select(shipments.c.customer_id, route_stops.c.co2_kg)
        .join(
            route_stops,
            and_(route_stops.c.shipment_id == shipments.c.id, route_stops.c.status == "delivered"),
        )
        .where(delivered, route_stops.c.tenant_id == uow.tenant_id)
    ).all()
    carried = uow.conn.execute(
        select(shipments.c.customer_id, shipments.c.co2_kg).where(
            delivered, shipments.c.carrier_id.is_not(None)
        )
    ).all()
    for customer, kg in [*own, *carried]:
        totals[customer] = totals.get(customer, Decimal(0)) + Decimal(kg or 0)
    return {k: v.quantize(Decimal("0.001")) for k, v in sorted(totals.items())}
