"""Allocating an order again: O re-releases an order after a hold, an amendment, or when its
back-orders are retried. Before the new allocation, W forgets the old one -- what it still
promises goes back to the stock (``release_order``), then its rows are deleted so that the
order's one fulfilment (``UNIQUE(tenant_id, order_id)``) can be written afresh. An order the
floor has already picked is not re-allocated (O refuses to amend it)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import delete, select

from otwb.platform.ids import OrderId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import fulfilment
from otwb.warehouse.model import FulfilmentStatus
from otwb.warehouse.tables import allocations, backorders, fulfilments

log = logging.getLogger("otwb.warehouse")

_REDOABLE = {FulfilmentStatus.ALLOCATED.value, FulfilmentStatus.RELEASED.value}


def withdraw(uow: UnitOfWork, order_ids: Sequence[OrderId]) -> set[OrderId]:
    """Forget the earlier allocation of these orders; the ids that may now be allocated."""
    with uow:
        rows = uow.conn.execute(
            select(fulfilments.c.id, fulfilments.c.order_id, fulfilments.c.status)
            .where(
                fulfilments.c.tenant_id == uow.tenant_id,
                fulfilments.c.order_id.in_(sorted(set(order_ids))),
            )
            .order_by(fulfilments.c.order_id)
        ).all()
        free = set(order_ids)
        gone: list[str] = []
        for row in rows:
            if row.status not in _REDOABLE:
                log.warning("order %s is %s: not allocated again", row.order_id, row.status)
                free.discard(OrderId(row.order_id))
                continue
            if row.status == FulfilmentStatus.ALLOCATED.value:
                fulfilment.release_order(uow, OrderId(row.order_id))
            gone.append(row.id)
        if gone:
            for table in (backorders, allocations):
                uow.conn.execute(
                    delete(table).where(
                        table.c.tenant_id == uow.tenant_id, table.c.fulfilment_id.in_(gone)
                    )
                )
            uow.conn.execute(delete(fulfilments).where(fulfilments.c.id.in_(gone)))
        uow.commit()
    return free


def release_held(uow: UnitOfWork, order_id: OrderId) -> None:
    """The order was put on hold: free what its allocation promises (if it has one)."""
    with uow:
        row = uow.conn.execute(
            select(fulfilments.c.status).where(
                fulfilments.c.tenant_id == uow.tenant_id, fulfilments.c.order_id == order_id
            )
        ).one_or_none()
        if row is not None and row.status == FulfilmentStatus.ALLOCATED.value:
            fulfilment.release_order(uow, order_id)
        uow.commit()
