"""The billing domain: tariffs and charges as pure data and rules, no I/O.

How an activity becomes money:

* A **tariff** belongs to a customer (or, with no customer, is the tenant's default) and is
  versioned by ``valid_from``. The tariff applied to an activity is the customer's latest version
  valid on the activity's date (UTC), else the default's latest version valid then, else none.
* An activity is measured in **charge lines** -- one per (kind, basis): handling is charged per
  order line; transport is charged as two lines, ``kg_km`` (weight x distance) and ``drop`` (one
  per delivery), so each line is reproducible as quantity x unit price; storage per unit·day.
* A charge line's amount is quantity x unit price rounded half-up to the currency's minor unit,
  **at the charge line**. With no applicable tariff the line is kept **unrated** (no price, no
  amount) so finance sees it; unrated lines are never invoiced until they are rated.

Invoices are in ``invoice.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import ChargeId, CustomerId, InvoiceId, TariffId
from otwb.platform.money import Money

RATE_PLACES = 6
"""Decimal places a unit price may have (0.000001 per kg·km); the columns keep exactly these."""
TAX_PLACES = 4
"""Decimal places of a tax rate (0.0550 = 5.5 %)."""
QUANTITY_PLACES = 3
"""Weights and distances from transport are measured to the gram and the metre."""
MAX_RATE = Decimal(1_000_000)
MAX_MEASURE = Decimal(10) ** 7
"""Sanity bound of a reported weight (kg) or distance (km)."""


class UnsupportedCurrency(InvalidInput):
    code = "unsupported_currency"
    title = "The currency is not the tenant's currency"


class ChargeKind(StrEnum):
    HANDLING = "handling"
    TRANSPORT = "transport"
    STORAGE = "storage"


class Basis(StrEnum):
    """What a charge line's quantity counts (its unit)."""

    LINE = "line"  # handling: order lines picked
    KG_KM = "kg_km"  # transport: weight (kg) x road distance (km)
    DROP = "drop"  # transport: deliveries
    UNIT_DAY = "unit_day"  # storage: units on hand x days


KIND_OF: dict[Basis, ChargeKind] = {
    Basis.LINE: ChargeKind.HANDLING,
    Basis.KG_KM: ChargeKind.TRANSPORT,
    Basis.DROP: ChargeKind.TRANSPORT,
    Basis.UNIT_DAY: ChargeKind.STORAGE,
}

DESCRIPTIONS: dict[Basis, str] = {
    Basis.LINE: "Handling (order lines picked)",
    Basis.KG_KM: "Transport (kg·km)",
    Basis.DROP: "Transport (drops)",
    Basis.UNIT_DAY: "Storage (unit·days)",
}


class SourceType(StrEnum):
    ORDER = "order"
    SHIPMENT = "shipment"
    STORAGE = "storage"


class ChargeStatus(StrEnum):
    RATED = "rated"
    UNRATED = "unrated"  # no tariff applied on the activity's date: no price, never invoiced


# -- numbers -------------------------------------------------------------------------------
def parse_decimal(value: Decimal | int | str, label: str) -> Decimal:
    """An exact decimal from a Decimal, an int or a decimal string (never a float)."""
    if isinstance(value, bool | float):
        raise InvalidInput(f"{label}: give a decimal string or an integer, not {value!r}")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{label}: {value!r} is not a decimal number", field=label) from None
    if not result.is_finite():
        raise InvalidInput(f"{label}: {value!r} is not a finite number", field=label)
    return result + 0  # -0 becomes 0


def plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros, and never in exponent form (3.000000 -> 3)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def measured(value: float, label: str) -> Decimal:
    """A weight or distance reported as a float, as an exact decimal to the gram / metre.

    The float's shortest representation is taken (``repr``: 12.3 is 12.3, not
    12.300000000000000710...), then rounded half-up to ``QUANTITY_PLACES``.
    """
    try:
        exact = Decimal(repr(float(value)))
    except (TypeError, ValueError, InvalidOperation):
        raise InvalidInput(f"{label}: {value!r} is not a number") from None
    if not exact.is_finite() or exact < 0 or exact > MAX_MEASURE:
        raise InvalidInput(f"{label} must be a finite number >= 0, got {value!r}")
    return exact.quantize(Decimal(1).scaleb(-QUANTITY_PLACES), ROUND_HALF_UP) + 0


def _rate(value: Decimal, label: str, places: int, maximum: Decimal) -> Decimal:
    if value < 0:
        raise InvalidInput(f"{label} must not be negative", field=label)
    if value > maximum:
        raise InvalidInput(f"{label} must be at most {maximum}", field=label)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(f"{label} has more than {places} decimal places", field=label)
    return value


def product(a: Decimal, b: Decimal) -> Decimal:
    """a x b exactly (Decimal's default context would round past 28 significant digits)."""
    with localcontext() as ctx:
        ctx.prec = 100
        return a * b


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of ``day``: billing days and periods are UTC days."""
    return datetime.combine(day, time.min, tzinfo=UTC)


# -- tariffs -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Tariff:
    """One version of a customer's (or the tenant default's) prices, valid from a date."""

    id: TariffId
    customer_id: CustomerId | None
    valid_from: date
    currency: str
    handling_per_line: Decimal
    transport_per_kg_km: Decimal
    transport_per_drop: Decimal
    storage_per_unit_day: Decimal
    tax_rate: Decimal

    def __post_init__(self) -> None:
        try:
            Money.zero(self.currency)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="currency") from None
        for label in (
            "handling_per_line",
            "transport_per_kg_km",
            "transport_per_drop",
            "storage_per_unit_day",
        ):
            value = parse_decimal(getattr(self, label), label)
            object.__setattr__(self, label, plain(_rate(value, label, RATE_PLACES, MAX_RATE)))
        tax = _rate(parse_decimal(self.tax_rate, "tax_rate"), "tax_rate", TAX_PLACES, Decimal(1))
        object.__setattr__(self, "tax_rate", plain(tax))

    def unit_price(self, basis: Basis) -> Decimal:
        return {
            Basis.LINE: self.handling_per_line,
            Basis.KG_KM: self.transport_per_kg_km,
            Basis.DROP: self.transport_per_drop,
            Basis.UNIT_DAY: self.storage_per_unit_day,
        }[basis]


def applicable_tariff(
    tariffs: Iterable[Tariff], customer_id: CustomerId, on: date
) -> Tariff | None:
    """The customer's latest version valid ``on`` that day, else the default's, else None."""
    own: Tariff | None = None
    default: Tariff | None = None
    for t in tariffs:
        if t.valid_from > on:
            continue
        if t.customer_id == customer_id:
            if own is None or t.valid_from > own.valid_from:
                own = t
        elif t.customer_id is None and (default is None or t.valid_from > default.valid_from):
            default = t
    return own or default


# -- charges -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Measure:
    """How much of one basis an activity used (before any price)."""

    basis: Basis
    quantity: Decimal

    @property
    def kind(self) -> ChargeKind:
        return KIND_OF[self.basis]


def handling_measures(lines: int) -> list[Measure]:
    if lines < 0:
        raise InvalidInput("an order cannot have picked a negative number of lines")
    return [Measure(Basis.LINE, Decimal(lines))] if lines else []


def transport_measures(weight_kg: Decimal, distance_km: Decimal) -> list[Measure]:
    """A delivery: ``weight x distance`` kg·km and one drop."""
    if weight_kg < 0 or distance_km < 0:
        raise InvalidInput("weight and distance must not be negative")
    return [Measure(Basis.KG_KM, product(weight_kg, distance_km)), Measure(Basis.DROP, Decimal(1))]


def storage_measures(units: int, days: int = 1) -> list[Measure]:
    if units < 0 or days < 0:
        raise InvalidInput("units and days must not be negative")
    return [Measure(Basis.UNIT_DAY, Decimal(units * days))] if units and days else []


def charge_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    """quantity x unit price, rounded half-up to the currency's minor unit (at the line)."""
    return Money(product(quantity, unit_price), currency).rounded().amount


@dataclass(frozen=True, slots=True)
class Rating:
    """The price a tariff puts on one measure."""

    tariff_id: TariffId
    unit_price: Decimal
    amount: Decimal
    currency: str


def rate(measure: Measure, tariff: Tariff) -> Rating:
    price = tariff.unit_price(measure.basis)
    return Rating(
        tariff.id, price, charge_amount(measure.quantity, price, tariff.currency), tariff.currency
    )


@dataclass(frozen=True, slots=True)
class Charge:
    id: ChargeId
    customer_id: CustomerId
    kind: ChargeKind
    basis: Basis
    source_type: SourceType
    source_id: str
    quantity: Decimal
    status: ChargeStatus
    occurred_at: datetime
    rating: Rating | None = None
    invoice_id: InvoiceId | None = None

    @property
    def amount(self) -> Decimal | None:
        return None if self.rating is None else self.rating.amount

    @property
    def currency(self) -> str | None:
        return None if self.rating is None else self.rating.currency


def new_charge(
    charge_id: ChargeId,
    customer_id: CustomerId,
    measure: Measure,
    source_type: SourceType,
    source_id: str,
    occurred_at: datetime,
    tariff: Tariff | None,
) -> Charge:
    """A charge for ``measure``, rated by ``tariff`` -- or unrated when there is none."""
    return Charge(
        id=charge_id,
        customer_id=customer_id,
        kind=measure.kind,
        basis=measure.basis,
        source_type=source_type,
        source_id=source_id,
        quantity=measure.quantity,
        status=ChargeStatus.RATED if tariff else ChargeStatus.UNRATED,
        occurred_at=occurred_at,
        rating=rate(measure, tariff) if tariff else None,
    )


def storage_source(day: date) -> str:
    return f"storage:{day.isoformat()}"
