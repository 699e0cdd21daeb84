"""`otwb demo` on a small day, on SQLite and on PostgreSQL: the figures it prints add up."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from otwb.demo.run import run_demo
from otwb.platform.db import normalise_url

KEYS = {
    "orders_by_state",
    "on_time_rate",
    "vehicles_used",
    "km",
    "cost_per_order",
    "invoice_total",
    "wall_seconds",
}


def run_small_day(url: str, capsys) -> dict:
    run_demo(
        orders=40,
        seed=3,
        db=url,
        as_json=True,
        serve_after=False,
        host="127.0.0.1",
        port=0,
        route_seconds=0.5,
    )
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def check(figures: dict, url: str) -> None:
    assert figures.keys() >= KEYS
    assert sum(figures["orders_by_state"].values()) == 40
    assert figures["orders_by_state"].get("delivered", 0) > 20
    assert figures["deliveries"] == (
        figures["orders_by_state"].get("delivered", 0)
        + figures["orders_by_state"].get("delivery_failed", 0)
    )
    assert 0 < figures["on_time_rate"] <= 1
    # every site promises: each delivered order's promise was kept or not, per service level
    kept = figures["promises_kept"]
    assert sum(k["delivered"] for k in kept.values()) == figures["orders_by_state"]["delivered"]
    assert all(0 <= k["on_time"] <= k["delivered"] for k in kept.values())
    assert 0 < figures["vehicles_used"] <= figures["fleet"]
    assert figures["km"] > 0
    assert figures["pick_waves"] > 0
    assert 0 < figures["walk_km"] <= figures["walk_km_s_shape"]
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        tenant = figures["tenant_id"]
        totals = (
            conn.execute(text("SELECT total FROM invoices WHERE tenant_id = :t"), {"t": tenant})
            .scalars()
            .all()
        )
        delivered = conn.execute(
            text("SELECT count(*) FROM shipments WHERE tenant_id = :t AND status = 'delivered'"),
            {"t": tenant},
        ).scalar_one()
    engine.dispose()
    assert sum(Decimal(str(t)) for t in totals) == Decimal(figures["invoice_total"])
    assert len(totals) == figures["invoices"]
    assert delivered == figures["orders_by_state"]["delivered"]
    expected = (Decimal(figures["fleet_cost"]) / delivered).quantize(Decimal("0.01"))
    assert Decimal(figures["cost_per_order"]) == expected


@pytest.mark.slow
def test_demo_on_sqlite(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    check(run_small_day(url, capsys), url)
    again = run_small_day(url, capsys)  # a second run adds a tenant beside the first
    assert again["tenant"] == "Lyon Fresh Distribution #2"


@pytest.mark.slow
@pytest.mark.postgres
def test_demo_on_postgresql(postgres_url, capsys):
    admin = create_engine(normalise_url(postgres_url), isolation_level="AUTOCOMMIT")
    name = f"otwb_demo_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = normalise_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        check(run_small_day(url, capsys), url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
