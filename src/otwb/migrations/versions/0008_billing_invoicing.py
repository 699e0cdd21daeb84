"""billing: customer invoicing -- drafts, issue, pay, void; credit notes; number series;
exchange rates and customers' billing currencies.

* ``invoices`` become invoices *or* credit notes (``doc_type``, ``series``), drafts without a
  number, with payment, void and credit-note columns; the invoice-level tax rate and tax tariff
  move to the lines.
* ``invoice_lines`` gain the charges' currency and amount, the exchange rate used, the named
  value-added service, and their own tax rate and tax. Existing lines get their invoice's tax rate; their tax is the line's
  amount x that rate rounded half-up, with the invoice's rounding remainder on its largest line,
  so every existing invoice keeps its subtotal, tax and total to the cent.
* ``invoice_counters`` are per series (existing counters become the ``INV`` series').
* New: ``exchange_rates`` and ``billing_currencies``.

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-25 03:50:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

import otwb.platform.sqltypes

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Amount = otwb.platform.sqltypes.Amount
UtcDateTime = otwb.platform.sqltypes.UtcDateTime
MINOR = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}


def _unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR.get(currency, 2))


def _counter_elements(series: bool) -> list[SchemaItem]:
    keys = ["tenant_id", *(["series"] if series else []), "year"]
    return [
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        *([sa.Column("series", sa.String(length=8), nullable=False)] if series else []),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_number >= 0", name=op.f("ck_invoice_counters_last_number")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_invoice_counters_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(*keys, name=op.f("pk_invoice_counters")),
    ]


def _recreate_counters(series: bool) -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT tenant_id, year, last_number FROM invoice_counters"
            + (" WHERE series = 'INV'" if not series else "")
        )
    ).all()
    op.drop_table("invoice_counters")
    table = op.create_table("invoice_counters", *_counter_elements(series))
    if rows:
        extra = {"series": "INV"} if series else {}
        op.bulk_insert(
            table, [{"tenant_id": r[0], "year": r[1], "last_number": r[2], **extra} for r in rows]
        )


def _fill_lines() -> None:
    """Existing lines: their invoice's tax rate, a tax per line that adds up to the invoice's."""
    conn = op.get_bind()
    money = Amount(28, 4)
    invoices = sa.table(
        "invoices",
        sa.column("id"),
        sa.column("currency"),
        sa.column("tax_rate", Amount(10, 4)),
        sa.column("tax", money),
        sa.column("period_end", sa.Date()),
        sa.column("issued_at", UtcDateTime()),
        sa.column("rate_date", sa.Date()),
        sa.column("created_at", UtcDateTime()),
    )
    lines = sa.table(
        "invoice_lines",
        sa.column("invoice_id"),
        sa.column("line_no"),
        sa.column("amount", money),
        sa.column("charge_currency"),
        sa.column("charge_amount", money),
        sa.column("exchange_rate", Amount(28, 10)),
        sa.column("tax_rate", Amount(10, 4)),
        sa.column("tax", money),
    )
    for inv in conn.execute(sa.select(invoices)).all():
        conn.execute(
            sa.update(invoices)
            .where(invoices.c.id == inv.id)
            .values(rate_date=inv.period_end - timedelta(days=1), created_at=inv.issued_at)
        )
        own = conn.execute(
            sa.select(lines.c.line_no, lines.c.amount).where(lines.c.invoice_id == inv.id)
        ).all()
        if not own:
            continue
        unit = _unit(inv.currency)
        taxes = {r.line_no: (r.amount * inv.tax_rate).quantize(unit, ROUND_HALF_UP) for r in own}
        largest = max(own, key=lambda r: (r.amount, -r.line_no)).line_no
        taxes[largest] += inv.tax - sum(taxes.values(), Decimal(0))
        for r in own:
            conn.execute(
                sa.update(lines)
                .where(lines.c.invoice_id == inv.id, lines.c.line_no == r.line_no)
                .values(
                    charge_currency=inv.currency,
                    charge_amount=r.amount,
                    exchange_rate=Decimal(1),
                    tax_rate=inv.tax_rate,
                    tax=taxes[r.line_no],
                )
            )


def upgrade() -> None:
    _recreate_counters(series=True)
    op.create_table(
        "exchange_rates",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("from_currency", sa.String(length=3), nullable=False),
        sa.Column("to_currency", sa.String(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rate", Amount(precision=28, scale=10), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "CAST(rate AS DOUBLE PRECISION) > 0", name=op.f("ck_exchange_rates_rate_positive")
        ),
        sa.CheckConstraint(
            "from_currency <> to_currency", name=op.f("ck_exchange_rates_two_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_exchange_rates_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "from_currency", "to_currency", "day", name=op.f("pk_exchange_rates")
        ),
    )
    op.create_table(
        "billing_currencies",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_billing_currencies_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", name=op.f("pk_billing_currencies")),
    )

    # 1. new columns (nullable or with a default), old guards off
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("doc_type", sa.String(length=16), server_default="invoice", nullable=False)
        )
        batch_op.add_column(
            sa.Column("series", sa.String(length=8), server_default="INV", nullable=False)
        )
        batch_op.add_column(sa.Column("rate_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("credited_invoice_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("created_at", UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paid_at", UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paid_amount", Amount(precision=28, scale=4), nullable=True))
        batch_op.add_column(sa.Column("voided_at", UtcDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_invoices_status"), type_="check")
        batch_op.drop_constraint(op.f("ck_invoices_amounts_not_negative"), type_="check")
        batch_op.drop_constraint(op.f("uq_invoices_tenant_id_number"), type_="unique")
        batch_op.drop_constraint(op.f("fk_invoices_tax_tariff_id_tariffs"), type_="foreignkey")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("charge_currency", sa.String(length=3), nullable=True))
        batch_op.add_column(
            sa.Column("charge_amount", Amount(precision=28, scale=4), nullable=True)
        )
        batch_op.add_column(
            sa.Column("exchange_rate", Amount(precision=28, scale=10), nullable=True)
        )
        batch_op.add_column(sa.Column("tax_rate", Amount(precision=10, scale=4), nullable=True))
        batch_op.add_column(sa.Column("tax", Amount(precision=28, scale=4), nullable=True))
        batch_op.add_column(sa.Column("credited_line_no", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("service", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.drop_constraint(op.f("ck_invoice_lines_counts"), type_="check")
        batch_op.drop_constraint(op.f("ck_invoice_lines_not_negative"), type_="check")

    # 2. the existing rows in the new shape
    _fill_lines()

    # 3. the new guards
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        for name in ("charge_currency", "charge_amount", "exchange_rate", "tax_rate", "tax"):
            batch_op.alter_column(name, nullable=False)
        batch_op.create_check_constraint(
            op.f("ck_invoice_lines_counts"), "line_no >= 1 AND charge_count >= 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_invoice_lines_rate_positive"), "CAST(exchange_rate AS DOUBLE PRECISION) > 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_invoice_lines_tax_rate_not_negative"), "tax_rate >= 0"
        )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.alter_column("rate_date", nullable=False)
        batch_op.alter_column("created_at", nullable=False)
        batch_op.alter_column("number", existing_type=sa.String(length=32), nullable=True)
        batch_op.alter_column("issued_at", existing_type=UtcDateTime(timezone=True), nullable=True)
        batch_op.drop_column("tax_rate")
        batch_op.drop_column("tax_tariff_id")
        batch_op.create_unique_constraint(
            op.f("uq_invoices_tenant_id_series_number"), ["tenant_id", "series", "number"]
        )
        batch_op.create_foreign_key(
            op.f("fk_invoices_credited_invoice_id_invoices"),
            "invoices",
            ["credited_invoice_id"],
            ["id"],
        )
        batch_op.create_index("ix_invoices_credited", ["credited_invoice_id"], unique=False)
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_invoices_{name}"), condition)


CHECKS = {
    "status": "status IN ('draft', 'issued', 'paid', 'void')",
    "doc_type": "doc_type IN ('invoice', 'credit_note')",
    "series_of_type": "(doc_type = 'invoice' AND series = 'INV' AND credited_invoice_id IS NULL)"
    " OR (doc_type = 'credit_note' AND series = 'CN' AND credited_invoice_id IS NOT NULL"
    " AND status = 'issued')",
    "numbered_when_issued": "(status = 'draft' AND number IS NULL AND issued_at IS NULL)"
    " OR (status <> 'draft' AND number IS NOT NULL AND issued_at IS NOT NULL)",
    "paid": "(status = 'paid') = (paid_at IS NOT NULL AND paid_amount IS NOT NULL)",
    "void": "(status = 'void') = (voided_at IS NOT NULL)",
    "sign_of_total": "(doc_type = 'invoice' AND CAST(total AS DOUBLE PRECISION) >= 0)"
    " OR (doc_type = 'credit_note' AND CAST(total AS DOUBLE PRECISION) < 0)",
    "total_is_subtotal_plus_tax": "ABS(CAST(total AS DOUBLE PRECISION)"
    " - CAST(subtotal AS DOUBLE PRECISION) - CAST(tax AS DOUBLE PRECISION))"
    " <= 0.00005 + ABS(CAST(total AS DOUBLE PRECISION)) * 0.000000000001",
}


def downgrade() -> None:
    """Back to one issued-invoice shape: credit notes and drafts are removed (a draft's charges
    are released), paid and void invoices become plain issued ones, the tax rate comes back
    from the first line."""
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "DELETE FROM invoice_lines WHERE invoice_id IN"
            " (SELECT id FROM invoices WHERE doc_type = 'credit_note' OR status = 'draft')"
        )
    )
    conn.execute(
        sa.text(
            "UPDATE charges SET invoice_id = NULL WHERE invoice_id IN"
            " (SELECT id FROM invoices WHERE status = 'draft')"
        )
    )
    conn.execute(sa.text("DELETE FROM invoices WHERE doc_type = 'credit_note' OR status = 'draft'"))
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_constraint(op.f(f"ck_invoices_{name}"), type_="check")
        batch_op.drop_index("ix_invoices_credited")
        batch_op.drop_constraint(
            op.f("fk_invoices_credited_invoice_id_invoices"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("uq_invoices_tenant_id_series_number"), type_="unique")
        batch_op.add_column(sa.Column("tax_rate", Amount(precision=10, scale=4), nullable=True))
        batch_op.add_column(sa.Column("tax_tariff_id", sa.String(length=40), nullable=True))
    conn.execute(
        sa.text(
            "UPDATE invoices SET status = 'issued', tax_rate = (SELECT MAX(l.tax_rate)"
            " FROM invoice_lines l WHERE l.invoice_id = invoices.id),"
            " tax_tariff_id = COALESCE((SELECT MIN(c.tariff_id) FROM charges c"
            " WHERE c.invoice_id = invoices.id), (SELECT MIN(t.id) FROM tariffs t"
            " WHERE t.tenant_id = invoices.tenant_id))"
        )
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.alter_column("tax_rate", nullable=False)
        batch_op.alter_column("tax_tariff_id", nullable=False)
        batch_op.alter_column("number", existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column("issued_at", existing_type=UtcDateTime(timezone=True), nullable=False)
        for name in (
            "voided_at",
            "paid_amount",
            "paid_at",
            "created_at",
            "reason",
            "credited_invoice_id",
            "rate_date",
            "series",
            "doc_type",
        ):
            batch_op.drop_column(name)
        batch_op.create_unique_constraint(
            op.f("uq_invoices_tenant_id_number"), ["tenant_id", "number"]
        )
        batch_op.create_foreign_key(
            op.f("fk_invoices_tax_tariff_id_tariffs"), "tariffs", ["tax_tariff_id"], ["id"]
        )
        batch_op.create_check_constraint(op.f("ck_invoices_status"), "status IN ('issued')")
        batch_op.create_check_constraint(
            op.f("ck_invoices_amounts_not_negative"), "subtotal >= 0 AND tax >= 0 AND total >= 0"
        )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_invoice_lines_counts"), type_="check")
        batch_op.drop_constraint(op.f("ck_invoice_lines_rate_positive"), type_="check")
        batch_op.drop_constraint(op.f("ck_invoice_lines_tax_rate_not_negative"), type_="check")
        for name in (
            "service",
            "credited_line_no",
            "tax",
            "tax_rate",
            "exchange_rate",
            "charge_amount",
            "charge_currency",
        ):
            batch_op.drop_column(name)
        batch_op.create_check_constraint(
            op.f("ck_invoice_lines_counts"), "line_no >= 1 AND charge_count >= 1"
        )
        batch_op.create_check_constraint(
            op.f("ck_invoice_lines_not_negative"), "quantity >= 0 AND amount >= 0"
        )
    op.drop_table("billing_currencies")
    op.drop_table("exchange_rates")
    _recreate_counters(series=False)
