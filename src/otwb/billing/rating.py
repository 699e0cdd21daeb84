"""Rating: turning a measured activity into priced charge lines with a tariff (pure, no I/O).

A tariff is **compiled** once (its rules indexed by basis and selector, its zone x weight table
sorted) and then prices activities in a tight loop -- the per-event path and the bulk path use
the same code. For one activity:

1. each measured basis is priced by the rule that selects it (a temperature-class rule before
   the generic one; a named service's rule; the zone x weight cell: the nearest zone whose
   ``max_km`` covers the distance, then the lightest break whose ``max_kg`` covers the weight);
2. when no rule prices any of its bases, the activity's main bases are kept **unrated**;
3. on the transport amount of the activity (when > 0): the fuel surcharge (the tariff has a
   fuel rule; the % is the fuel index of the day -- none known: the line is kept unrated) and
   the cold-chain surcharge (chilled / frozen goods).

Amounts are quantity x unit price, exact, then rounded half-up to the currency's minor unit.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import NamedTuple

from otwb.billing.charges import TRANSPORT_BASES, Basis, SourceType, storage_source
from otwb.billing.tariff import COD_SERVICE, Rule, Tariff
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, TariffId
from otwb.platform.money import minor_unit
from otwb.platform.values import TemperatureClass

_EXACT = Context(prec=100)
_HALF_UP = Context(prec=100, rounding=ROUND_HALF_UP)
HUNDRED = Decimal(100)
ONE = Decimal(1)
PALLET_M3 = Decimal("1.44")
"""A pallet-equivalent (EUR pallet 1.2 x 0.8 m, 1.5 m high), as W measures it."""
SURCHARGES = (Basis.FUEL, Basis.COLD_CHAIN)
_ZONE_WEIGHT, _COD, _SERVICE = Basis.ZONE_WEIGHT, Basis.COD, Basis.SERVICE
"""Looked up once: reading an enum member off its class costs a dictionary walk each time."""


class Activity(NamedTuple):
    """What one W or T event measured for one customer, before any price (a named tuple: a
    bulk run makes a million of them)."""

    customer_id: CustomerId
    source_type: SourceType
    source_id: str
    occurred_at: datetime
    measures: tuple[tuple[Basis, Decimal], ...]
    unrated: tuple[Basis, ...]
    """The bases kept as unrated lines when nothing prices the activity."""
    temperature_class: str | None = None
    service: str = ""
    weight_kg: Decimal | None = None
    distance_km: Decimal | None = None


class Line(NamedTuple):
    """One priced (or unrated: no ``unit_price``) charge line of an activity (a named tuple:
    a bulk run makes a million of them, at a third of a frozen dataclass's cost)."""

    basis: Basis
    quantity: Decimal
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    rule_id: str | None = None
    service: str = ""


def _count(value: int, label: str) -> Decimal:
    if value < 0:
        raise InvalidInput(f"{label} must not be negative")
    return Decimal(value)


# -- activities ----------------------------------------------------------------------------
def picked(customer: CustomerId, order_id: str, lines: int, at: datetime) -> Activity:
    """An order picked: handling per order line."""
    q = _count(lines, "order lines picked")
    return Activity(customer, SourceType.ORDER, order_id, at, ((Basis.LINE, q),), (Basis.LINE,))


def packed(customer: CustomerId, order_id: str, parcels: int, at: datetime) -> Activity:
    q = _count(parcels, "parcels")
    return Activity(customer, SourceType.ORDER, order_id, at, ((Basis.PARCEL, q),), (Basis.PARCEL,))


def received(customer: CustomerId, receipt_id: str, lines: int, at: datetime) -> Activity:
    """Goods received: handling per inbound (receipt) line."""
    q = _count(lines, "receipt lines")
    measures = ((Basis.INBOUND_LINE, q),)
    return Activity(customer, SourceType.RECEIPT, receipt_id, at, measures, (Basis.INBOUND_LINE,))


def delivered(
    customer: CustomerId,
    shipment_id: str,
    weight_kg: Decimal,
    distance_km: Decimal,
    at: datetime,
    pallets: int = 0,
    temperature_class: str | None = None,
) -> Activity:
    """A delivery: weight, weight x distance, one drop, its pallets, one zone x weight shipment."""
    if weight_kg < 0 or distance_km < 0:
        raise InvalidInput("weight and distance must not be negative")
    measures = [
        (Basis.KG, weight_kg),
        (Basis.KG_KM, _EXACT.multiply(weight_kg, distance_km)),
        (Basis.DROP, ONE),
        (Basis.ZONE_WEIGHT, ONE),
    ]
    if pallets:
        measures.append((Basis.PALLET, _count(pallets, "pallets")))
    return Activity(
        customer,
        SourceType.SHIPMENT,
        shipment_id,
        at,
        tuple(measures),
        (Basis.KG_KM, Basis.DROP),
        temperature_class,
        weight_kg=weight_kg,
        distance_km=distance_km,
    )


def stored(
    customer: CustomerId,
    day: date,
    at: datetime,
    warehouse_id: str,
    temperature_class: str,
    units: int,
    volume_m3: Decimal,
    days: int = 1,
) -> Activity:
    """One owner's goods in one warehouse at one temperature, on one day's stock snapshot."""
    d = _count(days, "days")
    if volume_m3 < 0:
        raise InvalidInput("a volume must not be negative")
    measures = (
        (Basis.UNIT_DAY, _count(units, "units") * d),
        (Basis.M3_DAY, volume_m3 * d),
        (Basis.PALLET_DAY, _EXACT.divide(volume_m3, PALLET_M3).quantize(Decimal("0.001")) * d),
    )
    source = storage_source(day, warehouse_id, temperature_class)
    return Activity(
        customer, SourceType.STORAGE, source, at, measures, (Basis.UNIT_DAY,), temperature_class
    )


def service_used(
    customer: CustomerId,
    source_type: SourceType,
    source_id: str,
    service: str,
    quantity: Decimal,
    amount_basis: Decimal | None,
    at: datetime,
) -> Activity:
    """A value-added service. ``cod``: collections, and the amount collected (``amount_basis``)."""
    name = service.strip().lower()
    if not name or len(name) > 32:
        raise InvalidInput("a service is named in 1 to 32 characters", field="service")
    if quantity < 0 or (amount_basis is not None and amount_basis < 0):
        raise InvalidInput("a service's quantity and amount must not be negative")
    measures: tuple[tuple[Basis, Decimal], ...] = ((Basis.SERVICE, quantity),)
    if name == COD_SERVICE:
        if amount_basis is None:
            raise InvalidInput("cod needs the amount collected (amount_basis)")
        measures += ((Basis.COD, amount_basis),)
    bases = tuple(b for b, _ in measures)
    return Activity(customer, source_type, source_id, at, measures, bases, None, name)


# -- compiled tariffs ----------------------------------------------------------------------
class CompiledTariff:
    """A tariff's rules indexed for pricing activities quickly."""

    def __init__(self, tariff: Tariff) -> None:
        self.tariff = tariff
        self.id: TariffId = tariff.id
        self.currency = tariff.currency
        self.unit = minor_unit(tariff.currency)
        self.unit_rules: dict[tuple[Basis, str | None], Rule] = {}
        zones: list[Rule] = []
        self.fuel: Rule | None = None
        self.cold_chain: dict[str | None, Rule] = {}
        self.cod: Rule | None = None
        for r in tariff.rules:
            if r.basis is Basis.ZONE_WEIGHT:
                zones.append(r)
            elif r.basis is Basis.FUEL:
                self.fuel = r
            elif r.basis is Basis.COLD_CHAIN:
                self.cold_chain[r.temperature_class] = r
            elif r.basis is Basis.COD:
                self.cod = r
            elif r.price is not None and r.scope is None:
                self.unit_rules[r.basis, r.temperature_class or r.service] = r
        # zone x weight: nearest zone first, lightest break first
        self.zones = sorted(zones, key=lambda r: (r.max_km, r.max_kg))
        self.bases = frozenset(
            [b for b, _ in self.unit_rules]
            + ([_ZONE_WEIGHT] if zones else [])
            + ([_COD, _SERVICE] if self.cod else [])
        )
        """The bases some rule may price: an activity's other measures are skipped at once."""

    def amount(self, quantity: Decimal, unit_price: Decimal) -> Decimal:
        return _HALF_UP.quantize(_EXACT.multiply(quantity, unit_price), self.unit)

    def _zone_cell(self, weight: Decimal | None, distance: Decimal | None) -> Rule | None:
        if weight is None or distance is None:
            return None
        zone_km: Decimal | None = None
        for r in self.zones:
            assert r.max_km is not None
            assert r.max_kg is not None
            if r.max_km < distance:
                continue
            if zone_km is None:
                zone_km = r.max_km  # the nearest zone that reaches the distance
            elif r.max_km != zone_km:
                return None  # its weight breaks stop below the weight
            if weight <= r.max_kg:
                return r
        return None

    def rule_for(self, basis: Basis, a: Activity) -> tuple[Rule, Decimal] | None:
        """The rule pricing ``basis`` of activity ``a``, and the unit price it gives."""
        if basis is _ZONE_WEIGHT:
            cell = self._zone_cell(a.weight_kg, a.distance_km)
            return None if cell is None else (cell, cell.price or Decimal(0))
        if basis is _COD or (basis is _SERVICE and a.service == COD_SERVICE):
            if self.cod is None:
                return None
            assert self.cod.price is not None
            assert self.cod.percent is not None
            if basis is _SERVICE:
                return self.cod, self.cod.price
            return self.cod, self.cod.percent / HUNDRED
        selector = a.service or a.temperature_class
        rule = self.unit_rules.get((basis, selector)) if selector else None
        if rule is None:
            rule = self.unit_rules.get((basis, None))
        return None if rule is None else (rule, rule.price or Decimal(0))

    def rate(self, a: Activity, fuel_percent: Decimal | None) -> list[Line]:
        """The charge lines of ``a``: priced ones, else its unrated main bases (see module)."""
        lines: list[Line] = []
        transport = Decimal(0)
        bases = self.bases
        for basis, quantity in a.measures:
            if basis not in bases:
                continue
            hit = self.rule_for(basis, a)
            if hit is None:
                continue
            rule, price = hit
            amount = self.amount(quantity, price)
            lines.append(Line(basis, quantity, price, amount, rule.id, a.service))
            if basis in TRANSPORT_BASES:
                transport += amount
        if not lines:
            return unrated_lines(a)
        if transport > 0:
            lines.extend(self.surcharges(a, transport, fuel_percent))
        return lines

    def surcharges(
        self, a: Activity, transport: Decimal, fuel_percent: Decimal | None
    ) -> list[Line]:
        out: list[Line] = []
        if self.fuel is not None:
            if fuel_percent is None:
                out.append(Line(Basis.FUEL, transport))
            else:
                price = fuel_percent / HUNDRED
                out.append(
                    Line(Basis.FUEL, transport, price, self.amount(transport, price), self.fuel.id)
                )
        if a.temperature_class in (TemperatureClass.CHILLED, TemperatureClass.FROZEN):
            rule = self.cold_chain.get(a.temperature_class) or self.cold_chain.get(None)
            if rule is not None and rule.percent is not None:
                price = rule.percent / HUNDRED
                amount = self.amount(transport, price)
                out.append(Line(Basis.COLD_CHAIN, transport, price, amount, rule.id))
        return out


def unrated_lines(a: Activity) -> list[Line]:
    wanted = set(a.unrated)
    return [Line(b, q, service=a.service) for b, q in a.measures if b in wanted]


def fuel_percent_on(entries: Sequence[tuple[date, Decimal]], day: date) -> Decimal | None:
    """The fuel index % valid on ``day`` (entries sorted by date); None before the first."""
    at = bisect_right(entries, day, key=lambda e: e[0])
    return entries[at - 1][1] if at else None
