"""Exchange rates and billing currencies: the use cases, and the rates a billing run needs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from otwb.billing import currency_repo
from otwb.billing.currency import BillingCurrency, ExchangeRate, currency_code
from otwb.billing.invoice import MissingExchangeRate
from otwb.platform.ids import CustomerId
from otwb.platform.uow import UnitOfWork


def rates_for(
    uow: UnitOfWork, currencies: Iterable[str], to_currency: str, day: date
) -> dict[str, Decimal]:
    """The stored rate on ``day`` from each of ``currencies`` to ``to_currency``, or
    ``MissingExchangeRate`` naming the first pair without one."""
    rates: dict[str, Decimal] = {}
    for source in sorted(set(currencies) - {to_currency}):
        found = currency_repo.rate_on(uow, source, to_currency, day)
        if found is None:
            raise MissingExchangeRate(
                f"no exchange rate {source} -> {to_currency} stored on or before {day}",
                from_currency=source,
                to_currency=to_currency,
                day=day.isoformat(),
            )
        rates[source] = found.rate
    return rates


def set_exchange_rate(uow: UnitOfWork, rate: ExchangeRate) -> ExchangeRate:
    with uow:
        currency_repo.save_rate(uow, rate)
        uow.commit()
    return rate


def list_exchange_rates(uow: UnitOfWork, from_currency: str | None = None) -> list[ExchangeRate]:
    with uow:
        source = currency_code(from_currency, "from_currency") if from_currency else None
        return currency_repo.list_rates(uow, source)


def set_billing_currency(uow: UnitOfWork, setting: BillingCurrency) -> BillingCurrency:
    """Bill the customer in this currency from its next billing run on."""
    with uow:
        currency_repo.save_billing_currency(uow, setting)
        uow.commit()
    return setting


def billing_currencies(uow: UnitOfWork) -> dict[CustomerId, str]:
    with uow:
        return currency_repo.billing_currencies_of(uow)
