"""B's tables. The database guards money: no double charge, no charge invoiced twice, no gap.

* ``tariffs`` are versions of a rate card; ``tariff_rules`` its rules (one row per rule, a
  zone x weight table as one row per cell); ``fuel_index`` the dated fuel surcharge %.
* ``charges``: UNIQUE (tenant, customer, source type, source id, kind, basis, service) -- a
  redelivered event or a second storage accrual for the same day can never charge twice. Only
  discount lines may be negative.
* ``rerating_runs`` / ``charge_rating_changes``: the audit of re-rating (old and new price and
  rule of every charge changed; invoiced ones recorded as needing a credit note, not changed).
* ``charges.invoice_id`` is set by a conditional UPDATE (``WHERE invoice_id IS NULL``), so a
  charge joins one invoice only; a CHECK keeps unrated charges off invoices.
* ``charges`` is B's big table (a 3PL's month is millions of lines), so its guards and indexes
  are also written for the cost of an insert: its CHECKs list allowed values as ``=`` tests
  (``platform.tables.one_of``), and the uninvoiced index grows at its end (see below).
* Invoices, their lines and number counters are in ``invoice_tables.py``.

Money and rates are ``Amount`` columns (exact decimals on both databases). On SQLite they are
text, and a CHECK such as ``amount >= 0`` compares text with '0': that still refuses negatives
('-' sorts before every digit) -- which is why only ``>= 0`` guards are written, never ``> 0``.
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
    UniqueConstraint,
)

from otwb.billing.charges import KIND_OF, Basis, ChargeKind, ChargeStatus, SourceType
from otwb.billing.numbers import PERCENT_PLACES, QUANTITY_PLACES, RATE_PLACES, TAX_PLACES
from otwb.billing.tariff import MinimumScope
from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column

PRECISION = 28  # digits: room for large quantities x prices and for yearly sums


def _rate() -> Amount:
    return Amount(PRECISION, RATE_PLACES)


def _money() -> Amount:
    return Amount(PRECISION, 4)


def _measure() -> Amount:
    return Amount(PRECISION, QUANTITY_PLACES)


tariffs = Table(
    "tariffs",
    metadata,
    id_column(),
    tenant_column(),
    Column("customer_id", String(ID)),  # NULL: the tenant's default tariff
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),  # the last day it applies; NULL: until a later version
    Column("currency", String(3), nullable=False),
    Column("tax_rate", Amount(10, TAX_PLACES), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # One version per customer and date (the default's in the partial index below).
    UniqueConstraint("tenant_id", "customer_id", "valid_from"),
    CheckConstraint("tax_rate >= 0", name="tax_rate_not_negative"),
    CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
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

tariff_rules = Table(
    "tariff_rules",
    metadata,
    id_column(),
    tenant_column(),
    Column("tariff_id", String(ID), ForeignKey("tariffs.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("basis", String(16), nullable=False),
    Column("price", _rate()),
    Column("percent", Amount(12, PERCENT_PLACES)),
    Column("temperature_class", String(16)),
    Column("service", String(32)),
    Column("zone", String(32)),
    Column("max_km", _measure()),
    Column("max_kg", _measure()),
    Column("scope", String(16)),
    Column("applies_to", String(16)),
    Column("min_quantity", _measure()),
    UniqueConstraint("tariff_id", "position"),
    CheckConstraint(one_of("basis", Basis), name="basis"),
    CheckConstraint(
        "(price IS NULL OR price >= 0) AND (percent IS NULL OR percent >= 0)", name="not_negative"
    ),
    CheckConstraint(f"scope IS NULL OR {one_of('scope', MinimumScope)}", name="scope"),
    CheckConstraint("position >= 1", name="position"),
)
Index("ix_tariff_rules_tariff", tariff_rules.c.tenant_id, tariff_rules.c.tariff_id)

fuel_index = Table(
    "fuel_index",
    metadata,
    tenant_column(),
    Column("valid_from", Date, nullable=False),
    Column("percent", Amount(12, PERCENT_PLACES), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("tenant_id", "valid_from"),
    CheckConstraint("percent >= 0", name="percent_not_negative"),
)

ACTIVITY_KEY = [
    "tenant_id",
    "customer_id",
    "source_type",
    "source_id",
    "kind",
    "basis",
    "service",
]
"""What identifies a charge line of an activity: UNIQUE, so it is charged once. Its index also
serves the queries by customer (and by customer and source)."""


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
    Column("rule_id", String(ID), ForeignKey("tariff_rules.id")),
    Column("service", String(32), nullable=False, server_default=""),
    Column("temperature_class", String(16)),
    Column("weight_kg", _measure()),
    Column("distance_km", _measure()),
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
        " AND currency IS NULL AND tariff_id IS NULL AND rule_id IS NULL AND invoice_id IS NULL)",
        name="rating",
    ),
    # Only a discount line is negative (SQLite compares the text: '-' sorts before digits).
    CheckConstraint(
        "quantity >= 0 AND (kind = 'discount' OR ((unit_price IS NULL OR unit_price >= 0)"
        " AND (amount IS NULL OR amount >= 0)))",
        name="not_negative",
    ),
)
# What billing runs read: the tenant's uninvoiced charges, rated ones apart, in arrival order
# (rowid / heap order within equal keys). New charges join at the end of the index and a run
# reads the table in storage order; a run keeps its period's charges as it reads. (Keyed by
# ``occurred_at`` instead, every insert of a shuffled month landed at a random place.)
Index(
    "ix_charges_uninvoiced",
    charges.c.tenant_id,
    charges.c.status,
    postgresql_where=charges.c.invoice_id.is_(None),
    sqlite_where=charges.c.invoice_id.is_(None),
)
# The charges of an invoice (and the foreign key's look-up when a draft is deleted); a charge
# not yet invoiced is not in it.
Index(
    "ix_charges_invoice",
    charges.c.invoice_id,
    postgresql_where=charges.c.invoice_id.is_not(None),
    sqlite_where=charges.c.invoice_id.is_not(None),
)

rerating_runs = Table(
    "rerating_runs",
    metadata,
    id_column(),
    tenant_column(),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("customer_id", String(ID)),  # NULL: every customer
    Column("reason", String(200), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("ran_at", UtcDateTime(), nullable=False),
    Column("examined", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("credit_notes_needed", Integer, nullable=False),
    CheckConstraint("period_end > period_start", name="period"),
    CheckConstraint("examined >= 0 AND changed >= 0 AND credit_notes_needed >= 0", name="counts"),
)
Index("ix_rerating_runs_ran_at", rerating_runs.c.tenant_id, rerating_runs.c.ran_at)

charge_rating_changes = Table(
    "charge_rating_changes",
    metadata,
    id_column(),
    tenant_column(),
    Column("run_id", String(ID), ForeignKey("rerating_runs.id"), nullable=False),
    Column("charge_id", String(ID), ForeignKey("charges.id"), nullable=False),
    Column("applied", Boolean, nullable=False),  # False: invoiced -- needs a credit note
    Column("currency", String(3)),
    Column("old_status", String(16), nullable=False),
    Column("old_unit_price", _rate()),
    Column("old_amount", _money()),
    Column("old_rule_id", String(ID)),
    Column("new_status", String(16), nullable=False),
    Column("new_unit_price", _rate()),
    Column("new_amount", _money()),
    Column("new_rule_id", String(ID)),
    Column("changed_at", UtcDateTime(), nullable=False),
    CheckConstraint(one_of("old_status", ChargeStatus), name="old_status"),
    CheckConstraint(one_of("new_status", ChargeStatus), name="new_status"),
)
Index(
    "ix_charge_rating_changes_run",
    charge_rating_changes.c.tenant_id,
    charge_rating_changes.c.run_id,
)
Index("ix_charge_rating_changes_charge", charge_rating_changes.c.charge_id)
