"""W's tables: the building (zones, aisles, bins), SKUs and lots, stock and its ledger, the
fulfilment of orders. The work on the floor (ASNs, tasks, waves, counts, transfers...) is in
``work_tables.py``.

The database guards the invariants: stock can never go negative nor be over-promised (CHECKs),
one stock row per bin x SKU x lot (UNIQUE; a row without a lot has ``lot_key = ''``, since NULLs
are distinct in a UNIQUE index), and the movement ledger is append-only (triggers refuse any
UPDATE or DELETE of a movement on both databases).
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    Boolean,
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
    event,
)

from otwb.platform.sqltypes import UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column
from otwb.platform.values import TemperatureClass
from otwb.warehouse.lots import LotStatus
from otwb.warehouse.model import FulfilmentStatus, WarehouseKind, ZoneRole

MOVEMENT_KINDS = (
    "receipt",
    "pick",
    "return",
    "adjustment",
    "count",
    "move",
    "transfer_out",
    "transfer_in",
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
    Column("dock_x_m", Float, nullable=False, server_default="0"),
    Column("dock_y_m", Float, nullable=False, server_default="0"),
    UniqueConstraint("tenant_id", "code"),
    CheckConstraint(one_of("kind", WarehouseKind), name="kind"),
)

zones = Table(
    "zones",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("temperature_class", String(16), nullable=False),
    Column("role", String(16), nullable=False),
    Column("hazardous", Boolean, nullable=False),
    UniqueConstraint("warehouse_id", "code"),
    CheckConstraint(one_of("temperature_class", TemperatureClass), name="temperature_class"),
    CheckConstraint(one_of("role", ZoneRole), name="role"),
)

aisles = Table(
    "aisles",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("zone_id", String(ID), ForeignKey("zones.id"), nullable=False),
    Column("code", String(16), nullable=False),
    Column("x_m", Float, nullable=False),
    Column("front_m", Float, nullable=False),
    Column("back_m", Float, nullable=False),
    UniqueConstraint("warehouse_id", "code"),
    CheckConstraint("back_m >= front_m", name="ends"),
)

locations = Table(
    "locations",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("temperature_class", String(16), nullable=False),
    Column("zone_id", String(ID), ForeignKey("zones.id"), nullable=False),
    Column("aisle_id", String(ID), ForeignKey("aisles.id")),
    Column("bay", Integer),
    Column("level", Integer),
    Column("x_m", Float, nullable=False, server_default="0"),
    Column("y_m", Float, nullable=False, server_default="0"),
    Column("capacity_m3", Float),
    Column("capacity_kg", Float),
    UniqueConstraint("warehouse_id", "code"),
    CheckConstraint(one_of("temperature_class", TemperatureClass), name="temperature_class"),
    CheckConstraint(
        "(capacity_m3 IS NULL OR capacity_m3 > 0) AND (capacity_kg IS NULL OR capacity_kg > 0)",
        name="capacity",
    ),
)
Index("ix_locations_zone", locations.c.zone_id)

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
    Column("shelf_life_days", Integer),
    Column("lot_tracked", Boolean, nullable=False, server_default="0"),
    Column("serial_tracked", Boolean, nullable=False, server_default="0"),
    Column("hazardous", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("tenant_id", "code"),
    CheckConstraint("weight_kg > 0 AND volume_m3 > 0", name="dimensions"),
    CheckConstraint(one_of("temperature_class", TemperatureClass), name="temperature_class"),
    CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life"),
)

lots = Table(
    "lots",
    metadata,
    id_column(),
    tenant_column(),
    Column("sku_id", String(ID), ForeignKey("skus.id"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("expires_on", Date),
    Column("status", String(16), nullable=False),
    Column("status_reason", String(200)),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "sku_id", "code"),
    CheckConstraint(one_of("status", LotStatus), name="status"),
)

stock = Table(
    "stock",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("location_id", String(ID), ForeignKey("locations.id"), nullable=False),
    Column("sku_id", String(ID), ForeignKey("skus.id"), nullable=False),
    Column("lot_id", String(ID), ForeignKey("lots.id")),
    Column("lot_key", String(ID), nullable=False, server_default=""),
    Column("on_hand", Integer, nullable=False),
    Column("allocated", Integer, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    UniqueConstraint("location_id", "sku_id", "lot_key"),
    CheckConstraint("lot_key = COALESCE(lot_id, '')", name="lot_key"),
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    CheckConstraint("allocated >= 0 AND allocated <= on_hand", name="allocated_within_on_hand"),
)
Index("ix_stock_tenant_sku", stock.c.tenant_id, stock.c.sku_id)
Index("ix_stock_lot", stock.c.lot_id)

stock_movements = Table(
    "stock_movements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    tenant_column(),
    Column("stock_id", String(ID), ForeignKey("stock.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", String(32)),
    Column("reference", String(ID)),
    Column("at", UtcDateTime(), nullable=False),
    CheckConstraint("quantity <> 0", name="quantity_not_zero"),
    CheckConstraint(one_of("kind", MOVEMENT_KINDS), name="kind"),
)
Index("ix_stock_movements_stock", stock_movements.c.stock_id)
Index("ix_stock_movements_at", stock_movements.c.tenant_id, stock_movements.c.at)

APPEND_ONLY_MESSAGE = "the stock movement ledger is append-only"
LEDGER_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS stock_movements_no_{verb} BEFORE {verb.upper()} "
        f"ON stock_movements BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        for verb in ("update", "delete")
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION otwb_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$",
        "CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements "
        "FOR EACH ROW EXECUTE FUNCTION otwb_append_only()",
    ],
}
for _dialect, _statements in LEDGER_TRIGGERS.items():
    for _sql in _statements:
        event.listen(
            stock_movements,
            "after_create",
            DDL(_sql).execute_if(dialect=_dialect),  # type: ignore[no-untyped-call]
        )

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
    Column("carrier", String(64)),
    Column("route", String(64)),
    Column("cut_off", UtcDateTime()),
    Column("min_shelf_life_days", Integer, nullable=False, server_default="0"),
    Column("wave_id", String(ID), ForeignKey("waves.id")),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # Orders merged in a wave (same customer, same address) share it: one tote, one consignment.
    Column("consolidation_id", String(ID)),
    # One fulfilment per order and warehouse (a split order has one per warehouse sourced):
    # no part of an order is ever allocated twice.
    UniqueConstraint("tenant_id", "order_id", "warehouse_id"),
    CheckConstraint(one_of("status", FulfilmentStatus), name="status"),
)
Index("ix_fulfilments_warehouse_status", fulfilments.c.warehouse_id, fulfilments.c.status)

# An allocation row is a pick task: take ``quantity`` of an order line from one bin-lot.
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
    Column("picked", Integer, nullable=False, server_default="0"),
    Column("pick_list_id", String(ID), ForeignKey("pick_lists.id")),
    Column("seq", Integer),
    Column("picked_at", UtcDateTime()),
    # An order line takes from a stock row once.
    UniqueConstraint("order_line_id", "stock_id"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("status IN ('open', 'picked', 'released')", name="status"),
    CheckConstraint(
        "picked >= 0 AND picked <= quantity AND (status = 'picked' OR picked = 0)", name="picked"
    ),
)
Index("ix_allocations_fulfilment", allocations.c.fulfilment_id)
Index("ix_allocations_stock_status", allocations.c.stock_id, allocations.c.status)
Index("ix_allocations_pick_list", allocations.c.pick_list_id)

backorders = Table(
    "backorders",
    metadata,
    id_column(),
    tenant_column(),
    Column("fulfilment_id", String(ID), ForeignKey("fulfilments.id"), nullable=False),
    Column("order_line_id", String(ID), nullable=False),
    Column("sku_id", String(ID), ForeignKey("skus.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)
Index("ix_backorders_fulfilment", backorders.c.fulfilment_id)

parcels = Table(
    "parcels",
    metadata,
    id_column(),
    tenant_column(),
    Column("fulfilment_id", String(ID), ForeignKey("fulfilments.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("weight_kg", Float, nullable=False),
    Column("volume_m3", Float, nullable=False),
    Column("box_code", String(32)),
    Column("sscc", String(18)),
    UniqueConstraint("fulfilment_id", "seq"),
    UniqueConstraint("tenant_id", "sscc"),
    CheckConstraint("weight_kg > 0 AND volume_m3 > 0", name="dimensions"),
)

serials = Table(
    "serials",
    metadata,
    id_column(),
    tenant_column(),
    Column("sku_id", String(ID), ForeignKey("skus.id"), nullable=False),
    Column("serial", String(64), nullable=False),
    Column("lot_id", String(ID), ForeignKey("lots.id"), nullable=False),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("order_id", String(ID)),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "sku_id", "serial"),
    CheckConstraint("status IN ('in_stock', 'picked')", name="status"),
)

from otwb.warehouse import work_tables as _work  # noqa: E402, F401  (registers the rest)
