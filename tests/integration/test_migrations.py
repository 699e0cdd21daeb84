"""Alembic migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from otwb import schema
from otwb.platform import migrate
from otwb.platform.db import normalise_url


def assert_schema_matches(url: str) -> None:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert set(schema.metadata.tables) <= tables


def test_upgrade_builds_the_declared_schema_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    migrate.upgrade(url)
    assert_schema_matches(url)
    heads = set(ScriptDirectory.from_config(migrate.alembic_config(url)).get_heads())
    assert migrate.current_heads(url) == heads
    assert len(heads) == 1, f"the migrations end in a single head, not {sorted(heads)}"
    migrate.upgrade(url)  # idempotent: already at head


@pytest.mark.postgres
def test_upgrade_and_downgrade_on_postgresql(postgres_url):
    admin = create_engine(normalise_url(postgres_url), isolation_level="AUTOCOMMIT")
    name = f"otwb_mig_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = normalise_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        assert_schema_matches(url)
        from alembic import command

        command.downgrade(migrate.alembic_config(url), "base")
        engine = create_engine(normalise_url(url))
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


ROWS_AT_0002 = [
    "INSERT INTO tenants VALUES ('ten_1', 'T', 'EUR', '2026-11-25 07:00:00')",
    "INSERT INTO warehouses VALUES ('whs_01JD3Q0Z8Y6X0000000000000A', 'ten_1', 'W1', 'W1', "
    "'central', 45.7, 4.8)",
    "INSERT INTO locations VALUES ('loc_1', 'ten_1', 'whs_01JD3Q0Z8Y6X0000000000000A', 'A-01', "
    "'ambient')",
    "INSERT INTO locations VALUES ('loc_2', 'ten_1', 'whs_01JD3Q0Z8Y6X0000000000000A', 'C-01', "
    "'chilled')",
    "INSERT INTO skus VALUES ('sku_1', 'ten_1', 'TEA', 'Tea', 1.0, 0.01, 'ambient', NULL)",
    "INSERT INTO stock VALUES ('stk_1', 'ten_1', 'whs_01JD3Q0Z8Y6X0000000000000A', 'loc_1', "
    "'sku_1', 10, 2)",
    "INSERT INTO stock_movements (tenant_id, stock_id, quantity, kind, reference, at) "
    "VALUES ('ten_1', 'stk_1', 10, 'receipt', NULL, '2026-11-20 08:00:00')",
]


def upgrade_with_data(url: str) -> None:
    """0002 with a warehouse's bins and stock in it -> head: the rows stay valid, and the
    database now guards the new invariants (the ledger is append-only)."""
    migrate.upgrade(url, "0002")
    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            for statement in ROWS_AT_0002:
                conn.execute(text(statement))
        migrate.upgrade(url)
        with engine.connect() as conn:
            zones = conn.execute(text("SELECT code, role FROM zones ORDER BY code")).all()
            located = conn.execute(
                text("SELECT l.code, z.code FROM locations l JOIN zones z ON z.id = l.zone_id")
            ).all()
            stock = conn.execute(text("SELECT lot_key, on_hand, allocated FROM stock")).one()
            received = conn.execute(text("SELECT received_at FROM stock")).scalar_one()
        assert [tuple(z) for z in zones] == [("AMBIENT", "pick"), ("CHILLED", "pick")]
        assert sorted(tuple(x) for x in located) == [("A-01", "AMBIENT"), ("C-01", "CHILLED")]
        assert tuple(stock) == ("", 10, 2)
        assert str(received).startswith("2026-11-20 08:00")
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE stock_movements SET quantity = 5"))
        with pytest.raises(Exception, match="allocated_within_on_hand"), engine.begin() as conn:
            conn.execute(text("UPDATE stock SET allocated = 11"))
    finally:
        engine.dispose()
    assert_schema_matches(url)


def test_upgrade_keeps_existing_bins_and_stock_on_sqlite(tmp_path):
    upgrade_with_data(f"sqlite:///{tmp_path / 'with-data.db'}")


@pytest.mark.postgres
def test_upgrade_keeps_existing_bins_and_stock_on_postgresql(postgres_url):
    admin = create_engine(normalise_url(postgres_url), isolation_level="AUTOCOMMIT")
    name = f"otwb_mig_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = normalise_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_with_data(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
