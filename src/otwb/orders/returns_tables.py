"""O's returns and recalls tables. The database guards what the rules say:

* ``returnable_lines``: one row per delivered order line, ``returned`` moved by conditional
  UPDATEs and ``CHECK (returned <= delivered)`` -- two returns racing for the same units can
  never both have them.
* one line of a return per order line (UNIQUE), positive quantities, known statuses, reasons
  and dispositions (CHECK), money as exact ``Amount`` columns never below zero.
* one recall per SKU lot (UNIQUE).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from otwb.orders.returns import Disposition, ReturnReason, RmaStatus
from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column


def _money() -> Amount:
    return Amount(19, 4)


return_policies = Table(
    "return_policies",
    metadata,
    tenant_column(),
    Column("customer_id", String(ID), ForeignKey("customers.id"), primary_key=True),
    Column("window_days", Integer, nullable=False),
    Column("restocking_fee_pct", _money(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("window_days BETWEEN 1 AND 365", name="window_days"),
    CheckConstraint("restocking_fee_pct >= 0", name="fee_not_negative"),
)

rmas = Table(
    "rmas",
    metadata,
    id_column(),
    tenant_column(),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("warehouse_id", String(ID), nullable=False),
    Column("status", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("note", String(500), nullable=False, server_default=""),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("pickup_shipment_id", String(ID)),
    Column("pickup_tracking", String(24)),
    Column("refused_reason", String(500)),
    Column("credit_gross", _money()),
    Column("restocking_fee", _money()),
    Column("recall_id", String(ID)),
    CheckConstraint(one_of("status", RmaStatus), name="status"),
    CheckConstraint("credit_gross IS NULL OR credit_gross >= 0", name="credit_not_negative"),
    CheckConstraint("restocking_fee IS NULL OR restocking_fee >= 0", name="fee_not_negative"),
    CheckConstraint("(status = 'refused') = (refused_reason IS NOT NULL)", name="refusal"),
    CheckConstraint(
        "(status IN ('inspected', 'closed')) = (credit_gross IS NOT NULL)", name="credit_known"
    ),
    UniqueConstraint("tenant_id", "pickup_shipment_id"),
)
Index("ix_rmas_order", rmas.c.order_id)
Index("ix_rmas_tenant_status", rmas.c.tenant_id, rmas.c.status)

rma_lines = Table(
    "rma_lines",
    metadata,
    id_column(),
    tenant_column(),
    Column("rma_id", String(ID), ForeignKey("rmas.id"), nullable=False),
    Column("order_line_id", String(ID), ForeignKey("order_lines.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("reason", String(24), nullable=False),
    Column("unit_price", _money(), nullable=False),
    UniqueConstraint("rma_id", "order_line_id"),
    UniqueConstraint("rma_id", "line_no"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint(one_of("reason", ReturnReason), name="reason"),
    CheckConstraint("unit_price >= 0", name="price_not_negative"),
)

rma_inspections = Table(
    "rma_inspections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    tenant_column(),
    Column("rma_id", String(ID), ForeignKey("rmas.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("lot", String(64)),
    Column("quantity", Integer, nullable=False),
    Column("disposition", String(12), nullable=False),
    Column("requested", String(12)),
    Column("accepted", Boolean, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint(one_of("disposition", Disposition), name="disposition"),
)
Index("ix_rma_inspections_rma", rma_inspections.c.rma_id)

returnable_lines = Table(
    "returnable_lines",
    metadata,
    tenant_column(),
    Column("order_line_id", String(ID), ForeignKey("order_lines.id"), primary_key=True),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False),
    Column("delivered", Integer, nullable=False),
    Column("returned", Integer, nullable=False),
    CheckConstraint("delivered > 0", name="delivered_positive"),
    CheckConstraint("returned >= 0 AND returned <= delivered", name="returned_within_delivered"),
)

recalls = Table(
    "recalls",
    metadata,
    id_column(),
    tenant_column(),
    Column("sku", String(64), nullable=False),
    Column("lot", String(64), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("orders", Integer, nullable=False),
    Column("units_delivered", Integer, nullable=False),
    Column("returns_created", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "sku", "lot"),
    CheckConstraint("orders >= 0 AND units_delivered >= 0 AND returns_created >= 0", name="counts"),
)
