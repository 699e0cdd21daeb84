"""Tariffs (rate cards): versioned per customer contract, made of rules (pure, no I/O).

* A **tariff** belongs to a customer (or, with no customer, is the tenant's default), applies
  from ``valid_from`` to ``valid_to`` (inclusive; none: open-ended), in one currency with one
  tax rate. The tariff applied to an activity is the customer's latest version valid on the
  activity's UTC day, else the default's, else none.
* A **rule** prices one basis: a unit price (per kg, per drop, per pallet·day...), optionally
  only for one temperature class (storage) or one named service (VAS); a zone x weight cell
  (the price of a shipment up to ``max_km`` and ``max_kg``); COD (fixed + % of the amount
  collected); a cold-chain % on transport of chilled/frozen goods; the fuel surcharge (its %
  comes from the dated fuel index); a volume tier (a % discount on a period's amount of a basis
  from ``min_quantity`` up); a minimum charge per order, per shipment or per period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from otwb.billing.charges import KIND_OF, Basis, ChargeKind
from otwb.billing.numbers import (
    MAX_MEASURE,
    QUANTITY_PLACES,
    TAX_PLACES,
    bounded,
    parse_decimal,
    percent_of,
    rate_of,
)
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, TariffId
from otwb.platform.money import Money
from otwb.platform.values import TemperatureClass


class MinimumScope(StrEnum):
    ORDER = "order"
    SHIPMENT = "shipment"
    PERIOD = "period"


UNIT_PRICED = frozenset(
    {
        Basis.LINE,
        Basis.INBOUND_LINE,
        Basis.PARCEL,
        Basis.KG,
        Basis.KG_KM,
        Basis.DROP,
        Basis.PALLET,
        Basis.UNIT_DAY,
        Basis.PALLET_DAY,
        Basis.M3_DAY,
        Basis.SERVICE,
    }
)
"""Bases priced as quantity x unit price."""
STORAGE_BASES = frozenset({Basis.UNIT_DAY, Basis.PALLET_DAY, Basis.M3_DAY})
COD_SERVICE = "cod"
INSTALLATION_SERVICE = "installation"
MAX_TIER = Decimal(10) ** 12


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of a rate card. Which fields it needs depends on its basis (see the module)."""

    id: str
    basis: Basis
    price: Decimal | None = None
    percent: Decimal | None = None
    temperature_class: str | None = None
    service: str | None = None
    zone: str | None = None
    max_km: Decimal | None = None
    max_kg: Decimal | None = None
    scope: MinimumScope | None = None
    applies_to: Basis | None = None
    min_quantity: Decimal | None = None

    def __post_init__(self) -> None:
        b = self.basis
        label = f"rule {b.value}"
        needs_price = b in UNIT_PRICED or b in (Basis.ZONE_WEIGHT, Basis.COD, Basis.MINIMUM)
        needs_percent = b in (Basis.COD, Basis.COLD_CHAIN, Basis.TIER)
        if needs_price != (self.price is not None):
            raise InvalidInput(f"{label}: {'needs' if needs_price else 'takes no'} price")
        if needs_percent != (self.percent is not None):
            raise InvalidInput(f"{label}: {'needs' if needs_percent else 'takes no'} percent")
        if self.service is not None:
            object.__setattr__(self, "service", self.service.strip().lower())
        if self.price is not None:
            object.__setattr__(self, "price", rate_of(self.price, f"{label} price"))
        if self.percent is not None:
            object.__setattr__(self, "percent", percent_of(self.percent, f"{label} percent"))
        self._check_selectors(label)

    def _check_selectors(self, label: str) -> None:
        b = self.basis
        if self.temperature_class is not None:
            if b not in STORAGE_BASES and b is not Basis.COLD_CHAIN:
                raise InvalidInput(f"{label}: only storage and cold-chain select on temperature")
            try:
                TemperatureClass(self.temperature_class)
            except ValueError:
                raise InvalidInput(
                    f"{label}: unknown temperature class {self.temperature_class!r}"
                ) from None
        if (b is Basis.SERVICE) != bool(self.service):
            raise InvalidInput(f"{label}: a service rule, and only it, names its service")
        if self.service is not None and self.service.strip().lower() == COD_SERVICE:
            raise InvalidInput(f"{label}: COD collection is priced by a cod rule")
        zoned = b is Basis.ZONE_WEIGHT
        if zoned != (self.max_km is not None and self.max_kg is not None):
            raise InvalidInput(f"{label}: a zone x weight cell, and only it, has max_km and max_kg")
        if zoned:
            for name in ("max_km", "max_kg"):
                value = parse_decimal(getattr(self, name), name)
                if value <= 0:
                    raise InvalidInput(f"{label}: {name} must be positive")
                object.__setattr__(self, name, bounded(value, name, QUANTITY_PLACES, MAX_MEASURE))
        if (b is Basis.MINIMUM) != (self.scope is not None):
            raise InvalidInput(f"{label}: a minimum rule, and only it, has a scope")
        tier = b is Basis.TIER
        if tier != (self.applies_to is not None and self.min_quantity is not None):
            raise InvalidInput(
                f"{label}: a tier rule, and only it, has applies_to and min_quantity"
            )
        if tier:
            assert self.applies_to is not None
            assert self.min_quantity is not None
            if self.applies_to not in UNIT_PRICED and self.applies_to is not Basis.ZONE_WEIGHT:
                raise InvalidInput(
                    f"{label}: a tier discounts a priced basis, not {self.applies_to}"
                )
            quantity = parse_decimal(self.min_quantity, "min_quantity")
            object.__setattr__(
                self, "min_quantity", bounded(quantity, "min_quantity", QUANTITY_PLACES, MAX_TIER)
            )
            if self.percent is not None and self.percent > 100:
                raise InvalidInput(f"{label}: a discount is at most 100 %")

    @property
    def kind(self) -> ChargeKind:
        return KIND_OF[self.basis]


@dataclass(frozen=True, slots=True)
class Tariff:
    """One version of a customer's (or the tenant default's) rate card."""

    id: TariffId
    customer_id: CustomerId | None
    valid_from: date
    currency: str
    tax_rate: Decimal
    rules: tuple[Rule, ...] = field(default=())
    valid_to: date | None = None
    """The last day it applies (inclusive); None: until a later version replaces it."""

    def __post_init__(self) -> None:
        try:
            Money.zero(self.currency)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="currency") from None
        tax = bounded(parse_decimal(self.tax_rate, "tax_rate"), "tax_rate", TAX_PLACES, Decimal(1))
        object.__setattr__(self, "tax_rate", tax)
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise InvalidInput("valid_to must not be before valid_from", field="valid_to")
        object.__setattr__(self, "rules", tuple(self.rules))
        seen: set[tuple[object, ...]] = set()
        for r in self.rules:
            key: tuple[object, ...] = (r.basis, r.temperature_class, r.service, r.max_km)
            key += (r.max_kg, r.scope, r.applies_to, r.min_quantity)
            if key in seen:
                raise InvalidInput(f"two {r.basis.value} rules select the same activities")
            seen.add(key)

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def rules_for(self, basis: Basis) -> list[Rule]:
        return [r for r in self.rules if r.basis is basis]


def applicable_tariff(
    tariffs: Iterable[Tariff], customer_id: CustomerId, on: date
) -> Tariff | None:
    """The customer's latest version valid ``on`` that day, else the default's, else None."""
    own: Tariff | None = None
    default: Tariff | None = None
    for t in tariffs:
        if not t.covers(on):
            continue
        if t.customer_id == customer_id:
            if own is None or t.valid_from > own.valid_from:
                own = t
        elif t.customer_id is None and (default is None or t.valid_from > default.valid_from):
            default = t
    return own or default


def flat_rules(
    rule_ids: Iterable[str],
    handling_per_line: Decimal | int | str,
    transport_per_kg_km: Decimal | int | str,
    transport_per_drop: Decimal | int | str,
    storage_per_unit_day: Decimal | int | str,
) -> tuple[Rule, ...]:
    """The four rules of a flat rate card: per line picked, per kg·km, per drop, per unit·day."""
    ids = iter(rule_ids)
    pairs = [
        (Basis.LINE, handling_per_line, "handling_per_line"),
        (Basis.KG_KM, transport_per_kg_km, "transport_per_kg_km"),
        (Basis.DROP, transport_per_drop, "transport_per_drop"),
        (Basis.UNIT_DAY, storage_per_unit_day, "storage_per_unit_day"),
    ]
    return tuple(Rule(next(ids), b, price=rate_of(v, label)) for b, v, label in pairs)
