"""Migration 0008 on a database with invoices: they keep every figure to the cent, their lines
get the invoice's tax split without a lost cent, numbering goes on; and back down again."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from otwb.platform import migrate
from otwb.platform.db import normalise_url
from tests.integration.test_migrations import assert_schema_matches

ROWS_AT_0006 = [
    "INSERT INTO tenants VALUES ('ten_1', 'T', 'EUR', '2026-11-25 07:00:00')",
    "INSERT INTO tariffs (id, tenant_id, customer_id, valid_from, currency, handling_per_line,"
    " transport_per_kg_km, transport_per_drop, storage_per_unit_day, tax_rate, created_at)"
    " VALUES ('trf_1', 'ten_1', NULL, '2026-01-01', 'EUR', 0.33, 0, 0.34, 0, 0.2,"
    " '2026-11-01 00:00:00')",
    # 0.33 + 0.33 + 0.34 = 1.00; tax 0.20 on the subtotal, where each line alone rounds to 0.07
    "INSERT INTO invoices (id, tenant_id, number, customer_id, period_start, period_end,"
    " currency, subtotal, tax_rate, tax, total, status, tax_tariff_id, issued_at) VALUES"
    " ('inv_1', 'ten_1', 'INV-2026-000001', 'cus_1', '2026-11-01', '2026-12-01', 'EUR',"
    " 1.00, 0.2, 0.20, 1.20, 'issued', 'trf_1', '2026-12-01 08:00:00')",
    "INSERT INTO invoice_lines (invoice_id, line_no, tenant_id, kind, basis, description,"
    " quantity, amount, charge_count) VALUES ('inv_1', 1, 'ten_1', 'handling', 'line',"
    " 'Handling', 1, 0.33, 1), ('inv_1', 2, 'ten_1', 'handling', 'line', 'Handling', 1, 0.33, 1),"
    " ('inv_1', 3, 'ten_1', 'transport', 'drop', 'Drops', 1, 0.34, 1)",
    "INSERT INTO invoice_counters (tenant_id, year, last_number) VALUES ('ten_1', 2026, 1)",
]


def migrate_with_invoices(url: str) -> None:
    migrate.upgrade(url, "0006")
    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            for statement in ROWS_AT_0006:
                conn.execute(text(statement))
        migrate.upgrade(url, "0008")
        with engine.connect() as conn:
            inv = conn.execute(
                text(
                    "SELECT doc_type, series, number, status, rate_date, subtotal, tax, total,"
                    " created_at, issued_at FROM invoices"
                )
            ).one()
            lines = conn.execute(
                text(
                    "SELECT line_no, charge_currency, charge_amount, exchange_rate, tax_rate, tax"
                    " FROM invoice_lines ORDER BY line_no"
                )
            ).all()
            counter = conn.execute(text("SELECT series, year, last_number FROM invoice_counters"))
            assert [tuple(c) for c in counter] == [("INV", 2026, 1)]
        assert (inv.doc_type, inv.series, inv.number, inv.status) == (
            "invoice",
            "INV",
            "INV-2026-000001",
            "issued",
        )
        assert str(inv.rate_date) == str(date(2026, 11, 30))
        assert str(inv.created_at).startswith("2026-12-01 08:00:00")
        assert [Decimal(str(x)) for x in (inv.subtotal, inv.tax, inv.total)] == [
            Decimal("1.00"),
            Decimal("0.20"),
            Decimal("1.20"),
        ]
        taxes = [Decimal(str(x.tax)) for x in lines]
        assert taxes == [Decimal("0.07"), Decimal("0.07"), Decimal("0.06")]  # 0.21 - 0.01
        assert sum(taxes) == Decimal("0.20")
        assert {(x.charge_currency, Decimal(str(x.exchange_rate))) for x in lines} == {
            ("EUR", Decimal(1))
        }
        assert [Decimal(str(x.charge_amount)) for x in lines] == [
            Decimal("0.33"),
            Decimal("0.33"),
            Decimal("0.34"),
        ]
        with pytest.raises(Exception, match="numbered_when_issued"), engine.begin() as conn:
            conn.execute(text("UPDATE invoices SET number = NULL"))
        migrate.upgrade(url)
        assert_schema_matches(url)

        command.downgrade(migrate.alembic_config(url), "0006")
        with engine.connect() as conn:
            back = conn.execute(
                text("SELECT number, tax_rate, tax_tariff_id, total FROM invoices")
            ).one()
            old_counter = conn.execute(text("SELECT year, last_number FROM invoice_counters")).one()
        assert (back.number, Decimal(str(back.tax_rate)), back.tax_tariff_id) == (
            "INV-2026-000001",
            Decimal("0.2"),
            "trf_1",
        )
        assert tuple(old_counter) == (2026, 1)
    finally:
        engine.dispose()


def test_0008_keeps_existing_invoices_on_sqlite(tmp_path) -> None:
    migrate_with_invoices(f"sqlite:///{tmp_path / 'invoices.db'}")


@pytest.mark.postgres
def test_0008_keeps_existing_invoices_on_postgresql(postgres_url) -> None:
    admin = create_engine(normalise_url(postgres_url), isolation_level="AUTOCOMMIT")
    name = f"otwb_mig_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = normalise_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate_with_invoices(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
