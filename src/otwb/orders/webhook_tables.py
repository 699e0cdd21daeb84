"""Webhooks out: the tenant's subscriptions, and one delivery row per event per subscription
(the bus applies each event once per consumer, so an event never makes two rows)."""

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
    Text,
)

from otwb.platform.sqltypes import UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column

DELIVERY_STATUSES = ("pending", "delivered", "dead")

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    id_column(),
    tenant_column(),
    Column("url", String(500), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("event_types", Text, nullable=False),  # space-separated names, or "*"
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("url LIKE 'http://%' OR url LIKE 'https://%'", name="url"),
    CheckConstraint("length(secret) >= 16", name="secret"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    id_column(),
    tenant_column(),
    Column("subscription_id", String(ID), ForeignKey("webhook_subscriptions.id"), nullable=False),
    Column("event_type", String(60), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", Text),
    Column("last_status", Integer),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime()),
    CheckConstraint(one_of("status", DELIVERY_STATUSES), name="status"),
    CheckConstraint("attempts >= 0", name="attempts"),
)
Index(
    "ix_webhook_deliveries_due", webhook_deliveries.c.status, webhook_deliveries.c.next_attempt_at
)
