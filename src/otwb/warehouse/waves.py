"""Wave planning: which orders are picked together, in which tours, by whom. Pure.

* **Waves** group the orders released to the floor that leave together: the same carrier, the
  same route and the same cut-off (orders with no cut-off last), at most ``max_orders`` each.
* **Consolidation** (the merge of orders): orders of the same customer to the same delivery
  address that leave together are one *consolidation group*: never split across waves, picked
  into one tote on one cart, and they carry one consolidation id to the pack bench and to
  transport.
* **Pick lists**: within a wave, each zone is picked separately (a chilled-room picker does not
  walk the ambient aisles), and a zone's orders are *clustered* onto carts of ``cart_size``
  totes, one tote per order (cluster picking): a tour picks for several orders at once, and the
  list shows the total per bin too (batch picking, sorted to orders at the pack bench). Orders
  are clustered by where their picks are: the order whose picks lie farthest from the dock seeds
  a cart, which takes the orders whose picks lie nearest to it.
* **Pickers**: the lists go to the pickers longest first, each to the picker with the least
  walking so far (LPT), so the wave ends as early as it can.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import numpy as np

from otwb.warehouse.pickpath import Spot

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Released:
    """An order released for picking, as wave planning sees it."""

    order_id: str
    carrier: str | None
    route: str | None
    cut_off: datetime | None
    consolidation: str = ""
    """Same customer, same delivery address: the same key (empty: the order alone)."""

    @property
    def unit(self) -> str:
        """What is picked into one tote: the consolidation group, or the order alone."""
        return self.consolidation or self.order_id


def consolidation_key(customer_id: str, address: str, lat: float, lon: float) -> str:
    """Orders with the same key go to one customer at one address (to the metre)."""
    return f"{customer_id}|{' '.join(address.lower().split())}|{lat:.5f},{lon:.5f}"


def group_waves(orders: Sequence[Released], max_orders: int) -> list[list[Released]]:
    """Orders that leave together (carrier, route, cut-off), ``max_orders`` at most a wave --
    a consolidation group is never split, even if it overfills a wave; earliest cut-off
    first."""
    if max_orders < 1:
        raise ValueError("a wave holds at least one order")
    groups: dict[tuple[str, str, datetime | None], list[Released]] = {}
    for o in orders:
        groups.setdefault((o.carrier or "", o.route or "", o.cut_off), []).append(o)
    keys = sorted(
        groups, key=lambda k: (k[2] is None, k[2] or datetime.min.replace(tzinfo=UTC), k[0], k[1])
    )
    waves: list[list[Released]] = []
    for key in keys:
        units: dict[str, list[Released]] = {}
        for o in sorted(groups[key], key=lambda o: o.order_id):
            units.setdefault(o.unit, []).append(o)
        wave: list[Released] = []
        for unit in sorted(units.values(), key=lambda u: u[0].order_id):
            if wave and len(wave) + len(unit) > max_orders:
                waves.append(wave)
                wave = []
            wave.extend(unit)
        if wave:
            waves.append(wave)
    return waves


def consolidations(wave: Sequence[Released]) -> list[list[str]]:
    """The consolidation groups of a wave (two orders or more), each its orders' ids."""
    units: dict[str, list[str]] = {}
    for o in wave:
        if o.consolidation:
            units.setdefault(o.consolidation, []).append(o.order_id)
    return [sorted(ids) for _, ids in sorted(units.items()) if len(ids) > 1]


def cluster(stops: Mapping[K, Sequence[Spot]], dock: Spot, cart_size: int) -> list[list[K]]:
    """Carts of at most ``cart_size`` orders whose picks lie close together (see above)."""
    if cart_size < 1:
        raise ValueError("a cart holds at least one order")
    keys = sorted(stops, key=str)
    if not keys:
        return []
    centre = np.array(
        [
            [
                sum(s.x for s in stops[k]) / len(stops[k]),
                sum(s.y for s in stops[k]) / len(stops[k]),
            ]
            for k in keys
        ]
    )
    far = np.abs(centre[:, 0] - dock.x) + np.abs(centre[:, 1] - dock.y)
    free = np.ones(len(keys), dtype=bool)
    carts: list[list[K]] = []
    while free.any():
        seed = int(np.argmax(np.where(free, far, -1.0)))
        gap = np.abs(centre[:, 0] - centre[seed, 0]) + np.abs(centre[:, 1] - centre[seed, 1])
        gap = np.where(free, gap, np.inf)
        chosen = np.argsort(gap, kind="stable")[: min(cart_size, int(free.sum()))]
        free[chosen] = False
        carts.append([keys[int(i)] for i in chosen])
    return carts


def assign_pickers(loads: Sequence[float], pickers: Sequence[str]) -> list[str]:
    """The picker of each list (longest lists first, to whoever has walked least so far)."""
    if not pickers:
        raise ValueError("no pickers")
    walked = dict.fromkeys(pickers, 0.0)
    out = [""] * len(loads)
    for i in sorted(range(len(loads)), key=lambda i: -loads[i]):
        picker = min(pickers, key=lambda p: (walked[p], p))
        out[i] = picker
        walked[picker] += loads[i]
    return out
