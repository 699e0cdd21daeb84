"""Reading and writing tariffs, their rules and the fuel index, within the caller's tenant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, or_, select

from otwb.billing.charges import Basis
from otwb.billing.numbers import plain
from otwb.billing.tables import fuel_index, tariff_rules, tariffs
from otwb.billing.tariff import MinimumScope, Rule, Tariff
from otwb.platform.db import upsert
from otwb.platform.ids import CustomerId, TariffId
from otwb.platform.uow import UnitOfWork

RULE_FIELDS = (
    "price",
    "percent",
    "temperature_class",
    "service",
    "zone",
    "max_km",
    "max_kg",
    "scope",
    "applies_to",
    "min_quantity",
)


def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else plain(value)


def _rule(r: Any) -> Rule:
    return Rule(
        id=r.id,
        basis=Basis(r.basis),
        price=_number(r.price),
        percent=_number(r.percent),
        temperature_class=r.temperature_class,
        service=r.service,
        zone=r.zone,
        max_km=_number(r.max_km),
        max_kg=_number(r.max_kg),
        scope=MinimumScope(r.scope) if r.scope else None,
        applies_to=Basis(r.applies_to) if r.applies_to else None,
        min_quantity=_number(r.min_quantity),
    )


def insert_tariff(uow: UnitOfWork, t: Tariff) -> None:
    uow.conn.execute(
        insert(tariffs).values(
            id=t.id,
            tenant_id=uow.tenant_id,
            customer_id=t.customer_id,
            valid_from=t.valid_from,
            valid_to=t.valid_to,
            currency=t.currency,
            tax_rate=t.tax_rate,
            created_at=uow.clock.now(),
        )
    )
    if t.rules:
        uow.conn.execute(
            insert(tariff_rules),
            [
                {
                    "id": r.id,
                    "tenant_id": uow.tenant_id,
                    "tariff_id": t.id,
                    "position": n,
                    "basis": r.basis.value,
                    **{name: getattr(r, name) for name in RULE_FIELDS},
                }
                for n, r in enumerate(t.rules, start=1)
            ],
        )


def list_tariffs(
    uow: UnitOfWork, customer_ids: Sequence[CustomerId] | None = None, *, with_default: bool = True
) -> list[Tariff]:
    """Every version of the tenant's tariffs (or of these customers', plus the default's)."""
    query = select(tariffs).where(tariffs.c.tenant_id == uow.tenant_id)
    if customer_ids is not None:
        owners = [tariffs.c.customer_id.in_(list(customer_ids))]
        if with_default:
            owners.append(tariffs.c.customer_id.is_(None))
        query = query.where(or_(*owners))
    rows = uow.conn.execute(
        # the default first on both databases (they sort NULL differently)
        query.order_by(
            tariffs.c.customer_id.is_not(None),
            tariffs.c.customer_id,
            tariffs.c.valid_from,
            tariffs.c.id,
        )
    ).all()
    if not rows:
        return []
    rules: dict[str, list[Rule]] = defaultdict(list)
    rule_query = select(tariff_rules).where(tariff_rules.c.tenant_id == uow.tenant_id)
    if customer_ids is not None:
        rule_query = rule_query.where(tariff_rules.c.tariff_id.in_([r.id for r in rows]))
    for r in uow.conn.execute(
        rule_query.order_by(tariff_rules.c.tariff_id, tariff_rules.c.position)
    ):
        rules[r.tariff_id].append(_rule(r))
    return [
        Tariff(
            id=TariffId(r.id),
            customer_id=CustomerId(r.customer_id) if r.customer_id is not None else None,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            currency=r.currency,
            tax_rate=plain(r.tax_rate),
            rules=tuple(rules[r.id]),
        )
        for r in rows
    ]


# -- fuel index ----------------------------------------------------------------------------
def set_fuel_percent(uow: UnitOfWork, valid_from: date, percent: Decimal) -> None:
    """The fuel surcharge % from ``valid_from`` (replacing that day's entry, if any)."""
    upsert(
        uow.conn,
        fuel_index,
        {
            "tenant_id": uow.tenant_id,
            "valid_from": valid_from,
            "percent": percent,
            "created_at": uow.clock.now(),
        },
        keys=[fuel_index.c.tenant_id, fuel_index.c.valid_from],
        update=lambda excluded: {"percent": excluded.percent, "created_at": excluded.created_at},
    )


def fuel_entries(uow: UnitOfWork) -> list[tuple[date, Decimal]]:
    rows = uow.conn.execute(
        select(fuel_index.c.valid_from, fuel_index.c.percent)
        .where(fuel_index.c.tenant_id == uow.tenant_id)
        .order_by(fuel_index.c.valid_from)
    ).all()
    return [(d, plain(p)) for d, p in rows]
