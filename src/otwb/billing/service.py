"""B's use cases for tariffs and charges. Invoicing is in ``invoicing.py``.

Charges accrue as the work happens: W's ``OrderPicked`` becomes a handling charge, T's
``ShipmentDelivered`` a transport charge (see ``handlers.py``), and ``accrue_storage`` charges
each consignment owner for the units W holds for it, once per day. Each is idempotent: the same
activity is charged once however often it is reported (``UNIQUE`` on the charge's source).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from otwb.billing import repo
from otwb.billing.model import (
    Charge,
    ChargeStatus,
    Measure,
    SourceType,
    Tariff,
    UnsupportedCurrency,
    applicable_tariff,
    handling_measures,
    new_charge,
    parse_decimal,
    rate,
    start_of,
    storage_measures,
    storage_source,
    transport_measures,
)
from otwb.orders import service as orders
from otwb.platform import auth
from otwb.platform.clock import as_utc
from otwb.platform.errors import Conflict, InvalidInput, NotFound
from otwb.platform.ids import ChargeId, CustomerId, OrderId, ShipmentId, TariffId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import service as warehouse

log = logging.getLogger("otwb.billing")


# -- tariffs -------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewTariff:
    """A tariff version to add. Rates are exact decimals (``Decimal``, int or decimal string)."""

    customer_id: CustomerId | None
    valid_from: date
    currency: str
    handling_per_line: Decimal | int | str
    transport_per_kg_km: Decimal | int | str
    transport_per_drop: Decimal | int | str
    storage_per_unit_day: Decimal | int | str
    tax_rate: Decimal | int | str


def set_tariff(uow: UnitOfWork, new: NewTariff) -> Tariff:
    """Add a version of a customer's tariff (or, with no customer, of the tenant's default).

    Versions are never changed: a version applies to activities from its ``valid_from`` until
    the next version's. Charges already accrued keep the price they were given.
    """
    tariff = Tariff(
        id=TariffId(uow.ids.new("trf")),
        customer_id=new.customer_id,
        valid_from=new.valid_from,
        currency=new.currency.strip().upper(),
        handling_per_line=parse_decimal(new.handling_per_line, "handling_per_line"),
        transport_per_kg_km=parse_decimal(new.transport_per_kg_km, "transport_per_kg_km"),
        transport_per_drop=parse_decimal(new.transport_per_drop, "transport_per_drop"),
        storage_per_unit_day=parse_decimal(new.storage_per_unit_day, "storage_per_unit_day"),
        tax_rate=parse_decimal(new.tax_rate, "tax_rate"),
    )
    owner = f"customer {tariff.customer_id}" if tariff.customer_id else "the default tariff"
    with uow:
        tenant = auth.get_tenant(uow, uow.tenant_id)
        if tariff.currency != tenant.currency:
            raise UnsupportedCurrency(
                f"tariffs are in the tenant's currency, {tenant.currency}; got {tariff.currency}",
                field="currency",
            )
        if tariff.customer_id is not None:
            try:
                orders.get_customer(uow, tariff.customer_id)
            except NotFound:
                raise InvalidInput(
                    f"unknown customer {tariff.customer_id}", field="customer_id"
                ) from None
        try:
            repo.insert_tariff(uow, tariff)
        except IntegrityError:  # UNIQUE (customer, valid_from); the default's: a partial index
            raise Conflict(
                f"{owner} already has a version valid from {tariff.valid_from.isoformat()};"
                " versions are not changed -- add one with a later valid_from"
            ) from None
        uow.commit()
    return tariff


def list_tariffs(uow: UnitOfWork, customer_id: CustomerId | None = None) -> list[Tariff]:
    """Every tariff version (of one customer, when given), oldest first per customer."""
    with uow:
        if customer_id is None:
            return repo.list_tariffs(uow)
        return repo.list_tariffs(uow, [customer_id], with_default=False)


# -- charges -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Accrual:
    """The charges of one activity (or of one storage day) and how many of them are new."""

    charges: list[Charge]
    created: int


def _accrue(
    uow: UnitOfWork,
    customer_id: CustomerId,
    measures: Sequence[Measure],
    source_type: SourceType,
    source_id: str,
    at: datetime,
) -> Accrual:
    at = as_utc(at)
    with uow:
        tariff = applicable_tariff(repo.list_tariffs(uow, [customer_id]), customer_id, at.date())
        items = [
            new_charge(
                ChargeId(uow.ids.new("chg")), customer_id, m, source_type, source_id, at, tariff
            )
            for m in measures
        ]
        created = repo.insert_charges(uow, items)
        charges = repo.list_charges(uow, customer_id=customer_id, source=(source_type, source_id))
        uow.commit()
    if tariff is None and created:
        log.warning(
            "no tariff for customer %s on %s: %s %s charged unrated",
            customer_id,
            at.date(),
            source_type.value,
            source_id,
        )
    return Accrual(charges, created)


def charge_handling(
    uow: UnitOfWork, order_id: OrderId, customer_id: CustomerId, lines: int, at: datetime
) -> Accrual:
    """Handling of a picked order: ``lines`` x the tariff's price per line."""
    return _accrue(uow, customer_id, handling_measures(lines), SourceType.ORDER, order_id, at)


def charge_transport(
    uow: UnitOfWork,
    shipment_id: ShipmentId,
    customer_id: CustomerId,
    weight_kg: Decimal,
    distance_km: Decimal,
    at: datetime,
) -> Accrual:
    """A delivery, as two charge lines: weight x distance at the kg·km price, and one drop."""
    return _accrue(
        uow,
        customer_id,
        transport_measures(weight_kg, distance_km),
        SourceType.SHIPMENT,
        shipment_id,
        at,
    )


def accrue_storage(uow: UnitOfWork, day: date) -> Accrual:
    """Charge each consignment owner for the units W holds for it: one charge per owner per day.

    The units are those on hand when this runs (run it at the end of the day). Running it again
    for the same day charges nothing more.
    """
    if day > uow.clock.now().date():
        raise InvalidInput(
            f"storage for {day.isoformat()} cannot be accrued yet: the day has not begun",
            field="day",
        )
    source = storage_source(day)
    at = start_of(day)
    with uow:
        units = warehouse.units_by_owner(uow)
        tariffs = repo.list_tariffs(uow)
        items = [
            new_charge(
                ChargeId(uow.ids.new("chg")),
                owner,
                measure,
                SourceType.STORAGE,
                source,
                at,
                applicable_tariff(tariffs, owner, day),
            )
            for owner, count in sorted(units.items())
            for measure in storage_measures(count)
        ]
        created = repo.insert_charges(uow, items)
        charges = repo.list_charges(uow, source=(SourceType.STORAGE, source))
        uow.commit()
    return Accrual(charges, created)


def rate_unrated_charges(uow: UnitOfWork) -> int:
    """Price the unrated charges that a tariff now covers (after finance added one)."""
    with uow:
        pending = repo.list_charges(uow, status=ChargeStatus.UNRATED)
        if not pending:
            return 0
        tariffs = repo.list_tariffs(uow)
        rated = 0
        for c in pending:
            tariff = applicable_tariff(tariffs, c.customer_id, c.occurred_at.date())
            if tariff is not None:
                rating = rate(Measure(c.basis, c.quantity), tariff)
                rated += int(repo.rate_charge(uow, c.id, rating))
        uow.commit()
    return rated


def list_charges(
    uow: UnitOfWork,
    customer_id: CustomerId | None = None,
    status: ChargeStatus | None = None,
    invoiced: bool | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Charge]:
    with uow:
        return repo.list_charges(
            uow,
            customer_id=customer_id,
            status=status,
            invoiced=invoiced,
            limit=limit,
            offset=offset,
        )
