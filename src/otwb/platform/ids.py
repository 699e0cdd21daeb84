"""Typed identifiers: a prefix that says what the id names, then a time-ordered ULID.

``ord_01JD3Q0Z8Y6X...`` sorts by creation time (friendly to B-tree indexes) and reads as an order id
in any log line. Randomness is injected (ARCHITECTURE rule 6): a seeded ``IdFactory`` gives
reproducible ids for simulations and tests.
"""

from __future__ import annotations

import random
import threading
from typing import NewType

from otwb.platform.clock import Clock, SystemClock

TenantId = NewType("TenantId", str)
ApiKeyId = NewType("ApiKeyId", str)
EventId = NewType("EventId", str)
CustomerId = NewType("CustomerId", str)
OrderId = NewType("OrderId", str)
OrderLineId = NewType("OrderLineId", str)
WarehouseId = NewType("WarehouseId", str)
LocationId = NewType("LocationId", str)
SkuId = NewType("SkuId", str)
StockId = NewType("StockId", str)
VehicleId = NewType("VehicleId", str)
ShipmentId = NewType("ShipmentId", str)
RouteId = NewType("RouteId", str)
TariffId = NewType("TariffId", str)
ChargeId = NewType("ChargeId", str)
InvoiceId = NewType("InvoiceId", str)
CarrierId = NewType("CarrierId", str)

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _base32(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class IdFactory:
    """Makes ``<prefix>_<ulid>`` ids: 48 bits of milliseconds then 80 random bits."""

    def __init__(self, clock: Clock | None = None, seed: int | None = None) -> None:
        self._clock = clock or SystemClock()
        self._rng = random.Random(seed) if seed is not None else random.SystemRandom()
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_rand = 0

    def new(self, prefix: str) -> str:
        ms = int(self._clock.now().timestamp() * 1000)
        with self._lock:
            if ms <= self._last_ms:
                # Same (or simulated, frozen) millisecond: keep ids strictly increasing.
                ms = self._last_ms
                rand = self._last_rand + 1
            else:
                rand = self._rng.getrandbits(80)
            self._last_ms, self._last_rand = ms, rand
        return f"{prefix}_{_base32(ms, 10)}{_base32(rand & ((1 << 80) - 1), 16)}"
