"""Rate 1,000,000 charge events across 200 customers with mixed tariffs, then invoice the period.

The events are a month of a 3PL's activity (November 2026): order lines picked, parcels packed,
inbound lines received, deliveries (per kg·km + drop, zone x weight, per kg, per pallet, with
fuel and cold-chain surcharges), storage snapshots (per unit, pallet or m³·day by temperature
class) and value-added services (installation, labelling, COD). 200 customers: 150 on their own
rate card (four families of rules), 50 on the tenant default; a few activities have no rule and
stay unrated. They go through ``billing.bulk.rate_activities`` (one transaction, streamed, rows
inserted 10,000 at a time), then ``billing.invoicing.issue_invoices`` invoices the month.

Target (issue 5): rating + invoicing under 60 s on SQLite; peak memory (RSS) is reported.
    python bench/billing.py [--events N] [--quick] [--json] [--db postgresql|URL]
"""

from __future__ import annotations

import os
import random
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import billing_audit
from common import (
    Stopwatch,
    arguments,
    console,
    postgres_database,
    report,
    sqlite_database,
    verdict,
)
from otwb import schema
from otwb.billing import bulk, invoicing
from otwb.billing import service as billing
from otwb.billing.charges import SourceType
from otwb.billing.rating import (
    Activity,
    delivered,
    packed,
    picked,
    received,
    service_used,
    stored,
)
from otwb.bootstrap import bootstrap
from otwb.orders import service as orders
from otwb.platform import auth
from otwb.platform.clock import SimulatedClock
from otwb.platform.db import Database, connect
from otwb.platform.ids import CustomerId
from otwb.platform.settings import Settings
from otwb.platform.uow import UnitOfWork

TARGET_SECONDS = 60.0
CUSTOMERS = 200
OWN_TARIFFS = 150
MONTH = (date(2026, 11, 1), date(2026, 12, 1))
R = billing.NewRule
ZONES = [(50, 30, "9.00"), (50, 300, "14.00"), (150, 30, "12.50"), (150, 300, "19.00")]
ZONES += [(400, 30, "16.00"), (400, 300, "27.50")]


def families(k: int) -> list[billing.NewRule]:
    """Four rate-card families, prices varied by customer ``k``."""
    bump = Decimal(k % 7) / 100
    family = k % 4
    if family == 0:  # flat
        return [
            R("line", price=Decimal("0.45") + bump),
            R("kg_km", price="0.0012"),
            R("drop", price="3.50"),
            R("unit_day", price="0.015"),
            R("parcel", price="0.80"),
        ]
    if family == 1:  # zone x weight with fuel, storage by pallet and temperature
        return [
            R("line", price=Decimal("0.40") + bump),
            *[
                R("zone_weight", price=p, zone=f"Z{km}", max_km=km, max_kg=kg)
                for km, kg, p in ZONES
            ],
            R("fuel"),
            R("pallet_day", price="0.55"),
            R("pallet_day", price="0.95", temperature_class="frozen"),
            R("inbound_line", price="0.70"),
            R("tier", percent="3", applies_to="line", min_quantity=1000),
        ]
    if family == 2:  # per kg, cold chain, VAS
        return [
            R("line", price=Decimal("0.50") + bump),
            R("kg", price="0.085"),
            R("drop", price="2.90"),
            R("cold_chain", percent="18"),
            R("m3_day", price="0.30"),
            R("service", price="45", service="installation"),
            R("service", price="0.12", service="labelling"),
            R("cod", price="2.50", percent="1.5"),
            R("parcel", price="0.75"),
        ]
    return [  # pallets, inbound, minimums
        R("line", price=Decimal("0.42") + bump),
        R("pallet", price="18.00"),
        R("kg_km", price="0.0010"),
        R("fuel"),
        R("unit_day", price="0.012"),
        R("inbound_line", price="0.65"),
        R("minimum", price="25", scope="period"),
    ]


def prepare(db: Database, seed: int) -> tuple[Any, Any, list[CustomerId]]:
    clock = SimulatedClock(datetime(2026, 12, 1, 6, tzinfo=UTC))
    rt = bootstrap(Settings(database_url=str(db.engine.url)), database=db, clock=clock, seed=seed)
    tenant = auth.create_tenant(rt.uow(), "Bench 3PL")

    def uow() -> UnitOfWork:
        return rt.uow(tenant.id)

    customers = [
        orders.create_customer(uow(), f"C{i:04d}", f"Customer {i}").id for i in range(CUSTOMERS)
    ]
    billing.set_tariff(uow(), billing.FlatTariff(None, date(2026, 1, 1), "EUR", "0.50", "0.0013",
                                                  "3.80", "0.02", "0.20"))  # fmt: skip
    for k, customer in enumerate(customers[:OWN_TARIFFS]):
        billing.set_tariff(
            uow(),
            billing.NewTariff(customer, date(2026, 1, 1), "EUR", "0.20", families(k)),
        )
    billing.set_fuel_index(uow(), date(2026, 10, 1), "11.40")
    billing.set_fuel_index(uow(), date(2026, 11, 16), "12.35")
    return rt, tenant, customers


def events(n: int, customers: list[CustomerId], seed: int) -> Iterator[Activity]:
    """``n`` activities of the month, streamed (never all in memory)."""
    rng = random.Random(seed)
    uniform = rng.random

    def below(k: int) -> int:  # rng.randrange, a third of its cost
        return int(uniform() * k)

    def between(low: int, high: int) -> int:
        return low + int(uniform() * (high - low + 1))

    start = datetime.combine(MONTH[0], datetime.min.time(), tzinfo=UTC)
    seconds = int(
        (datetime.combine(MONTH[1], datetime.min.time(), tzinfo=UTC) - start).total_seconds()
    )
    temps = ("ambient", "ambient", "chilled", "frozen")
    services = ("installation", "labelling", "cod", "gift-wrap")
    for i in range(n):
        c = customers[below(CUSTOMERS)]
        at = start + timedelta(seconds=below(seconds))
        roll = uniform()
        if roll < 0.40:
            yield picked(c, f"ord_{i}", between(1, 8), at)
        elif roll < 0.55:
            yield packed(c, f"ord_{i}", between(1, 4), at)
        elif roll < 0.65:
            yield received(c, f"asn_{i}:1", 1, at)
        elif roll < 0.90:
            yield delivered(
                c,
                f"shp_{i}",
                Decimal(between(500, 250_000)).scaleb(-3),
                Decimal(between(1_000, 380_000)).scaleb(-3),
                at,
                pallets=between(0, 3),
                temperature_class=temps[below(4)],
            )
        elif roll < 0.95:
            day = at.date()
            yield stored(
                c,
                day,
                datetime.combine(day, datetime.min.time(), tzinfo=UTC),
                f"whs_{i}",  # one snapshot line per event (a warehouse per line, for the key)
                temps[below(4)],
                between(10, 5000),
                Decimal(between(100, 90_000)).scaleb(-3),
            )
        else:
            name = services[below(4)]
            amount = Decimal(between(1_000, 90_000)).scaleb(-2) if name == "cod" else None
            yield service_used(
                c, SourceType.ORDER, f"ord_{i}", name, Decimal(between(1, 3)), amount, at
            )


def cpu_seconds() -> float:
    """CPU time of this process (SQLite runs in it): what the work costs, whatever the load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(db: Database, n: int, seed: int, invoice: bool = True) -> dict[str, Any]:
    rt, tenant, customers = prepare(db, seed)
    rss_before = peak_rss_mb()
    cpu = cpu_seconds()
    with Stopwatch() as rating:
        rated = bulk.rate_activities(rt.uow(tenant.id), events(n, customers, seed))
    rating_cpu, cpu = cpu_seconds() - cpu, cpu_seconds()
    rss_rated = peak_rss_mb()
    with Stopwatch() as invoicing_time:
        issued = invoicing.issue_invoices(rt.uow(tenant.id), *MONTH) if invoice else []
    invoicing_cpu = cpu_seconds() - cpu
    total = rating.seconds + invoicing_time.seconds
    invoiced = sum((i.subtotal for i in issued), Decimal(0))
    wrong = billing_audit.problems(db, tenant.id, rated, issued, invoice)
    for problem in wrong:
        console.print(f"[red]invalid run: {problem}[/red]")
    return {
        "valid": not wrong,
        "events": rated.activities,
        "charge_lines": rated.lines,
        "unrated_lines": rated.unrated,
        "invoices": len(issued),
        "invoiced_subtotal": str(invoiced),
        "rating_seconds": round(rating.seconds, 2),
        "events_per_second": round(rated.activities / rating.seconds),
        "rating_cpu_seconds": round(rating_cpu, 2),
        "invoicing_seconds": round(invoicing_time.seconds, 2),
        "invoicing_cpu_seconds": round(invoicing_cpu, 2),
        "load_average": os.getloadavg()[0],
        "total_seconds": round(total, 2),
        "peak_rss_mb": {
            "after_setup": round(rss_before),
            "after_rating": round(rss_rated),
            "after_invoicing": round(peak_rss_mb()),
        },
    }


@contextmanager
def database(url: str | None) -> Iterator[Database | None]:
    if url is None:
        with sqlite_database() as db:
            yield db
    elif url == "postgresql":
        with postgres_database() as pg:
            yield pg
    else:
        db = connect(url)
        schema.create_all(db)
        try:
            yield db
        finally:
            db.dispose()


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--events", type=int, default=None, help="default 1,000,000 (quick 50,000)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--db", default=None, help="'postgresql' (a throw-away one) or a URL")
    parser.add_argument(
        "--no-invoicing", action="store_true", help="rate only (measure invoicing separately)"
    )
    args = parser.parse_args()
    n = args.events or (50_000 if args.quick else 1_000_000)
    with database(args.db) as db:
        if db is None:
            raise SystemExit("no database")
        console.print(f"rating {n:,} events on {db.dialect} ...")
        figures = run(db, n, args.seed, invoice=not args.no_invoicing)
        dialect = db.dialect
    figures["database"] = dialect
    figures["target_seconds"] = TARGET_SECONDS
    ok = figures["valid"] and figures["total_seconds"] < TARGET_SECONDS
    cpu = round(figures["rating_cpu_seconds"] + figures["invoicing_cpu_seconds"], 2)
    rows = [
        (f"{dialect}: events rated", f"{figures['events']:,}", "1,000,000", ""),
        (
            "charge lines (unrated)",
            f"{figures['charge_lines']:,} ({figures['unrated_lines']:,})",
            "",
            "",
        ),
        (
            "rating: wall s, CPU s (events/s)",
            f"{figures['rating_seconds']}, {figures['rating_cpu_seconds']}"
            f" ({figures['events_per_second']:,})",
            "",
            "",
        ),
        (
            "invoicing: wall s, CPU s (invoices)",
            f"{figures['invoicing_seconds']}, {figures['invoicing_cpu_seconds']}"
            f" ({figures['invoices']})",
            "",
            "",
        ),
        ("load average (1 min)", f"{figures['load_average']:.1f}", "2 cores", ""),
        ("total wall s", str(figures["total_seconds"]), f"< {TARGET_SECONDS:.0f}", verdict(ok)),
        ("total CPU s", str(cpu), f"< {TARGET_SECONDS:.0f}", verdict(cpu < TARGET_SECONDS)),
        ("peak RSS MB", str(figures["peak_rss_mb"]["after_invoicing"]), "report", ""),
        ("run checked (lines stored, each billed once, invoices add up)",
         "valid" if figures["valid"] else "INVALID", "valid", verdict(figures["valid"])),
    ]  # fmt: skip
    report("billing", rows, figures, args.json)
    if not figures["valid"]:
        raise SystemExit("the run is not valid (see above)")


if __name__ == "__main__":
    main()
