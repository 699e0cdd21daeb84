"""O's tables. Every row carries its tenant; the database guards quantities and statuses."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from otwb.orders.model import OrderStatus, ServiceLevel
from otwb.platform.sqltypes import UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column

customers = Table(
    "customers",
    metadata,
    id_column(),
    tenant_column(),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # A customer on credit hold: its new orders are placed on hold, not sent to the warehouse.
    Column("credit_hold", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("tenant_id", "code"),
)

orders = Table(
    "orders",
    metadata,
    id_column(),
    tenant_column(),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("reference", String(100)),
    # Where the order came from (api, csv, edi, shop...); with the reference, unique.
    Column("channel", String(30), nullable=False, server_default="api"),
    Column("hold_reason", String(100)),
    Column("status", String(20), nullable=False),
    Column("service_level", String(20), nullable=False),
    Column("ship_to_name", String(200), nullable=False),
    Column("ship_to_street", String(200), nullable=False),
    Column("ship_to_city", String(100), nullable=False),
    Column("ship_to_postcode", String(20), nullable=False),
    Column("ship_to_country", String(2), nullable=False),
    Column("ship_to_lat", Float, nullable=False),
    Column("ship_to_lon", Float, nullable=False),
    Column("window_start", UtcDateTime()),
    Column("window_end", UtcDateTime()),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint(one_of("status", OrderStatus), name="status"),
    CheckConstraint(one_of("service_level", ServiceLevel), name="service_level"),
    CheckConstraint(
        "ship_to_lat BETWEEN -90 AND 90 AND ship_to_lon BETWEEN -180 AND 180", name="coordinates"
    ),
    CheckConstraint("window_end IS NULL OR window_end > window_start", name="window"),
    CheckConstraint(
        "(status = 'on_hold' AND hold_reason IS NOT NULL)"
        " OR (status <> 'on_hold' AND hold_reason IS NULL)",
        name="hold_reason",
    ),
    # Duplicate detection: one order per channel order reference (NULL references never clash).
    UniqueConstraint("tenant_id", "channel", "reference"),
)
Index("ix_orders_tenant_status", orders.c.tenant_id, orders.c.status)

order_lines = Table(
    "order_lines",
    metadata,
    id_column(),
    tenant_column(),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    UniqueConstraint("order_id", "line_no"),
)

order_timeline = Table(
    "order_timeline",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    tenant_column(),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("detail", Text, nullable=False),
)
Index("ix_order_timeline_order", order_timeline.c.order_id, order_timeline.c.id)

# What the warehouse could not serve yet, per order line: shown on the order, retried FIFO (by
# the order's placing time) when stock of the SKU arrives.
order_backorders = Table(
    "order_backorders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    tenant_column(),
    Column("order_id", String(ID), ForeignKey("orders.id"), nullable=False),
    Column("line_id", String(ID), ForeignKey("order_lines.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("since", UtcDateTime(), nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    UniqueConstraint("line_id"),
)
Index("ix_order_backorders_sku", order_backorders.c.tenant_id, order_backorders.c.sku)
Index("ix_order_backorders_order", order_backorders.c.order_id)

# The tenant's postcode table: an address given without coordinates is geocoded from it.
postcodes = Table(
    "postcodes",
    metadata,
    tenant_column(),
    Column("country", String(2), nullable=False),
    Column("postcode", String(20), nullable=False),
    Column("city", String(100), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    PrimaryKeyConstraint("tenant_id", "country", "postcode"),
    CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
)
