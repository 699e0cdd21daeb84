"""O's sourcing over HTTP: an order's sourcing plan, the policies of customers and orders, the
warehouses' sourcing costs. Money goes out as decimal strings, never floats."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from otwb.orders import sourcing_service as service
from otwb.orders.sourcing import SourcingPolicy
from otwb.orders.sourcing_repo import PlanPart, SiteCosts
from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CustomerId, OrderId, WarehouseId
from otwb.platform.money import Money, minor_unit

router = APIRouter(tags=["orders"])

Cost = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=4)]


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    policy: SourcingPolicy


class PolicyOut(BaseModel):
    subject: str
    policy: SourcingPolicy


class SiteCostsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    handling_cost: Cost = Field(description="Per order served, decimal string")
    cost_per_km: Cost = Field(description="Per km of haversine distance to the ship-to")
    currency: str = Field(default="EUR", pattern="^[A-Z]{3}$")


class SiteCostsOut(BaseModel):
    warehouse_id: str
    handling_cost: str
    cost_per_km: str
    currency: str

    @classmethod
    def of(cls, c: SiteCosts) -> SiteCostsOut:
        return cls(
            warehouse_id=c.warehouse_id,
            handling_cost=str(c.handling_cost),
            cost_per_km=str(c.cost_per_km),
            currency=c.currency,
        )


def _amount(value: Decimal | None, currency: str | None) -> str | None:
    """A cost as a decimal string in the currency's minor unit ("6.98")."""
    if value is None or currency is None:
        return None
    return str(value.quantize(minor_unit(currency)))


class PlanLineOut(BaseModel):
    line_id: str
    sku: str
    quantity: int


class PartOut(BaseModel):
    part_no: int
    warehouse_id: str | None
    stage: str
    distance_km: float | None
    cost: str | None
    currency: str | None
    lines: list[PlanLineOut]

    @classmethod
    def of(cls, p: PlanPart) -> PartOut:
        return cls(
            part_no=p.part_no,
            warehouse_id=p.warehouse_id,
            stage=p.stage.value,
            distance_km=p.distance_km,
            cost=_amount(p.cost, p.currency),
            currency=p.currency,
            lines=[PlanLineOut(line_id=x.line_id, sku=x.sku, quantity=x.quantity) for x in p.lines],
        )


class SourcingOut(BaseModel):
    order_id: str
    policy: str
    outcome: str
    reason: str
    sourced_at: datetime
    total_cost: str | None
    parts: list[PartOut]

    @classmethod
    def of(cls, order_id: str, parts: list[PlanPart]) -> SourcingOut:
        first = parts[0]
        sourced = [p for p in parts if p.cost is not None]
        return cls(
            order_id=order_id,
            policy=first.policy.value,
            outcome=first.outcome.value,
            reason=first.reason,
            sourced_at=first.created_at,
            total_cost=_amount(service.total_cost(parts), first.currency) if sourced else None,
            parts=[PartOut.of(p) for p in sourced],
        )


@router.get("/orders/{order_id}/sourcing", response_model=SourcingOut)
def get_sourcing(order_id: str, caller: Reader) -> SourcingOut:
    """Which warehouse(s) serve the order, which lines each, why, at what cost."""
    return SourcingOut.of(order_id, service.get_sourcing(caller.reader(), OrderId(order_id)))


@router.put("/orders/{order_id}/sourcing-policy", response_model=PolicyOut)
def set_order_policy(order_id: str, body: PolicyIn, caller: Operator) -> PolicyOut:
    """The policy of one order, over its customer's (it applies when the order is sourced)."""
    policy = service.set_order_policy(caller.uow(), OrderId(order_id), body.policy)
    return PolicyOut(subject=order_id, policy=policy)


@router.put("/customers/{customer_id}/sourcing-policy", response_model=PolicyOut)
def set_customer_policy(customer_id: str, body: PolicyIn, caller: Operator) -> PolicyOut:
    policy = service.set_customer_policy(caller.uow(), CustomerId(customer_id), body.policy)
    return PolicyOut(subject=customer_id, policy=policy)


@router.put("/warehouses/{warehouse_id}/sourcing-costs", response_model=SiteCostsOut)
def set_site_costs(warehouse_id: str, body: SiteCostsIn, caller: Admin) -> SiteCostsOut:
    costs = service.set_site_costs(
        caller.uow(),
        WarehouseId(warehouse_id),
        Money.of(body.handling_cost, body.currency),
        Money.of(body.cost_per_km, body.currency),
    )
    return SiteCostsOut.of(costs)
