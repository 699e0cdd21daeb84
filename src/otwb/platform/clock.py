"""Injectable time (ARCHITECTURE rule 6): services ask ``uow.clock.now()``, not the OS."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to: tests and the demo's simulated day."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("SimulatedClock needs timezone-aware instants")
        with self._lock:
            self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now


def as_utc(instant: datetime) -> datetime:
    """Normalise an aware datetime to UTC; refuse naive ones (their meaning is ambiguous)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: give a timezone (e.g. ...Z or +01:00)")
    return instant.astimezone(UTC)
