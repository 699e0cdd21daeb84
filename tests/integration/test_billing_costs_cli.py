"""``otwb billing carrier ...`` and ``otwb billing report`` on a migrated SQLite file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from typer.testing import CliRunner

from otwb.cli import app
from otwb.platform.terminal import runtime, tenant_uow
from tests.integration.test_billing_settlement import EXPECTED, SAMPLE, tendered

runner = CliRunner()


def otwb(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_audit_pay_and_report_from_the_command_line(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    otwb("db", "upgrade", "--db", db)
    otwb("tenant", "create", "Acme Foods", "--db", db)
    t = ("--tenant", "Acme Foods", "--db", db)
    carrier = otwb("route", "add-carrier", "GEO", "Geodis", *t).split()[1]
    rt = runtime(db)
    for tracking, cost in EXPECTED.items():
        tendered(lambda: tenant_uow(rt, "Acme Foods"), carrier, tracking, cost)
    rt.db.dispose()

    rule = json.loads(
        otwb(
            "billing", "carrier", "rule", "--carrier", carrier, "--tolerance-pct", "2", "--json", *t
        )
    )
    assert rule["tolerance_pct"] == "2"
    audit = json.loads(
        otwb("billing", "carrier", "import", str(SAMPLE), "--carrier", carrier, "--json", *t)
    )
    assert [e["row"] for e in audit["errors"]] == [10, 11]
    invoice_id = audit["invoice"]["id"]
    shown = otwb("billing", "carrier", "show", invoice_id, *t)
    assert "overcharge" in shown
    assert "unknown_shipment" in shown

    otwb(
        "billing",
        "carrier",
        "approve",
        invoice_id,
        "--line",
        "5",
        "--amount",
        "41.50",
        "--reason",
        "agreed",
        *t,
    )
    otwb("billing", "carrier", "approve", invoice_id, *t)
    otwb("billing", "carrier", "reject", invoice_id, "--line", "6", "--reason", "unknown", *t)
    rest = json.loads(otwb("billing", "carrier", "reject", invoice_id, "--json", *t))
    assert [ln["status"] for ln in rest["lines"]][5:] == ["rejected"] * 3
    payable = json.loads(otwb("billing", "carrier", "payable", invoice_id, "--json", *t))
    assert (payable["total"], payable["lines"]) == ("158.30", 5)
    assert "TRK-005" in otwb("billing", "carrier", "payables", payable["id"], *t)
    assert "158.30" in otwb("billing", "carrier", "payables", *t)
    expected = json.loads(otwb("billing", "carrier", "expected", "--status", "paid", "--json", *t))
    assert len(expected) == 5

    bad = runner.invoke(app, ["billing", "carrier", "payable", invoice_id, *t])
    assert bad.exit_code == 2
    assert "already has payable" in bad.output

    otwb("billing", "cost-rate", "pick_line", "0.40", *t)
    out = tmp_path / "report"
    text = otwb("billing", "report", "--period", "2026-11", "--out", str(out), *t)
    assert "cost shares: transport 100.00 %" in text
    report = json.loads(otwb("billing", "report", "--period", "2026-11", "--json", *t))
    # 158.30 paid on the invoice + TRK-006 and TRK-007 at their expected 9.90 + 14.00
    assert report["total"]["cost"] == "182.20"
    assert (out / "by_customer.csv").read_text().splitlines()[1].startswith("cus_bistro,")
    assert ET.parse(out / "customers.svg").getroot().tag.endswith("svg")
    assert (out / "cost_shares.png").read_bytes()[:4] == b"\x89PNG"
    assert runner.invoke(app, ["billing", "report", "--period", "11-2026", *t]).exit_code == 2
