"""Multi-currency invoicing, the domain: exchange rates and customers' billing currencies.

A customer may be billed in a currency other than the one its charges were priced in. Its
invoice then converts each service's charges at the **stored** rate in force on the invoice's
rate date (the period's last day): the latest rate stored for the pair on or before that day.
The rate used is recorded on every invoice line. No stored rate: ``MissingExchangeRate`` (422)
and nothing is written. Rates are exact decimals (up to 10 places), never floats. The use
cases are in ``exchange_rates.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from otwb.billing.model import parse_decimal, plain
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId
from otwb.platform.money import Money

RATE_PLACES = 10
MAX_RATE = Decimal(10) ** 9


def currency_code(value: str, label: str = "currency") -> str:
    code = value.strip().upper()
    try:
        Money.zero(code)
    except ValueError:
        raise InvalidInput(f"{label}: {value!r} is not an ISO 4217 code", field=label) from None
    return code


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """1 ``from_currency`` = ``rate`` ``to_currency`` on ``day``."""

    from_currency: str
    to_currency: str
    day: date
    rate: Decimal

    def __post_init__(self) -> None:
        source = currency_code(self.from_currency, "from_currency")
        target = currency_code(self.to_currency, "to_currency")
        if source == target:
            raise InvalidInput("an exchange rate converts between two different currencies")
        rate = parse_decimal(self.rate, "rate")
        if rate <= 0 or rate > MAX_RATE:
            raise InvalidInput(f"rate must be > 0 and <= {MAX_RATE}", field="rate")
        if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
            raise InvalidInput(f"rate has more than {RATE_PLACES} decimal places", field="rate")
        object.__setattr__(self, "from_currency", source)
        object.__setattr__(self, "to_currency", target)
        object.__setattr__(self, "rate", plain(rate))


@dataclass(frozen=True, slots=True)
class BillingCurrency:
    customer_id: CustomerId
    currency: str

    def __post_init__(self) -> None:
        if not self.customer_id.strip():
            raise InvalidInput("a customer id is needed", field="customer_id")
        object.__setattr__(self, "currency", currency_code(self.currency))
