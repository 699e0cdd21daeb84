"""O's HTTP routes for delivery promises: warehouse promise profiles, holidays, quotes, each
order's promise and the on-time report. Thin: schemas in, service call, schemas out."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from otwb.orders import promise_service
from otwb.orders.api_schemas import Strict
from otwb.orders.calendar import Holiday, HolidayScope, parse_weekdays
from otwb.orders.promise import OnTimeRate, PromiseLevel, PromiseProfile
from otwb.orders.promise_repo import RecordedPromise
from otwb.orders.promise_service import Quote
from otwb.platform.geo import GeoPoint
from otwb.platform.http import Operator, Reader
from otwb.platform.ids import OrderId, WarehouseId

router = APIRouter(tags=["delivery promises and options"])
HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


def clock_time(text: str) -> time:
    return time.fromisoformat(text)


# -- profiles and holidays --------------------------------------------------------------------
class ProfileIn(Strict):
    time_zone: str = Field(min_length=1, max_length=64, examples=["Europe/Paris"])
    country: str = Field(pattern="^[A-Za-z]{2}$")
    working_days: str = Field(default="12345", description="ISO weekday digits, Monday = 1")
    same_day_cutoff: str = Field(default="11:00", pattern=HHMM)
    late_cutoff: str = Field(default="23:00", pattern=HHMM)
    cutoff: str = Field(default="15:00", pattern=HHMM)
    processing_days: int = Field(default=0, ge=0, le=10)
    standard_transit_days: int = Field(default=2, ge=1, le=30)
    morning_end: str = Field(default="12:00", pattern=HHMM)
    delivery_end: str = Field(default="20:00", pattern=HHMM)
    local_km: float = Field(default=50.0, gt=0, le=20000)
    regional_km: float = Field(default=250.0, gt=0, le=20000)

    def profile(self) -> PromiseProfile:
        return PromiseProfile(
            self.time_zone, self.country.upper(), parse_weekdays(self.working_days),
            clock_time(self.same_day_cutoff), clock_time(self.late_cutoff), clock_time(self.cutoff),
            self.processing_days, self.standard_transit_days, clock_time(self.morning_end),
            clock_time(self.delivery_end), self.local_km, self.regional_km,
        )  # fmt: skip


class ProfileOut(ProfileIn):
    warehouse_id: str
    warehouse_code: str

    @classmethod
    def of(cls, warehouse_id: str, code: str, p: PromiseProfile) -> ProfileOut:
        return cls(
            warehouse_id=warehouse_id, warehouse_code=code, time_zone=p.time_zone,
            country=p.country, working_days="".join(str(d) for d in sorted(p.working_days)),
            same_day_cutoff=f"{p.same_day_cutoff:%H:%M}", late_cutoff=f"{p.late_cutoff:%H:%M}",
            cutoff=f"{p.cutoff:%H:%M}", processing_days=p.processing_days,
            standard_transit_days=p.standard_transit_days, morning_end=f"{p.morning_end:%H:%M}",
            delivery_end=f"{p.delivery_end:%H:%M}", local_km=p.local_km, regional_km=p.regional_km,
        )  # fmt: skip


class HolidayIn(Strict):
    scope: HolidayScope
    code: str = Field(min_length=1, max_length=32, description="Country (FR) or warehouse code")
    day: date
    name: str = Field(min_length=1, max_length=100)


class HolidaysLoaded(BaseModel):
    added: int
    renamed: int


@router.put("/warehouses/{warehouse_id}/promise-profile", response_model=ProfileOut)
def set_profile(warehouse_id: str, body: ProfileIn, caller: Operator) -> ProfileOut:
    profile = body.profile()
    site = promise_service.set_profile(caller.uow(), WarehouseId(warehouse_id), profile)
    return ProfileOut.of(site.id, site.code, profile)


@router.get("/promise-profiles", response_model=list[ProfileOut])
def list_profiles(caller: Reader) -> list[ProfileOut]:
    return [
        ProfileOut.of(w.id, w.code, p) for w, p in promise_service.list_profiles(caller.reader())
    ]


@router.post("/holidays", response_model=HolidaysLoaded)
def load_holidays(
    body: Annotated[list[HolidayIn], Field(min_length=1, max_length=5000)], caller: Operator
) -> HolidaysLoaded:
    days = [
        Holiday(
            h.scope, h.code.upper() if h.scope is HolidayScope.COUNTRY else h.code, h.day, h.name
        )
        for h in body
    ]
    added, renamed = promise_service.load_holidays(caller.uow(), days)
    return HolidaysLoaded(added=added, renamed=renamed)


@router.get("/holidays", response_model=list[HolidayIn])
def list_holidays(
    caller: Reader, since: date | None = None, until: date | None = None
) -> list[HolidayIn]:
    return [
        HolidayIn(scope=h.scope, code=h.code, day=h.day, name=h.name)
        for h in promise_service.list_holidays(caller.reader(), since, until)
    ]


# -- quotes, promises, on-time ----------------------------------------------------------------
class PointIn(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class QuoteIn(Strict):
    ship_to: PointIn
    service_level: PromiseLevel | None = Field(default=None, description="All offered if absent")
    warehouse_id: str | None = None
    at: AwareDatetime | None = Field(default=None, description="Order time; now if absent")


class PromiseOut(BaseModel):
    service_level: PromiseLevel
    zone: str
    warehouse_id: str
    delivery_day: date
    promised_by: datetime


class QuoteOut(PromiseOut):
    warehouse_code: str
    distance_km: float
    ship_day: date

    @classmethod
    def of(cls, q: Quote) -> QuoteOut:
        p = q.promise
        return cls(
            service_level=p.level, zone=p.zone.value, warehouse_id=q.warehouse.id,
            warehouse_code=q.warehouse.code, distance_km=q.distance_km, ship_day=p.ship_day,
            delivery_day=p.delivery_day, promised_by=p.promised_by,
        )  # fmt: skip


class OrderPromiseOut(PromiseOut):
    order_id: str
    delivered_at: datetime | None
    on_time: bool | None

    @classmethod
    def of(cls, r: RecordedPromise) -> OrderPromiseOut:
        return cls(
            order_id=r.order_id, service_level=r.level, zone=r.zone.value,
            warehouse_id=r.warehouse_id, delivery_day=r.delivery_day, promised_by=r.promised_by,
            delivered_at=r.delivered_at, on_time=r.on_time,
        )  # fmt: skip


class OnTimeOut(BaseModel):
    service_level: PromiseLevel
    delivered: int
    on_time: int
    late: int
    rate: float
    mean_late_hours: float

    @classmethod
    def of(cls, r: OnTimeRate) -> OnTimeOut:
        return cls(
            service_level=r.level, delivered=r.delivered, on_time=r.on_time, late=r.late,
            rate=round(r.rate, 4), mean_late_hours=r.mean_late_hours,
        )  # fmt: skip


@router.post("/promises:quote", response_model=list[QuoteOut])
def quote(body: QuoteIn, caller: Reader) -> list[QuoteOut]:
    quotes = promise_service.quote(
        caller.reader(), GeoPoint(body.ship_to.lat, body.ship_to.lon), body.service_level,
        WarehouseId(body.warehouse_id) if body.warehouse_id else None, body.at,
    )  # fmt: skip
    return [QuoteOut.of(q) for q in quotes]


@router.get("/orders/{order_id}/promise", response_model=OrderPromiseOut)
def order_promise(order_id: str, caller: Reader) -> OrderPromiseOut:
    return OrderPromiseOut.of(promise_service.get_promise(caller.reader(), OrderId(order_id)))


@router.get("/promises/on-time", response_model=list[OnTimeOut])
def on_time(
    caller: Reader,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    warehouse_id: str | None = None,
) -> list[OnTimeOut]:
    wh = WarehouseId(warehouse_id) if warehouse_id else None
    rates = promise_service.on_time_report(caller.reader(), since, until, wh)
    return [OnTimeOut.of(r) for r in rates]
