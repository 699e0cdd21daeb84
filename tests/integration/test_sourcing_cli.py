"""``otwb order sourcing ...`` on a real SQLite file (migrated): costs, a policy, a plan."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from otwb.cli import app
from tests.integration.test_cli import otwb

runner = CliRunner()


def test_sourcing_from_the_command_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    otwb("db", "upgrade", "--db", db)
    otwb("tenant", "create", "Acme Foods", "--db", db)
    t = ("--tenant", "Acme Foods", "--db", db)
    near = otwb("wh", "add-warehouse", "NEAR", "Near DC", "45.76", "4.84", *t).split()[1]
    far = otwb("wh", "add-warehouse", "FAR", "Far DC", "45.90", "5.10", *t).split()[1]
    near_bin = otwb("wh", "add-locations", near, "A-01", *t).split()[1]
    far_bin = otwb("wh", "add-locations", far, "A-01", *t).split()[1]
    otwb("wh", "add-sku", "TEA", "--weight", "1.5", "--volume", "0.004", *t)
    otwb("wh", "receive", near_bin, "TEA", "10", *t)
    otwb("wh", "receive", far_bin, "TEA", "10", *t)
    customer = otwb("order", "add-customer", "C001", "Bistro", *t).split()[1]

    # The near warehouse made dear: the far one is cheaper despite the distance.
    out = otwb("order", "sourcing-costs", near, "--handling", "90", "--per-km", "1", *t)
    assert "90" in out
    assert "allow_split" in otwb(
        "order", "sourcing-policy", "allow_split", "--customer", customer, *t
    )

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
    order_id = otwb("order", "place", str(order_file), *t).split()[1].rstrip(":")
    plan = json.loads(otwb("order", "sourcing", order_id, "--json", *t))
    assert plan["outcome"] == "single"
    assert plan["policy"] == "allow_split"
    assert [p["warehouse_id"] for p in plan["parts"]] == [far]
    table = otwb("order", "sourcing", order_id, *t)
    assert "single (allow_split)" in table
    assert "TEA x4" in table

    bad = runner.invoke(app, ["order", "sourcing-policy", "allow_split", *t])
    assert bad.exit_code == 2
    assert "--customer or --order" in bad.output
