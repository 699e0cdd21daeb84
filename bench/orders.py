"""O at the scale of a busy order desk: bulk import through the real path, on SQLite.

1. **import**: a generated CSV of 100,000 orders (1-3 lines each, about 200,000 rows, 1,000
   customers, 500 SKUs; a tenth of the addresses without coordinates, geocoded from the Lyon
   postcode table; a few bad orders: an unknown SKU, a zero quantity, a duplicate reference,
   three per 5,000) is imported with ``importer.read_rows`` + ``importer.import_rows`` -- what
   ``otwb order import --defer`` runs: streaming, 2,000 orders per transaction, each order
   validated and stored with ``OrderPlaced`` + ``OrderReleased`` in the outbox, the warehouse's
   allocation left to the outbox relay. Valid only if every good order is stored with its lines,
   its events wait in the outbox, and every bad one is reported.
   Target (issue 6): 100,000 orders in under 60 s on SQLite.
2. **import + allocation in-process**: 10,000 orders of the same file imported the default way
   (``otwb order import``): each batch's events delivered at once, W allocating every order
   from a stocked warehouse before the next batch. Reported (orders/s), no target: the
   allocation is the sourcing step's figure.
3. **sourcing**: released orders (100,000; quick 5,000) sourced in batches of 1,000 through
   ``sourcing_service.source_orders`` on a 1 central + 4 front warehouse network with 2,000
   SKUs, in a throw-away database of the same kind (``bench/sourcing.py`` runs it alone, on both
   databases). Target (issue 6): >= 1,000 orders/s.

    python bench/orders.py [--quick] [--json] [--db URL] [--seed N]
"""

from __future__ import annotations

import csv
import os
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select

from common import (
    Stopwatch,
    arguments,
    console,
    postgres_database,
    report,
    sqlite_database,
    verdict,
)
from otwb.bootstrap import bootstrap
from otwb.orders import importer, service
from otwb.orders.tables import order_lines, orders
from otwb.platform import auth
from otwb.platform.clock import SimulatedClock
from otwb.platform.db import Database, connect
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import TenantId
from otwb.platform.runtime import Runtime
from otwb.platform.settings import Settings
from otwb.platform.tables import outbox
from otwb.warehouse import service as warehouse
from otwb.warehouse.model import WarehouseKind
from sourcing import TARGET as SOURCING_TARGET
from sourcing import run as run_sourcing

TARGET_SECONDS = 60.0
CUSTOMERS = 1_000
SKUS = 500
START = datetime(2026, 11, 25, 6, tzinfo=UTC)
POSTCODES = importer.LYON_POSTCODES
STREETS = ("rue de la République", "avenue Jean Jaurès", "cours Lafayette", "rue Garibaldi")


def generate(path: Path, orders_n: int, customers: int, skus: int, seed: int) -> tuple[int, int]:
    """Write the CSV; the orders in it that are bad (and must be rejected), and their rows."""
    rng = random.Random(seed)
    codes = importer.read_postcodes(POSTCODES)
    bad = bad_rows = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(importer.COLUMNS)
        for n in range(orders_n):
            pc = rng.choice(codes)
            geocoded = n % 10 == 0
            lat = "" if geocoded else f"{pc.point.lat + rng.uniform(-0.01, 0.01):.5f}"
            lon = "" if geocoded else f"{pc.point.lon + rng.uniform(-0.01, 0.01):.5f}"
            reference = f"SO-{n:07d}" if n % 5000 != 4999 else f"SO-{n - 99:07d}"  # duplicate
            kind = n % 5000
            refused = kind in (1234, 2345, 4999)
            n_lines = rng.randint(1, 3)
            bad += refused
            bad_rows += n_lines if refused else 0
            for line in range(n_lines):
                sku = f"SKU-{rng.randrange(skus):04d}"
                qty = rng.randint(1, 12)
                if kind == 1234 and line == 0:
                    sku = "NO-SUCH-SKU"
                if kind == 2345 and line == 0:
                    qty = 0
                w.writerow(
                    [
                        reference,
                        "shop",
                        f"C{rng.randrange(customers):05d}",
                        f"Client {n}",
                        f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
                        pc.postcode,
                        pc.city,
                        "FR",
                        lat,
                        lon,
                        "standard",
                        "",
                        "",
                        sku,
                        qty,
                    ]
                )
    return bad, bad_rows


@contextmanager
def database(url: str | None) -> Iterator[Database]:
    if url is None:
        with sqlite_database() as db:
            yield db
        return
    from otwb import schema

    db = connect(url)
    schema.create_all(db)
    try:
        yield db
    finally:
        db.dispose()


def setup_tenant(rt: Runtime, name: str, stocked: bool) -> TenantId:
    tenant = auth.create_tenant(rt.uow(), name)
    uow = rt.uow(tenant.id)
    warehouse.create_skus(
        uow, [warehouse.NewSku(f"SKU-{i:04d}", f"Item {i}", 1.0, 0.002) for i in range(SKUS)]
    )
    for c in range(CUSTOMERS):
        service.create_customer(uow, f"C{c:05d}", f"Customer {c}")
    service.load_postcodes(uow, importer.read_postcodes(POSTCODES))
    if stocked:
        w = warehouse.create_warehouse(
            uow, "CEN", "Central", WarehouseKind.CENTRAL, GeoPoint(45.72, 4.95)
        )
        bins = warehouse.create_locations(uow, w.id, [f"A-{i:03d}" for i in range(SKUS)])
        warehouse.receive_stocks(
            uow,
            [warehouse.DirectReceipt(b.id, f"SKU-{i:04d}", 5_000) for i, b in enumerate(bins)],
        )
    return tenant.id


def count(db: Database, table: Table, *where: Any) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a throw-away SQLite file)")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    n = 10_000 if args.quick else 100_000
    m = 2_000 if args.quick else 10_000
    with tempfile.TemporaryDirectory() as folder, database(args.db) as db:
        path = Path(folder) / "orders.csv"
        bad, bad_rows = generate(path, n, CUSTOMERS, SKUS, args.seed)
        rows = sum(1 for _ in path.open()) - 1
        rt = bootstrap(
            Settings(database_url=str(db.engine.url)), database=db, clock=SimulatedClock(START)
        )
        deferred_tenant = setup_tenant(rt, f"Bench import {args.seed}", stocked=False)
        console.print(f"importing {n:,} orders ({rows:,} rows), allocation deferred")
        cpu = time.process_time()
        with Stopwatch() as timer:
            result = importer.import_rows(
                importer.deferred(rt).uow(deferred_tenant),
                importer.read_rows(path, lambda _: None),
            )
        cpu = time.process_time() - cpu
        kept = count(db, orders, orders.c.tenant_id == deferred_tenant)
        lines = count(db, order_lines, order_lines.c.tenant_id == deferred_tenant)
        waiting = count(
            db, outbox, outbox.c.tenant_id == deferred_tenant, outbox.c.dispatched_at.is_(None)
        )
        valid = (
            result.orders == n
            and result.rejected == bad
            and result.placed == kept == n - bad
            and result.rows == rows
            and lines == rows - bad_rows
            and waiting == 2 * kept
        )
        small = Path(folder) / "sample.csv"
        with path.open() as source, small.open("w") as out:
            head = [source.readline()]
            for line in source:
                if int(line.split(",", 1)[0][3:]) >= m:
                    break
                head.append(line)
            out.writelines(head)
        full_tenant = setup_tenant(rt, f"Bench in-process {args.seed}", stocked=True)
        console.print(f"importing {m:,} orders with allocation in-process")
        with Stopwatch() as full:
            sample = importer.import_rows(
                rt.uow(full_tenant), importer.read_rows(small, lambda _: None)
            )
        allocated = count(
            db, orders, orders.c.tenant_id == full_tenant, orders.c.status == "allocated"
        )
        valid = valid and allocated == sample.placed
    n_sourced = 5_000 if args.quick else 100_000
    console.print(f"sourcing {n_sourced:,} released orders (1 central + 4 front warehouses)")
    on_postgres = bool(args.db) and str(args.db).startswith("postgres")
    with postgres_database() if on_postgres else sqlite_database() as sourcing_db:
        if sourcing_db is None:
            raise SystemExit("PostgreSQL is not reachable for the sourcing run")
        sourced = run_sourcing(sourcing_db, n_sourced, 1000, args.seed)
    per_s = n / timer.seconds
    projected = 100_000 / per_s
    full_per_s = m / full.seconds
    figures = {
        "orders": n,
        "rows": rows,
        "placed": result.placed,
        "rejected": result.rejected,
        "import_seconds": round(timer.seconds, 2),
        "import_orders_per_second": round(per_s),
        "import_cpu_seconds": round(cpu, 2),
        "load_average": round(os.getloadavg()[0], 2),
        "projected_100k_seconds": round(projected, 1),
        "target_100k_seconds": TARGET_SECONDS,
        "in_process_orders": m,
        "in_process_orders_per_second": round(full_per_s),
        "sourced_orders": n_sourced,
        "sourcing_orders_per_second": sourced["orders_per_second"],
        "sourcing_outcomes": sourced["outcomes"],
        "target_sourcing_orders_per_second": SOURCING_TARGET,
        "valid": valid,
        "database": db.dialect,
    }
    report(
        "orders",
        [
            ("orders imported", f"{result.placed:,} (+{result.rejected} rejected)", "", ""),
            ("import time", f"{timer.seconds:.1f} s", "", ""),
            ("import orders/s", f"{per_s:,.0f}", "", ""),
            ("import CPU time (this process)", f"{cpu:.1f} s", "", ""),
            ("load average (1 min, 2 cores)", f"{os.getloadavg()[0]:.1f}", "", ""),
            (
                "100,000 orders",
                f"{projected:.1f} s",
                f"< {TARGET_SECONDS:.0f} s",
                verdict(projected < TARGET_SECONDS and valid),
            ),
            ("import + allocation in-process", f"{full_per_s:,.0f} orders/s", "(reported)", ""),
            ("checks", "valid" if valid else "INVALID", "", ""),
            (
                f"sourcing orders/s ({n_sourced:,})",
                f"{sourced['orders_per_second']:,.0f}",
                f">= {SOURCING_TARGET:,.0f}",
                verdict(sourced["orders_per_second"] >= SOURCING_TARGET),
            ),
        ],
        figures,
        args.json,
    )


if __name__ == "__main__":
    main()
