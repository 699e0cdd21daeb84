"""Migration 0007 on a database with billing data: flat tariffs become four rules each, and the
charges they priced point at their rule."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from otwb.platform import migrate

ROWS_AT_0006 = [
    "INSERT INTO tenants VALUES ('ten_1', 'T', 'EUR', '2026-11-25 07:00:00')",
    "INSERT INTO tariffs (id, tenant_id, customer_id, valid_from, currency, handling_per_line,"
    " transport_per_kg_km, transport_per_drop, storage_per_unit_day, tax_rate, created_at)"
    " VALUES ('trf_A', 'ten_1', NULL, '2026-11-01', 'EUR', '0.450000', '0.001200', '3.500000',"
    " '0.015000', '0.2000', '2026-11-01 00:00:00')",
    "INSERT INTO charges (id, tenant_id, customer_id, kind, basis, source_type, source_id,"
    " quantity, status, unit_price, amount, currency, tariff_id, occurred_at, created_at)"
    " VALUES ('chg_1', 'ten_1', 'cus_1', 'handling', 'line', 'order', 'ord_1', '3.000000',"
    " 'rated', '0.450000', '1.3500', 'EUR', 'trf_A', '2026-11-02 10:00:00',"
    " '2026-11-02 10:00:00')",
]


def test_flat_tariffs_become_rules_and_charges_name_their_rule(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'billing.db'}"
    migrate.upgrade(url, "0006")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in ROWS_AT_0006:
                conn.execute(text(statement))
        migrate.upgrade(url)
        with engine.connect() as conn:
            rules = conn.execute(
                text("SELECT position, basis, price FROM tariff_rules ORDER BY position")
            ).all()
            charge = conn.execute(text("SELECT rule_id, service FROM charges")).one()
        assert [tuple(r) for r in rules] == [
            (1, "line", "0.450000"),
            (2, "kg_km", "0.001200"),
            (3, "drop", "3.500000"),
            (4, "unit_day", "0.015000"),
        ]
        assert tuple(charge) == ("trr1_trf_A", "")
        with pytest.raises(Exception, match="CHECK"), engine.begin() as conn:
            conn.execute(text("UPDATE charges SET amount = '-1.0000' WHERE id = 'chg_1'"))
        with engine.begin() as conn:  # a discount line may be negative
            conn.execute(
                text(
                    "UPDATE charges SET kind = 'discount', basis = 'tier', source_type = 'period',"
                    " unit_price = '-0.050000', amount = '-1.0000' WHERE id = 'chg_1'"
                )
            )
    finally:
        engine.dispose()


ROWS_AT_0015 = [
    "INSERT INTO tenants VALUES ('ten_1', 'T', 'EUR', '2026-11-25 07:00:00.000000')",
    "INSERT INTO tariffs (id, tenant_id, customer_id, valid_from, currency, tax_rate, created_at)"
    " VALUES ('trf_A', 'ten_1', NULL, '2026-01-01', 'EUR', '0.2000', '2026-11-01 00:00:00')",
    # the bulk path wrote whole-second instants without their fraction
    "INSERT INTO charges (id, tenant_id, customer_id, kind, basis, source_type, source_id,"
    " quantity, status, unit_price, amount, currency, tariff_id, occurred_at, created_at)"
    " VALUES ('chg_1', 'ten_1', 'cus_1', 'storage', 'unit_day', 'storage', 's:1', '100.000000',"
    " 'rated', '0.020000', '2.0000', 'EUR', 'trf_A', '2026-11-01 00:00:00',"
    " '2026-12-01 06:00:00')",
    "INSERT INTO charges (id, tenant_id, customer_id, kind, basis, source_type, source_id,"
    " quantity, status, occurred_at, created_at)"
    " VALUES ('chg_2', 'ten_1', 'cus_1', 'handling', 'line', 'order', 'o:1', '2.000000',"
    " 'unrated', '2026-11-02 10:00:00.250000', '2026-12-01 06:00:00.000000')",
]


def test_0016_keeps_the_charges_guards_and_gives_bulk_instants_their_fraction(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'billing.db'}"
    migrate.upgrade(url, "0015")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in ROWS_AT_0015:
                conn.execute(text(statement))
        migrate.upgrade(url)
        with engine.connect() as conn:
            instants = conn.execute(
                text("SELECT id, occurred_at, created_at FROM charges ORDER BY id")
            ).all()
            in_november = conn.execute(
                text("SELECT count(*) FROM charges WHERE occurred_at >= :start"),
                {"start": "2026-11-01 00:00:00.000000"},
            ).scalar_one()
        assert [tuple(r) for r in instants] == [
            ("chg_1", "2026-11-01 00:00:00.000000", "2026-12-01 06:00:00.000000"),
            ("chg_2", "2026-11-02 10:00:00.250000", "2026-12-01 06:00:00.000000"),
        ]
        assert in_november == 2
        for bad in ("kind = 'gift'", "source_type = 'parcel'"):
            with pytest.raises(Exception, match="CHECK"), engine.begin() as conn:
                conn.execute(text(f"UPDATE charges SET {bad} WHERE id = 'chg_2'"))
    finally:
        engine.dispose()
