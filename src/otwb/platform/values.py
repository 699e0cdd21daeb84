"""Value types every context speaks in: when goods are expected, and how cold they must stay.

(Points on the map are in ``geo.py``, amounts of money in ``money.py``.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from otwb.platform.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DeliveryWindow:
    """When the customer accepts the goods: an interval of aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidInput("delivery window times need a timezone")
        if self.end <= self.start:
            raise InvalidInput("the delivery window must end after it starts")

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant <= self.end


class TemperatureClass(StrEnum):
    """How goods must be kept: ambient, chilled (2-8 °C) or frozen."""

    AMBIENT = "ambient"
    CHILLED = "chilled"
    FROZEN = "frozen"

    @property
    def needs_refrigeration(self) -> bool:
        return self is not TemperatureClass.AMBIENT

    @staticmethod
    def strictest(classes: Iterable[TemperatureClass]) -> TemperatureClass:
        order = [TemperatureClass.AMBIENT, TemperatureClass.CHILLED, TemperatureClass.FROZEN]
        return max(classes, key=order.index, default=TemperatureClass.AMBIENT)
