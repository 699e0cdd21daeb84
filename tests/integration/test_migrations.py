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
