"""Source N orders through ``sourcing_service.source_orders``, on SQLite and on PostgreSQL.

The network: 1 central warehouse (ambient, chilled, frozen) and 4 front warehouses around Lyon
(ambient; one also chilled), 2,000 SKUs (10 % chilled, 5 % frozen), the central stocking every
SKU and each front warehouse the fast-moving fifth. A third of the customers allow splits.

The orders are stored first (without events), then sourced in batches of B, each batch one
transaction: W's network and available-to-promise read, the decisions, the plans written, one
``OrderSourced`` per order in the outbox. W's allocation is *not* run (the bus has no handler),
so every batch reads the same opening stock: it is sized to one batch's demand, and late orders
of each batch find SKUs gone here and there -- they split or wait. The figure is the sourcing
decision and its record.

Target (issue 6): >= 1,000 orders/s.
    python bench/sourcing.py [--orders N] [--batch B] [--db sqlite|postgresql|both] [--quick]
                             [--json]
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from rich.progress import Progress
from sqlalchemy import func, select

from common import Stopwatch, arguments, postgres_database, report, sqlite_database, verdict
from otwb.orders import repo as order_repo
from otwb.orders import service as orders
from otwb.orders import sourcing_service
from otwb.orders.model import Address, Order, OrderLine, OrderStatus, ServiceLevel
from otwb.orders.sourcing import SourcingPolicy
from otwb.orders.sourcing_tables import sourcing_plans
from otwb.platform import auth
from otwb.platform.bus import MessageBus
from otwb.platform.clock import SimulatedClock
from otwb.platform.db import Database
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import IdFactory, OrderId, OrderLineId
from otwb.platform.runtime import Runtime
from otwb.platform.settings import Settings
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass as T
from otwb.warehouse import service as warehouse
from otwb.warehouse.model import WarehouseKind

TARGET = 1000.0
SKUS = 2000
CENTRE = (45.7640, 4.8357)
SITES = [
    ("CEN", WarehouseKind.CENTRAL, 45.70, 4.95, (T.AMBIENT, T.CHILLED, T.FROZEN)),
    ("NORD", WarehouseKind.FRONT, 45.80, 4.84, (T.AMBIENT, T.CHILLED)),
    ("EST", WarehouseKind.FRONT, 45.76, 4.93, (T.AMBIENT,)),
    ("SUD", WarehouseKind.FRONT, 45.72, 4.83, (T.AMBIENT,)),
    ("OUEST", WarehouseKind.FRONT, 45.77, 4.77, (T.AMBIENT,)),
]


def _temperature(i: int) -> T:
    return T.FROZEN if i % 20 == 0 else T.CHILLED if i % 10 == 5 else T.AMBIENT


def _units(demand: float, front: bool, fast: bool, temp: T) -> int:
    """A front site holds 50 % of a fast mover's expected demand; the central 40 % of an
    ambient fast mover's (the fronts hold the rest), 100 % of a cold one's and 150 % of a slow
    mover's (which only it keeps)."""
    if front:
        share = 0.5
    elif fast:
        share = 0.4 if temp is T.AMBIENT else 1.0
    else:
        share = 1.5
    return max(int(demand * share), 5)


def prepare(db: Database, n_orders: int, batch: int, seed: int) -> tuple[Runtime, Any, list[Order]]:
    clock = SimulatedClock(datetime(2026, 11, 25, 6, tzinfo=UTC))
    rt = Runtime(db, MessageBus(), clock, IdFactory(clock, seed), Settings())
    tenant = auth.create_tenant(rt.uow(), "Bench Distribution")

    def uow() -> UnitOfWork:
        return rt.uow(tenant.id)

    codes = [f"SKU{i:05d}" for i in range(SKUS)]
    temps = {c: _temperature(i) for i, c in enumerate(codes)}
    warehouse.create_skus(uow(), [warehouse.NewSku(c, c, 1.0, 0.002, temps[c]) for c in codes])
    # Stock in proportion to each SKU's expected demand (~3 lines x 3 units an order, a long
    # tail) in *one batch*: W does not allocate here, so every batch reads the same opening
    # stock (see ``_units``) -- late orders of a batch find fast movers gone from the central
    # and split, or a slow mover gone and wait.
    weights = [1 / (i + 1) ** 0.8 for i in range(SKUS)]
    demand = [min(batch, n_orders) * 9 * w / sum(weights) for w in weights]
    for code, kind, lat, lon, kept in SITES:
        w = warehouse.create_warehouse(uow(), code, code, kind, GeoPoint(lat, lon))
        front = kind is WarehouseKind.FRONT
        stocked = range(SKUS // 5) if front else range(SKUS)
        receipts = []
        for temp in kept:
            mine = [i for i in stocked if temps[codes[i]] is temp]
            bins = warehouse.create_locations(
                uow(), w.id, [f"{code}-{temp.value[:1]}{i:04d}" for i in range(len(mine))], temp
            )
            receipts += [
                warehouse.DirectReceipt(
                    b.id, codes[i], _units(demand[i], front, i < SKUS // 5, temp)
                )
                for i, b in zip(mine, bins, strict=True)
            ]
        warehouse.receive_stocks(uow(), receipts, "opening stock")
    customers = [orders.create_customer(uow(), f"C{i:04d}", f"Customer {i}") for i in range(300)]
    for c in customers[::3]:
        sourcing_service.set_customer_policy(uow(), c.id, SourcingPolicy.ALLOW_SPLIT)
    rng = random.Random(seed)
    now = clock.now()
    placed: list[Order] = []
    for n in range(n_orders):
        customer = rng.choice(customers)
        lat = CENTRE[0] + rng.uniform(-0.08, 0.08)
        lon = CENTRE[1] + rng.uniform(-0.1, 0.1)
        skus = sorted(set(rng.choices(codes, weights, k=rng.randint(1, 5))))
        placed.append(
            Order(
                id=OrderId(f"ord-{n:07d}"),
                customer_id=customer.id,
                reference=None,
                ship_to=Address(
                    customer.name, "1 rue du Commerce", "Lyon", "69002", "FR", GeoPoint(lat, lon)
                ),
                lines=tuple(
                    OrderLine(OrderLineId(f"oli-{n:07d}-{k}"), k, sku, rng.randint(1, 5))
                    for k, sku in enumerate(skus, start=1)
                ),
                service_level=ServiceLevel.STANDARD,
                window=None,
                status=OrderStatus.PLACED,
                placed_at=now,
            )
        )
    for i in range(0, n_orders, 5000):
        with uow() as u:
            order_repo.insert_orders(u, placed[i : i + 5000])
            u.commit()
    return rt, tenant, placed


def run(db: Database, n_orders: int, batch: int, seed: int) -> dict[str, Any]:
    rt, tenant, placed = prepare(db, n_orders, batch, seed)
    outcomes: Counter[str] = Counter()
    parts = 0
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{db.dialect}: sourcing", total=n_orders)
        with Stopwatch() as clock:
            for i in range(0, n_orders, batch):
                plans = sourcing_service.source_orders(rt.uow(tenant.id), placed[i : i + batch])
                outcomes.update(p.outcome.value for p in plans)
                parts += sum(len(p.parts) for p in plans)
                progress.update(task, completed=i + batch)
    with db.engine.connect() as conn:
        stored = conn.execute(select(func.count(func.distinct(sourcing_plans.c.order_id)))).scalar()
    if stored != n_orders or sum(outcomes.values()) != n_orders:
        raise SystemExit(f"{db.dialect}: {stored}/{n_orders} plans stored: the run is not valid")
    return {
        "seconds": round(clock.seconds, 3),
        "orders_per_second": round(n_orders / clock.seconds, 1),
        "outcomes": dict(sorted(outcomes.items())),
        "parts": parts,
    }


@contextmanager
def _none() -> Iterator[None]:
    yield None


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument(
        "--orders", type=int, default=None, help="orders; default 100,000 (quick: 5,000)"
    )
    parser.add_argument("--batch", type=int, default=1000, help="orders per source_orders call")
    parser.add_argument(
        "--db", choices=("sqlite", "postgresql", "both"), default="both", help="which database"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = args.orders or (5000 if args.quick else 100_000)
    figures: dict[str, Any] = {"orders": n, "batch": args.batch, "skus": SKUS, "sites": len(SITES)}
    with sqlite_database() if args.db != "postgresql" else _none() as db:
        figures["sqlite"] = run(db, n, args.batch, args.seed) if db is not None else None
    with postgres_database() if args.db != "sqlite" else _none() as pg:
        figures["postgresql"] = run(pg, n, args.batch, args.seed) if pg is not None else None
    rows = []
    for name in ("sqlite", "postgresql"):
        result = figures[name]
        if result is None:
            rows.append((f"{name}: orders/s", "not run", f">= {TARGET:,.0f}", ""))
            continue
        rate = result["orders_per_second"]
        rows.append(
            (f"{name}: orders/s", f"{rate:,.0f}", f">= {TARGET:,.0f}", verdict(rate >= TARGET))
        )
        shares = ", ".join(f"{k} {v / n:.0%}" for k, v in result["outcomes"].items())
        rows.append((f"{name}: outcomes", shares, "", ""))
    figures["target"] = TARGET
    report("sourcing", rows, figures, args.json)


if __name__ == "__main__":
    main()
