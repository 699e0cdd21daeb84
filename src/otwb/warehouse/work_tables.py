"""W's tables for the work on the floor: inbound (ASNs), move tasks (putaway, replenishment),
soft reservations, waves and pick lists, cycle counts, replenishment rules and transfer orders,
the box catalogue and the SSCC series, per-customer rules and SKU velocity."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from otwb.platform.sqltypes import UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column

asns = Table(
    "asns",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("supplier", String(200), nullable=False),
    Column("expected_at", UtcDateTime()),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime()),
    UniqueConstraint("tenant_id", "reference"),
    CheckConstraint(one_of("status", ("expected", "receiving", "closed")), name="status"),
)

asn_lines = Table(
    "asn_lines",
    metadata,
    id_column(),
    tenant_column(),
    Column("asn_id", String(ID), ForeignKey("asns.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sku_id", String(ID), ForeignKey("skus.id"), nullable=False),
    Column("lot_code", String(64)),
    Column("expires_on", Date),
    Column("expected", Integer, nullable=False),
    Column("received", Integer, nullable=False),
    Column("damaged", Integer, nullable=False),
    UniqueConstraint("asn_id", "line_no"),
    CheckConstraint("expected > 0 AND received >= 0 AND damaged >= 0", name="quantities"),
)

move_tasks = Table(
    "move_tasks",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("from_stock_id", String(ID), ForeignKey("stock.id"), nullable=False),
    Column("to_location_id", String(ID), ForeignKey("locations.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reference", String(ID)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("done_at", UtcDateTime()),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint(one_of("kind", ("putaway", "replenishment")), name="kind"),
    CheckConstraint(one_of("status", ("open", "done", "cancelled")), name="status"),
)
Index("ix_move_tasks_warehouse_status", move_tasks.c.warehouse_id, move_tasks.c.status)

reservations = Table(
    "reservations",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("sku_id", String(ID), ForeignKey("skus.id"), nullable=False),
    Column("customer_id", String(ID), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("consumed", Integer, nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("released_at", UtcDateTime()),
    Column("reference", String(64)),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("quantity > 0 AND consumed >= 0 AND consumed <= quantity", name="quantity"),
)
Index("ix_reservations_sku", reservations.c.tenant_id, reservations.c.sku_id)

waves = Table(
    "waves",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("carrier", String(64)),
    Column("route", String(64)),
    Column("cut_off", UtcDateTime()),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("released_at", UtcDateTime()),
    CheckConstraint(one_of("status", ("planned", "released", "cancelled")), name="status"),
)
Index("ix_waves_warehouse", waves.c.warehouse_id, waves.c.status)

pick_lists = Table(
    "pick_lists",
    metadata,
    id_column(),
    tenant_column(),
    Column("wave_id", String(ID), ForeignKey("waves.id"), nullable=False),
    Column("zone_id", String(ID), ForeignKey("zones.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("picker", String(64)),
    Column("orders", Integer, nullable=False),
    Column("stops", Integer, nullable=False),
    Column("s_shape_m", Float, nullable=False),
    Column("optimised_m", Float, nullable=False),
    UniqueConstraint("wave_id", "seq"),
    # The optimised path is never longer than the S-shape baseline.
    CheckConstraint("optimised_m >= 0 AND optimised_m <= s_shape_m", name="distances"),
)

count_tasks = Table(
    "count_tasks",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("location_id", String(ID), ForeignKey("locations.id"), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("counted_at", UtcDateTime()),
    Column("counted_by", String(64)),
    Column("decided_at", UtcDateTime()),
    Column("decided_by", String(64)),
    CheckConstraint(one_of("reason", ("abc", "bin", "short_pick", "recount")), name="reason"),
    CheckConstraint(one_of("status", ("open", "counted", "approved", "rejected")), name="status"),
)
Index("ix_count_tasks_location", count_tasks.c.location_id, count_tasks.c.status)

count_lines = Table(
    "count_lines",
    metadata,
    id_column(),
    tenant_column(),
    Column("count_task_id", String(ID), ForeignKey("count_tasks.id"), nullable=False),
    Column("stock_id", String(ID), ForeignKey("stock.id"), nullable=False),
    Column("expected", Integer, nullable=False),
    Column("counted", Integer, nullable=False),
    UniqueConstraint("count_task_id", "stock_id"),
    CheckConstraint("expected >= 0 AND counted >= 0", name="quantities"),
)

replenishment_rules = Table(
    "replenishment_rules",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id"), primary_key=True),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), primary_key=True),
    Column("sku_id", String(ID), ForeignKey("skus.id"), primary_key=True),
    Column("min_qty", Integer),
    Column("max_qty", Integer),
    Column("pick_min", Integer),
    Column("pick_max", Integer),
    CheckConstraint(
        "(min_qty IS NULL) = (max_qty IS NULL) AND (min_qty IS NULL OR "
        "(min_qty >= 0 AND max_qty > min_qty))",
        name="site",
    ),
    CheckConstraint(
        "(pick_min IS NULL) = (pick_max IS NULL) AND (pick_min IS NULL OR "
        "(pick_min >= 0 AND pick_max > pick_min))",
        name="pick_face",
    ),
)

transfer_orders = Table(
    "transfer_orders",
    metadata,
    id_column(),
    tenant_column(),
    Column("from_warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("to_warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("shipped_at", UtcDateTime()),
    Column("received_at", UtcDateTime()),
    CheckConstraint("from_warehouse_id <> to_warehouse_id", name="two_sites"),
    CheckConstraint(
        one_of("status", ("planned", "shipped", "received", "cancelled")), name="status"
    ),
)

transfer_lines = Table(
    "transfer_lines",
    metadata,
    id_column(),
    tenant_column(),
    Column("transfer_id", String(ID), ForeignKey("transfer_orders.id"), nullable=False),
    Column("sku_id", String(ID), ForeignKey("skus.id"), nullable=False),
    Column("requested", Integer, nullable=False),
    Column("shipped", Integer, nullable=False),
    UniqueConstraint("transfer_id", "sku_id"),
    CheckConstraint("requested > 0 AND shipped >= 0 AND shipped <= requested", name="quantities"),
)

boxes = Table(
    "boxes",
    metadata,
    id_column(),
    tenant_column(),
    Column("code", String(32), nullable=False),
    Column("inner_m3", Float, nullable=False),
    Column("outer_m3", Float),
    Column("max_weight_kg", Float, nullable=False),
    Column("tare_kg", Float, nullable=False),
    UniqueConstraint("tenant_id", "code"),
    CheckConstraint("inner_m3 > 0 AND tare_kg >= 0 AND max_weight_kg > tare_kg", name="dimensions"),
)

sscc_series = Table(
    "sscc_series",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id"), primary_key=True),
    Column("company_prefix", String(10), nullable=False),
    Column("extension_digit", Integer, nullable=False),
    Column("last_serial", BigInteger, nullable=False),
    CheckConstraint("extension_digit BETWEEN 0 AND 9 AND last_serial >= 0", name="digits"),
)

customer_rules = Table(
    "customer_rules",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id"), primary_key=True),
    Column("customer_id", String(ID), primary_key=True),
    Column("min_shelf_life_days", Integer, nullable=False),
    CheckConstraint("min_shelf_life_days >= 0", name="shelf_life"),
)

sku_velocity = Table(
    "sku_velocity",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id"), primary_key=True),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), primary_key=True),
    Column("sku_id", String(ID), ForeignKey("skus.id"), primary_key=True),
    Column("pick_lines", Integer, nullable=False),
    Column("abc_class", String(1), nullable=False),
    Column("computed_at", UtcDateTime(), nullable=False),
    CheckConstraint(one_of("abc_class", ("A", "B", "C")), name="abc_class"),
)
