"""The `otwb` command on a real SQLite file: the same service functions as the API."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from otwb.cli import app

runner = CliRunner()


def otwb(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_from_tenant_to_handed_over_order(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    otwb("db", "upgrade", "--db", db)
    otwb("tenant", "create", "Acme Foods", "--db", db)
    key = otwb("apikey", "create", "--tenant", "Acme Foods", "--role", "admin", "--db", db)
    assert "otwb_key_" in key
    t = ("--tenant", "Acme Foods", "--db", db)

    wh = otwb("wh", "add-warehouse", "DC1", "Lyon DC", "45.72", "4.95", *t)
    warehouse_id = wh.split()[1]
    loc = otwb("wh", "add-locations", warehouse_id, "A-01", "A-02", *t)
    location_id = loc.split()[1]
    otwb("wh", "add-sku", "TEA", "--weight", "1.5", "--volume", "0.004", *t)
    assert "10 on hand" in otwb("wh", "receive", location_id, "TEA", "10", *t)
    customer = otwb("order", "add-customer", "C001", "Bistro", *t).split()[1]

    order_file = tmp_path / "order.json"
    order_file.write_text(
        json.dumps(
            {
                "customer_id": customer,
                "ship_to": {
                    "name": "Bistro",
                    "street": "1 rue X",
                    "city": "Lyon",
                    "postcode": "69002",
                    "country": "FR",
                    "lat": 45.76,
                    "lon": 4.83,
                },
                "lines": [{"sku": "TEA", "quantity": 4}],
            }
        )
    )
    placed = otwb("order", "place", str(order_file), *t)
    assert placed.strip().endswith("allocated")
    order_id = placed.split()[1].rstrip(":")
    for step in ("pick", "pack", "hand-over"):
        otwb("wh", step, order_id, *t)

    shown = json.loads(otwb("order", "show", order_id, "--json", *t))
    assert shown["status"] == "packed"
    assert [e["kind"] for e in shown["timeline"]] == [
        "placed",
        "allocated",
        "picked",
        "packed",
        "handed_over",
    ]
    stock = json.loads(otwb("wh", "stock", "--json", *t))
    assert [(s["sku"], s["on_hand"], s["allocated"]) for s in stock] == [("TEA", 6, 0)]


def test_domain_errors_are_one_clear_line_and_exit_2(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    otwb("db", "upgrade", "--db", db)
    otwb("tenant", "create", "Acme Foods", "--db", db)
    result = runner.invoke(
        app, ["order", "cancel", "ord_nope", "--tenant", "Acme Foods", "--db", db]
    )
    assert result.exit_code == 2
    assert "[not_found] no order ord_nope" in result.output
    result = runner.invoke(app, ["order", "list", "--tenant", "Nobody", "--db", db])
    assert result.exit_code == 2
    assert "[not_found] no tenant named 'Nobody'" in result.output
