"""The delivery promise across cut-offs, weekends, holidays, zones and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from otwb.orders.calendar import (
    Holiday,
    HolidayScope,
    WorkingCalendar,
    format_weekdays,
    parse_weekdays,
)
from otwb.orders.promise import (
    OnTimeRate,
    Outcome,
    PromiseLevel,
    PromiseProfile,
    ServiceLevelUnavailable,
    Zone,
    on_time_rates,
    promise_for,
)
from otwb.platform.errors import InvalidInput

PARIS = ZoneInfo("Europe/Paris")
MON_FRI = frozenset({1, 2, 3, 4, 5})
PROFILE = PromiseProfile(time_zone="Europe/Paris", country="FR", working_days=MON_FRI)
# Wednesday 25 November 2026; Monday 30 November is made a holiday where needed.
WED, THU, FRI, SAT, SUN = (date(2026, 11, d) for d in range(25, 30))
MON = date(2026, 11, 30)
TUE = date(2026, 12, 1)
NEXT_WED = date(2026, 12, 2)
NEXT_THU = date(2026, 12, 3)
PLAIN = WorkingCalendar(MON_FRI)
MONDAY_OFF = WorkingCalendar(MON_FRI, frozenset({MON}))


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """A local Paris time, as the aware datetime an order carries."""
    return datetime.combine(day, time(hh, mm), tzinfo=PARIS)


def local(day: date, hh: int) -> datetime:
    return datetime.combine(day, time(hh), tzinfo=PARIS).astimezone(UTC)


CASES = [
    # level, ordered, calendar, delivery day, promised-by local hour
    ("same_day", at(WED, 9), PLAIN, WED, 20),
    ("same_day", at(WED, 11), PLAIN, WED, 20),  # exactly at the cut-off still counts
    ("same_day", at(WED, 11, 1), PLAIN, THU, 20),
    ("same_day", at(FRI, 16), PLAIN, MON, 20),
    ("same_day", at(SAT, 9), PLAIN, MON, 20),
    ("same_day", at(SAT, 9), MONDAY_OFF, TUE, 20),
    ("211", at(WED, 10, 59), PLAIN, WED, 20),
    ("211", at(WED, 11), PLAIN, WED, 20),
    ("211", at(WED, 11, 1), PLAIN, THU, 12),  # the second cut-off: next morning
    ("211", at(WED, 23), PLAIN, THU, 12),
    ("211", at(WED, 23, 1), PLAIN, THU, 20),  # after 23:00: counts as Thursday morning
    ("211", at(FRI, 14), PLAIN, MON, 12),
    ("211", at(FRI, 14), MONDAY_OFF, TUE, 12),
    ("211", at(FRI, 23, 30), PLAIN, MON, 20),
    ("211", at(FRI, 23, 30), MONDAY_OFF, TUE, 20),
    ("211", at(SUN, 8), PLAIN, MON, 20),
    ("211", at(MON, 10), MONDAY_OFF, TUE, 20),  # ordered on the holiday itself
    ("next_day", at(WED, 14, 59), PLAIN, THU, 20),
    ("next_day", at(WED, 15, 1), PLAIN, FRI, 20),
    ("next_day", at(THU, 16), PLAIN, MON, 20),
    ("next_day", at(FRI, 10), PLAIN, MON, 20),
    ("next_day", at(FRI, 10), MONDAY_OFF, TUE, 20),
    ("next_day", at(FRI, 23, 30), PLAIN, TUE, 20),
    ("next_day", at(FRI, 23, 30), MONDAY_OFF, NEXT_WED, 20),
    ("next_day", at(SAT, 12), PLAIN, TUE, 20),
    ("standard", at(WED, 10), PLAIN, FRI, 20),
    ("standard", at(WED, 16), PLAIN, MON, 20),
    ("standard", at(FRI, 23, 30), PLAIN, NEXT_WED, 20),
    ("standard", at(FRI, 23, 30), MONDAY_OFF, NEXT_THU, 20),
]


@pytest.mark.parametrize(("level", "ordered", "calendar", "day", "hour"), CASES)
def test_promise_across_cut_offs_weekends_and_holidays(level, ordered, calendar, day, hour):
    promise = promise_for(PROFILE, calendar, PromiseLevel(level), ordered, 10.0)
    assert promise.delivery_day == day
    assert promise.promised_by == local(day, hour)
    assert promise.promised_by.tzinfo is UTC


def test_friday_2330_before_a_monday_holiday_ships_and_lands_after_it():
    p = promise_for(PROFILE, MONDAY_OFF, PromiseLevel.NEXT_DAY, at(FRI, 23, 30), 10.0)
    assert (p.release_day, p.ship_day, p.delivery_day) == (TUE, TUE, NEXT_WED)
    assert p.promised_by == datetime(2026, 12, 2, 19, 0, tzinfo=UTC)  # 20:00 in Paris


def test_the_order_time_is_read_in_the_warehouse_time_zone():
    # 10:30 UTC is 11:30 in Paris: past the same-day cut-off there.
    p = promise_for(
        PROFILE, PLAIN, PromiseLevel.SAME_DAY, datetime(2026, 11, 25, 10, 30, tzinfo=UTC), 5
    )
    assert p.delivery_day == THU
    assert p.ordered_local.hour == 11
    ny = PromiseProfile(time_zone="America/New_York", country="US", working_days=MON_FRI)
    # 10:30 UTC is 05:30 in New York: well before the cut-off, delivered the same day.
    q = promise_for(ny, PLAIN, PromiseLevel.SAME_DAY, datetime(2026, 11, 25, 10, 30, tzinfo=UTC), 5)
    assert q.delivery_day == WED
    assert q.promised_by == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 20:00 EST


def test_summer_time_moves_the_promised_instant():
    # Saturday 28 March 2026: the clocks go forward on Sunday; Monday 20:00 is CEST (UTC+2).
    p = promise_for(PROFILE, PLAIN, PromiseLevel.SAME_DAY, at(date(2026, 3, 28), 9), 5)
    assert p.promised_by == datetime(2026, 3, 30, 18, 0, tzinfo=UTC)


def test_processing_days_delay_the_shipment_on_working_days():
    slow = PromiseProfile(
        time_zone="Europe/Paris", country="FR", working_days=MON_FRI, processing_days=2
    )
    p = promise_for(slow, MONDAY_OFF, PromiseLevel.NEXT_DAY, at(THU, 9), 10)
    # released Thursday, two processing days (Friday, then Tuesday: Monday is off), delivered Wed
    assert (p.release_day, p.ship_day, p.delivery_day) == (THU, TUE, NEXT_WED)


@pytest.mark.parametrize(
    ("km", "zone", "day"),
    [(10, Zone.LOCAL, FRI), (120, Zone.REGIONAL, MON), (600, Zone.NATIONAL, TUE)],
)
def test_standard_transit_grows_with_the_zone(km, zone, day):
    p = promise_for(PROFILE, PLAIN, PromiseLevel.STANDARD, at(WED, 10), km)
    assert (p.zone, p.delivery_day) == (zone, day)


def test_fast_levels_are_offered_near_the_warehouse_only():
    with pytest.raises(ServiceLevelUnavailable) as err:
        promise_for(PROFILE, PLAIN, PromiseLevel.TWO_ELEVEN, at(WED, 9), 120)
    assert err.value.extra["offered"] == ["next_day", "standard"]
    assert err.value.status == 422
    with pytest.raises(ServiceLevelUnavailable):
        promise_for(PROFILE, PLAIN, PromiseLevel.NEXT_DAY, at(WED, 9), 300)
    assert PROFILE.offered(10) == list(PromiseLevel)
    assert PROFILE.offered(300) == [PromiseLevel.STANDARD]


def test_a_naive_order_time_is_refused():
    with pytest.raises(InvalidInput):
        promise_for(PROFILE, PLAIN, PromiseLevel.STANDARD, datetime(2026, 11, 25, 9), 5)  # noqa: DTZ001


@pytest.mark.parametrize(
    "changes",
    [
        {"time_zone": "Mars/Olympus"},
        {"country": "FRA"},
        {"same_day_cutoff": time(16), "late_cutoff": time(15)},
        {"processing_days": -1},
        {"standard_transit_days": 0},
        {"morning_end": time(21)},
        {"local_km": 300.0},
    ],
)
def test_an_inconsistent_profile_is_refused(changes):
    base = {"time_zone": "Europe/Paris", "country": "FR", "working_days": MON_FRI}
    with pytest.raises(InvalidInput):
        PromiseProfile(**{**base, **changes})


def test_calendar_working_days_and_holidays():
    cal = WorkingCalendar(parse_weekdays("123456"), frozenset({MON}))
    assert cal.is_working(SAT)
    assert not cal.is_working(SUN)
    assert not cal.is_working(MON)
    assert cal.first_working_from(SUN) == TUE
    assert cal.next_working_after(FRI) == SAT
    assert cal.add_working_days(FRI, 0) == FRI
    assert cal.add_working_days(FRI, 2) == TUE
    assert format_weekdays(parse_weekdays("54321")) == "12345"
    for bad in ("", "12a", "118", "8"):
        with pytest.raises(InvalidInput):
            parse_weekdays(bad)
    with pytest.raises(InvalidInput):
        WorkingCalendar(frozenset())
    every_day_off = WorkingCalendar(
        frozenset({1}), frozenset(WED + timedelta(days=i) for i in range(500))
    )
    with pytest.raises(InvalidInput, match="no working day"):
        every_day_off.first_working_from(WED)


def test_holidays_are_checked():
    Holiday(HolidayScope.WAREHOUSE, "LYS1", MON, "Inventory")
    with pytest.raises(InvalidInput):
        Holiday(HolidayScope.COUNTRY, "FRA", MON, "Fête")
    with pytest.raises(InvalidInput):
        Holiday(HolidayScope.COUNTRY, "FR", MON, " ")


def test_on_time_rate_per_service_level():
    promised = local(THU, 20)
    outcomes = [
        Outcome(PromiseLevel.NEXT_DAY, promised, promised - timedelta(hours=3)),
        Outcome(PromiseLevel.NEXT_DAY, promised, promised),  # exactly on the promise: on time
        Outcome(PromiseLevel.NEXT_DAY, promised, promised + timedelta(hours=2)),
        Outcome(PromiseLevel.NEXT_DAY, promised, promised + timedelta(hours=4)),
        Outcome(PromiseLevel.SAME_DAY, promised, promised - timedelta(minutes=1)),
    ]
    rates = on_time_rates(outcomes)
    assert rates == [
        OnTimeRate(PromiseLevel.SAME_DAY, 1, 1, 0.0),
        OnTimeRate(PromiseLevel.NEXT_DAY, 4, 2, 3.0),
    ]
    assert rates[1].rate == 0.5
    assert rates[1].late == 2
    assert on_time_rates([]) == []
