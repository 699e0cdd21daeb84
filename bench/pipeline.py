"""Place and allocate N orders through the service layer, on SQLite and on PostgreSQL.

An order placed stores it with its ``OrderPlaced`` event in the outbox (one transaction); the bus
then runs W's allocation (nearest able warehouse, stock rows locked in key order, allocation rows,
``StockAllocated``) and O's reaction (the order becomes ``allocated``, on its timeline). The figure
is orders fully placed *and* allocated per second, measured two ways:

* ``one by one``: ``orders.place_order`` per order, one client thread -- the REST path;
* ``batches``: ``orders.place_orders`` with B orders per call -- the import / EDI path; the bus
  hands the run of events to W and O's batch handlers, one transaction per run.

Targets (issue 2): >= 1,000 orders/s on SQLite, >= 500 orders/s on PostgreSQL -- a throughput,
judged on the batch path (how 10,000 orders arrive together: an import, an EDI file, the batch
endpoint). One by one, each order's chain is ~9 short transactions and ~50 statements run
before ``place_order`` returns: a latency figure, reported beside it.
    python bench/pipeline.py [--orders N] [--batch B] [--quick] [--json]
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from rich.progress import Progress

from common import Stopwatch, arguments, postgres_database, report, sqlite_database, verdict
from otwb.bootstrap import bootstrap
from otwb.orders import service as orders
from otwb.orders.model import Address, OrderStatus
from otwb.platform import auth
from otwb.platform.clock import SimulatedClock
from otwb.platform.db import Database
from otwb.platform.geo import GeoPoint
from otwb.platform.settings import Settings
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import service as warehouse
from otwb.warehouse.model import WarehouseKind

TARGETS = {"sqlite": 1000.0, "postgresql": 500.0}
SKUS = 500
CENTRE = (45.7640, 4.8357)


def prepare(db: Database, n_orders: int, seed: int) -> tuple[Any, Any, list[Any]]:
    clock = SimulatedClock(datetime(2026, 11, 25, 6, tzinfo=UTC))
    rt = bootstrap(Settings(database_url=str(db.engine.url)), database=db, clock=clock, seed=seed)
    tenant = auth.create_tenant(rt.uow(), "Bench Distribution")

    def uow() -> UnitOfWork:
        return rt.uow(tenant.id)

    sites = [("CEN", WarehouseKind.CENTRAL, 45.70, 4.95)] + [
        (f"F{i}", WarehouseKind.FRONT, 45.76 + 0.04 * dy, 4.83 + 0.05 * dx)
        for i, (dy, dx) in enumerate([(1, 0), (-1, 1), (0, -1)])
    ]
    codes = [f"SKU{i:05d}" for i in range(SKUS)]
    warehouse.create_skus(uow(), [warehouse.NewSku(c, c, 1.0, 0.002) for c in codes])
    units = n_orders * 3 * 5 // SKUS + 50  # plenty: the benchmark measures allocation, not misses
    for code, kind, lat, lon in sites:
        w = warehouse.create_warehouse(uow(), code, code, kind, GeoPoint(lat, lon))
        bins = warehouse.create_locations(uow(), w.id, [f"{code}-{i:04d}" for i in range(SKUS)])
        stocked = codes if kind is WarehouseKind.CENTRAL else codes[: SKUS // 5]
        for sku, location in zip(stocked, bins, strict=False):
            warehouse.receive_stock(uow(), location.id, sku, units)
    customers = [orders.create_customer(uow(), f"C{i:04d}", f"Customer {i}") for i in range(200)]
    rng = random.Random(seed)
    commands = []
    for _ in range(n_orders):
        customer = rng.choice(customers)
        lat = CENTRE[0] + rng.uniform(-0.08, 0.08)
        lon = CENTRE[1] + rng.uniform(-0.1, 0.1)
        picked = rng.sample(codes, rng.randint(1, 5))
        commands.append(
            orders.PlaceOrder(
                customer_id=customer.id,
                ship_to=Address(
                    customer.name, "1 rue du Commerce", "Lyon", "69002", "FR", GeoPoint(lat, lon)
                ),
                lines=[orders.NewLine(sku, rng.randint(1, 5)) for sku in picked],
            )
        )
    return rt, tenant, commands


def run(db: Database, n_orders: int, batch: int, seed: int) -> dict[str, Any]:
    rt, tenant, commands = prepare(db, 2 * n_orders, seed)
    one_by_one, batched = commands[:n_orders], commands[n_orders:]
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{db.dialect}: one by one", total=n_orders)
        with Stopwatch() as single:
            for i, command in enumerate(one_by_one):
                orders.place_order(rt.uow(tenant.id), command)
                if i % 200 == 0:
                    progress.update(task, completed=i)
        task = progress.add_task(f"{db.dialect}: batches of {batch}", total=n_orders)
        with Stopwatch() as bulk:
            for i in range(0, n_orders, batch):
                orders.place_orders(rt.uow(tenant.id), batched[i : i + batch])
                progress.update(task, completed=i)
    by_status = orders.orders_by_status(rt.uow(tenant.id, read_only=True))
    allocated = by_status.get(OrderStatus.ALLOCATED.value, 0)
    discrepancies = warehouse.allocation_discrepancies(rt.uow(tenant.id, read_only=True))
    if allocated != 2 * n_orders or discrepancies:
        raise SystemExit(
            f"{db.dialect}: {allocated}/{2 * n_orders} allocated, "
            f"{len(discrepancies)} counter discrepancies: the run is not valid"
        )
    return {
        "lines": sum(len(c.lines) for c in commands),
        "one_by_one": {
            "seconds": round(single.seconds, 3),
            "orders_per_second": round(n_orders / single.seconds, 1),
        },
        "batches": {
            "batch": batch,
            "seconds": round(bulk.seconds, 3),
            "orders_per_second": round(n_orders / bulk.seconds, 1),
        },
    }


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument(
        "--orders", type=int, default=None, help="orders per mode; default 10,000 (quick: 1,000)"
    )
    parser.add_argument("--batch", type=int, default=100, help="orders per place_orders call")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = args.orders or (1000 if args.quick else 10_000)
    figures: dict[str, Any] = {"orders_per_mode": n}
    with sqlite_database() as db:
        figures["sqlite"] = run(db, n, args.batch, args.seed)
    with postgres_database() as pg:
        figures["postgresql"] = run(pg, n, args.batch, args.seed) if pg is not None else None
    rows = []
    for name in ("sqlite", "postgresql"):
        result = figures[name]
        target = f">= {TARGETS[name]:,.0f}"
        if result is None:
            rows.append((f"{name}: orders/s", "skipped (no server)", target, ""))
            continue
        rate = result["batches"]["orders_per_second"]
        rows.append(
            (
                f"{name}: orders/s, batches of {args.batch}",
                f"{rate:,.0f}",
                target,
                verdict(rate >= TARGETS[name]),
            )
        )
        single = result["one_by_one"]["orders_per_second"]
        rows.append((f"{name}: orders/s, one by one", f"{single:,.0f}", "(reported)", ""))
    figures["targets"] = TARGETS
    report("pipeline", rows, figures, args.json)


if __name__ == "__main__":
    main()
