"""B's cost side: carrier settlement, freight audit, own-fleet route costs, internal cost rates.

The database's guards:

* ``expected_payables``: one per (tenant, shipment) -- a redelivered ``ShipmentTendered`` records
  nothing more; ``payable_id`` is set by a conditional UPDATE (``WHERE payable_id IS NULL``) so a
  line joins one carrier payable document only: it is never paid twice. CHECKs tie the status to
  its amounts (a due line has its due amount, a paid line its document and paid amount).
* ``carrier_invoices``: UNIQUE (tenant, carrier, number) -- an invoice is imported once.
* ``carrier_invoice_lines``: a partial UNIQUE index on (tenant, shipment) over approved lines --
  a shipment is approved on one invoice line only.
* ``route_costs``: one per (tenant, route); ``route_cost_shares``: one per (route cost, shipment).
* ``warehouse_activities``: one per (tenant, activity, source) -- events are counted once.

Amounts are ``Amount`` columns (text on SQLite), so only ``>= 0`` CHECKs are written (see
``tables.py``).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from otwb.billing.freight_audit import Finding, LineStatus
from otwb.billing.settlement import DueReason, PayableStatus
from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column

WAREHOUSE_ACTIVITIES = ("pick_line", "parcel", "unit_day")
"""What the internal cost rates price (see ``analytics.py``)."""


def _money() -> Amount:
    return Amount(28, 4)


settlement_rules = Table(
    "settlement_rules",
    metadata,
    tenant_column(),
    Column("carrier_id", String(ID), nullable=False),
    Column("pay_on_delivery", Boolean, nullable=False),
    Column("tolerance_abs", _money(), nullable=False),
    Column("tolerance_pct", Amount(10, 4), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("tenant_id", "carrier_id"),
    CheckConstraint("tolerance_abs >= 0 AND tolerance_pct >= 0", name="tolerances"),
)

carrier_payables = Table(
    "carrier_payables",
    metadata,
    id_column(),
    tenant_column(),
    Column("carrier_id", String(ID), nullable=False),
    Column("invoice_id", String(ID), ForeignKey("carrier_invoices.id")),
    Column("currency", String(3), nullable=False),
    Column("total", _money(), nullable=False),
    Column("lines", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("invoice_id"),  # one payable per audited invoice
    CheckConstraint("total >= 0 AND lines >= 1", name="amounts"),
)
Index("ix_carrier_payables_carrier", carrier_payables.c.tenant_id, carrier_payables.c.carrier_id)

expected_payables = Table(
    "expected_payables",
    metadata,
    id_column(),
    tenant_column(),
    Column("shipment_id", String(ID), nullable=False),
    Column("order_id", String(ID), nullable=False),
    Column("customer_id", String(ID), nullable=False),
    Column("depot_id", String(ID), nullable=False),
    Column("carrier_id", String(ID), nullable=False),
    Column("tracking_number", String(64), nullable=False),
    Column("service_level", String(32), nullable=False),
    Column("weight_kg", Amount(16, 3), nullable=False),
    Column("expected_amount", _money(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("tendered_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("due_amount", _money()),
    Column("due_at", UtcDateTime()),
    Column("due_reason", String(24)),
    Column("payable_id", String(ID), ForeignKey("carrier_payables.id")),
    Column("paid_amount", _money()),
    UniqueConstraint("tenant_id", "shipment_id"),
    CheckConstraint(one_of("status", PayableStatus), name="status"),
    CheckConstraint("due_reason IS NULL OR " + one_of("due_reason", DueReason), name="due_reason"),
    CheckConstraint(
        "expected_amount >= 0 AND (due_amount IS NULL OR due_amount >= 0)"
        " AND (paid_amount IS NULL OR paid_amount >= 0)",
        name="amounts",
    ),
    CheckConstraint(
        "(status = 'expected' AND due_amount IS NULL AND payable_id IS NULL)"
        " OR (status = 'due' AND due_amount IS NOT NULL AND due_at IS NOT NULL"
        " AND payable_id IS NULL)"
        " OR (status = 'paid' AND payable_id IS NOT NULL AND paid_amount IS NOT NULL)",
        name="settlement",
    ),
)
Index(
    "ix_expected_payables_tracking",
    expected_payables.c.tenant_id,
    expected_payables.c.tracking_number,
)
Index(
    "ix_expected_payables_tendered", expected_payables.c.tenant_id, expected_payables.c.tendered_at
)

carrier_invoices = Table(
    "carrier_invoices",
    metadata,
    id_column(),
    tenant_column(),
    Column("carrier_id", String(ID), nullable=False),
    Column("number", String(32), nullable=False),
    Column("invoice_date", Date, nullable=False),
    Column("billed_total", _money(), nullable=False),
    Column("imported_at", UtcDateTime(), nullable=False),
    Column("payable_id", String(ID)),
    UniqueConstraint("tenant_id", "carrier_id", "number"),
    CheckConstraint("billed_total >= 0", name="billed_total"),
)

carrier_invoice_lines = Table(
    "carrier_invoice_lines",
    metadata,
    Column("invoice_id", String(ID), ForeignKey("carrier_invoices.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    tenant_column(),
    Column("reference", String(64), nullable=False),
    Column("shipment_id", String(ID)),
    Column("amount", _money(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("surcharges", Text, nullable=False),
    Column("expected_amount", _money()),
    Column("finding", String(24), nullable=False),
    Column("status", String(16), nullable=False),
    Column("approved_amount", _money()),
    Column("override_reason", String(200)),
    PrimaryKeyConstraint("invoice_id", "line_no"),
    CheckConstraint(one_of("finding", Finding), name="finding"),
    CheckConstraint(one_of("status", LineStatus), name="status"),
    CheckConstraint(
        "amount >= 0 AND (expected_amount IS NULL OR expected_amount >= 0)"
        " AND (approved_amount IS NULL OR approved_amount >= 0)",
        name="amounts",
    ),
    CheckConstraint(
        "(status = 'approved') = (approved_amount IS NOT NULL)", name="approved_amount"
    ),
    CheckConstraint("status <> 'approved' OR finding IN ('ok', 'overcharge')", name="approvable"),
    CheckConstraint("finding = 'unknown_shipment' OR shipment_id IS NOT NULL", name="matched"),
)
Index(
    "uq_carrier_invoice_lines_approved_shipment",
    carrier_invoice_lines.c.tenant_id,
    carrier_invoice_lines.c.shipment_id,
    unique=True,
    postgresql_where=carrier_invoice_lines.c.status == "approved",
    sqlite_where=carrier_invoice_lines.c.status == "approved",
)

route_costs = Table(
    "route_costs",
    metadata,
    id_column(),
    tenant_column(),
    Column("route_id", String(ID), nullable=False),
    Column("vehicle_id", String(ID), nullable=False),
    Column("depot_id", String(ID), nullable=False),
    Column("service_date", Date, nullable=False),
    Column("distance_km", Amount(16, 3), nullable=False),
    Column("duration_s", Integer, nullable=False),
    Column("distance_cost", _money(), nullable=False),
    Column("time_cost", _money(), nullable=False),
    Column("fixed_cost", _money(), nullable=False),
    Column("total", _money(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("completed_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "route_id"),
    CheckConstraint(
        "distance_km >= 0 AND duration_s >= 0 AND distance_cost >= 0 AND time_cost >= 0"
        " AND fixed_cost >= 0 AND total >= 0",
        name="not_negative",
    ),
)
Index("ix_route_costs_date", route_costs.c.tenant_id, route_costs.c.service_date)

route_cost_shares = Table(
    "route_cost_shares",
    metadata,
    Column("route_cost_id", String(ID), ForeignKey("route_costs.id"), nullable=False),
    Column("shipment_id", String(ID), nullable=False),
    tenant_column(),
    Column("order_id", String(ID)),
    Column("customer_id", String(ID), nullable=False),
    Column("weight_kg", Amount(16, 3), nullable=False),
    Column("amount", _money(), nullable=False),
    PrimaryKeyConstraint("route_cost_id", "shipment_id"),
    CheckConstraint("weight_kg >= 0 AND amount >= 0", name="not_negative"),
)

internal_cost_rates = Table(
    "internal_cost_rates",
    metadata,
    tenant_column(),
    Column("activity", String(16), nullable=False),
    Column("rate", Amount(28, 6), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("tenant_id", "activity"),
    CheckConstraint(one_of("activity", WAREHOUSE_ACTIVITIES), name="activity"),
    CheckConstraint("rate >= 0", name="rate"),
)

warehouse_activities = Table(
    "warehouse_activities",
    metadata,
    tenant_column(),
    Column("activity", String(16), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("warehouse_id", String(ID), nullable=False),
    Column("customer_id", String(ID), nullable=False),
    Column("order_id", String(ID)),
    Column("quantity", Amount(16, 3), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("tenant_id", "activity", "source_id"),
    CheckConstraint(one_of("activity", WAREHOUSE_ACTIVITIES), name="activity"),
    CheckConstraint("quantity >= 0", name="quantity"),
)
Index(
    "ix_warehouse_activities_time",
    warehouse_activities.c.tenant_id,
    warehouse_activities.c.occurred_at,
)
