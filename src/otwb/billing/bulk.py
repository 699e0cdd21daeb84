"""The bulk rating path: price a stream of activities in one transaction, fast.

For imports, back-fills and re-plays of many W and T events at once (the per-event handlers use
``service.charge_activities``; both price with the same ``CompiledTariff``). Here:

* tariffs and the fuel index are read once; the tariff of each (customer, day) is resolved once
  and compiled once per version;
* activities are consumed as a stream (a generator is fine): rows are built as plain lists and
  inserted with one driver ``executemany`` per chunk of ``charge_repo.BULK_CHUNK`` (10,000),
  so memory stays flat (``charge_repo.BulkInsert``);
* a line whose activity is already charged is skipped (the UNIQUE activity key), so a batch can
  be re-played.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from otwb.billing import charge_repo, tariff_repo
from otwb.billing.charges import KIND_OF, TRANSPORT_BASES, Basis, ChargeStatus, SourceType
from otwb.billing.rating import SURCHARGES, Activity, CompiledTariff, fuel_percent_on, unrated_lines
from otwb.billing.tariff import Tariff, applicable_tariff
from otwb.platform.ids import CustomerId
from otwb.platform.uow import UnitOfWork

KIND = {b: KIND_OF[b].value for b in Basis}
BASIS = {b: b.value for b in Basis}
SOURCE = {s: s.value for s in SourceType}
RATED = ChargeStatus.RATED.value
UNRATED = ChargeStatus.UNRATED.value
WITH_MEASURES = TRANSPORT_BASES | set(SURCHARGES)
SQLITE_CACHE_KIB = -65536
"""64 MiB of SQLite page cache while a bulk transaction runs (negative: KiB), then restored."""


@dataclass(frozen=True)
class BulkRating:
    activities: int
    lines: int
    unrated: int


class _Resolver:
    """The compiled tariff of a (customer, day), each resolved and compiled once."""

    def __init__(self, tariffs: list[Tariff]) -> None:
        self.own: dict[CustomerId | None, list[Tariff]] = {}
        for t in tariffs:
            self.own.setdefault(t.customer_id, []).append(t)
        self.compiled: dict[str, CompiledTariff] = {}
        self.by_day: dict[tuple[CustomerId, date], CompiledTariff | None] = {}

    def __call__(self, customer: CustomerId, day: date) -> CompiledTariff | None:
        key = (customer, day)
        if key in self.by_day:
            return self.by_day[key]
        candidates = self.own.get(customer, []) + self.own.get(None, [])
        tariff = applicable_tariff(candidates, customer, day)
        compiled = None
        if tariff is not None:
            compiled = self.compiled.get(tariff.id)
            if compiled is None:
                compiled = self.compiled[tariff.id] = CompiledTariff(tariff)
        self.by_day[key] = compiled
        return compiled


def rate_activities(uow: UnitOfWork, activities: Iterable[Activity]) -> BulkRating:
    """Price and record every activity's charge lines, in one transaction (see the module)."""
    count = lines = unrated = 0
    with uow:
        if uow.conn.dialect.name == "sqlite":
            # a bigger page cache for this transaction: fewer index pages spilled and re-read
            previous = int(uow.conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
            uow.conn.exec_driver_sql(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
        resolve = _Resolver(tariff_repo.list_tariffs(uow))
        fuel_entries = tariff_repo.fuel_entries(uow)
        fuel: dict[date, Any] = {}
        tenant = uow.tenant_id
        new_id = uow.ids.new
        insert = charge_repo.BulkInsert(uow)
        to_db = insert.to_db
        quantity, price, money = to_db["quantity"], to_db["unit_price"], to_db["amount"]
        instant, weight, distance = to_db["occurred_at"], to_db["weight_kg"], to_db["distance_km"]
        created = to_db["created_at"](uow.clock.now())
        rows: list[tuple[Any, ...]] = []
        add = rows.append
        for a in activities:
            count += 1
            day = a.occurred_at.date()
            tariff = resolve(a.customer_id, day)
            if tariff is None:
                priced = unrated_lines(a)
            else:
                if day not in fuel:
                    fuel[day] = fuel_percent_on(fuel_entries, day)
                priced = tariff.rate(a, fuel[day])
            customer, source, source_id = a.customer_id, SOURCE[a.source_type], a.source_id
            at, temperature = instant(a.occurred_at), a.temperature_class
            kg, km = weight(a.weight_kg), distance(a.distance_km)
            for line in priced:
                basis = line.basis
                measured = basis in WITH_MEASURES
                if tariff is not None and line.amount is not None:
                    add((new_id("chg"), tenant, customer, KIND[basis], BASIS[basis], source,
                         source_id, quantity(line.quantity), RATED, price(line.unit_price),
                         money(line.amount), tariff.currency, tariff.id, at, created,
                         line.rule_id, line.service, temperature, kg if measured else None,
                         km if measured else None))  # fmt: skip
                else:
                    unrated += 1
                    add((new_id("chg"), tenant, customer, KIND[basis], BASIS[basis], source,
                         source_id, quantity(line.quantity), UNRATED, None, None, None, None,
                         at, created, None, line.service, temperature,
                         kg if measured else None, km if measured else None))  # fmt: skip
            if len(rows) >= charge_repo.BULK_CHUNK:
                lines += len(rows)
                insert(rows)
                rows = []
                add = rows.append
        lines += len(rows)
        insert(rows)
        uow.commit()
        if uow.conn.dialect.name == "sqlite":
            uow.conn.exec_driver_sql(f"PRAGMA cache_size = {previous}")
    return BulkRating(count, lines, unrated)
