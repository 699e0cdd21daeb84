"""Reading and writing carriers and their rate cards, always within the caller's tenant."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import insert, select

from otwb.platform.errors import NotFound
from otwb.platform.ids import CarrierId
from otwb.platform.uow import UnitOfWork
from otwb.transport.rating import Carrier, RateCard
from otwb.transport.tables import carriers, rate_cards


def insert_carrier(uow: UnitOfWork, c: Carrier) -> None:
    uow.conn.execute(
        insert(carriers).values(
            id=c.id,
            tenant_id=uow.tenant_id,
            code=c.code,
            name=c.name,
            connector=c.connector,
            endpoint=c.endpoint,
            active=c.active,
            created_at=uow.clock.now(),
        )
    )


def _carrier(r: Any) -> Carrier:
    return Carrier(CarrierId(r.id), r.code, r.name, r.connector, r.endpoint, bool(r.active))


def get_carrier(uow: UnitOfWork, carrier_id: CarrierId) -> Carrier:
    row = uow.conn.execute(
        select(carriers).where(carriers.c.tenant_id == uow.tenant_id, carriers.c.id == carrier_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no carrier {carrier_id}")
    return _carrier(row)


def list_carriers(uow: UnitOfWork) -> list[Carrier]:
    rows = uow.conn.execute(
        select(carriers).where(carriers.c.tenant_id == uow.tenant_id).order_by(carriers.c.code)
    ).all()
    return [_carrier(r) for r in rows]


def insert_rate_card(
    uow: UnitOfWork,
    card_id: str,
    carrier_id: CarrierId,
    service_level: str,
    valid_from: date,
    card: RateCard,
) -> None:
    uow.conn.execute(
        insert(rate_cards).values(
            id=card_id,
            tenant_id=uow.tenant_id,
            carrier_id=carrier_id,
            service_level=service_level,
            valid_from=valid_from,
            currency=card.currency,
            card=card.dumps(),
            created_at=uow.clock.now(),
        )
    )


def current_cards(
    uow: UnitOfWork, on: date, carrier_id: CarrierId | None = None
) -> list[tuple[CarrierId, str, date, RateCard]]:
    """For each carrier and service level, the card in force on ``on`` (the latest started)."""
    query = select(rate_cards).where(
        rate_cards.c.tenant_id == uow.tenant_id, rate_cards.c.valid_from <= on
    )
    if carrier_id is not None:
        query = query.where(rate_cards.c.carrier_id == carrier_id)
    latest: dict[tuple[str, str], Any] = {}
    for r in uow.conn.execute(query.order_by(rate_cards.c.valid_from)).all():
        latest[(r.carrier_id, r.service_level)] = r
    return [
        (
            CarrierId(r.carrier_id),
            r.service_level,
            r.valid_from,
            RateCard.parse(r.currency, json.loads(r.card)),
        )
        for _, r in sorted(latest.items())
    ]
