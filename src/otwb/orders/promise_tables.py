"""O's tables for delivery promises and options. Every row carries its tenant; the database
guards the invariants too: a slot is never booked beyond its capacity, a promise is recorded once
per order, a pickup has its point and code, cash on delivery has an amount and a currency.

Times of day (cut-offs, end of the morning round) are minutes after local midnight.
"""

from __future__ import annotations

from sqlalchemy import (
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
)

from otwb.orders.calendar import HolidayScope
from otwb.orders.delivery_options import DeliveryMethod, PickupKind
from otwb.orders.promise import PromiseLevel, Zone
from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column


def _minutes(name: str) -> Column[int]:
    return Column(name, Integer, nullable=False)


promise_profiles = Table(
    "promise_profiles",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("country", String(2), nullable=False),
    Column("working_days", String(7), nullable=False),
    _minutes("same_day_cutoff_min"),
    _minutes("late_cutoff_min"),
    _minutes("cutoff_min"),
    Column("processing_days", Integer, nullable=False),
    Column("standard_transit_days", Integer, nullable=False),
    _minutes("morning_end_min"),
    _minutes("delivery_end_min"),
    Column("local_km", Float, nullable=False),
    Column("regional_km", Float, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "warehouse_id"),
    CheckConstraint(
        "same_day_cutoff_min BETWEEN 0 AND 1439 AND late_cutoff_min BETWEEN 0 AND 1439"
        " AND cutoff_min BETWEEN 0 AND 1439 AND morning_end_min BETWEEN 0 AND 1439"
        " AND delivery_end_min BETWEEN 0 AND 1439",
        name="times_of_day",
    ),
    CheckConstraint("same_day_cutoff_min <= late_cutoff_min", name="cutoff_order"),
    CheckConstraint("processing_days BETWEEN 0 AND 10", name="processing_days"),
    CheckConstraint("standard_transit_days BETWEEN 1 AND 30", name="transit_days"),
    CheckConstraint("local_km > 0 AND regional_km > local_km", name="zones"),
)

promise_holidays = Table(
    "promise_holidays",
    metadata,
    id_column(),
    tenant_column(),
    Column("scope", String(10), nullable=False),
    Column("code", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("name", String(100), nullable=False),
    UniqueConstraint("tenant_id", "scope", "code", "day"),
    CheckConstraint(one_of("scope", HolidayScope), name="scope"),
)

order_promises = Table(
    "order_promises",
    metadata,
    Column("order_id", String(ID), ForeignKey("orders.id"), primary_key=True),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("level", String(10), nullable=False),
    Column("zone", String(10), nullable=False),
    Column("delivery_day", Date, nullable=False),
    Column("promised_by", UtcDateTime(), nullable=False),
    Column("quoted_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime()),
    Column("on_time", Boolean),
    CheckConstraint(one_of("level", PromiseLevel), name="level"),
    CheckConstraint(one_of("zone", Zone), name="zone"),
    CheckConstraint("(delivered_at IS NULL) = (on_time IS NULL)", name="outcome"),
)
Index("ix_order_promises_delivered", order_promises.c.tenant_id, order_promises.c.delivered_at)

delivery_slots = Table(
    "delivery_slots",
    metadata,
    id_column(),
    tenant_column(),
    Column("warehouse_id", String(ID), ForeignKey("warehouses.id"), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("ends_at", UtcDateTime(), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("booked", Integer, nullable=False),
    UniqueConstraint("tenant_id", "warehouse_id", "starts_at"),
    CheckConstraint("ends_at > starts_at", name="span"),
    CheckConstraint("capacity > 0", name="capacity"),
    CheckConstraint("booked >= 0 AND booked <= capacity", name="never_overbooked"),
)

pickup_points = Table(
    "pickup_points",
    metadata,
    id_column(),
    tenant_column(),
    Column("code", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("street", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("postcode", String(20), nullable=False),
    Column("country", String(2), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("active", Boolean, nullable=False),
    UniqueConstraint("tenant_id", "code"),
    CheckConstraint(one_of("kind", PickupKind), name="kind"),
    CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coordinates"),
)

order_delivery_options = Table(
    "order_delivery_options",
    metadata,
    Column("order_id", String(ID), ForeignKey("orders.id"), primary_key=True),
    tenant_column(),
    Column("method", String(10), nullable=False),
    Column("slot_id", String(ID), ForeignKey("delivery_slots.id")),
    Column("pickup_point_id", String(ID), ForeignKey("pickup_points.id")),
    Column("pickup_code", String(12)),
    Column("installation", Boolean, nullable=False),
    Column("cod_amount", Amount(19, 4)),
    Column("cod_currency", String(3)),
    Column("tracking_token", String(32), nullable=False, unique=True),
    Column("tracking_number", String(32)),
    Column("chosen_at", UtcDateTime(), nullable=False),
    CheckConstraint(one_of("method", DeliveryMethod), name="method"),
    CheckConstraint(
        "(method = 'pickup') = (pickup_point_id IS NOT NULL AND pickup_code IS NOT NULL)",
        name="pickup_has_point_and_code",
    ),
    CheckConstraint("method = 'home' OR slot_id IS NULL", name="slot_is_for_home"),
    CheckConstraint("(cod_amount IS NULL) = (cod_currency IS NULL)", name="cod_currency"),
)
Index("ix_order_delivery_options_slot", order_delivery_options.c.slot_id)
Index(
    "ix_order_delivery_options_tracking",
    order_delivery_options.c.tenant_id,
    order_delivery_options.c.tracking_number,
)
