"""Charts of a cost report, as PNG and SVG files (matplotlib's object API on the Agg canvas: no
display, no global pyplot state, safe in a server thread)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from otwb.billing.analytics import CostReport

FORMATS = ("png", "svg")
MAX_BARS = 25
"""The customers chart shows the largest customers by revenue; the CSV has them all."""


def _save(figure: Figure, out: Path, name: str) -> list[Path]:
    FigureCanvasAgg(figure)
    figure.tight_layout()
    paths = []
    for fmt in FORMATS:
        path = out / f"{name}.{fmt}"
        figure.savefig(path, format=fmt, dpi=110)
        paths.append(path)
    return paths


def cost_shares_chart(report: CostReport, out: Path) -> list[Path]:
    """The share of transport, storage and handling in the period's total cost."""
    figure = Figure(figsize=(6, 4.5))
    axes = figure.add_subplot()
    shares = [s for s in report.shares if s.amount > 0]
    if shares:
        axes.pie(
            [float(s.amount) for s in shares],
            labels=[f"{s.category.value}\n{s.amount} {report.currency}" for s in shares],
            autopct="%1.1f%%",
            startangle=90,
        )
        axes.axis("equal")
    else:
        axes.text(0.5, 0.5, "no cost in this period", ha="center", va="center")
        axes.set_axis_off()
    axes.set_title(f"Cost by category, {report.period.label}")
    return _save(figure, out, "cost_shares")


def customers_chart(report: CostReport, out: Path) -> list[Path]:
    """Revenue, cost and margin per customer."""
    rows = sorted(report.by_customer, key=lambda r: (-r.revenue, r.key))[:MAX_BARS]
    figure = Figure(figsize=(max(6.0, 0.9 * len(rows) + 2), 4.5))
    axes = figure.add_subplot()
    positions = list(range(len(rows)))
    width = 0.28
    for offset, label, values in (
        (-width, "revenue", [float(r.revenue) for r in rows]),
        (0.0, "cost", [float(r.cost) for r in rows]),
        (width, "margin", [float(r.margin) for r in rows]),
    ):
        axes.bar([p + offset for p in positions], values, width, label=label)
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_xticks(positions, [r.key for r in rows], rotation=30, ha="right", fontsize=8)
    axes.set_ylabel(report.currency)
    axes.set_title(f"Revenue, cost and margin per customer, {report.period.label}")
    if rows:
        axes.legend()
    return _save(figure, out, "customers")
