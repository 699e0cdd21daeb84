"""CO2e of routes and shipments, GLEC-style, pure.

Method (GLEC Framework v3 logic, simplified to what a TMS knows):

1. **Intensity of the vehicle at full load**, kg CO2e per km, well-to-wheel: the vehicle's own
   figure when it has one, else the default of its fuel and size class below (consumption per
   100 km at full load x the fuel's WTW factor).
2. **Load dependence**: an empty vehicle still burns ``EMPTY_SHARE`` of the full-load fuel; in
   between it is linear in the payload on board (the usual linear load model of COPERT / GLEC):
   ``e(load) = e_full x (EMPTY_SHARE + (1 - EMPTY_SHARE) x load / capacity)``.
3. **A route's emissions**: the sum over its legs (depot -> stops -> depot) of km x e(load on
   board on that leg) -- deliveries leave the vehicle, pickups join it.
4. **Allocation to shipments** by tonne-km, with each shipment's *direct* road distance from the
   depot (GLEC's recommendation for multi-drop tours: a customer's share does not depend on
   where the router happened to place it in the tour).
5. **Carrier shipments**: tonne-km x the carrier's intensity (``co2_g_per_tkm`` on its rate
   card; default 110 g/tkm, replace by the carrier's reported figure).
6. **Per customer**: the sum of their shipments' shares.

Factors (well-to-wheel): diesel 3.24 kg CO2e/l and petrol 2.80 kg CO2e/l (EN 16258:2012,
Annex A); electricity 0.25 kg CO2e/kWh (EU-27 grid average, EEA 2022; a French fleet should set
its vehicles' own figure, ~0.06). Consumption at full load per size class (payload): see
``CONSUMPTION``; assumptions of ours, of the order of published fleet averages.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from otwb.transport.fleet_model import Fuel

EMPTY_SHARE = Decimal("0.75")
WTW_KG_PER_UNIT = {
    Fuel.DIESEL: Decimal("3.24"),  # per litre
    Fuel.PETROL: Decimal("2.80"),  # per litre
    Fuel.ELECTRIC: Decimal("0.25"),  # per kWh
}
# (payload up to kg, diesel l/100 km, petrol l/100 km, kWh/100 km) at full load
CONSUMPTION = (
    (1_500, Decimal(11), Decimal(13), Decimal(25)),  # van up to 3.5 t
    (3_500, Decimal(18), Decimal(22), Decimal(60)),  # 7.5 t rigid
    (7_000, Decimal(22), Decimal(27), Decimal(90)),  # 12 t rigid
    (10**9, Decimal(31), Decimal(38), Decimal(130)),  # heavier rigids and artics
)
KG_PLACES = Decimal("0.001")


def default_co2_kg_per_km(fuel: Fuel, capacity_kg: float) -> Decimal:
    """The default full-load intensity of a vehicle of this fuel and payload."""
    row = next(r for r in CONSUMPTION if capacity_kg <= r[0])
    per_100 = {Fuel.DIESEL: row[1], Fuel.PETROL: row[2], Fuel.ELECTRIC: row[3]}[fuel]
    return per_100 / 100 * WTW_KG_PER_UNIT[fuel]


def leg_co2(km: Decimal, load_kg: float, capacity_kg: float, full_kg_per_km: Decimal) -> Decimal:
    ratio = (
        Decimal(str(min(max(load_kg / capacity_kg, 0.0), 1.0))) if capacity_kg > 0 else Decimal(0)
    )
    return km * full_kg_per_km * (EMPTY_SHARE + (1 - EMPTY_SHARE) * ratio)


def route_co2(
    legs_m: Sequence[int],
    deliveries_kg: Sequence[float],
    pickups_kg: Sequence[float],
    capacity_kg: float,
    full_kg_per_km: Decimal,
) -> Decimal:
    """A route's CO2e: ``legs_m[i]`` leads to stop ``i`` (the last one back to the depot);
    stop ``i`` drops ``deliveries_kg[i]`` and takes on ``pickups_kg[i]``."""
    if len(legs_m) != len(deliveries_kg) + 1 or len(deliveries_kg) != len(pickups_kg):
        raise ValueError("one leg per stop, plus the way back")
    on_board = float(sum(deliveries_kg))
    total = Decimal(0)
    for i, leg in enumerate(legs_m):
        total += leg_co2(Decimal(leg) / 1000, on_board, capacity_kg, full_kg_per_km)
        if i < len(deliveries_kg):
            on_board += pickups_kg[i] - deliveries_kg[i]
    return total.quantize(KG_PLACES)


def allocate(total: Decimal, tonne_km: Sequence[float]) -> list[Decimal]:
    """Shares of ``total`` in proportion to each shipment's tonne-km (equal when all are 0);
    the rounding remainder goes to the largest share, so the shares add up to the total."""
    if not tonne_km:
        return []
    weights = [Decimal(str(max(t, 0.0))) for t in tonne_km]
    whole = sum(weights)
    if whole == 0:
        weights, whole = [Decimal(1)] * len(tonne_km), Decimal(len(tonne_km))
    shares = [(total * w / whole).quantize(KG_PLACES) for w in weights]
    largest = max(range(len(shares)), key=lambda i: shares[i])
    shares[largest] += total - sum(shares)
    return shares


def carrier_co2(weight_kg: float, km: Decimal, g_per_tkm: Decimal) -> Decimal:
    return (Decimal(str(weight_kg)) / 1000 * km * g_per_tkm / 1000).quantize(KG_PLACES)
