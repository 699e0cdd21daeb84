"""What the demo reports: the day in figures, as a table and as one JSON object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from otwb.billing import invoicing
from otwb.demo.simulation import DayResult
from otwb.orders import promise_service
from otwb.orders import service as orders
from otwb.platform.uow import UnitOfWork
from otwb.transport import service as transport
from otwb.transport import shipments
from otwb.transport.model import ShipmentStatus


@dataclass
class Summary:
    figures: dict[str, Any]

    def print(self, console: Console) -> None:
        f = self.figures
        console.print(
            f"\n[bold]OTWB demo[/bold] -- {f['tenant']}, {f['day']}, "
            f"{f['database']}, seed {f['seed']}"
        )
        states = Table("order state", "orders", title="Orders")
        for state, count in sorted(f["orders_by_state"].items(), key=lambda x: -x[1]):
            states.add_row(state, str(count))
        console.print(states)
        day = Table("figure", "value", title="The day")
        rows = [
            ("deliveries attempted", f["deliveries"]),
            ("failed deliveries", f["failed_deliveries"]),
            ("on-time rate (in window / attempted)", f"{f['on_time_rate']:.1%}"),
            (
                "promises kept (delivered by the date promised)",
                ", ".join(
                    f"{level} {kept['on_time']}/{kept['delivered']}"
                    for level, kept in f["promises_kept"].items()
                )
                or "none promised",
            ),
            ("routes (vehicles used)", f"{f['routes']} ({f['vehicles_used']} of {f['fleet']})"),
            ("km driven (planned road km)", f"{f['km']:,.1f}"),
            ("shipments left unplanned", f["unplanned"]),
            ("fleet cost", f"{f['fleet_cost']} EUR"),
            ("transport cost per delivered order", f"{f['cost_per_order']} EUR"),
            ("invoices issued", f["invoices"]),
            (
                "revenue: handling / transport / storage",
                " / ".join(
                    f"{f['revenue_by_kind'].get(k, '0.00')}"
                    for k in ("handling", "transport", "storage")
                )
                + " EUR",
            ),
            ("invoice total (incl. tax)", f"{f['invoice_total']} EUR"),
            (
                "pick waves (lists): picker walking, optimised vs S-shape",
                f"{f['pick_waves']} ({f['pick_lists']}): {f['walk_km']:,.2f} vs "
                f"{f['walk_km_s_shape']:,.2f} km",
            ),
            ("wall time", f"{f['wall_seconds']:.1f} s"),
        ]
        for label, value in rows:
            day.add_row(label, str(value))
        console.print(day)


def summarise(
    uow: UnitOfWork,
    reader: UnitOfWork,
    day: date,
    result: DayResult,
    fleet: int,
    extra: dict[str, Any],
) -> Summary:
    by_state = orders.orders_by_status(reader)
    delivered = shipments.list_shipments(uow, status=ShipmentStatus.DELIVERED, limit=1_000_000)
    on_time = sum(
        1
        for s in delivered
        if s.window is None or (s.delivered_at is not None and s.window.contains(s.delivered_at))
    )
    fleet_day = transport.fleet_summary(uow, day)
    promises = promise_service.on_time_report(reader)
    bills = invoicing.billing_summary(uow, day, day + timedelta(days=1))
    total = sum((t.total for t in bills.totals), Decimal(0))
    cost = fleet_day.cost.amount
    per_order = (cost / len(delivered)).quantize(Decimal("0.01"), ROUND_HALF_UP) if delivered else 0
    return Summary(
        {
            **extra,
            "day": day.isoformat(),
            "orders_by_state": dict(sorted(by_state.items())),
            "on_time_rate": round(on_time / result.deliveries, 4) if result.deliveries else 0.0,
            "promises_kept": {
                r.level.value: {"delivered": r.delivered, "on_time": r.on_time} for r in promises
            },
            "deliveries": result.deliveries,
            "failed_deliveries": result.failures,
            "routes": fleet_day.routes,
            "vehicles_used": fleet_day.vehicles_used,
            "fleet": fleet,
            "km": float(round(fleet_day.distance_km, 1)),
            "unplanned": result.unplanned,
            "fleet_cost": str(cost.quantize(Decimal("0.01"))),
            "cost_per_order": str(per_order),
            "invoices": bills.invoice_count,
            "revenue_by_kind": {r.kind.value: str(r.amount) for r in bills.revenue_by_kind},
            "invoice_total": str(total),
            "pick_waves": result.walking.waves,
            "pick_lists": result.walking.pick_lists,
            "walk_km": round(result.walking.optimised_m / 1000, 2),
            "walk_km_s_shape": round(result.walking.s_shape_m / 1000, 2),
        }
    )
