"""W's tables. Stock can never go negative nor be over-promised: CHECKs guard both."""

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
    UniqueConstraint,
)

from otwb.platform.sqltypes import UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column
from otwb.platform.values import TemperatureClass
from otwb.warehouse.model import (
    FulfilmentStatus,
    WarehouseKind,
)

warehouses = Table(
    "warehouses",
    metadata,
    id_column(),
    tenant_column(),
    Column("code", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    UniqueConstraint("tenant_id", "code"),
    CheckConstraint(one_of("kind", WarehouseKind), name="kind"),
)

locations = Table(
    "locations",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("temperature_class", String(16), nullable=False),
    UniqueConstraint("warehouse_id", "code"),
    CheckConstraint(one_of("temperature_class", TemperatureClass), name="temperature_class"),
)

skus = Table(
    "skus",
    metadata,
    id_column(),
    tenant_column(),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("weight_kg", Float, nullable=False),
    Column("volume_m3", Float, nullable=False),
    Column("temperature_class", String(16), nullable=False),
    Column("owner_id", String(ID)),
    UniqueConstraint("tenant_id", "code"),
    CheckConstraint("weight_kg > 0 AND volume_m3 > 0", name="dimensions"),
    CheckConstraint(one_of("temperature_class", TemperatureClass), name="temperature_class"),
)

stock = Table(
    "stock",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("location_id", String(ID), ForeignKey("locations.id"), nullable=False),
    Column("sku_id", String(ID), ForeignKey("skus.id"), nullable=False),
    Column("on_hand", Integer, nullable=False),
    Column("allocated", Integer, nullable=False),
    UniqueConstraint("location_id", "sku_id"),
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    CheckConstraint("allocated >= 0 AND allocated <= on_hand", name="allocated_within_on_hand"),
)
Index("ix_stock_tenant_sku", stock.c.tenant_id, stock.c.sku_id)

stock_movements = Table(
    "stock_movements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    tenant_column(),
    Column("stock_id", String(ID), ForeignKey("stock.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reference", String(ID)),
    Column("at", UtcDateTime(), nullable=False),
    CheckConstraint("quantity <> 0", name="quantity_not_zero"),
    CheckConstraint("kind IN ('receipt', 'pick', 'return')", name="kind"),
)
Index("ix_stock_movements_stock", stock_movements.c.stock_id)

fulfilments = Table(
    "fulfilments",
    metadata,
    id_column(),
    tenant_column(),
    Column("order_id", String(ID), nullable=False),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("customer_id", String(ID), nullable=False),
    Column("status", String(16), nullable=False),
    Column("ship_to_name", String(200), nullable=False),
    Column("ship_to_address", String(400), nullable=False),
    Column("ship_to_lat", Float, nullable=False),
    Column("ship_to_lon", Float, nullable=False),
    Column("service_level", String(20), nullable=False),
    Column("window_start", UtcDateTime()),
    Column("window_end", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # One fulfilment per order: an order is never allocated twice.
    UniqueConstraint("tenant_id", "order_id"),
    CheckConstraint(one_of("status", FulfilmentStatus), name="status"),
)
Index("ix_fulfilments_warehouse_status", fulfilments.c.warehouse_id, fulfilments.c.status)

allocations = Table(
    "allocations",
    metadata,
    id_column(),
    tenant_column(),
    Column("fulfilment_id", String(ID), ForeignKey("fulfilments.id"), nullable=False),
    Column("order_line_id", String(ID), nullable=False),
    Column("stock_id", String(ID), ForeignKey("stock.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    # An order line takes from a stock row once.
    UniqueConstraint("order_line_id", "stock_id"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("status IN ('open', 'picked', 'released')", name="status"),
)
Index("ix_allocations_fulfilment", allocations.c.fulfilment_id)
Index("ix_allocations_stock_status", allocations.c.stock_id, allocations.c.status)

parcels = Table(
    "parcels",
    metadata,
    id_column(),
    tenant_column(),
    Column("fulfilment_id", String(ID), ForeignKey("fulfilments.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("weight_kg", Float, nullable=False),
    Column("volume_m3", Float, nullable=False),
    UniqueConstraint("fulfilment_id", "seq"),
    CheckConstraint("weight_kg > 0 AND volume_m3 > 0", name="dimensions"),
)
