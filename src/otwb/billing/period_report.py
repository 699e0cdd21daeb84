"""A period's cost report as files: CSV tables and PNG/SVG charts in one directory."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from otwb.billing.analytics import CostReport, MarginRow
from otwb.billing.charts import cost_shares_chart, customers_chart
from otwb.billing.settlement import money_amount

MARGIN_HEADER = ["key", "revenue", "cost", "margin", "margin_pct"]


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _money(value: Decimal, currency: str) -> str:
    """An amount to the currency's minor unit (sums of rounded items: nothing is lost)."""
    return _text(money_amount(value, currency))


def _margin_rows(rows: list[MarginRow], currency: str) -> list[list[str]]:
    return [
        [
            r.key,
            _money(r.revenue, currency),
            _money(r.cost, currency),
            _money(r.margin, currency),
            _text(r.margin_pct),
        ]
        for r in rows
    ]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_period_report(report: CostReport, out: Path) -> list[Path]:
    """Write the report's tables and charts into ``out`` (created if needed); their paths."""
    out.mkdir(parents=True, exist_ok=True)
    t = report.total
    paths = [
        _write(
            out / "summary.csv",
            ["period", "currency", "revenue", "cost", "margin", "margin_pct", "unrated_charges"],
            [
                [
                    report.period.label,
                    report.currency,
                    _money(t.revenue, report.currency),
                    _money(t.cost, report.currency),
                    _money(t.margin, report.currency),
                    _text(t.margin_pct),
                    str(report.unrated_charges),
                ]
            ],
        ),
        _write(
            out / "cost_shares.csv",
            ["category", "cost", "share_pct"],
            [
                [s.category.value, _money(s.amount, report.currency), _text(s.share_pct)]
                for s in report.shares
            ],
        ),
    ]
    for name, rows in (
        ("by_customer", report.by_customer),
        ("by_order", report.by_order),
        ("by_service", report.by_service),
        ("by_warehouse", report.by_warehouse),
    ):
        paths.append(
            _write(out / f"{name}.csv", MARGIN_HEADER, _margin_rows(rows, report.currency))
        )
    paths += cost_shares_chart(report, out)
    paths += customers_chart(report, out)
    return paths
