"""The bulk rating path: price a stream of activities in one transaction, fast.

For imports, back-fills and re-plays of many W and T events at once (the per-event handlers use
``service.charge_activities``; both price with the same ``CompiledTariff``). Here:

* tariffs and the fuel index are read once; the tariff of each (customer, day) is resolved once
  and compiled once per version;
* what a tariff makes of an activity depends only on a few of its fields (its measures,
  service, temperature class, weight and distance) and the day's fuel %: for an activity of one
  measure -- most events: order lines picked, parcels, a receipt line, a service -- the lines,
  converted to what the database stores, are remembered by those (``_Pricer``; a month repeats
  a few thousand), and a row is the activity's part, the line's and the measures',
  concatenated (``charge_rows``);
* activities are consumed as a stream (a generator is fine): rows are inserted with one driver
  ``executemany`` per ``charge_rows.CHUNK`` (10,000), so memory stays flat;
* a line whose activity is already charged is skipped (the UNIQUE activity key), so a batch can
  be re-played.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from otwb.billing import charge_rows, tariff_repo
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
NO_MEASURES = (None, None)
SQLITE_CACHE_KIB = -65536
"""64 MiB of SQLite page cache while a bulk transaction runs (negative: KiB), then restored."""
MEMO_SIZE = 20_000
"""Priced activities ``_Pricer`` remembers before it starts afresh (memory stays bounded)."""

Priced = tuple[tuple[tuple[tuple[Any, ...], bool], ...], int]
"""An activity's lines as ``charge_rows.LINE_COLUMNS`` values, each with whether it keeps the
shipment's measures; and how many of them are unrated."""


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


class _Pricer:
    """What a tariff makes of an activity, as stored line parts, remembered (see the module)."""

    def __init__(self, to_db: dict[str, Any]) -> None:
        self.quantity, self.price = to_db["quantity"], to_db["unit_price"]
        self.amount = to_db["amount"]
        self.memo: dict[tuple[Any, ...], Priced] = {}

    def __call__(self, tariff: CompiledTariff | None, fuel: Any, a: Activity) -> Priced:
        if len(a.measures) > 1:
            # a delivery's or a storage day's measures are seldom seen twice: remembering them
            # would only make work for the garbage collector (its keys outlive young objects)
            return self._price(tariff, fuel, a)
        key: tuple[Any, ...] = (tariff, fuel, a.measures, a.unrated, a.service)
        key += (a.temperature_class, a.weight_kg, a.distance_km)
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) >= MEMO_SIZE:
                self.memo.clear()
            found = self.memo[key] = self._price(tariff, fuel, a)
        return found

    def _price(self, tariff: CompiledTariff | None, fuel: Any, a: Activity) -> Priced:
        lines = unrated_lines(a) if tariff is None else tariff.rate(a, fuel)
        parts = []
        unrated = 0
        part: tuple[Any, ...]
        for line in lines:
            b = line.basis
            if tariff is not None and line.amount is not None:
                part = (KIND[b], BASIS[b], self.quantity(line.quantity), RATED,
                        self.price(line.unit_price), self.amount(line.amount), tariff.currency,
                        tariff.id, line.rule_id, line.service)  # fmt: skip
            else:
                unrated += 1
                part = (KIND[b], BASIS[b], self.quantity(line.quantity), UNRATED, None, None,
                        None, None, None, line.service)  # fmt: skip
            parts.append((part, b in WITH_MEASURES))
        return tuple(parts), unrated


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
        new_id = uow.ids.stream("chg", charge_rows.CHUNK).__next__
        insert = charge_rows.BulkInsert(uow)
        to_db = insert.to_db
        price = _Pricer(to_db)
        instant, weight, distance = to_db["occurred_at"], to_db["weight_kg"], to_db["distance_km"]
        created = to_db["created_at"](uow.clock.now())
        rows: list[tuple[Any, ...]] = []
        add = rows.append
        for a in activities:
            count += 1
            day = a.occurred_at.date()
            tariff = resolve(a.customer_id, day)
            if day not in fuel:
                fuel[day] = fuel_percent_on(fuel_entries, day)
            parts, not_rated = price(tariff, fuel[day], a)
            unrated += not_rated
            activity = (tenant, a.customer_id, SOURCE[a.source_type], a.source_id,
                        instant(a.occurred_at), created, a.temperature_class)  # fmt: skip
            measures = NO_MEASURES
            if a.weight_kg is not None or a.distance_km is not None:
                measures = (weight(a.weight_kg), distance(a.distance_km))
            for part, measured in parts:
                add((new_id(), *activity, *part, *(measures if measured else NO_MEASURES)))
            if len(rows) >= charge_rows.CHUNK:
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
