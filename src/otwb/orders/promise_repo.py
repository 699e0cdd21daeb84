"""Reading and writing promise profiles, holidays and each order's promise (SQLAlchemy Core),
always within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, insert, or_, select, update

from otwb.orders.calendar import Holiday, HolidayScope, format_weekdays, parse_weekdays
from otwb.orders.promise import Outcome, PromiseLevel, PromiseProfile, Zone
from otwb.orders.promise_tables import order_promises, promise_holidays, promise_profiles
from otwb.platform.bulk import RowWriter
from otwb.platform.ids import OrderId, WarehouseId
from otwb.platform.uow import UnitOfWork


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


# -- promise profiles -------------------------------------------------------------------------
def _profile(r: Any) -> PromiseProfile:
    return PromiseProfile(
        time_zone=r.time_zone,
        country=r.country,
        working_days=parse_weekdays(r.working_days),
        same_day_cutoff=_time(r.same_day_cutoff_min),
        late_cutoff=_time(r.late_cutoff_min),
        cutoff=_time(r.cutoff_min),
        processing_days=r.processing_days,
        standard_transit_days=r.standard_transit_days,
        morning_end=_time(r.morning_end_min),
        delivery_end=_time(r.delivery_end_min),
        local_km=r.local_km,
        regional_km=r.regional_km,
    )


def profiles(uow: UnitOfWork) -> dict[WarehouseId, PromiseProfile]:
    rows = uow.conn.execute(
        select(promise_profiles)
        .where(promise_profiles.c.tenant_id == uow.tenant_id)
        .order_by(promise_profiles.c.warehouse_id)
    )
    return {WarehouseId(r.warehouse_id): _profile(r) for r in rows}


def save_profile(
    uow: UnitOfWork, warehouse_id: WarehouseId, p: PromiseProfile, now: datetime
) -> None:
    values = {
        "time_zone": p.time_zone,
        "country": p.country.upper(),
        "working_days": format_weekdays(p.working_days),
        "same_day_cutoff_min": _minutes(p.same_day_cutoff),
        "late_cutoff_min": _minutes(p.late_cutoff),
        "cutoff_min": _minutes(p.cutoff),
        "processing_days": p.processing_days,
        "standard_transit_days": p.standard_transit_days,
        "morning_end_min": _minutes(p.morning_end),
        "delivery_end_min": _minutes(p.delivery_end),
        "local_km": p.local_km,
        "regional_km": p.regional_km,
        "updated_at": now,
    }
    mine = and_(
        promise_profiles.c.tenant_id == uow.tenant_id,
        promise_profiles.c.warehouse_id == warehouse_id,
    )
    if uow.conn.execute(update(promise_profiles).where(mine).values(**values)).rowcount == 0:
        uow.conn.execute(
            insert(promise_profiles).values(
                id=uow.ids.new("ppr"), tenant_id=uow.tenant_id, warehouse_id=warehouse_id, **values
            )
        )


# -- holidays ---------------------------------------------------------------------------------
def save_holidays(uow: UnitOfWork, holidays: Sequence[Holiday]) -> tuple[int, int]:
    """Insert new holidays, rename known ones; (added, renamed)."""
    added = renamed = 0
    for h in holidays:
        key = and_(
            promise_holidays.c.tenant_id == uow.tenant_id,
            promise_holidays.c.scope == h.scope.value,
            promise_holidays.c.code == h.code,
            promise_holidays.c.day == h.day,
        )
        name = uow.conn.execute(select(promise_holidays.c.name).where(key)).scalar_one_or_none()
        if name is None:
            uow.conn.execute(
                insert(promise_holidays).values(
                    id=uow.ids.new("hol"),
                    tenant_id=uow.tenant_id,
                    scope=h.scope.value,
                    code=h.code,
                    day=h.day,
                    name=h.name,
                )
            )
            added += 1
        elif name != h.name:
            uow.conn.execute(update(promise_holidays).where(key).values(name=h.name))
            renamed += 1
    return added, renamed


def list_holidays(
    uow: UnitOfWork, since: date | None = None, until: date | None = None
) -> list[Holiday]:
    q = select(promise_holidays).where(promise_holidays.c.tenant_id == uow.tenant_id)
    if since is not None:
        q = q.where(promise_holidays.c.day >= since)
    if until is not None:
        q = q.where(promise_holidays.c.day < until)
    rows = uow.conn.execute(
        q.order_by(promise_holidays.c.day, promise_holidays.c.scope, promise_holidays.c.code)
    )
    return [Holiday(HolidayScope(r.scope), r.code, r.day, r.name) for r in rows]


def closed_days(uow: UnitOfWork, country: str, warehouse_code: str) -> set[date]:
    """The holidays of the country and the closing days of the warehouse."""
    rows = uow.conn.execute(
        select(promise_holidays.c.day).where(
            promise_holidays.c.tenant_id == uow.tenant_id,
            or_(
                and_(
                    promise_holidays.c.scope == HolidayScope.COUNTRY.value,
                    promise_holidays.c.code == country.upper(),
                ),
                and_(
                    promise_holidays.c.scope == HolidayScope.WAREHOUSE.value,
                    promise_holidays.c.code == warehouse_code,
                ),
            ),
        )
    )
    return {r.day for r in rows}


# -- each order's promise ---------------------------------------------------------------------
_INSERT_PROMISES = RowWriter.insert(
    order_promises,
    [
        "order_id", "tenant_id", "warehouse_id", "level", "zone", "delivery_day", "promised_by",
        "quoted_at",
    ],
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RecordedPromise:
    order_id: OrderId
    warehouse_id: WarehouseId
    level: PromiseLevel
    zone: Zone
    delivery_day: date
    promised_by: datetime
    quoted_at: datetime
    delivered_at: datetime | None
    on_time: bool | None


def insert_promises(uow: UnitOfWork, made: Sequence[RecordedPromise]) -> None:
    """Store the promises made to orders (one statement for the lot)."""
    tenant = uow.tenant_id
    _INSERT_PROMISES.execute(
        uow.conn,
        [
            (
                p.order_id, tenant, p.warehouse_id, p.level.value, p.zone.value, p.delivery_day,
                p.promised_by, p.quoted_at,
            )
            for p in made
        ],
    )  # fmt: skip


def _recorded(r: Any) -> RecordedPromise:
    return RecordedPromise(
        OrderId(r.order_id),
        WarehouseId(r.warehouse_id),
        PromiseLevel(r.level),
        Zone(r.zone),
        r.delivery_day,
        r.promised_by,
        r.quoted_at,
        r.delivered_at,
        r.on_time,
    )


def promises_of(uow: UnitOfWork, order_ids: Sequence[OrderId]) -> dict[OrderId, RecordedPromise]:
    if not order_ids:
        return {}
    rows = uow.conn.execute(
        select(order_promises).where(
            order_promises.c.tenant_id == uow.tenant_id,
            order_promises.c.order_id.in_(list(order_ids)),
        )
    )
    return {OrderId(r.order_id): _recorded(r) for r in rows}


def record_delivery(uow: UnitOfWork, order_id: OrderId, delivered_at: datetime) -> bool:
    """Note the actual delivery against the promise, once; False if none is pending."""
    promised_by = uow.conn.execute(
        select(order_promises.c.promised_by).where(
            order_promises.c.tenant_id == uow.tenant_id,
            order_promises.c.order_id == order_id,
            order_promises.c.delivered_at.is_(None),
        )
    ).scalar_one_or_none()
    if promised_by is None:
        return False
    uow.conn.execute(
        update(order_promises)
        .where(
            order_promises.c.tenant_id == uow.tenant_id,
            order_promises.c.order_id == order_id,
            order_promises.c.delivered_at.is_(None),
        )
        .values(delivered_at=delivered_at, on_time=delivered_at <= promised_by)
    )
    return True


def outcomes(
    uow: UnitOfWork,
    since: datetime | None,
    until: datetime | None,
    warehouse_id: WarehouseId | None = None,
) -> list[Outcome]:
    q = select(order_promises.c.level, order_promises.c.promised_by, order_promises.c.delivered_at)
    q = q.where(
        order_promises.c.tenant_id == uow.tenant_id, order_promises.c.delivered_at.is_not(None)
    )
    if since is not None:
        q = q.where(order_promises.c.delivered_at >= since)
    if until is not None:
        q = q.where(order_promises.c.delivered_at < until)
    if warehouse_id is not None:
        q = q.where(order_promises.c.warehouse_id == warehouse_id)
    return [
        Outcome(PromiseLevel(r.level), r.promised_by, r.delivered_at) for r in uow.conn.execute(q)
    ]
