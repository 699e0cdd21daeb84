"""B's use cases for tariffs (rate cards): add a version with its rules (or a flat one), read
them, and keep the dated fuel surcharge index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from otwb.billing import tariff_repo
from otwb.billing.charges import Basis, UnsupportedCurrency
from otwb.billing.numbers import parse_decimal, percent_of
from otwb.billing.tariff import MinimumScope, Rule, Tariff, flat_rules
from otwb.orders import service as orders
from otwb.platform import auth
from otwb.platform.errors import Conflict, InvalidInput, NotFound
from otwb.platform.ids import CustomerId, TariffId
from otwb.platform.uow import UnitOfWork

Number = Decimal | int | str


# -- tariffs -------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewRule:
    """A rule of a tariff to add (see ``tariff.py`` for what each basis needs)."""

    basis: Basis | str
    price: Number | None = None
    percent: Number | None = None
    temperature_class: str | None = None
    service: str | None = None
    zone: str | None = None
    max_km: Number | None = None
    max_kg: Number | None = None
    scope: MinimumScope | str | None = None
    applies_to: Basis | str | None = None
    min_quantity: Number | None = None


@dataclass(frozen=True)
class NewTariff:
    """A tariff version to add: its validity, currency, tax rate and rules."""

    customer_id: CustomerId | None
    valid_from: date
    currency: str
    tax_rate: Number
    rules: Sequence[NewRule] = field(default=())
    valid_to: date | None = None


@dataclass(frozen=True)
class FlatTariff:
    """The convenience of a flat rate card: per line picked, per kg·km, per drop, per
    unit·day (what the demo uses)."""

    customer_id: CustomerId | None
    valid_from: date
    currency: str
    handling_per_line: Number
    transport_per_kg_km: Number
    transport_per_drop: Number
    storage_per_unit_day: Number
    tax_rate: Number
    valid_to: date | None = None


def _basis(value: Basis | str | None, label: str) -> Basis | None:
    if value is None or isinstance(value, Basis):
        return value
    try:
        return Basis(str(value).strip().lower())
    except ValueError:
        raise InvalidInput(f"{label}: unknown basis {value!r}", field=label) from None


def _scope(value: MinimumScope | str | None) -> MinimumScope | None:
    if value is None or isinstance(value, MinimumScope):
        return value
    try:
        return MinimumScope(str(value).strip().lower())
    except ValueError:
        raise InvalidInput(f"scope: unknown scope {value!r}", field="scope") from None


def _number(value: Number | None, label: str) -> Decimal | None:
    return None if value is None else parse_decimal(value, label)


def _rule(uow: UnitOfWork, n: NewRule) -> Rule:
    basis = _basis(n.basis, "basis")
    assert basis is not None
    return Rule(
        id=uow.ids.new("trr"),
        basis=basis,
        price=_number(n.price, "price"),
        percent=_number(n.percent, "percent"),
        temperature_class=n.temperature_class.strip().lower() if n.temperature_class else None,
        service=n.service,
        zone=n.zone,
        max_km=_number(n.max_km, "max_km"),
        max_kg=_number(n.max_kg, "max_kg"),
        scope=_scope(n.scope),
        applies_to=_basis(n.applies_to, "applies_to"),
        min_quantity=_number(n.min_quantity, "min_quantity"),
    )


def _tariff(uow: UnitOfWork, new: NewTariff | FlatTariff) -> Tariff:
    if isinstance(new, FlatTariff):
        rules = flat_rules(
            (uow.ids.new("trr") for _ in range(4)),
            new.handling_per_line,
            new.transport_per_kg_km,
            new.transport_per_drop,
            new.storage_per_unit_day,
        )
    else:
        if not new.rules:
            raise InvalidInput("a tariff needs at least one rule", field="rules")
        rules = tuple(_rule(uow, r) for r in new.rules)
    return Tariff(
        id=TariffId(uow.ids.new("trf")),
        customer_id=new.customer_id,
        valid_from=new.valid_from,
        valid_to=new.valid_to,
        currency=new.currency.strip().upper(),
        tax_rate=parse_decimal(new.tax_rate, "tax_rate"),
        rules=rules,
    )


def set_tariff(uow: UnitOfWork, new: NewTariff | FlatTariff) -> Tariff:
    """Add a version of a customer's tariff (or, with no customer, of the tenant's default).

    Versions are never changed: a version applies to activities from its ``valid_from`` until
    its ``valid_to`` or the next version's ``valid_from``. Charges already accrued keep their
    price until a re-rating of their period (``rerating.rerate``).
    """
    with uow:
        tariff = _tariff(uow, new)
        owner = f"customer {tariff.customer_id}" if tariff.customer_id else "the default tariff"
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
            tariff_repo.insert_tariff(uow, tariff)
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
            return tariff_repo.list_tariffs(uow)
        return tariff_repo.list_tariffs(uow, [customer_id], with_default=False)


def get_tariff(uow: UnitOfWork, tariff_id: TariffId) -> Tariff:
    with uow:
        for t in tariff_repo.list_tariffs(uow):
            if t.id == tariff_id:
                return t
    raise NotFound(f"no tariff {tariff_id}")


def set_fuel_index(uow: UnitOfWork, valid_from: date, percent: Number) -> Decimal:
    """The fuel surcharge % applied to transport from ``valid_from`` (a day's entry replaced)."""
    value = percent_of(percent, "percent")
    with uow:
        tariff_repo.set_fuel_percent(uow, valid_from, value)
        uow.commit()
    return value


def fuel_index(uow: UnitOfWork) -> list[tuple[date, Decimal]]:
    with uow:
        return tariff_repo.fuel_entries(uow)
