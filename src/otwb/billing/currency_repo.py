"""Stored exchange rates and customers' billing currencies (SQLAlchemy Core, tenant-scoped)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from otwb.billing.currency import BillingCurrency, ExchangeRate
from otwb.billing.invoice_tables import billing_currencies, exchange_rates
from otwb.billing.model import plain
from otwb.platform.db import upsert
from otwb.platform.ids import CustomerId
from otwb.platform.uow import UnitOfWork


def save_rate(uow: UnitOfWork, rate: ExchangeRate) -> None:
    """Store the day's rate for the pair (a correction on the same day replaces it)."""
    upsert(
        uow.conn,
        exchange_rates,
        {
            "tenant_id": uow.tenant_id,
            "from_currency": rate.from_currency,
            "to_currency": rate.to_currency,
            "day": rate.day,
            "rate": rate.rate,
            "created_at": uow.clock.now(),
        },
        keys=[
            exchange_rates.c.tenant_id,
            exchange_rates.c.from_currency,
            exchange_rates.c.to_currency,
            exchange_rates.c.day,
        ],
        update=lambda excluded: {"rate": excluded.rate, "created_at": excluded.created_at},
    )


def rate_on(
    uow: UnitOfWork, from_currency: str, to_currency: str, day: date
) -> ExchangeRate | None:
    """The pair's rate in force on ``day``: the latest stored on or before it."""
    row = uow.conn.execute(
        select(exchange_rates)
        .where(
            exchange_rates.c.tenant_id == uow.tenant_id,
            exchange_rates.c.from_currency == from_currency,
            exchange_rates.c.to_currency == to_currency,
            exchange_rates.c.day <= day,
        )
        .order_by(exchange_rates.c.day.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    return ExchangeRate(row.from_currency, row.to_currency, row.day, plain(row.rate))


def list_rates(uow: UnitOfWork, from_currency: str | None = None) -> list[ExchangeRate]:
    query = select(exchange_rates).where(exchange_rates.c.tenant_id == uow.tenant_id)
    if from_currency is not None:
        query = query.where(exchange_rates.c.from_currency == from_currency)
    rows = uow.conn.execute(
        query.order_by(
            exchange_rates.c.from_currency, exchange_rates.c.to_currency, exchange_rates.c.day
        )
    )
    return [ExchangeRate(r.from_currency, r.to_currency, r.day, plain(r.rate)) for r in rows]


def save_billing_currency(uow: UnitOfWork, setting: BillingCurrency) -> None:
    upsert(
        uow.conn,
        billing_currencies,
        {
            "tenant_id": uow.tenant_id,
            "customer_id": setting.customer_id,
            "currency": setting.currency,
            "updated_at": uow.clock.now(),
        },
        keys=[billing_currencies.c.tenant_id, billing_currencies.c.customer_id],
        update=lambda excluded: {
            "currency": excluded.currency,
            "updated_at": excluded.updated_at,
        },
    )


def billing_currencies_of(
    uow: UnitOfWork, customer_ids: Sequence[CustomerId] | None = None
) -> dict[CustomerId, str]:
    query = select(billing_currencies).where(billing_currencies.c.tenant_id == uow.tenant_id)
    if customer_ids is not None:
        query = query.where(billing_currencies.c.customer_id.in_(list(customer_ids)))
    return {CustomerId(r.customer_id): r.currency for r in uow.conn.execute(query)}
