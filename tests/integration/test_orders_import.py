"""``otwb order import`` on a real SQLite file: good orders kept, every bad one reported (table,
--errors CSV, --json), geocoding from the postcode table loaded by ``otwb order postcodes load``;
and the importer's rules on both databases."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from otwb.cli import app
from otwb.orders import importer
from otwb.orders import service as orders
from otwb.orders.model import OrderStatus
from otwb.platform.geo import GeoPoint
from otwb.warehouse import service
from tests import factories as f

runner = CliRunner()
POSTCODES = Path(__file__).resolve().parents[2] / "src/otwb/orders/data/lyon_postcodes.csv"
HEADER = ",".join(importer.COLUMNS)
ADDR = "Bistro,12 rue Mercière,69002,Lyon,FR"


def otwb(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def rows(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def test_a_csv_with_good_and_bad_rows_keeps_the_good_orders_and_reports_the_bad(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    otwb("db", "upgrade", "--db", db)
    otwb("tenant", "create", "Acme Foods", "--db", db)
    t = ("--tenant", "Acme Foods", "--db", db)
    wh = otwb("wh", "add-warehouse", "DC1", "Lyon DC", "45.72", "4.95", *t).split()[1]
    loc = otwb("wh", "add-locations", wh, "A-01", *t).split()[1]
    otwb("wh", "add-sku", "TEA", "--weight", "1.5", "--volume", "0.004", *t)
    otwb("wh", "receive", loc, "TEA", "50", *t)
    otwb("order", "add-customer", "C001", "Bistro", *t)
    assert "31 postcode(s) loaded" in otwb("order", "postcodes", "load", str(POSTCODES), *t)
    file = tmp_path / "orders.csv"
    file.write_text(
        rows(
            f"SO-1,shop,C001,{ADDR},45.76,4.83,standard,,,TEA,2",  # row 2: good, 2 lines
            f"SO-1,shop,C001,{ADDR},45.76,4.83,standard,,,TEA,1",
            f"SO-2,shop,C001,{ADDR},,,next_day,,,TEA,1",  # row 4: good, geocoded
            f"SO-3,shop,C001,{ADDR},45.76,4.83,standard,,,TEA,1",  # row 5: its 2nd line is bad
            f"SO-3,shop,C001,{ADDR},45.76,4.83,standard,,,TEA,-4",
            f"SO-4,shop,C999,{ADDR},45.76,4.83,standard,,,TEA,1",  # row 7: unknown customer
            f"SO-5,shop,C001,{ADDR},45.76,4.83,standard,,,COFFEE,1",  # row 8: unknown SKU
            f"SO-1,shop,C001,{ADDR},45.76,4.83,standard,,,TEA,1",  # row 9: duplicate
            "SO-6,shop,C001,Bistro,,69002,Lyon,FR,,,standard,,,TEA,1",  # row 10: no street
            f"SO-7,shop,C001,{ADDR},,,express,,,TEA,1",  # row 11: bad service level
        )
    )
    errors = tmp_path / "errors.csv"
    out = otwb("order", "import", str(file), "--errors", str(errors), *t)
    assert "10 row(s), 8 order(s): 2 placed (0 on hold), 6 rejected" in out
    with errors.open() as fh:
        reported = [(int(r["row"]), r["reference"], r["code"]) for r in csv.DictReader(fh)]
    assert sorted(reported) == [
        (6, "SO-3", "invalid_quantity"),
        (7, "SO-4", "unknown_customer"),
        (8, "SO-5", "unknown_sku"),
        (9, "SO-1", "duplicate_order"),
        (10, "SO-6", "missing_field"),
        (11, "SO-7", "invalid_service_level"),
    ]
    listed = json.loads(otwb("order", "list", "--json", *t))
    assert sorted(o["reference"] for o in listed) == ["SO-1", "SO-2"]
    by_ref = {o["reference"]: o for o in listed}
    assert [x["quantity"] for x in by_ref["SO-1"]["lines"]] == [2, 1]
    assert by_ref["SO-1"]["status"] == "allocated"
    assert by_ref["SO-2"]["channel"] == "shop"
    assert (by_ref["SO-2"]["ship_to"]["lat"], by_ref["SO-2"]["ship_to"]["lon"]) == (45.7505, 4.827)
    so2 = by_ref["SO-2"]["id"]
    assert "on_hold (customer called)" in otwb("order", "hold", so2, "customer called", *t)
    assert otwb("order", "release", so2, *t).strip().endswith("allocated")
    change = tmp_path / "amend.json"
    change.write_text(json.dumps({"lines": [{"sku": "TEA", "quantity": 7}]}))
    assert "allocated, 1 line(s)" in otwb("order", "amend", so2, str(change), *t)
    customer = by_ref["SO-2"]["customer_id"]
    assert "on credit hold" in otwb("order", "credit-hold", customer, "--on", *t)
    assert "0 order(s) released" in otwb("order", "credit-hold", customer, "--off", *t)
    # Importing the same file again: every order is now a duplicate (or still bad).
    again = json.loads(otwb("order", "import", str(file), "--json", *t))
    assert (again["placed"], again["rejected"]) == (0, 8)
    assert again["rejections"][0]["code"] == "duplicate_order"


def test_json_lines_and_deferred_imports_leave_the_allocation_to_the_relay(uow, runtime, tmp_path):
    site = f.site(uow, "CEN", GeoPoint(45.70, 4.95))
    f.skus(uow, "TEA")
    service.receive_stock(uow(), site.locations[0].id, "TEA", 10)
    customer = f.customer(uow)
    file = tmp_path / "orders.jsonl"
    line = {
        "reference": "J-1",
        "customer": customer.code,
        "name": "Bistro",
        "street": "1 quai X",
        "postcode": "69002",
        "city": "Lyon",
        "country": "fr",
        "lat": 45.75,
        "lon": 4.83,
        "sku": "TEA",
        "quantity": 3,
    }
    file.write_text(json.dumps(line) + "\n" + "not json\n")
    report = importer.import_rows(
        importer.deferred(runtime).uow(uow().tenant_id),
        importer.read_rows(file, lambda _: None),
    )
    assert (report.placed, report.rejected) == (1, 1)
    assert report.rejections[0].code == "invalid_row"
    [order] = orders.list_orders(uow())
    assert order.status is OrderStatus.PLACED  # stored; W has not heard of it yet
    runtime.bus.dispatch_pending(runtime)
    assert orders.get_order(uow(), order.id).status is OrderStatus.ALLOCATED
