"""B's numbers: exact decimals in, explicit rounding out (no I/O).

Rounding rule (documented in the README): a charge line's amount is quantity x unit price (or
base amount x percentage for surcharges and discounts) computed exactly, then rounded **half-up
to the currency's minor unit at the line** (0.005 EUR -> 0.01 EUR; JPY to the yen). Sums of
lines are never rounded again; tax is rounded once on an invoice's subtotal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from otwb.platform.errors import InvalidInput
from otwb.platform.money import Money

RATE_PLACES = 6
"""Decimal places a unit price may have (0.000001 per kg·km); the columns keep exactly these."""
TAX_PLACES = 4
"""Decimal places of a tax rate (0.0550 = 5.5 %)."""
PERCENT_PLACES = 4
"""Decimal places of a percentage (fuel index 12.3456 %)."""
QUANTITY_PLACES = 3
"""Weights and distances from transport are measured to the gram and the metre."""
MAX_RATE = Decimal(1_000_000)
MAX_PERCENT = Decimal(1000)
MAX_MEASURE = Decimal(10) ** 7
"""Sanity bound of a reported weight (kg) or distance (km)."""


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


def bounded(value: Decimal, label: str, places: int, maximum: Decimal) -> Decimal:
    """``value`` if it is >= 0, <= ``maximum`` and has at most ``places`` decimals."""
    if value < 0:
        raise InvalidInput(f"{label} must not be negative", field=label)
    if value > maximum:
        raise InvalidInput(f"{label} must be at most {maximum}", field=label)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(f"{label} has more than {places} decimal places", field=label)
    return plain(value)


def rate_of(value: Decimal | int | str, label: str) -> Decimal:
    """A unit price (per kg, per drop, ...): >= 0, at most 6 decimal places."""
    return bounded(parse_decimal(value, label), label, RATE_PLACES, MAX_RATE)


def percent_of(value: Decimal | int | str, label: str) -> Decimal:
    """A percentage (12.5 for 12.5 %): >= 0, at most 4 decimal places."""
    return bounded(parse_decimal(value, label), label, PERCENT_PLACES, MAX_PERCENT)


def product(a: Decimal, b: Decimal) -> Decimal:
    """a x b exactly (Decimal's default context would round past 28 significant digits)."""
    with localcontext() as ctx:
        ctx.prec = 100
        return a * b


def charge_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    """quantity x unit price, rounded half-up to the currency's minor unit (at the line)."""
    return Money(product(quantity, unit_price), currency).rounded().amount


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of ``day``: billing days and periods are UTC days."""
    return datetime.combine(day, time.min, tzinfo=UTC)
