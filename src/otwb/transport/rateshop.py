"""Rate shopping: for a shipment, its own fleet or the cheapest carrier that meets the promise.

The options, each with its cost and whether it meets the shipment's deadline (the promised date,
else its window's end):

* **own fleet** -- only for a shipment already on a planned route: what the route saves without
  it (the detour's km and minutes plus the stop's service time, at the vehicle's rates). A
  shipment no route could take has no own-fleet option;
* **each carrier service** with a rate card in force: its quote (``rating.RateCard.quote``) and
  its delivery date (cut-off, business days of transit) against the promised *date*.

The choice is the cheapest option that meets the deadline; ties go to the own fleet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CarrierId
from otwb.platform.money import Money
from otwb.transport.distance import DistanceProvider
from otwb.transport.model import Shipment, Vehicle
from otwb.transport.rating import Carrier, Quote, RateCard


@dataclass(frozen=True)
class Option:
    carrier_id: CarrierId | None
    """None: the own fleet."""
    name: str
    service_level: str
    cost: Money | None
    """None when the option cannot take the shipment at all."""
    delivered_by: datetime | None
    meets_deadline: bool
    note: str = ""

    @property
    def feasible(self) -> bool:
        return self.cost is not None and self.meets_deadline


def removal_saving(
    vehicle: Vehicle,
    provider: DistanceProvider,
    before: GeoPoint,
    shipment: Shipment,
    after: GeoPoint,
) -> Money:
    """What a route saves without this stop: the detour before -> stop -> after instead of
    before -> after, and the service time, at the vehicle's per-km and per-hour rates."""
    points = [before, shipment.ship_to, after]
    d = provider.distance_m(points)
    t = provider.duration_s(points, vehicle.speed_kmh)
    saved_m = max(0, int(d[0, 1] + d[1, 2] - d[0, 2]))
    saved_s = max(0, int(t[0, 1] + t[1, 2] - t[0, 2])) + shipment.service_s
    km, hours = Decimal(saved_m) / 1000, Decimal(saved_s) / 3600
    return (vehicle.cost_per_km * km + vehicle.cost_per_hour * hours).rounded()


def own_fleet(saving: Money | None, arrival: datetime | None, deadline: datetime | None) -> Option:
    if saving is None or arrival is None:
        return Option(None, "own fleet", "route", None, None, False, "not on a planned route")
    meets = deadline is None or arrival <= deadline
    return Option(None, "own fleet", "route", saving, arrival, meets)


def quote_shipment(card: RateCard, shipment: Shipment, distance_km: Decimal) -> Quote | None:
    """What the shipment costs on the card (None: the service cannot take it)."""
    return card.quote(
        Decimal(str(shipment.weight_kg)),
        Decimal(str(shipment.volume_m3)),
        shipment.parcel_count,
        distance_km,
        shipment.temperature_class.needs_refrigeration,
    )


def carrier_option(
    carrier: Carrier,
    service_level: str,
    card: RateCard,
    shipment: Shipment,
    distance_km: Decimal,
    now: datetime,
) -> Option:
    quote = quote_shipment(card, shipment, distance_km)
    cid = CarrierId(carrier.id)
    if quote is None:
        return Option(cid, carrier.name, service_level, None, None, False, "not serviceable")
    by = card.delivered_by(now, quote.transit_days)
    deadline = shipment.deadline
    meets = deadline is None or by.date() <= deadline.date()
    return Option(cid, carrier.name, service_level, quote.amount, by, meets, f"zone {quote.zone}")


def choose(options: list[Option]) -> Option | None:
    """The cheapest option that meets the deadline (the own fleet on a tie), or None."""
    feasible = [o for o in options if o.feasible]
    if not feasible:
        return None
    return min(
        feasible, key=lambda o: (o.cost.amount if o.cost else Decimal(0), o.carrier_id is not None)
    )
