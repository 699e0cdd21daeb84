"""O's sourcing use cases: source a batch of orders to the warehouse(s), show an order's plan,
set the policies and the warehouses' cost parameters, and follow a split order's parts.

Sourcing reads W's network and available-to-promise (``warehouse.fulfilment_network``), takes
the decision (``sourcing.py``), records the plan and publishes ``OrderSourced``, from which W
allocates each part in its warehouse -- one transaction for the batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from otwb.orders import repo, sourcing_repo
from otwb.orders.events import OrderReleased, PlacedLine, ShipToPayload
from otwb.orders.model import Address, Order, OrderLine, OrderStatus, ServiceLevel
from otwb.orders.service import Progress
from otwb.orders.sourcing import (
    DEFAULT_COST_PER_KM,
    DEFAULT_CURRENCY,
    DEFAULT_HANDLING_COST,
    Availability,
    LineToSource,
    PartStage,
    Site,
    SourcingOutcome,
    SourcingPlan,
    SourcingPolicy,
    SourcingRequest,
    order_stage,
    source_batch,
)
from otwb.orders.sourcing_events import OrderSourced, SourcedPart
from otwb.orders.sourcing_repo import PlanPart, SiteCosts
from otwb.platform.errors import InvalidInput, NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.warehouse import fulfilment_network
from otwb.warehouse.model import WarehouseKind

DEFAULT_POLICY = SourcingPolicy.SHIP_COMPLETE


@dataclass(frozen=True, slots=True)
class Release:
    """Why O released the order to the warehouse (``placed`` the first time; ``released``,
    ``amended``, ``backorder``... again) and whether W may back-order what it lacks."""

    reason: str = "placed"
    partial: bool = False


FIRST_RELEASE = Release()


def source_orders(
    uow: UnitOfWork, orders: Sequence[Order], releases: Mapping[OrderId, Release] | None = None
) -> list[SourcingPlan]:
    """Source a batch of orders: per order its policy (the order's, else its customer's, else
    ``ship_complete``), the plan recorded (replacing an earlier one), ``OrderSourced`` published
    with the order's ``releases`` entry (default: its first release) -- a split is noted on the
    order's timeline."""
    releases = releases or {}
    if not orders:
        return []
    with uow:
        codes = sorted({x.sku for o in orders for x in o.lines})
        sites = _sites(uow)
        view = fulfilment_network.stock_view(uow, codes)
        temps, stock = view.temperatures, Availability(view.available)
        by_customer, by_order = sourcing_repo.policies(
            uow, [o.customer_id for o in orders], [o.id for o in orders]
        )
        requests = [
            SourcingRequest(
                o.id,
                o.ship_to.point,
                tuple(
                    LineToSource(
                        x.id, x.sku, x.quantity, temps.get(x.sku, TemperatureClass.AMBIENT)
                    )
                    for x in o.lines
                ),
                by_order.get(o.id) or by_customer.get(o.customer_id) or DEFAULT_POLICY,
            )
            for o in orders
        ]
        plans = source_batch(requests, sites, stock)
        now = uow.clock.now()
        sourcing_repo.replace_plans(uow, plans, _ids(uow), now)
        codes_of = {s.warehouse_id: s.code for s in sites}
        repo.add_timeline_entries(
            uow,
            [
                (p.order_id, "sourced", f"split: {_describe(p, codes_of)}")
                for p in plans
                if p.outcome is SourcingOutcome.SPLIT
            ],
            now,
        )
        for order, plan in zip(orders, plans, strict=True):
            uow.record(_sourced(order, plan, releases.get(order.id, FIRST_RELEASE)))
        uow.commit()
    return plans


def _ids(uow: UnitOfWork) -> Iterator[str]:
    return uow.ids.stream("src", 256)


def _describe(plan: SourcingPlan, codes: dict[WarehouseId, str]) -> str:
    return "; ".join(
        f"{codes.get(p.warehouse_id, p.warehouse_id)}: {', '.join(x.sku for x in p.lines)}"
        for p in plan.parts
    )


def _sites(uow: UnitOfWork) -> list[Site]:
    costs = sourcing_repo.site_costs(uow)
    out = []
    for s in fulfilment_network.network(uow):
        c = costs.get(s.warehouse_id)
        out.append(
            Site(
                s.warehouse_id,
                s.code,
                s.kind is WarehouseKind.FRONT,
                s.point,
                s.temperatures,
                c.handling_cost if c else DEFAULT_HANDLING_COST,
                c.cost_per_km if c else DEFAULT_COST_PER_KM,
                c.currency if c else DEFAULT_CURRENCY,
            )
        )
    return out


def _sourced(order: Order, plan: SourcingPlan, release: Release) -> OrderSourced:
    a = order.ship_to
    by_id = {
        x.id: PlacedLine(line_id=x.id, line_no=x.line_no, sku=x.sku, quantity=x.quantity)
        for x in order.lines
    }

    def placed(line_ids: Sequence[OrderLineId]) -> tuple[PlacedLine, ...]:
        return tuple(by_id[i] for i in line_ids)

    parts = [
        SourcedPart(warehouse_id=p.warehouse_id, lines=placed([x.line_id for x in p.lines]))
        for p in plan.parts
    ] or [SourcedPart(warehouse_id=None, lines=placed([x.id for x in order.lines]))]
    return OrderSourced(
        order_id=order.id,
        customer_id=order.customer_id,
        ship_to=ShipToPayload(
            name=a.name,
            street=a.street,
            city=a.city,
            postcode=a.postcode,
            country=a.country,
            lat=a.point.lat,
            lon=a.point.lon,
        ),
        service_level=order.service_level.value,
        window_start=order.window.start if order.window else None,
        window_end=order.window.end if order.window else None,
        policy=plan.policy.value,
        outcome=plan.outcome.value,
        reason=plan.reason,
        parts=tuple(parts),
        release_reason=release.reason,
        partial=release.partial,
    )


def order_from_released(e: OrderReleased) -> Order:
    """The order as ``OrderReleased`` tells it (what sourcing needs, without reading it back)."""
    to = e.ship_to
    return Order(
        id=e.order_id,
        customer_id=e.customer_id,
        reference=None,
        ship_to=Address(
            to.name, to.street, to.city, to.postcode, to.country, GeoPoint(to.lat, to.lon)
        ),
        lines=tuple(OrderLine(x.line_id, x.line_no, x.sku, x.quantity) for x in e.lines),
        service_level=ServiceLevel(e.service_level),
        window=DeliveryWindow(e.window_start, e.window_end)
        if e.window_start and e.window_end
        else None,
        status=OrderStatus.PLACED,
        placed_at=e.placed_at,
    )


# -- reading the plan -------------------------------------------------------------------------
def get_sourcing(uow: UnitOfWork, order_id: OrderId) -> list[PlanPart]:
    """The order's sourcing plan, part by part (``NotFound`` before it is sourced)."""
    with uow:
        repo.get_status(uow, order_id)  # NotFound for an unknown (or another tenant's) order
        parts = sourcing_repo.plan_of(uow, order_id)
    if not parts:
        raise NotFound(f"order {order_id} has not been sourced yet")
    return parts


# -- policies and costs -----------------------------------------------------------------------
def set_customer_policy(
    uow: UnitOfWork, customer_id: CustomerId, policy: SourcingPolicy
) -> SourcingPolicy:
    with uow:
        if not repo.known_customers(uow, [customer_id]):
            raise NotFound(f"no customer {customer_id}")
        sourcing_repo.save_policy(
            uow, policy, uow.ids.new("spo"), uow.clock.now(), customer_id=customer_id
        )
        uow.commit()
    return policy


def set_order_policy(uow: UnitOfWork, order_id: OrderId, policy: SourcingPolicy) -> SourcingPolicy:
    """The policy of one order (over its customer's); it applies when the order is sourced."""
    with uow:
        repo.get_status(uow, order_id)
        sourcing_repo.save_policy(
            uow, policy, uow.ids.new("spo"), uow.clock.now(), order_id=order_id
        )
        uow.commit()
    return policy


def set_site_costs(
    uow: UnitOfWork, warehouse_id: WarehouseId, handling: Money, per_km: Money
) -> SiteCosts:
    """A warehouse's handling cost per order and its transport cost per km, for sourcing."""
    if handling.currency != per_km.currency:
        raise InvalidInput("handling cost and cost per km must be in one currency")
    if handling.amount < 0 or per_km.amount < 0:
        raise InvalidInput("sourcing costs cannot be negative")
    costs = SiteCosts(warehouse_id, handling.amount, per_km.amount, handling.currency)
    with uow:
        if warehouse_id not in {s.warehouse_id for s in fulfilment_network.network(uow)}:
            raise NotFound(f"no warehouse {warehouse_id}")
        sourcing_repo.save_site_costs(uow, costs, uow.ids.new("sst"), uow.clock.now())
        uow.commit()
    return costs


# -- following a split order's parts ----------------------------------------------------------
_STAGE_OF_KIND = {
    "allocated": PartStage.ALLOCATED,
    "picked": PartStage.PICKED,
    "packed": PartStage.PACKED,
    "handed_over": PartStage.HANDED_OVER,
    "shipped": PartStage.SHIPPED,
    "delivered": PartStage.DELIVERED,
}


@dataclass(frozen=True)
class PartReport:
    """W's report on the part of an order it serves from ``warehouse_id``."""

    progress: Progress
    warehouse_id: WarehouseId | None


def by_parts(uow: UnitOfWork, reports: Sequence[PartReport]) -> list[Progress]:
    """The reports as they apply to whole orders: a split order moves on only when every part
    has reached the stage (until then the report is a note on the timeline). Within the
    caller's unit of work."""
    staged = [r for r in reports if r.warehouse_id and r.progress.kind in _STAGE_OF_KIND]
    split = sourcing_repo.lock_split_parts(uow, [r.progress.order_id for r in staged])
    if not split:
        return [r.progress for r in reports]
    out: list[Progress] = []
    changes: dict[str, PartStage] = {}
    for r in reports:
        parts, wid = split.get(r.progress.order_id), r.warehouse_id
        stage = _STAGE_OF_KIND.get(r.progress.kind)
        if parts is None or wid is None or wid not in parts or stage is None:
            out.append(r.progress)
            continue
        part_id, current = parts[wid]
        if stage.rank > current.rank:
            parts[wid] = (part_id, stage)
            changes[part_id] = stage
        reached = order_stage(s for _, s in parts.values())
        done = sum(s.rank >= stage.rank for _, s in parts.values())
        note = f"{r.progress.detail} ({done} of {len(parts)} parts {stage.value})"
        whole = reached is not None and reached.rank >= stage.rank
        out.append(replace(r.progress, to=r.progress.to if whole else None, detail=note))
    sourcing_repo.set_stages(uow, sorted(changes.items()), uow.clock.now())
    return out


def total_cost(parts: Sequence[PlanPart]) -> Decimal:
    return sum((p.cost or Decimal(0) for p in parts), Decimal(0))
