"""W at the scale of a real site, on SQLite and on PostgreSQL.

A warehouse of 5,000 bins (aisles 01-20 ambient and 21-25 chilled, 50 bays x 4 levels, the dock
at the middle of the front wall) holds 2,000 SKUs: half of them expire and sit in three lots
(expiring in 10, 40 and 70 days) in three bins each, the others in two bins received on two
days. A tenth of the customers want 15 days of shelf life left. Then, through W's use cases:

1. **allocate** 10,000 order lines (4,000 orders of 1-4 lines, a skewed SKU popularity) with
   ``fulfilment.allocate_orders``, 100 orders per call: each call is one transaction over a
   locked book, FEFO across lots and bins. The figure is order lines allocated per second. The
   run is valid only if every order is allocated, no counter disagrees with its pick tasks, and
   FEFO held: no row was promised while an earlier-expiring row of its SKU that would satisfy
   every customer still had stock free. (The orders exist only in W: O ignores their progress
   reports, quietly.)
2. **plan waves and pick paths** for the 1,000 orders due first (``picking.plan_waves``: waves
   of 200, carts of 8 orders per zone, 12 pickers): wall time.
3. **walking**: per pick list, the optimised path's length against the S-shape's; the figure is
   the mean saving over the lists (and the saving on the total).

Targets (issue 3): >= 2,000 lines/s on SQLite (PostgreSQL reported), waves and paths for
1,000 orders in < 10 s, the optimised path >= 15 % shorter than S-shape on average.
Everything is seeded: the same run gives the same site, orders, waves and distances.

    python bench/warehouse.py [--quick] [--json] [--seed N]
"""

from __future__ import annotations

import logging
import math
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from common import Stopwatch, arguments, postgres_database, report, sqlite_database, verdict
from otwb.bootstrap import bootstrap
from otwb.platform import auth
from otwb.platform.clock import SimulatedClock
from otwb.platform.db import Database
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.settings import Settings
from otwb.platform.values import TemperatureClass
from otwb.warehouse import fulfilment, picking, quality, service, sites
from otwb.warehouse.fulfilment import AllocationRequest, RequestedLine
from otwb.warehouse.layout import LayoutSpec
from otwb.warehouse.model import WarehouseKind

TARGETS = {"lines_per_second": 2000.0, "waves_seconds": 10.0, "saving": 0.15}
START = datetime(2026, 11, 25, 6, tzinfo=UTC)
LOT_DAYS = (10, 40, 70)
PICKY_DAYS = 15
STORES = 25
"""Delivery addresses of a customer (its stores); the bench's orders are spread over them."""


class Scale:
    def __init__(self, quick: bool) -> None:
        self.aisles = (8, 2) if quick else (20, 5)  # ambient, chilled
        self.bays = 50  # aisles 30 m long either way: --quick is a narrower site, not a toy
        self.levels = 2 if quick else 4
        self.skus = 400 if quick else 2000
        self.lines = 2000 if quick else 10_000
        self.wave_orders = 300 if quick else 1000

    @property
    def bins(self) -> int:
        return sum(self.aisles) * self.bays * self.levels


def build(db: Database, scale: Scale, seed: int) -> tuple[Any, Any, Any, list[AllocationRequest]]:
    clock = SimulatedClock(START)
    rt = bootstrap(Settings(database_url=str(db.engine.url)), database=db, clock=clock, seed=seed)
    tenant = auth.create_tenant(rt.uow(), "Bench Warehouse")

    def uow() -> Any:
        return rt.uow(tenant.id)

    rng = random.Random(seed)
    ambient, chilled = scale.aisles
    pitch = 3.2
    w = service.create_warehouse(
        uow(),
        "BIG",
        "Big site",
        WarehouseKind.CENTRAL,
        GeoPoint(45.7, 4.9),
        dock_x_m=pitch * (ambient + chilled) / 2,
    )
    bins = {}
    for zone, temperature, first, count in (
        ("AMB", TemperatureClass.AMBIENT, 1, ambient),
        ("CHL", TemperatureClass.CHILLED, ambient + 1, chilled),
    ):
        sites.create_zone(uow(), w.id, zone, temperature)
        spec = LayoutSpec(
            tuple(f"{a:02d}" for a in range(first, first + count)),
            scale.bays,
            scale.levels,
            aisle_pitch_m=pitch,
        )
        bins[temperature] = sites.build_layout(uow(), w.id, zone, spec).bins
        rng.shuffle(bins[temperature])
    # SKUs: per zone, expiring ones take 3 bins (lots), the others 2 (two receipt days).
    plan: list[tuple[str, TemperatureClass, bool]] = []
    for temperature, share in ((TemperatureClass.AMBIENT, 0.8), (TemperatureClass.CHILLED, 0.2)):
        room = len(bins[temperature])
        expiring = round(scale.skus * share * 0.5)
        plain = (room - 3 * expiring) // 2
        plan += [(f"S{len(plan) + i:05d}", temperature, True) for i in range(expiring)]
        plan += [(f"S{len(plan) + i:05d}", temperature, False) for i in range(plain)]
    service.create_skus(
        uow(),
        [
            service.NewSku(code, code, 1.0, 0.002, t, shelf_life_days=90 if expires else None)
            for code, t, expires in plan
        ],
    )
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(plan))]
    rng.shuffle(weights)
    total = sum(weights)
    free = {t: iter(b) for t, b in bins.items()}
    receipts = []
    for (code, temperature, expires), weight in zip(plan, weights, strict=True):
        demand = weight / total * scale.lines * 2.5  # units a SKU is asked for, on average
        rows = 3 if expires else 2
        each = math.ceil(2.5 * demand / rows) + 6
        for n in range(rows):
            receipts.append(
                service.DirectReceipt(
                    next(free[temperature]).id,
                    code,
                    each,
                    lot=f"L{n + 1}" if expires else None,
                    expires_on=START.date() + timedelta(LOT_DAYS[n]) if expires else None,
                )
            )
    received_on_day_two = receipts[1::2]
    service.receive_stocks(uow(), receipts[::2], "opening stock")
    clock.advance(timedelta(days=1))
    service.receive_stocks(uow(), received_on_day_two, "opening stock")
    customers = [CustomerId(f"cus_{i:03d}") for i in range(50)]  # each with STORES stores
    for c in customers[:5]:
        quality.set_min_shelf_life(uow(), c, PICKY_DAYS)
    requests: list[AllocationRequest] = []
    lines = 0
    codes = [code for code, _, _ in plan]
    while lines < scale.lines:
        n = len(requests)
        count = min(rng.randint(1, 4), scale.lines - lines)
        chosen = list(dict.fromkeys(rng.choices(codes, weights=weights, k=count)))
        requests.append(
            AllocationRequest(
                order_id=OrderId(f"ord_bench_{n:06d}"),
                customer_id=rng.choice(customers),
                lines=[
                    RequestedLine(OrderLineId(f"oli_bench_{n:06d}_{i}"), code, rng.randint(1, 3))
                    for i, code in enumerate(chosen)
                ],
                ship_to_name="Customer",
                # a customer delivers to its stores: orders to one store merge into one tote
                ship_to_address=f"{n % STORES + 1} rue du Commerce, Lyon",
                ship_to=GeoPoint(45.76 + (n % STORES) * 0.001, 4.83),
                service_level="standard",
                cut_off=START + timedelta(hours=4 if n < scale.wave_orders else 8),
            )
        )
        lines += len(chosen)
    return rt, tenant, w, requests


def fefo_violations(rt: Any, tenant: Any) -> int:
    """Rows promised while an earlier-expiring row of the SKU -- with shelf life enough for
    every customer -- still had stock free."""
    rows = service.stock_levels(rt.uow(tenant.id, read_only=True))
    by_sku: dict[str, list[Any]] = defaultdict(list)
    for x in rows:
        if x.row.expires_on is not None:
            by_sku[x.sku].append(x.row)
    today = rt.clock.now().date()
    bad = 0
    for lots in by_sku.values():
        for row in lots:
            if row.allocated == 0:
                continue
            bad += any(
                other.expires_on < row.expires_on
                and other.available > 0
                and (other.expires_on - today).days >= PICKY_DAYS
                for other in lots
            )
    return bad


def run(db: Database, scale: Scale, seed: int) -> dict[str, Any]:
    rt, tenant, warehouse, requests = build(db, scale, seed)
    lines = sum(len(r.lines) for r in requests)
    with Stopwatch() as allocating:
        outcomes = []
        for i in range(0, len(requests), 100):
            outcomes += fulfilment.allocate_orders(rt.uow(tenant.id), requests[i : i + 100])
    failed = [o for o in outcomes if isinstance(o, Exception)]
    discrepancies = service.allocation_discrepancies(rt.uow(tenant.id, read_only=True))
    violations = fefo_violations(rt, tenant)
    if failed or discrepancies or violations:
        raise SystemExit(
            f"{db.dialect}: {len(failed)} orders not allocated, {len(discrepancies)} counter "
            f"discrepancies, {violations} FEFO violations: the run is not valid"
        )
    with Stopwatch() as planning:
        planned = picking.plan_waves(
            rt.uow(tenant.id),
            warehouse.id,
            max_orders=200,
            cart_size=8,
            pickers=[f"P{i:02d}" for i in range(1, 13)],
            cut_off_before=START + timedelta(hours=4),
        )
    lists = [p for w in planned for p in w.pick_lists]
    if sum(w.orders for w in planned) != scale.wave_orders:
        raise SystemExit(f"{db.dialect}: the waves hold the wrong orders: the run is not valid")
    if any(p.optimised_m > p.s_shape_m for p in lists):
        raise SystemExit(f"{db.dialect}: an optimised path is longer than its S-shape")
    s_shape = sum(p.s_shape_m for p in lists)
    optimised = sum(p.optimised_m for p in lists)
    return {
        "lines": lines,
        "orders": len(requests),
        "allocation_seconds": round(allocating.seconds, 3),
        "lines_per_second": round(lines / allocating.seconds, 1),
        "wave_orders": scale.wave_orders,
        "waves": len(planned),
        "pick_lists": len(lists),
        "stops_per_list": round(sum(p.stops for p in lists) / len(lists), 1),
        "waves_seconds": round(planning.seconds, 3),
        "s_shape_km": round(s_shape / 1000, 2),
        "optimised_km": round(optimised / 1000, 2),
        "mean_saving": round(sum(1 - p.optimised_m / p.s_shape_m for p in lists) / len(lists), 4),
        "total_saving": round(1 - optimised / s_shape, 4),
    }


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.getLogger("otwb.orders").setLevel(logging.ERROR)  # see the docstring
    scale = Scale(args.quick)
    figures: dict[str, Any] = {"bins": scale.bins, "skus": scale.skus, "seed": args.seed}
    with sqlite_database() as db:
        figures["sqlite"] = run(db, scale, args.seed)
    with postgres_database() as pg:
        figures["postgresql"] = run(pg, scale, args.seed) if pg is not None else None
    rows = []
    for name in ("sqlite", "postgresql"):
        result = figures[name]
        if result is None:
            rows.append((f"{name}: lines/s", "skipped (no server)", "", ""))
            continue
        rate = result["lines_per_second"]
        target = TARGETS["lines_per_second"]
        rows.append(
            (
                f"{name}: order lines allocated/s (FEFO, {result['lines']:,} lines)",
                f"{rate:,.0f}",
                f">= {target:,.0f}" if name == "sqlite" else "reported",
                verdict(rate >= target) if name == "sqlite" else "",
            )
        )
        seconds = result["waves_seconds"]
        rows.append(
            (
                f"{name}: waves + pick paths, {result['wave_orders']:,} orders "
                f"({result['pick_lists']} lists)",
                f"{seconds:.2f} s",
                f"< {TARGETS['waves_seconds']:.0f} s",
                verdict(seconds < TARGETS["waves_seconds"]),
            )
        )
    base = figures["sqlite"]
    rows.append(
        (
            "optimised path vs S-shape: mean saving per list",
            f"{base['mean_saving']:.1%} ({base['optimised_km']} vs {base['s_shape_km']} km)",
            f">= {TARGETS['saving']:.0%}",
            verdict(base["mean_saving"] >= TARGETS["saving"]),
        )
    )
    figures["targets"] = TARGETS
    report("warehouse", rows, figures, args.json)


if __name__ == "__main__":
    main()
