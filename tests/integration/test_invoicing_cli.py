"""``otwb invoice``: a storage charge drafted, issued, credited, paid, written as PDF and CSV;
exchange rates and billing currencies; errors as one line and exit status 2."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from otwb.cli import app
from otwb.platform.db import Database


def test_the_invoice_cli_from_run_to_documents(sqlite_db: Database, tmp_path: Path) -> None:
    url = str(sqlite_db.engine.url)
    runner = CliRunner()

    def otwb(*args: str, ok: bool = True) -> str:
        result = runner.invoke(app, [*args, "--db", url])
        assert (result.exit_code == 0) is ok, result.output
        return result.output

    otwb("tenant", "create", "Acme")
    t = ("--tenant", "Acme")
    otwb("order", "add-customer", "C1", "Consignor", *t)
    [customer] = json.loads(otwb("order", "customers", *t, "--json"))
    otwb(
        "billing", "set-tariff", *t, "--valid-from", "2025-01-01", "--handling", "0.45",
        "--per-kg-km", "0.0012", "--per-drop", "3.50", "--storage", "0.015", "--tax", "0.20",
    )  # fmt: skip
    otwb("wh", "add-warehouse", "CEN", "Central", "45.72", "4.95", *t)
    [site] = json.loads(otwb("wh", "warehouses", *t, "--json"))
    location = otwb("wh", "add-locations", site["id"], "A-01", *t).split()[1]
    otwb(
        "wh", "add-sku", "CONS", *t, "--weight", "1", "--volume", "0.01", "--owner", customer["id"]
    )
    otwb("wh", "receive", location, "CONS", "1250", *t)
    otwb("billing", "accrue-storage", *t, "--day", "2025-06-01")  # 18.75
    otwb("billing", "accrue-storage", *t, "--day", "2025-06-02")  # 18.75

    june = ("--from", "2025-06-01", "--to", "2025-07-01")
    [draft] = json.loads(otwb("invoice", "run", *t, *june, "--json"))
    assert (draft["status"], draft["number"], draft["total"]) == ("draft", None, "45.00")
    assert "0 invoice(s) drafted" in otwb("invoice", "run", *t, *june)
    issued = json.loads(otwb("invoice", "issue", draft["id"], *t, "--json"))
    assert issued["number"].endswith("-000001")
    assert "INV-" in otwb("invoice", "show", draft["id"], *t)  # the table

    note = json.loads(
        otwb("invoice", "credit", draft["id"], *t, "--reason", "damaged", "--line", "1:5.00",
             "--json")
    )  # fmt: skip
    assert (note["number"].split("-")[0], note["total"]) == ("CN", "-6.00")
    assert "between 0 and 32.50" in otwb(
        "invoice", "credit", draft["id"], *t, "--reason", "x", "--line", "1:40", ok=False
    )
    assert "LINE_NO or LINE_NO:AMOUNT" in otwb(
        "invoice", "credit", draft["id"], *t, "--reason", "x", "--line", "one", ok=False
    )
    paid = json.loads(otwb("invoice", "pay", draft["id"], *t, "--json"))
    assert (paid["status"], paid["paid_amount"]) == ("paid", "39.00")
    assert [
        i["id"] for i in json.loads(otwb("invoice", "list", *t, "--status", "paid", "--json"))
    ] == [draft["id"]]
    assert "it is paid" in otwb("invoice", "void", draft["id"], *t, "--reason", "x", ok=False)

    pdf = tmp_path / "invoice.pdf"
    assert "bytes written" in otwb("invoice", "pdf", draft["id"], *t, "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert issued["number"] in PdfReader(pdf).pages[0].extract_text()
    out = tmp_path / "note.csv"
    otwb("invoice", "csv", note["id"], *t, "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert sum(Decimal(r["line_total"]) for r in rows) == Decimal("-6.00")
    stdout_rows = list(csv.DictReader(io.StringIO(otwb("invoice", "csv", draft["id"], *t))))
    assert sum(Decimal(r["line_total"]) for r in stdout_rows) == Decimal("45.00")

    # another currency: a stored rate, or a clear error and nothing written
    otwb("invoice", "set-currency", customer["id"], "CHF", *t)
    otwb("billing", "accrue-storage", *t, "--day", "2025-07-01")
    july = ("--from", "2025-07-01", "--to", "2025-08-01")
    assert "no exchange rate EUR -> CHF" in otwb("invoice", "run", *t, *july, ok=False)
    assert (
        json.loads(otwb("invoice", "list", *t, "--type", "invoice", "--json"))[0]["id"]
        == (draft["id"])
    )
    otwb("invoice", "set-rate", *t, "--from-currency", "EUR", "--to-currency", "CHF",
         "--day", "2025-07-15", "--rate", "0.9412")  # fmt: skip
    assert json.loads(otwb("invoice", "rates", *t, "--json")) == [
        {"from_currency": "EUR", "to_currency": "CHF", "day": "2025-07-15", "rate": "0.9412"}
    ]
    [chf] = json.loads(otwb("invoice", "run", *t, *july, "--issue", "--json"))
    assert (chf["currency"], chf["subtotal"]) == ("CHF", "17.65")  # 18.75 x 0.9412 = 17.6475
    assert "not a decimal" in otwb(
        "invoice", "set-rate", *t, "--from-currency", "EUR", "--to-currency", "USD",
        "--day", "2025-07-15", "--rate", "lots", ok=False,
    )  # fmt: skip
