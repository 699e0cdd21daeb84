"""Own-fleet cost, pure: what a completed route cost, split into its parts and shared among the
shipments it carried.

* A route's **total** is the figure T fixed when the route completed (``RouteCompleted.cost``:
  the vehicle's fixed cost per route + km x cost per km + hours x cost per hour, rounded once to
  the cent). B splits it into the **fixed** part (the vehicle's fixed cost), the **distance**
  part (km x cost per km, rounded half-up) and the **time** part, which is what remains -- so the
  three always add up to the total, the time part absorbing the total's single rounding (and any
  change of the vehicle's rates since). No part is ever negative: when the total is smaller, the
  fixed part, then the distance part, are capped at what is left.
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
    per_km: Decimal,
    fixed: Decimal,
    currency: str,
) -> CostParts:
    """The route's total as fixed + distance + time parts (see the module's rules)."""
    fixed_part = min(fixed, total)
    distance = (distance_km * per_km).quantize(minor_unit(currency), ROUND_HALF_UP)
    distance = min(distance, total - fixed_part)
    return CostParts(distance, total - fixed_part - distance, fixed_part)


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
