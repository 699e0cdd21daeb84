"""shipments per part: a split order ships one part from each warehouse, so T keeps one
shipment per order and depot (was one per order); a sourcing plan's part follows its shipment
to shipped and delivered.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25 05:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STAGES = "'sourced', 'allocated', 'picked', 'packed', 'handed_over'"


def upgrade() -> None:
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_shipments_tenant_id_order_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_shipments_tenant_id_order_id_depot_id"),
            ["tenant_id", "order_id", "depot_id"],
        )
    with op.batch_alter_table("sourcing_plans", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_sourcing_plans_stage"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_sourcing_plans_stage"),
            sa.text(f"stage IN ({_STAGES}, 'shipped', 'delivered')"),
        )


def downgrade() -> None:
    op.execute(
        "UPDATE sourcing_plans SET stage = 'handed_over' WHERE stage IN ('shipped', 'delivered')"
    )
    with op.batch_alter_table("sourcing_plans", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_sourcing_plans_stage"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_sourcing_plans_stage"), sa.text(f"stage IN ({_STAGES})")
        )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_shipments_tenant_id_order_id_depot_id"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_shipments_tenant_id_order_id"), ["tenant_id", "order_id"]
        )
