"""billing: charges at volume -- the same guards and look-ups, cheaper to write a million times.

* The ``kind`` and ``source_type`` CHECKs list their values as ``=`` tests instead of ``IN``
  lists (SQLite built a lookup table for each ``IN`` list of more than two constants on every
  row it checked); they allow exactly the same values.
* ``ix_charges_uninvoiced`` is keyed by (tenant, status) instead of (tenant, occurred_at): new
  charges join it at its end, and a billing run reads the table in storage order.
* ``ix_charges_invoice`` keeps only invoiced charges (``invoice_id IS NOT NULL``): a new charge
  no longer adds an entry with a NULL key.
* SQLite only: instants the bulk path stored without their fraction ('2026-11-01 00:00:00')
  get it ('2026-11-01 00:00:00.000000'), as SQLAlchemy writes and compares them -- such a charge
  at midnight on a period's first day was left out of that period's billing run.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 23:59:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("handling", "transport", "storage", "vas", "surcharge", "discount", "minimum")
SOURCE_TYPES = ("order", "shipment", "storage", "receipt", "route", "period")


def _any_of(column: str, values: Sequence[str]) -> str:
    return "(" + " OR ".join(f"{column} = '{value}'" for value in values) + ")"


def _one_of(column: str, values: Sequence[str]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def _checks(equalities: bool) -> dict[str, str]:
    """The two CHECKs: as ``=`` tests (this revision) or as ``IN`` lists (before it)."""
    make = _any_of if equalities else _one_of
    return {"kind": make("kind", KINDS), "source_type": make("source_type", SOURCE_TYPES)}


def _rebuild(checks: dict[str, str], uninvoiced: list[str], invoiced_only: bool) -> None:
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_charges_uninvoiced",
            postgresql_where=sa.text("invoice_id IS NULL"),
            sqlite_where=sa.text("invoice_id IS NULL"),
        )
        batch_op.drop_index("ix_charges_invoice")
        for name in checks:
            batch_op.drop_constraint(batch_op.f(f"ck_charges_{name}"), type_="check")
        for name, condition in checks.items():
            batch_op.create_check_constraint(name, sa.text(condition))
        batch_op.create_index(
            "ix_charges_uninvoiced",
            uninvoiced,
            unique=False,
            postgresql_where=sa.text("invoice_id IS NULL"),
            sqlite_where=sa.text("invoice_id IS NULL"),
        )
        where = sa.text("invoice_id IS NOT NULL") if invoiced_only else None
        batch_op.create_index(
            "ix_charges_invoice",
            ["invoice_id"],
            unique=False,
            postgresql_where=where,
            sqlite_where=where,
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for column in ("occurred_at", "created_at"):
            op.execute(
                f"UPDATE charges SET {column} = {column} || '.000000' WHERE length({column}) = 19"
            )
    _rebuild(_checks(equalities=True), ["tenant_id", "status"], invoiced_only=True)


def downgrade() -> None:
    _rebuild(_checks(equalities=False), ["tenant_id", "occurred_at"], invoiced_only=False)
