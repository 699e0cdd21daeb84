"""Own-fleet cost, pure: what a completed route cost, split into its parts and shared among the
shipments it carried.

* A route's **total** is the figure T fixed when the route completed (``RouteCompleted.cost``:
  the vehicle's fixed cost per route + km x cost per km + hours x cost per hour, rounded to the
  cent). B splits it into a **distance** part (km x the vehicle's cost per km), a **time** part
  (hours x cost per hour), each rounded half-up, and the **fixed** part is what remains, so the
  three always add up to the total. (Should the vehicle's rates have changed since, the fixed part
  absorbs the difference; it never goes negative: distance and time are scaled down instead.)
* The total is **allocated by weight** to the shipments the vehicle carried (delivered or
  failed; cancelled stops are not carried): each gets total x its kg / the route's kg, rounded to
  the cent by the largest-remainder method, so the shares add up to the total exactly. If no
  shipment has a weight, every drop gets an equal share.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from otwb.platform.money import minor_unit


@dataclass(frozen=True, slots=True)
class CostParts:
    distance: Decimal
    time: Decimal
    fixed: Decimal

    @property
    def total(self) -> Decimal:
        return self.distance + self.time + self.fixed


def split_route_cost(
    total: Decimal,
    distance_km: Decimal,
    duration_s: int,
    per_km: Decimal,
    per_hour: Decimal,
    currency: str,
) -> CostParts:
    """The route's total as distance + time + fixed parts (see the module's rules)."""
    cent = minor_unit(currency)
    distance = (distance_km * per_km).quantize(cent, ROUND_HALF_UP)
    time = (Decimal(duration_s) / 3600 * per_hour).quantize(cent, ROUND_HALF_UP)
    if distance + time > total:
        scale = total / (distance + time)
        distance = (distance * scale).quantize(cent, ROUND_DOWN)
        time = total - distance
    return CostParts(distance, time, total - distance - time)


def allocate(total: Decimal, weights: dict[str, Decimal], currency: str) -> dict[str, Decimal]:
    """Share ``total`` among the keys in proportion to their weights, to the cent, exactly
    (largest remainder; ties to the earlier key in sorted order). Equal shares when every
    weight is zero."""
    if not weights:
        return {}
    cent = minor_unit(currency)
    keys = sorted(weights)
    mass = sum(weights.values(), Decimal(0))
    basis = weights if mass > 0 else {k: Decimal(1) for k in keys}
    mass = sum(basis.values(), Decimal(0))
    exact = {k: total * basis[k] / mass for k in keys}
    shares = {k: exact[k].quantize(cent, ROUND_DOWN) for k in keys}
    left = int((total - sum(shares.values(), Decimal(0))) / cent)
    by_remainder = sorted(keys, key=lambda k: (-(exact[k] - shares[k]), keys.index(k)))
    for k in by_remainder[:left]:
        shares[k] += cent
    return shares
