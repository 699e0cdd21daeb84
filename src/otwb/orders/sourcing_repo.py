"""Reading and writing O's sourcing records, always within the caller's tenant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from otwb.orders.sourcing import PartStage, SourcingOutcome, SourcingPlan, SourcingPolicy
from otwb.orders.sourcing_tables import (
    sourcing_plan_lines,
    sourcing_plans,
    sourcing_policies,
    sourcing_sites,
)
from otwb.platform.bulk import RowWriter
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, WarehouseId
from otwb.platform.sqllist import any_of
from otwb.platform.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class SiteCosts:
    warehouse_id: WarehouseId
    handling_cost: Decimal
    cost_per_km: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class PlanLine:
    line_id: OrderLineId
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PlanPart:
    """A stored part of an order's sourcing plan (an unsourced order: one part, no warehouse)."""

    id: str
    part_no: int
    warehouse_id: WarehouseId | None
    policy: SourcingPolicy
    outcome: SourcingOutcome
    reason: str
    distance_km: float | None
    cost: Decimal | None
    currency: str | None
    stage: PartStage
    created_at: datetime
    lines: tuple[PlanLine, ...]


# Hot-path statements, built once (sourcing and W's reports run them for every batch).
_SITE_COSTS = select(sourcing_sites).where(sourcing_sites.c.tenant_id == bindparam("b_tenant"))
_POLICIES = select(
    sourcing_policies.c.customer_id, sourcing_policies.c.order_id, sourcing_policies.c.policy
).where(
    sourcing_policies.c.tenant_id == bindparam("b_tenant"),
    any_of(sourcing_policies.c.customer_id, "b_customers")
    | any_of(sourcing_policies.c.order_id, "b_orders"),
)
_PLANS_OF = select(sourcing_plans.c.id).where(
    sourcing_plans.c.tenant_id == bindparam("b_tenant"),
    any_of(sourcing_plans.c.order_id, "b_orders"),
)
_DELETE_LINES = delete(sourcing_plan_lines).where(sourcing_plan_lines.c.plan_id.in_(_PLANS_OF))
_DELETE_PLANS = delete(sourcing_plans).where(
    sourcing_plans.c.tenant_id == bindparam("b_tenant"),
    any_of(sourcing_plans.c.order_id, "b_orders"),
)
_LOCK_SPLIT = (
    select(
        sourcing_plans.c.id,
        sourcing_plans.c.order_id,
        sourcing_plans.c.warehouse_id,
        sourcing_plans.c.stage,
    )
    .where(
        sourcing_plans.c.tenant_id == bindparam("b_tenant"),
        any_of(sourcing_plans.c.order_id, "b_orders"),
        sourcing_plans.c.outcome == SourcingOutcome.SPLIT.value,
    )
    .order_by(sourcing_plans.c.id)
    .with_for_update()
)
_INSERT_PLANS = RowWriter.insert(
    sourcing_plans,
    [
        "id", "tenant_id", "order_id", "part_no", "warehouse_id", "policy", "outcome", "reason",
        "distance_km", "cost", "currency", "stage", "created_at", "updated_at",
    ],
)  # fmt: skip
_INSERT_LINES = RowWriter.insert(
    sourcing_plan_lines, ["id", "tenant_id", "plan_id", "order_line_id", "sku", "quantity"]
)


# -- cost parameters and policies -------------------------------------------------------------
def site_costs(uow: UnitOfWork) -> dict[WarehouseId, SiteCosts]:
    rows = uow.conn.execute(_SITE_COSTS, {"b_tenant": uow.tenant_id}).all()
    return {
        WarehouseId(r.warehouse_id): SiteCosts(
            WarehouseId(r.warehouse_id), r.handling_cost, r.cost_per_km, r.currency
        )
        for r in rows
    }


def save_site_costs(uow: UnitOfWork, costs: SiteCosts, new_id: str, now: datetime) -> None:
    values = {
        "handling_cost": costs.handling_cost,
        "cost_per_km": costs.cost_per_km,
        "currency": costs.currency,
        "updated_at": now,
    }
    done = uow.conn.execute(
        update(sourcing_sites)
        .where(
            sourcing_sites.c.tenant_id == uow.tenant_id,
            sourcing_sites.c.warehouse_id == costs.warehouse_id,
        )
        .values(**values)
    )
    if done.rowcount == 0:
        uow.conn.execute(
            insert(sourcing_sites).values(
                id=new_id, tenant_id=uow.tenant_id, warehouse_id=costs.warehouse_id, **values
            )
        )


def policies(
    uow: UnitOfWork, customer_ids: Iterable[CustomerId], order_ids: Iterable[OrderId]
) -> tuple[dict[CustomerId, SourcingPolicy], dict[OrderId, SourcingPolicy]]:
    """The policies set for these customers, and for these orders (which take precedence)."""
    rows = uow.conn.execute(
        _POLICIES,
        {
            "b_tenant": uow.tenant_id,
            "b_customers": sorted(set(customer_ids)),
            "b_orders": sorted(set(order_ids)),
        },
    ).all()
    by_customer = {
        CustomerId(r.customer_id): SourcingPolicy(r.policy) for r in rows if r.customer_id
    }
    by_order = {OrderId(r.order_id): SourcingPolicy(r.policy) for r in rows if r.order_id}
    return by_customer, by_order


def save_policy(
    uow: UnitOfWork,
    policy: SourcingPolicy,
    new_id: str,
    now: datetime,
    *,
    customer_id: CustomerId | None = None,
    order_id: OrderId | None = None,
) -> None:
    p = sourcing_policies
    subject = p.c.customer_id == customer_id if customer_id else p.c.order_id == order_id
    done = uow.conn.execute(
        update(p)
        .where(p.c.tenant_id == uow.tenant_id, subject)
        .values(policy=policy.value, updated_at=now)
    )
    if done.rowcount == 0:
        uow.conn.execute(
            insert(p).values(
                id=new_id,
                tenant_id=uow.tenant_id,
                customer_id=customer_id,
                order_id=order_id,
                policy=policy.value,
                updated_at=now,
            )
        )


# -- plans ------------------------------------------------------------------------------------
def forget_plans(uow: UnitOfWork, order_ids: Sequence[OrderId]) -> None:
    """Delete these orders' plans (they are sourced again; an amendment replaces their lines)."""
    old = {"b_tenant": uow.tenant_id, "b_orders": list(order_ids)}
    uow.conn.execute(_DELETE_LINES, old)
    uow.conn.execute(_DELETE_PLANS, old)


def replace_plans(
    uow: UnitOfWork, plans: Sequence[SourcingPlan], new_id: Iterable[str], now: datetime
) -> None:
    """Store the plans, replacing what these orders were planned before."""
    if not plans:
        return
    ids = iter(new_id)
    forget_plans(uow, [p.order_id for p in plans])
    tenant = uow.tenant_id
    sourced = PartStage.SOURCED.value
    parts: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    for plan in plans:
        head = (tenant, plan.order_id)
        tail = (plan.policy.value, plan.outcome.value, plan.reason)
        if not plan.parts:
            parts.append((next(ids), *head, 1, None, *tail, None, None, None, sourced, now, now))
        for n, part in enumerate(plan.parts, start=1):
            part_id = next(ids)
            parts.append(
                (
                    part_id, *head, n, part.warehouse_id, *tail, round(part.distance_km, 3),
                    part.cost, part.currency, sourced, now, now,
                )
            )  # fmt: skip
            lines.extend(
                (f"{part_id}.{k}", tenant, part_id, x.line_id, x.sku, x.quantity)  # its k-th line
                for k, x in enumerate(part.lines, start=1)
            )
    _INSERT_PLANS.execute(uow.conn, parts)
    _INSERT_LINES.execute(uow.conn, lines)


def plan_of(uow: UnitOfWork, order_id: OrderId) -> list[PlanPart]:
    rows = uow.conn.execute(
        select(sourcing_plans)
        .where(sourcing_plans.c.tenant_id == uow.tenant_id, sourcing_plans.c.order_id == order_id)
        .order_by(sourcing_plans.c.part_no)
    ).all()
    lines: dict[str, list[PlanLine]] = {}
    for r in uow.conn.execute(
        select(sourcing_plan_lines)
        .where(
            sourcing_plan_lines.c.tenant_id == uow.tenant_id,
            sourcing_plan_lines.c.plan_id.in_([r.id for r in rows]),
        )
        .order_by(sourcing_plan_lines.c.order_line_id)
    ):
        lines.setdefault(r.plan_id, []).append(
            PlanLine(OrderLineId(r.order_line_id), r.sku, r.quantity)
        )
    return [
        PlanPart(
            id=r.id,
            part_no=r.part_no,
            warehouse_id=WarehouseId(r.warehouse_id) if r.warehouse_id else None,
            policy=SourcingPolicy(r.policy),
            outcome=SourcingOutcome(r.outcome),
            reason=r.reason,
            distance_km=r.distance_km,
            cost=r.cost,
            currency=r.currency,
            stage=PartStage(r.stage),
            created_at=r.created_at,
            lines=tuple(lines.get(r.id, ())),
        )
        for r in rows
    ]


def lock_split_parts(
    uow: UnitOfWork, order_ids: Iterable[OrderId]
) -> dict[OrderId, dict[WarehouseId, tuple[str, PartStage]]]:
    """The parts of those of these orders that are split across warehouses (locked, in key
    order): per order, per warehouse, the part's id and stage."""
    wanted = sorted(set(order_ids))
    if not wanted:
        return {}
    rows = uow.conn.execute(_LOCK_SPLIT, {"b_tenant": uow.tenant_id, "b_orders": wanted}).all()
    out: dict[OrderId, dict[WarehouseId, tuple[str, PartStage]]] = {}
    for r in rows:
        out.setdefault(OrderId(r.order_id), {})[WarehouseId(r.warehouse_id)] = (
            r.id,
            PartStage(r.stage),
        )
    return out


_SET_STAGE = (
    update(sourcing_plans)
    .where(sourcing_plans.c.id == bindparam("b_id"))
    .values(stage=bindparam("b_stage"), updated_at=bindparam("b_at"))
)


def set_stages(uow: UnitOfWork, changes: Sequence[tuple[str, PartStage]], now: datetime) -> None:
    if changes:
        uow.conn.execute(
            _SET_STAGE, [{"b_id": i, "b_stage": s.value, "b_at": now} for i, s in changes]
        )
