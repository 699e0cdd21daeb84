"""O's sourcing tables: the plan of each order (one row per warehouse part, with its lines),
the sourcing policy of customers and orders, and the cost parameters of each warehouse.

Warehouse ids are W's; O keeps them as references, without a foreign key into W's tables.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from otwb.orders.sourcing import PartStage, SourcingOutcome, SourcingPolicy
from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column

sourcing_plans = Table(
    "sourcing_plans",
    metadata,
    id_column(),
    tenant_column(),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False),
    Column("part_no", Integer, nullable=False),
    Column("warehouse_id", String(ID)),
    Column("policy", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("distance_km", Float),
    Column("cost", Amount()),
    Column("currency", String(3)),
    Column("stage", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "order_id", "part_no"),
    CheckConstraint(one_of("policy", SourcingPolicy), name="policy"),
    CheckConstraint(one_of("outcome", SourcingOutcome), name="outcome"),
    CheckConstraint(one_of("stage", PartStage), name="stage"),
    CheckConstraint("part_no >= 1", name="part_no"),
    # A part has a warehouse, a distance and a cost; an unsourced order has none of them.
    CheckConstraint(
        "(outcome = 'unsourced') = (warehouse_id IS NULL)"
        " AND (warehouse_id IS NULL) = (cost IS NULL)"
        " AND (cost IS NULL) = (currency IS NULL)"
        " AND (cost IS NULL OR cost >= 0)",
        name="part",
    ),
)
Index("ix_sourcing_plans_order", sourcing_plans.c.tenant_id, sourcing_plans.c.order_id)

sourcing_plan_lines = Table(
    "sourcing_plan_lines",
    metadata,
    id_column(),
    tenant_column(),
    Column("plan_id", String(ID), ForeignKey("sourcing_plans.id"), nullable=False),
    Column("order_line_id", String(ID), ForeignKey("order_lines.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    UniqueConstraint("plan_id", "order_line_id"),
)

sourcing_policies = Table(
    "sourcing_policies",
    metadata,
    id_column(),
    tenant_column(),
    Column("customer_id", String(ID), ForeignKey("customers.id")),
    Column("order_id", String(ID), ForeignKey("orders.id")),
    Column("policy", String(16), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "customer_id"),
    UniqueConstraint("tenant_id", "order_id"),
    CheckConstraint(one_of("policy", SourcingPolicy), name="policy"),
    CheckConstraint("(customer_id IS NULL) <> (order_id IS NULL)", name="one_subject"),
)

sourcing_sites = Table(
    "sourcing_sites",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), nullable=False),
    Column("handling_cost", Amount(), nullable=False),
    Column("cost_per_km", Amount(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "warehouse_id"),
    CheckConstraint("handling_cost >= 0 AND cost_per_km >= 0", name="costs"),
)
