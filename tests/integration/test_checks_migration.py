"""Migration 0017 on SQLite: the high-volume tables' CHECKs become chains of ``=`` tests that
allow exactly the same values; their rows, their other guards and the stock ledger's
append-only triggers stay; the downgrade puts the ``IN`` lists back."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from otwb.platform import migrate

ROWS_AT_0016 = [
    "INSERT INTO tenants VALUES ('ten_1', 'T', 'EUR', '2026-11-25 07:00:00.000000')",
    "INSERT INTO customers (id, tenant_id, code, name, created_at) VALUES"
    " ('cus_1', 'ten_1', 'C1', 'Customer', '2026-11-25 07:00:00.000000')",
    "INSERT INTO orders (id, tenant_id, customer_id, channel, status, service_level,"
    " ship_to_name, ship_to_street, ship_to_city, ship_to_postcode, ship_to_country,"
    " ship_to_lat, ship_to_lon, placed_at, updated_at) VALUES ('ord_1', 'ten_1', 'cus_1',"
    " 'api', 'placed', 'standard', 'A', '1 rue', 'Lyon', '69002', 'FR', 45.7, 4.8,"
    " '2026-11-25 07:00:00.000000', '2026-11-25 07:00:00.000000')",
]


def table_sql(engine, name: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": name}
        ).scalar_one()


def triggers(engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        return {r[0] for r in rows}


def test_0017_rewrites_the_checks_and_keeps_rows_guards_and_triggers(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'checks.db'}"
    migrate.upgrade(url, "0016")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in ROWS_AT_0016:
                conn.execute(text(statement))
        before = triggers(engine)
        assert "status IN ('on_hold'" in table_sql(engine, "orders")

        migrate.upgrade(url)

        orders_sql = table_sql(engine, "orders")
        assert "status IN (" not in orders_sql
        assert "status = 'on_hold' OR status = 'placed'" in orders_sql
        assert "kind = 'receipt' OR kind = 'pick'" in table_sql(engine, "stock_movements")
        assert (
            triggers(engine)
            == before
            >= {
                "stock_movements_no_update",
                "stock_movements_no_delete",
            }
        )
        with engine.begin() as conn:  # the row is there, and every allowed value still is
            conn.execute(text("UPDATE orders SET status = 'delivery_failed' WHERE id = 'ord_1'"))
            assert conn.execute(text("SELECT status FROM orders")).scalar_one() == (
                "delivery_failed"
            )
        with pytest.raises(Exception, match="CHECK"), engine.begin() as conn:
            conn.execute(text("UPDATE orders SET status = 'lost' WHERE id = 'ord_1'"))
        with pytest.raises(Exception, match="CHECK"), engine.begin() as conn:
            conn.execute(text("UPDATE orders SET ship_to_lat = 91 WHERE id = 'ord_1'"))

        command.downgrade(migrate.alembic_config(url), "0016")
        assert "status IN ('on_hold', 'placed'" in table_sql(engine, "orders")
        assert triggers(engine) == before
        with pytest.raises(Exception, match="CHECK"), engine.begin() as conn:
            conn.execute(text("UPDATE orders SET status = 'lost' WHERE id = 'ord_1'"))
    finally:
        engine.dispose()
