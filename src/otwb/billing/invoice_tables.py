"""B's invoicing tables: invoices and credit notes, their lines, the number counters, exchange
rates and the customers' billing currencies.

The database guards what invoicing promises:

* ``invoices``: a draft has no number; an issued, paid or void document has one, UNIQUE per
  tenant and series (``INV``, ``CN``); an invoice's total is >= 0 and a credit note's < 0; the
  total is the subtotal plus the tax; a credit note names the invoice it credits.
* ``invoice_counters``: one row per tenant, series and year, incremented in the transaction that
  issues, so numbers have no gap (a rolled-back issue gives its number back) and no duplicate.
* ``exchange_rates``: one rate per tenant, currency pair and day, > 0.

Signs and sums are checked on ``CAST(... AS DOUBLE PRECISION)``: SQLite keeps ``Amount``
columns as text, where ``'0.00' > 0`` would compare strings.
"""

from __future__ import annotations

from sqlalchemy import (
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

from otwb.billing.invoice import DocumentType, InvoiceStatus
from otwb.billing.tables import PRECISION
from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.tables import ID, id_column, metadata, one_of, tenant_column

RATE_SCALE = 10
"""Decimal places of an exchange rate (1 EUR = 1.0842000000 USD)."""


def _money() -> Amount:
    return Amount(PRECISION, 4)


def _real(column: str) -> str:
    """The column as a 64-bit float on both databases (PostgreSQL's REAL is only 32 bits)."""
    return f"CAST({column} AS DOUBLE PRECISION)"


invoices = Table(
    "invoices",
    metadata,
    id_column(),
    tenant_column(),
    Column("doc_type", String(16), nullable=False),
    Column("series", String(8), nullable=False),
    Column("number", String(32)),  # NULL while a draft
    Column("customer_id", String(ID), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("rate_date", Date, nullable=False),
    Column("subtotal", _money(), nullable=False),
    Column("tax", _money(), nullable=False),
    Column("total", _money(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("credited_invoice_id", String(ID), ForeignKey("invoices.id")),
    Column("reason", String(200)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("issued_at", UtcDateTime()),
    Column("paid_at", UtcDateTime()),
    Column("paid_amount", _money()),
    Column("voided_at", UtcDateTime()),
    UniqueConstraint("tenant_id", "series", "number"),
    CheckConstraint("period_end > period_start", name="period"),
    CheckConstraint(one_of("status", InvoiceStatus), name="status"),
    CheckConstraint(one_of("doc_type", DocumentType), name="doc_type"),
    CheckConstraint(
        "(doc_type = 'invoice' AND series = 'INV' AND credited_invoice_id IS NULL)"
        " OR (doc_type = 'credit_note' AND series = 'CN' AND credited_invoice_id IS NOT NULL"
        " AND status = 'issued')",
        name="series_of_type",
    ),
    CheckConstraint(
        "(status = 'draft' AND number IS NULL AND issued_at IS NULL)"
        " OR (status <> 'draft' AND number IS NOT NULL AND issued_at IS NOT NULL)",
        name="numbered_when_issued",
    ),
    CheckConstraint(
        "(status = 'paid') = (paid_at IS NOT NULL AND paid_amount IS NOT NULL)", name="paid"
    ),
    CheckConstraint("(status = 'void') = (voided_at IS NOT NULL)", name="void"),
    CheckConstraint(
        f"(doc_type = 'invoice' AND {_real('total')} >= 0)"
        f" OR (doc_type = 'credit_note' AND {_real('total')} < 0)",
        name="sign_of_total",
    ),
    # to the cent up to 10^10 (float64 keeps ~16 digits: the bound leaves room for its error)
    CheckConstraint(
        f"ABS({_real('total')} - {_real('subtotal')} - {_real('tax')})"
        f" <= 0.00005 + ABS({_real('total')}) * 0.000000000001",
        name="total_is_subtotal_plus_tax",
    ),
)
Index("ix_invoices_customer", invoices.c.tenant_id, invoices.c.customer_id)
Index("ix_invoices_credited", invoices.c.credited_invoice_id)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("invoice_id", String(ID), ForeignKey("invoices.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    tenant_column(),
    Column("kind", String(16), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("description", String(200), nullable=False),
    Column("quantity", Amount(PRECISION, 6), nullable=False),
    Column("charge_currency", String(3), nullable=False),
    Column("charge_amount", _money(), nullable=False),
    Column("exchange_rate", Amount(PRECISION, RATE_SCALE), nullable=False),
    Column("amount", _money(), nullable=False),
    Column("tax_rate", Amount(10, 4), nullable=False),
    Column("tax", _money(), nullable=False),
    Column("charge_count", Integer, nullable=False),
    Column("credited_line_no", Integer),  # on a credit note: the invoice line it reverses
    Column("service", String(32), nullable=False, server_default=""),  # a named VAS
    PrimaryKeyConstraint("invoice_id", "line_no"),
    CheckConstraint("line_no >= 1 AND charge_count >= 0", name="counts"),
    CheckConstraint(f"{_real('exchange_rate')} > 0", name="rate_positive"),
    CheckConstraint("tax_rate >= 0", name="tax_rate_not_negative"),
)

invoice_counters = Table(
    "invoice_counters",
    metadata,
    tenant_column(),
    Column("series", String(8), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_number", Integer, nullable=False),
    PrimaryKeyConstraint("tenant_id", "series", "year"),
    CheckConstraint("last_number >= 0", name="last_number"),
)

exchange_rates = Table(
    "exchange_rates",
    metadata,
    tenant_column(),
    Column("from_currency", String(3), nullable=False),
    Column("to_currency", String(3), nullable=False),
    Column("day", Date, nullable=False),
    Column("rate", Amount(PRECISION, RATE_SCALE), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("tenant_id", "from_currency", "to_currency", "day"),
    CheckConstraint(f"{_real('rate')} > 0", name="rate_positive"),
    CheckConstraint("from_currency <> to_currency", name="two_currencies"),
)

billing_currencies = Table(
    "billing_currencies",
    metadata,
    tenant_column(),
    Column("customer_id", String(ID), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("tenant_id", "customer_id"),
)
