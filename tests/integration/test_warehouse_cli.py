"""``otwb wh`` on a real SQLite file: racking, an ASN, putaway, a wave, picking, packing with an
SSCC, a cycle count, lots and replenishment -- the same service functions as the API."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from otwb.cli import app

runner = CliRunner()


def otwb(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def ids(prefix: str, text: str) -> list[str]:
    return re.findall(rf"\b{prefix}_[0-9A-Z]{{26}}\b", text)


def test_a_warehouse_day_from_the_command_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'wh.db'}"
    otwb("db", "upgrade", "--db", db)
    otwb("tenant", "create", "Acme Foods", "--db", db)
    t = ("--tenant", "Acme Foods", "--db", db)

    [warehouse] = ids("whs", otwb("wh", "add-warehouse", "DC1", "Lyon DC", "45.72", "4.95", *t))
    otwb("wh", "dock", warehouse, "5", "0", *t)
    otwb("wh", "zone", warehouse, "CHL", "--temperature", "chilled", *t)
    built = otwb("wh", "layout", warehouse, "CHL", "K-M x 6 x 2", "--capacity-m3", "0.5", *t)
    assert "36 bins in CHL: aisles K, L, M (K-01-1 .. M-06-2)" in built
    assert "CHL" in otwb("wh", "zones", warehouse, *t)
    otwb(
        "wh",
        "add-sku",
        "MILK",
        "--weight",
        "1",
        "--volume",
        "0.01",
        "--temperature",
        "chilled",
        "--shelf-life",
        "20",
        *t,
    )

    asn_file = tmp_path / "asn.json"
    asn_file.write_text(
        json.dumps(
            {
                "warehouse_id": warehouse,
                "reference": "PO-1",
                "supplier": "Laiterie",
                "lines": [{"sku": "MILK", "quantity": 12, "lot": "L1", "expires_on": "2026-12-20"}],
            }
        )
    )
    [asn] = ids("asn", otwb("wh", "asn-create", str(asn_file), *t))
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps({"lines": [{"line_no": 1, "received": 11, "damaged": 1}]}))
    assert "1 putaway task(s)" in otwb("wh", "asn-receive", asn, str(receipt), *t)
    [task] = [
        m["id"] for m in json.loads(otwb("wh", "moves", "--warehouse", warehouse, "--json", *t))
    ]
    assert ": done, 11 into" in otwb("wh", "move-confirm", task, *t)
    closed = otwb("wh", "asn-close", asn, "--json", *t)
    assert json.loads(closed)["lines"][0]["damaged"] == 1

    customer = otwb("order", "add-customer", "C001", "Bistro", *t).split()[1]
    order_file = tmp_path / "order.json"
    order_file.write_text(
        json.dumps(
            {
                "customer_id": customer,
                "ship_to": {
                    "name": "B",
                    "street": "1 rue X",
                    "city": "Lyon",
                    "postcode": "69002",
                    "country": "FR",
                    "lat": 45.76,
                    "lon": 4.83,
                },
                "lines": [{"sku": "MILK", "quantity": 4}],
            }
        )
    )
    order = otwb("order", "place", str(order_file), *t).split()[1].rstrip(":")
    assert "wav_" in otwb("wh", "waves-plan", warehouse, "--pickers", "ann,bob", *t)
    [listed] = json.loads(otwb("wh", "waves", "--json", *t))
    wave = listed["id"]
    assert "released" in otwb("wh", "wave-release", wave, *t)
    [pick_task] = json.loads(otwb("wh", "pick-list", _list_of(db, wave), "--json", *t))["tasks"]
    assert "4/4 picked" in otwb("wh", "pick-task", pick_task["id"], "4", *t)
    otwb("wh", "sscc-prefix", "7610425", "--extension", "3", *t)
    otwb("wh", "box", "M", "--inner", "0.1", "--max-weight", "20", "--tare", "0.4", *t)
    otwb("wh", "pack", order, *t)
    otwb("wh", "hand-over", order, *t)
    shown = json.loads(otwb("order", "show", order, "--json", *t))
    assert shown["status"] == "packed"

    [count] = ids("cnt", otwb("wh", "count-plan", warehouse, *t))
    assert "counted, variance 1" in otwb("wh", "count-record", count, "MILK@L1=6", *t)
    otwb("wh", "count-approve", count, *t)
    ledger = json.loads(otwb("wh", "ledger", "--sku", "MILK", "--json", *t))
    assert [m["kind"] for m in ledger] == ["receipt", "move", "move", "pick", "count"]
    assert sum(m["quantity"] for m in ledger) == 6
    assert "quarantined" in otwb("wh", "lot-status", "MILK", "L1", "quarantined", *t)
    assert "A MILK: 1 pick line(s)" in otwb("wh", "velocity", warehouse, *t)
    otwb("wh", "replenish-rule", warehouse, "MILK", "--pick-min", "2", "--pick-max", "8", *t)
    assert "0 replenishment task(s)" in otwb("wh", "replenish-pick-faces", warehouse, *t)


def _list_of(db: str, wave: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT id FROM pick_lists WHERE wave_id = :w"), {"w": wave})
        [pick_list] = found.scalars().all()
    engine.dispose()
    return str(pick_list)


def test_wh_errors_are_one_clear_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'wh.db'}"
    otwb("db", "upgrade", "--db", db)
    otwb("tenant", "create", "Acme Foods", "--db", db)
    t = ("--tenant", "Acme Foods", "--db", db)
    [warehouse] = ids("whs", otwb("wh", "add-warehouse", "DC1", "Lyon DC", "45.72", "4.95", *t))
    result = runner.invoke(app, ["wh", "layout", warehouse, "NOPE", "A x 2 x 2", *t])
    assert result.exit_code == 2
    assert "[invalid_input] no zone 'NOPE'" in result.output
    result = runner.invoke(app, ["wh", "count-record", "cnt_x", "MILK=two", *t])
    assert result.exit_code == 2
    assert "SKU=QTY" in result.output
    bad = tmp_path / "asn.json"
    bad.write_text(json.dumps({"warehouse_id": warehouse, "reference": "PO", "supplier": "S"}))
    result = runner.invoke(app, ["wh", "asn-create", str(bad), *t])
    assert result.exit_code == 2
    assert "[invalid_input]" in result.output
    assert "lines" in result.output
