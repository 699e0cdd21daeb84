"""B's tables. The database guards money: no double charge, no charge invoiced twice, no gap.

* ``charges``: UNIQUE (tenant, kind, basis, source type, source id, customer) -- a redelivered
  event or a second storage accrual for the same day can never charge twice.
* ``charges.invoice_id`` is set by a conditional UPDATE (``WHERE invoice_id IS NULL``), so a
  charge joins one invoice only; a CHECK keeps unrated charges off invoices.
* Invoices, their lines and number counters are in ``invoice_tables.py``.

Money and rates are ``Amount`` columns (exact decimals on both databases). On SQLite they are
text, and a CHECK such as ``amount >= 0`` compares text with '0': that still refuses negatives
('-' sorts before every digit) -- which is why only ``>= 0`` guards are written, never ``> 0``.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)

from otwb.billing.model import (
    KIND_OF,
    RATE_PLACES,
    TAX_PLACES,
    ChargeKind,
    ChargeStatus,
    SourceType,
)
from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column

PRECISION = 28  # digits: room for large quantities x prices and for yearly sums


def _rate() -> Amount:
    return Amount(PRECISION, RATE_PLACES)


def _money() -> Amount:
    return Amount(PRECISION, 4)


tariffs = Table(
    "tariffs",
    metadata,
    id_column(),
    tenant_column(),
    Column("customer_id", String(ID)),  # NULL: the tenant's default tariff
    Column("valid_from", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("handling_per_line", _rate(), nullable=False),
    Column("transport_per_kg_km", _rate(), nullable=False),
    Column("transport_per_drop", _rate(), nullable=False),
    Column("storage_per_unit_day", _rate(), nullable=False),
    Column("tax_rate", Amount(10, TAX_PLACES), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # One version per customer and date (the default's in the partial index below).
    UniqueConstraint("tenant_id", "customer_id", "valid_from"),
    CheckConstraint(
        "handling_per_line >= 0 AND transport_per_kg_km >= 0 AND transport_per_drop >= 0"
        " AND storage_per_unit_day >= 0",
        name="rates_not_negative",
    ),
    CheckConstraint("tax_rate >= 0", name="tax_rate_not_negative"),
)
Index(
    "uq_tariffs_default_version",
    tariffs.c.tenant_id,
    tariffs.c.valid_from,
    unique=True,
    postgresql_where=tariffs.c.customer_id.is_(None),
    sqlite_where=tariffs.c.customer_id.is_(None),
)
Index("ix_tariffs_customer", tariffs.c.tenant_id, tariffs.c.customer_id)

ACTIVITY_KEY = ["tenant_id", "kind", "basis", "source_type", "source_id", "customer_id"]
"""What identifies the activity a charge is for: UNIQUE, so it is charged once."""

_PAIRS = " OR ".join(f"(kind = '{k.value}' AND basis = '{b.value}')" for b, k in KIND_OF.items())

charges = Table(
    "charges",
    metadata,
    id_column(),
    tenant_column(),
    Column("customer_id", String(ID), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("source_type", String(16), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("quantity", _rate(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("unit_price", _rate()),
    Column("amount", _money()),
    Column("currency", String(3)),
    Column("tariff_id", String(ID), ForeignKey("tariffs.id")),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("invoice_id", String(ID), ForeignKey("invoices.id")),
    # The same activity is charged once, however often its event is delivered.
    UniqueConstraint(*ACTIVITY_KEY),
    CheckConstraint(one_of("kind", ChargeKind), name="kind"),
    CheckConstraint(_PAIRS, name="basis_of_kind"),
    CheckConstraint(one_of("source_type", SourceType), name="source_type"),
    CheckConstraint(one_of("status", ChargeStatus), name="status"),
    CheckConstraint(
        "(status = 'rated' AND unit_price IS NOT NULL AND amount IS NOT NULL"
        " AND currency IS NOT NULL AND tariff_id IS NOT NULL)"
        " OR (status = 'unrated' AND unit_price IS NULL AND amount IS NULL"
        " AND currency IS NULL AND tariff_id IS NULL AND invoice_id IS NULL)",
        name="rating",
    ),
    CheckConstraint(
        "quantity >= 0 AND (unit_price IS NULL OR unit_price >= 0)"
        " AND (amount IS NULL OR amount >= 0)",
        name="not_negative",
    ),
)
Index(
    "ix_charges_uninvoiced",
    charges.c.tenant_id,
    charges.c.occurred_at,
    postgresql_where=charges.c.invoice_id.is_(None),
    sqlite_where=charges.c.invoice_id.is_(None),
)
Index("ix_charges_invoice", charges.c.invoice_id)
Index("ix_charges_customer", charges.c.tenant_id, charges.c.customer_id)
