"""O's use cases for delivery promises: warehouse promise profiles and holiday calendars, the
quote before placing, the promise recorded when an order is placed, the actual delivery noted
against it, and the on-time rate per service level."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from otwb.orders import delivery_repo, promise_repo, repo
from otwb.orders.calendar import Holiday, WorkingCalendar
from otwb.orders.delivery_options import DeliveryOptions
from otwb.orders.events import DeliveryPromised
from otwb.orders.promise import (
    OnTimeRate,
    Promise,
    PromiseLevel,
    PromiseProfile,
    on_time_rates,
    promise_for,
)
from otwb.orders.promise_repo import RecordedPromise
from otwb.platform.errors import InvalidInput, NotFound
from otwb.platform.geo import GeoPoint, haversine_km
from otwb.platform.ids import OrderId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import service as warehouse
from otwb.warehouse.model import Warehouse

log = logging.getLogger("otwb.orders.promise")


class NoPromiseProfile(NotFound):
    code = "no_promise_profile"
    title = "No warehouse promises deliveries"


# -- profiles and calendars -------------------------------------------------------------------
def set_profile(uow: UnitOfWork, warehouse_id: WarehouseId, profile: PromiseProfile) -> Warehouse:
    """Create or replace how ``warehouse_id`` promises deliveries."""
    with uow:
        site = warehouse.get_warehouse(uow, warehouse_id)  # NotFound for an unknown warehouse
        promise_repo.save_profile(uow, site.id, profile, uow.clock.now())
        uow.commit()
    return site


def warehouse_by_code(uow: UnitOfWork, code: str) -> Warehouse:
    with uow:
        found = [w for w in warehouse.list_warehouses(uow) if w.code == code.strip()]
    if not found:
        raise NotFound(f"no warehouse {code!r}")
    return found[0]


def list_profiles(uow: UnitOfWork) -> list[tuple[Warehouse, PromiseProfile]]:
    with uow:
        sites = {w.id: w for w in warehouse.list_warehouses(uow)}
        return [(sites[w], p) for w, p in promise_repo.profiles(uow).items()]


def load_holidays(uow: UnitOfWork, holidays: Sequence[Holiday]) -> tuple[int, int]:
    """Add holidays (a country's, or a warehouse's closing days); a known day is renamed.
    Returns (added, renamed)."""
    with uow:
        result = promise_repo.save_holidays(uow, holidays)
        uow.commit()
    return result


def list_holidays(
    uow: UnitOfWork, since: date | None = None, until: date | None = None
) -> list[Holiday]:
    with uow:
        return promise_repo.list_holidays(uow, since, until)


class PromisingSites:
    """The warehouses that promise deliveries, their profiles and working calendars -- read once
    per unit of work (a batch of orders asks the same questions of every order)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.profiles = promise_repo.profiles(uow)
        self._sites: list[Warehouse] | None = None
        self._calendars: dict[WarehouseId, WorkingCalendar] = {}

    def site(self, ship_to: GeoPoint, warehouse_id: WarehouseId | None) -> Warehouse:
        """The given warehouse, else the nearest one with a promise profile."""
        if warehouse_id is not None:
            site = warehouse.get_warehouse(self._uow, warehouse_id)
            if site.id not in self.profiles:
                raise NoPromiseProfile(f"warehouse {site.code} has no promise profile")
            return site
        if self._sites is None:
            self._sites = [w for w in warehouse.list_warehouses(self._uow) if w.id in self.profiles]
        if not self._sites:
            raise NoPromiseProfile("no warehouse has a promise profile yet")
        return min(self._sites, key=lambda w: (haversine_km(w.point, ship_to), w.code))

    def calendar(self, site: Warehouse) -> WorkingCalendar:
        found = self._calendars.get(site.id)
        if found is None:
            profile = self.profiles[site.id]
            closed = promise_repo.closed_days(self._uow, profile.country, site.code)
            found = self._calendars[site.id] = WorkingCalendar.of(profile.working_days, closed)
        return found


# -- quotes -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Quote:
    warehouse: Warehouse
    distance_km: float
    promise: Promise


def quote_in(
    uow: UnitOfWork,
    ship_to: GeoPoint,
    levels: Sequence[PromiseLevel] | None,
    at: datetime,
    warehouse_id: WarehouseId | None = None,
    sites: PromisingSites | None = None,
) -> list[Quote]:
    """Inside an open unit of work: the promise of each level (all offered ones when ``levels``
    is None; ``ServiceLevelUnavailable`` for a level asked for but not offered). ``sites``: the
    promising sites already read in this unit of work (a batch), else they are read here."""
    sites = sites or PromisingSites(uow)
    site = sites.site(ship_to, warehouse_id)
    profile = sites.profiles[site.id]
    km = round(haversine_km(site.point, ship_to), 1)
    calendar = sites.calendar(site)
    wanted = profile.offered(km) if levels is None else levels
    return [Quote(site, km, promise_for(profile, calendar, level, at, km)) for level in wanted]


def quote(
    uow: UnitOfWork,
    ship_to: GeoPoint,
    level: PromiseLevel | None = None,
    warehouse_id: WarehouseId | None = None,
    at: datetime | None = None,
) -> list[Quote]:
    """The promise shown at order time, before placing: for ``level``, or every level offered
    to the ship-to. ``at`` defaults to now."""
    with uow:
        when = at or uow.clock.now()
        if when.tzinfo is None:
            raise InvalidInput("the quote time needs a time zone", field="at")
        return quote_in(uow, ship_to, None if level is None else [level], when, warehouse_id)


# -- each order's promise, and its outcome ----------------------------------------------------
def record_promises_in(uow: UnitOfWork, made: Sequence[tuple[OrderId, Quote, datetime]]) -> None:
    """Inside an open unit of work: store the promise made to each order (order, quote, quoted
    at) and publish it."""
    recorded = []
    for order_id, q, at in made:
        p = q.promise
        recorded.append(
            RecordedPromise(
                order_id, q.warehouse.id, p.level, p.zone, p.delivery_day, p.promised_by, at,
                delivered_at=None, on_time=None,
            )
        )  # fmt: skip
    promise_repo.insert_promises(uow, recorded)
    for order_id, q, _ in made:
        p = q.promise
        uow.record(
            DeliveryPromised(
                order_id=order_id,
                warehouse_id=q.warehouse.id,
                level=p.level.value,
                zone=p.zone.value,
                delivery_day=p.delivery_day,
                promised_by=p.promised_by,
            )
        )


def get_promise(uow: UnitOfWork, order_id: OrderId) -> RecordedPromise:
    with uow:
        found = promise_repo.promises_of(uow, [order_id]).get(order_id)
    if found is None:
        raise NotFound(f"no promise recorded for order {order_id}")
    return found


def record_deliveries(uow: UnitOfWork, delivered: Sequence[tuple[OrderId, datetime]]) -> int:
    """T reports deliveries: each is noted against its order's promise (once). Returns how many
    promises got their outcome."""
    with uow:
        done = sum(promise_repo.record_delivery(uow, o, at) for o, at in delivered)
        uow.commit()
    return done


def on_time_report(
    uow: UnitOfWork,
    since: datetime | None = None,
    until: datetime | None = None,
    warehouse_id: WarehouseId | None = None,
) -> list[OnTimeRate]:
    """On-time delivery rate per service level, over deliveries in [since, until)."""
    if since is not None and until is not None and until <= since:
        raise InvalidInput("the period must end after it starts", field="until")
    with uow:
        return on_time_rates(promise_repo.outcomes(uow, since, until, warehouse_id))


# -- orders placed without a checkout ---------------------------------------------------------
@dataclass(frozen=True)
class PlacedOrder:
    """What a promise needs of an order placed through the plain order capture."""

    order_id: OrderId
    level: PromiseLevel
    ship_to: GeoPoint
    placed_at: datetime
    window_end: datetime | None


def promise_placed_orders(uow: UnitOfWork, placed: Sequence[PlacedOrder]) -> int:
    """Give every newly placed order that has none its promise and its delivery options (home
    delivery and a tracking token). Without any warehouse profile no promise is made; an order
    whose level is not offered at its address gets a ``no_promise`` note on its timeline.
    Returns how many promises were made."""
    with uow:
        ids = [p.order_id for p in placed]
        have_options = delivery_repo.orders_with_options(uow, ids)
        promised = promise_repo.promises_of(uow, ids)
        now = uow.clock.now()
        delivery_repo.insert_options(
            uow,
            [
                DeliveryOptions.home(p.order_id, now)
                for p in placed
                if p.order_id not in have_options
            ],
        )
        sites = PromisingSites(uow)
        made: list[tuple[OrderId, Quote, datetime]] = []
        for p in placed:
            if p.order_id in promised:
                continue
            try:
                [q] = quote_in(uow, p.ship_to, [p.level], p.placed_at, sites=sites)
            except NoPromiseProfile:
                break  # this tenant does not promise delivery dates
            except InvalidInput as exc:
                log.info("order %s: no promise: %s", p.order_id, exc.detail)
                repo.add_timeline(uow, p.order_id, now, "no_promise", exc.detail)
                continue
            if p.window_end is not None and p.window_end > q.promise.promised_by:
                local = p.window_end.astimezone(q.promise.ordered_local.tzinfo)
                q = replace(
                    q,
                    promise=replace(q.promise, delivery_day=local.date(), promised_by=p.window_end),
                )
            made.append((p.order_id, q, p.placed_at))
        record_promises_in(uow, made)
        uow.commit()
    return len(made)
