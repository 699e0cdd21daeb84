"""Carriers' rate cards and what a shipment costs with them, pure.

A rate card is one carrier service level (``standard``, ``express`` ...) in one currency:

* **zones** by road distance from the depot, each with its transit time in business days;
* **weight breaks**: a price per chargeable kg per zone, lower in the heavier bands; the
  chargeable weight is the larger of the actual weight and the volume x the volumetric factor;
* a **minimum** charge for the freight;
* **surcharges**: a percentage of the freight (fuel), a flat amount, per parcel or per kg,
  applying to every shipment or only to refrigerated ones;
* whether the service keeps a cold chain, a pickup cut-off time, and a CO2e intensity.

The quote is rounded half-up to the cent at the end (``Money.rounded``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from otwb.platform.errors import InvalidInput
from otwb.platform.money import Money

SURCHARGE_BASES = ("percent", "flat", "per_parcel", "per_kg")
APPLIES_TO = ("all", "refrigerated")
DEFAULT_VOLUMETRIC_KG_PER_M3 = Decimal(250)
"""Road freight's usual volumetric factor (1 m³ is charged as at least 250 kg)."""
DEFAULT_CO2_G_PER_TKM = Decimal(110)
"""Default CO2e intensity of a carrier's road service, grams per tonne-km (well-to-wheel): the
order of magnitude of GLEC's default for mixed road LTL; replace it by the carrier's own figure."""


def _decimal(value: Any, what: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"rate card: {what} is not a number: {value!r}") from None
    if not result.is_finite() or result < 0:
        raise InvalidInput(f"rate card: {what} must be a non-negative number")
    return result


@dataclass(frozen=True)
class Zone:
    name: str
    max_km: Decimal
    transit_days: int


@dataclass(frozen=True)
class WeightBreak:
    max_kg: Decimal
    per_kg: dict[str, Decimal]
    """Price per chargeable kg in each zone."""


@dataclass(frozen=True)
class Surcharge:
    name: str
    basis: str
    amount: Decimal
    applies_to: str = "all"


@dataclass(frozen=True)
class Quote:
    amount: Money
    zone: str
    chargeable_kg: Decimal
    transit_days: int
    lines: tuple[tuple[str, Decimal], ...]
    """What makes up the amount: freight, then each surcharge."""


@dataclass(frozen=True)
class RateCard:
    currency: str
    zones: tuple[Zone, ...]
    breaks: tuple[WeightBreak, ...]
    minimum: Decimal
    surcharges: tuple[Surcharge, ...] = ()
    volumetric_kg_per_m3: Decimal = DEFAULT_VOLUMETRIC_KG_PER_M3
    cold_chain: bool = False
    cutoff: time = time(16, 0)
    """Tendered after this (UTC), the carrier collects the next business day."""
    co2_g_per_tkm: Decimal = DEFAULT_CO2_G_PER_TKM

    def __post_init__(self) -> None:
        if not self.zones or not self.breaks:
            raise InvalidInput("rate card: at least one zone and one weight break")
        names = [z.name for z in self.zones]
        if len(set(names)) != len(names):
            raise InvalidInput("rate card: zone names must differ")
        if list(self.zones) != sorted(self.zones, key=lambda z: z.max_km):
            raise InvalidInput("rate card: zones in increasing distance")
        if list(self.breaks) != sorted(self.breaks, key=lambda b: b.max_kg):
            raise InvalidInput("rate card: weight breaks in increasing weight")
        for b in self.breaks:
            if set(b.per_kg) != set(names):
                raise InvalidInput(f"rate card: the {b.max_kg} kg break needs a price per zone")
        for z in self.zones:
            if not 0 <= z.transit_days <= 30:
                raise InvalidInput("rate card: transit days are 0 to 30")
        for s in self.surcharges:
            if s.basis not in SURCHARGE_BASES or s.applies_to not in APPLIES_TO:
                raise InvalidInput(f"rate card: surcharge {s.name!r} has an unknown basis")
        Money(self.minimum, self.currency)  # a valid currency

    # -- (de)serialisation ---------------------------------------------------------------
    @classmethod
    def parse(cls, currency: str, doc: dict[str, Any]) -> RateCard:
        try:
            zones = tuple(
                Zone(str(z["name"]), _decimal(z["max_km"], "max_km"), int(z["transit_days"]))
                for z in doc["zones"]
            )
            breaks = tuple(
                WeightBreak(
                    _decimal(b["max_kg"], "max_kg"),
                    {str(k): _decimal(v, "per_kg") for k, v in b["per_kg"].items()},
                )
                for b in doc["breaks"]
            )
            surcharges = tuple(
                Surcharge(
                    str(s["name"]),
                    str(s["basis"]),
                    _decimal(s["amount"], "surcharge"),
                    str(s.get("applies_to", "all")),
                )
                for s in doc.get("surcharges", ())
            )
            return cls(
                currency=currency,
                zones=zones,
                breaks=breaks,
                minimum=_decimal(doc.get("minimum", 0), "minimum"),
                surcharges=surcharges,
                volumetric_kg_per_m3=_decimal(
                    doc.get("volumetric_kg_per_m3", DEFAULT_VOLUMETRIC_KG_PER_M3), "volumetric"
                ),
                cold_chain=bool(doc.get("cold_chain", False)),
                cutoff=time.fromisoformat(str(doc.get("cutoff", "16:00"))),
                co2_g_per_tkm=_decimal(doc.get("co2_g_per_tkm", DEFAULT_CO2_G_PER_TKM), "co2"),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(f"rate card: missing or malformed {exc}") from None
        except ValueError as exc:
            raise InvalidInput(f"rate card: {exc}") from None

    def document(self) -> dict[str, Any]:
        return {
            "zones": [
                {"name": z.name, "max_km": str(z.max_km), "transit_days": z.transit_days}
                for z in self.zones
            ],
            "breaks": [
                {"max_kg": str(b.max_kg), "per_kg": {k: str(v) for k, v in b.per_kg.items()}}
                for b in self.breaks
            ],
            "minimum": str(self.minimum),
            "surcharges": [
                {
                    "name": s.name,
                    "basis": s.basis,
                    "amount": str(s.amount),
                    "applies_to": s.applies_to,
                }
                for s in self.surcharges
            ],
            "volumetric_kg_per_m3": str(self.volumetric_kg_per_m3),
            "cold_chain": self.cold_chain,
            "cutoff": self.cutoff.isoformat("minutes"),
            "co2_g_per_tkm": str(self.co2_g_per_tkm),
        }

    def dumps(self) -> str:
        return json.dumps(self.document(), sort_keys=True)

    # -- pricing ----------------------------------------------------------------------------
    def zone_for(self, distance_km: Decimal) -> Zone | None:
        return next((z for z in self.zones if distance_km <= z.max_km), None)

    def quote(
        self, weight_kg: Decimal, volume_m3: Decimal, parcels: int, distance_km: Decimal, cold: bool
    ) -> Quote | None:
        """What the shipment costs on this card, or None when the service cannot take it (too
        far, too heavy, or cold goods on a service without a cold chain)."""
        if cold and not self.cold_chain:
            return None
        zone = self.zone_for(distance_km)
        chargeable = max(weight_kg, volume_m3 * self.volumetric_kg_per_m3)
        band = next((b for b in self.breaks if chargeable <= b.max_kg), None)
        if zone is None or band is None:
            return None
        freight = max(self.minimum, chargeable * band.per_kg[zone.name])
        lines: list[tuple[str, Decimal]] = [("freight", freight)]
        for s in self.surcharges:
            if s.applies_to == "refrigerated" and not cold:
                continue
            amount = {
                "percent": freight * s.amount / 100,
                "flat": s.amount,
                "per_parcel": s.amount * parcels,
                "per_kg": s.amount * chargeable,
            }[s.basis]
            lines.append((s.name, amount))
        total = Money(sum((a for _, a in lines), Decimal(0)), self.currency).rounded()
        return Quote(total, zone.name, chargeable, zone.transit_days, tuple(lines))

    def delivered_by(self, tendered_at: datetime, transit_days: int) -> datetime:
        """When the carrier delivers: collected the same business day if tendered before the
        cut-off, else the next; then ``transit_days`` business days; by the end of that day."""
        at = tendered_at.astimezone(UTC)
        day = at.date()
        if at.time() > self.cutoff or day.weekday() >= 5:
            day = next_business_day(day)
        for _ in range(transit_days):
            day = next_business_day(day)
        return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Carrier:
    id: str
    code: str
    name: str
    connector: str
    """The registered connector that speaks its API (``generic``)."""
    endpoint: str | None
    """Its API's base URL; None: tenders go out of band (phone, e-mail) and come back by hand."""
    active: bool = True
