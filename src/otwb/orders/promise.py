"""Delivery promises: when an order will be delivered, decided at order time. Pure.

The promise is a function of the order time in the warehouse's time zone, the warehouse's
cut-offs, its processing time, the transit time of the service level to the ship-to's zone, and
the warehouse's working calendar (weekdays and holidays):

1. *Release day*: the order day if it is a working day and the order came by the level's cut-off,
   else the next working day (an order after the cut-off or on a closed day counts as placed
   first thing on the next working day).
2. *Ship day*: the release day plus the warehouse's processing days (working days).
3. *Delivery day*: the ship day plus the level's transit (working days):

   =========  ==============================================  ============  ===============
   level      cut-off                                         transit       promised by
   =========  ==============================================  ============  ===============
   same_day   ``same_day_cutoff`` (11:00)                      0             ``delivery_end``
   211        by ``same_day_cutoff`` (11:00)                  0 (same day)  ``delivery_end``
              by ``late_cutoff`` (23:00)                      1 (next day)  ``morning_end``
   next_day   ``cutoff`` (15:00)                              1             ``delivery_end``
   standard   ``cutoff`` (15:00)                              N + zone      ``delivery_end``
   =========  ==============================================  ============  ===============

Zones are distance bands from the warehouse: *local* (up to ``local_km``), *regional* (up to
``regional_km``), *national* beyond. Same-day and 211 are offered locally only, next-day up to
the regional band; standard everywhere, with 0 / 1 / 2 extra transit days by zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from otwb.orders.calendar import WorkingCalendar
from otwb.platform.errors import InvalidInput


class PromiseLevel(StrEnum):
    SAME_DAY = "same_day"
    TWO_ELEVEN = "211"
    NEXT_DAY = "next_day"
    STANDARD = "standard"


class Zone(StrEnum):
    LOCAL = "local"
    REGIONAL = "regional"
    NATIONAL = "national"


ZONE_EXTRA_DAYS = {Zone.LOCAL: 0, Zone.REGIONAL: 1, Zone.NATIONAL: 2}
OFFERED_IN: dict[PromiseLevel, frozenset[Zone]] = {
    PromiseLevel.SAME_DAY: frozenset({Zone.LOCAL}),
    PromiseLevel.TWO_ELEVEN: frozenset({Zone.LOCAL}),
    PromiseLevel.NEXT_DAY: frozenset({Zone.LOCAL, Zone.REGIONAL}),
    PromiseLevel.STANDARD: frozenset(Zone),
}


class ServiceLevelUnavailable(InvalidInput):
    code = "service_level_unavailable"
    title = "The service level is not offered to this address"


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown time zone {name!r} (an IANA name such as 'Europe/Paris')", field="time_zone"
        ) from None


@dataclass(frozen=True, slots=True)
class PromiseProfile:
    """How a warehouse promises: its clock, cut-offs, processing and transit times."""

    time_zone: str
    country: str
    working_days: frozenset[int]
    same_day_cutoff: time = time(11, 0)
    late_cutoff: time = time(23, 0)
    cutoff: time = time(15, 0)
    processing_days: int = 0
    standard_transit_days: int = 2
    morning_end: time = time(12, 0)
    delivery_end: time = time(20, 0)
    local_km: float = 50.0
    regional_km: float = 250.0

    def __post_init__(self) -> None:
        time_zone(self.time_zone)
        if len(self.country) != 2 or not self.country.isalpha():
            raise InvalidInput("country must be an ISO 3166 alpha-2 code", field="country")
        if not self.same_day_cutoff <= self.late_cutoff:
            raise InvalidInput("the same-day cut-off must not be after the late cut-off")
        if not 0 <= self.processing_days <= 10:
            raise InvalidInput("processing days must be within 0..10", field="processing_days")
        if not 1 <= self.standard_transit_days <= 30:
            raise InvalidInput("standard transit must be 1..30 working days")
        if not self.morning_end < self.delivery_end:
            raise InvalidInput("the morning round must end before the delivery day ends")
        if not 0 < self.local_km < self.regional_km:
            raise InvalidInput("zones need 0 < local_km < regional_km")

    @property
    def zone_info(self) -> ZoneInfo:
        return time_zone(self.time_zone)

    def zone_of(self, distance_km: float) -> Zone:
        if distance_km <= self.local_km:
            return Zone.LOCAL
        if distance_km <= self.regional_km:
            return Zone.REGIONAL
        return Zone.NATIONAL

    def offered(self, distance_km: float) -> list[PromiseLevel]:
        zone = self.zone_of(distance_km)
        return [level for level in PromiseLevel if zone in OFFERED_IN[level]]


@dataclass(frozen=True, slots=True)
class Promise:
    level: PromiseLevel
    zone: Zone
    ordered_local: datetime
    release_day: date
    ship_day: date
    delivery_day: date
    promised_by: datetime
    """The latest delivery time promised, in UTC."""


def promise_for(
    profile: PromiseProfile,
    calendar: WorkingCalendar,
    level: PromiseLevel,
    ordered_at: datetime,
    distance_km: float,
) -> Promise:
    """The delivery promised for an order placed at ``ordered_at`` ``distance_km`` away."""
    if ordered_at.tzinfo is None:
        raise InvalidInput("the order time needs a time zone")
    zone = profile.zone_of(distance_km)
    if zone not in OFFERED_IN[level]:
        raise ServiceLevelUnavailable(
            f"{level.value} is not offered in the {zone.value} zone ({distance_km:.0f} km from"
            " the warehouse)",
            level=level.value,
            zone=zone.value,
            offered=[x.value for x in profile.offered(distance_km)],
        )
    tz = profile.zone_info
    local = ordered_at.astimezone(tz)
    day, clock = local.date(), local.time()
    open_today = calendar.is_working(day)
    by = profile.delivery_end

    def release(cutoff: time) -> date:
        return day if open_today and clock <= cutoff else calendar.next_working_after(day)

    if level is PromiseLevel.TWO_ELEVEN:
        late = open_today and profile.same_day_cutoff < clock <= profile.late_cutoff
        released = day if late else release(profile.same_day_cutoff)
        transit = 1 if late else 0
        by = profile.morning_end if late else by
    elif level is PromiseLevel.SAME_DAY:
        released, transit = release(profile.same_day_cutoff), 0
    elif level is PromiseLevel.NEXT_DAY:
        released, transit = release(profile.cutoff), 1
    else:
        released = release(profile.cutoff)
        transit = profile.standard_transit_days + ZONE_EXTRA_DAYS[zone]
    ship = calendar.add_working_days(released, profile.processing_days)
    delivery = calendar.add_working_days(ship, transit)
    promised_by = datetime.combine(delivery, by, tzinfo=tz).astimezone(UTC)
    return Promise(level, zone, local, released, ship, delivery, promised_by)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A promise kept or broken: what was promised, when it was delivered."""

    level: PromiseLevel
    promised_by: datetime
    delivered_at: datetime

    @property
    def on_time(self) -> bool:
        return self.delivered_at <= self.promised_by

    @property
    def late_hours(self) -> float:
        return max(0.0, (self.delivered_at - self.promised_by).total_seconds() / 3600)


@dataclass(frozen=True, slots=True)
class OnTimeRate:
    level: PromiseLevel
    delivered: int
    on_time: int
    mean_late_hours: float
    """Mean lateness of the late deliveries (0 when none was late)."""

    @property
    def late(self) -> int:
        return self.delivered - self.on_time

    @property
    def rate(self) -> float:
        return self.on_time / self.delivered if self.delivered else 0.0


def on_time_rates(outcomes: Iterable[Outcome]) -> list[OnTimeRate]:
    """On-time delivery rate per service level (levels without a delivery are left out)."""
    by_level: dict[PromiseLevel, list[Outcome]] = {}
    for outcome in outcomes:
        by_level.setdefault(outcome.level, []).append(outcome)
    rates = []
    for level in PromiseLevel:
        done = by_level.get(level, [])
        if not done:
            continue
        late = [o.late_hours for o in done if not o.on_time]
        rates.append(
            OnTimeRate(
                level,
                len(done),
                len(done) - len(late),
                round(sum(late) / len(late), 2) if late else 0.0,
            )
        )
    return rates
