"""B's freight audit and cost report at the scale of a month, on SQLite and on PostgreSQL.

1. **tender** N shipments to one carrier (``ShipmentTendered`` through the outbox, as T
   publishes them): each becomes an expected payable.
2. **audit** the carrier's invoice of the month: N lines, of which 3 % over-charged, 1 % for
   unknown shipments, 1 % billed twice, the rest within tolerance. The figure is invoice lines
   imported and audited per second; the run is valid only if exactly those were found.
3. **approve all, reject the rest, produce the payable** (three use cases): wall time, and
   the payable's total must be the hand-computed one.
4. **cost report** of the month (revenue of N handling charges vs the carrier costs and the
   warehouse work at internal rates): wall time.

Targets (ours): >= 1,000 audited lines/s on SQLite; the report of 5,000 shipments < 5 s.
Seeded: the same run gives the same invoice.

    python bench/freight_audit.py [--quick] [--json] [--seed N]
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from common import Stopwatch, arguments, postgres_database, report, sqlite_database, verdict
from otwb.billing import cost_service
from otwb.billing import settlement_service as settlement
from otwb.billing.analytics import ReportPeriod
from otwb.billing.analytics_service import cost_report
from otwb.billing.freight_audit import Finding
from otwb.bootstrap import bootstrap
from otwb.platform import auth
from otwb.platform.clock import SimulatedClock
from otwb.platform.db import Database
from otwb.platform.ids import CarrierId, CustomerId, OrderId, ShipmentId, WarehouseId
from otwb.platform.settings import Settings
from otwb.platform.uow import UnitOfWork
from otwb.transport import carriers
from otwb.transport.events import ShipmentTendered
from otwb.warehouse.events import OrderPicked

START = datetime(2026, 11, 2, 8, tzinfo=UTC)
TARGET_LINES_PER_S = 1_000
TARGET_REPORT_S = 5.0


def run(db: Database, n: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    rt = bootstrap(
        Settings(database_url=str(db.engine.url)),
        database=db,
        clock=SimulatedClock(START),
        seed=seed,
    )
    tenant = auth.create_tenant(rt.uow(), "Bench Freight")

    def uow() -> UnitOfWork:
        return rt.uow(tenant.id)

    carrier = CarrierId(carriers.add_carrier(uow(), "GEO", "Geodis").id)
    for rate, activity in (("0.40", "pick_line"), ("1.20", "parcel")):
        cost_service.set_cost_rate(uow(), activity, rate)
    expected: dict[str, Decimal] = {}
    with Stopwatch() as tendering, uow() as u:
        for i in range(n):
            tracking = f"TRK-{i:06}"
            cost = Decimal(rng.randrange(800, 6000)) / 100
            expected[tracking] = cost
            customer = CustomerId(f"cus_{i % 40:02}")
            u.record(
                ShipmentTendered(
                    shipment_id=ShipmentId(f"shp_{i:06}"),
                    order_id=OrderId(f"ord_{i:06}"),
                    customer_id=customer,
                    depot_id=WarehouseId("whs_1"),
                    carrier_id=carrier,
                    carrier_name="Geodis",
                    service_level="standard",
                    tracking_number=tracking,
                    weight_kg=12.5,
                    volume_m3=0.05,
                    expected_cost=cost,
                    currency="EUR",
                    tendered_at=START,
                )
            )
            u.record(
                OrderPicked(
                    order_id=OrderId(f"ord_{i:06}"),
                    warehouse_id=WarehouseId("whs_1"),
                    customer_id=customer,
                    lines=rng.randint(1, 5),
                    units=6,
                    picked_at=START,
                )
            )
        u.commit()

    rows = ["invoice_number,date,tracking_number,amount,currency"]
    truth: list[Finding] = []
    paid_total = Decimal(0)
    billed_once: list[str] = []
    for tracking, cost in expected.items():
        roll = rng.random()
        if roll < 0.03:
            rows.append(f"G-1,2026-11-30,{tracking},{cost + 5},EUR")
            truth.append(Finding.OVERCHARGE)
        elif roll < 0.04:
            rows.append(f"G-1,2026-11-30,X{tracking},{cost},EUR")
            truth.append(Finding.UNKNOWN_SHIPMENT)
            continue
        else:
            rows.append(f"G-1,2026-11-30,{tracking},{cost},EUR")
            truth.append(Finding.OK)
        paid_total += cost
        billed_once.append(tracking)
        if roll > 0.99:
            rows.append(f"G-1,2026-11-30,{tracking},{cost},EUR")
            truth.append(Finding.DUPLICATE)

    with Stopwatch() as auditing:
        invoice = settlement.import_carrier_invoice(uow(), carrier, "\n".join(rows)).invoice
    found = [line.finding for line in invoice.lines]
    with Stopwatch() as paying:
        settlement.approve_all(uow(), invoice.id)
        settlement.reject_remaining(uow(), invoice.id, "bench")
        payable = settlement.produce_payable(uow(), invoice.id)
    with Stopwatch() as reporting:
        result = cost_report(uow(), ReportPeriod.month("2026-11"))
    lines = len(rows) - 1
    return {
        "shipments": n,
        "invoice_lines": lines,
        "findings_exact": found == truth,
        "payable_total_exact": payable.total == paid_total,
        "tender_s": round(tendering.seconds, 2),
        "audit_s": round(auditing.seconds, 2),
        "audit_lines_per_s": round(lines / auditing.seconds),
        "approve_and_pay_s": round(paying.seconds, 2),
        "report_s": round(reporting.seconds, 2),
        "report_customers": len(result.by_customer),
    }


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    n = 1_000 if args.quick else 5_000
    figures: dict[str, Any] = {}
    with sqlite_database() as db:
        figures["sqlite"] = run(db, n, args.seed)
    with postgres_database() as pg:
        if pg is not None:
            figures["postgresql"] = run(pg, n, args.seed)
    rows = []
    for name, f in figures.items():
        valid = f["findings_exact"] and f["payable_total_exact"]
        rows += [
            (f"{name}: findings and payable exact", str(valid), "True", verdict(valid)),
            (
                f"{name}: audited lines/s ({f['invoice_lines']})",
                str(f["audit_lines_per_s"]),
                f">= {TARGET_LINES_PER_S}" if name == "sqlite" else "reported",
                verdict(f["audit_lines_per_s"] >= TARGET_LINES_PER_S) if name == "sqlite" else "",
            ),
            (f"{name}: approve + pay (s)", str(f["approve_and_pay_s"]), "reported", ""),
            (
                f"{name}: cost report (s)",
                str(f["report_s"]),
                f"< {TARGET_REPORT_S}",
                verdict(f["report_s"] < TARGET_REPORT_S),
            ),
        ]
    report("freight_audit", rows, figures, args.json)


if __name__ == "__main__":
    main()
