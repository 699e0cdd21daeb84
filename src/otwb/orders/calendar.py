"""Working calendars: which days a warehouse works and delivers, holidays excluded. Pure.

A warehouse's calendar is its working weekdays (ISO numbers, Monday = 1) minus the holidays of
its country and its own closing days (an inventory day, a local feast).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from otwb.platform.errors import InvalidInput

# A year and a bit: a calendar with no working day in that span is a configuration error.
_SEARCH_DAYS = 400


class HolidayScope(StrEnum):
    COUNTRY = "country"
    """Every warehouse of that country (ISO 3166 alpha-2) is closed."""
    WAREHOUSE = "warehouse"
    """Only that warehouse is closed (its code)."""


@dataclass(frozen=True, slots=True)
class Holiday:
    scope: HolidayScope
    code: str
    day: date
    name: str

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidInput("a holiday needs the country or warehouse it applies to")
        if self.scope is HolidayScope.COUNTRY and (len(self.code) != 2 or not self.code.isalpha()):
            raise InvalidInput(f"{self.code!r} is not an ISO 3166 alpha-2 country code")
        if not self.name.strip():
            raise InvalidInput(f"the holiday of {self.day.isoformat()} needs a name")


def parse_weekdays(text: str) -> frozenset[int]:
    """``"12345"`` (Monday to Friday) -> ``{1, 2, 3, 4, 5}``."""
    digits = text.strip()
    if not digits or any(c not in "1234567" for c in digits) or len(set(digits)) != len(digits):
        raise InvalidInput(
            f"working days {text!r}: give ISO weekday digits once each, e.g. '12345' (Mon-Fri)",
            field="working_days",
        )
    return frozenset(int(c) for c in digits)


def format_weekdays(days: frozenset[int]) -> str:
    return "".join(str(d) for d in sorted(days))


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    working_weekdays: frozenset[int]
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not self.working_weekdays or not self.working_weekdays <= set(range(1, 8)):
            raise InvalidInput("a calendar needs at least one working weekday (1..7)")

    @classmethod
    def of(cls, working_weekdays: frozenset[int], holidays: Iterable[date]) -> WorkingCalendar:
        return cls(working_weekdays, frozenset(holidays))

    def is_working(self, day: date) -> bool:
        return day.isoweekday() in self.working_weekdays and day not in self.holidays

    def first_working_from(self, day: date) -> date:
        """``day`` if it is a working day, else the next one."""
        for offset in range(_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working(candidate):
                return candidate
        raise InvalidInput(f"no working day within {_SEARCH_DAYS} days of {day.isoformat()}")

    def next_working_after(self, day: date) -> date:
        return self.first_working_from(day + timedelta(days=1))

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``day`` itself when ``n`` is 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        for _ in range(n):
            day = self.next_working_after(day)
        return day
