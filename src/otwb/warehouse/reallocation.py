"""Allocating an order again: O re-releases an order after a hold, an amendment, or when its
back-orders are retried. Before the new allocation, W forgets the old one -- what it still
promises goes back to the stock (``release_order``, part by part of a split order), then its
rows are deleted so that the order's fulfilments (``UNIQUE(tenant_id, order_id, warehouse_id)``)
can be written afresh, wherever O sources it now. An order of which any part has been picked is
not re-allocated (O refuses to amend it)."""

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
            select(
                fulfilments.c.id,
                fulfilments.c.order_id,
                fulfilments.c.warehouse_id,
                fulfilments.c.status,
            )
            .where(
                fulfilments.c.tenant_id == uow.tenant_id,
                fulfilments.c.order_id.in_(sorted(set(order_ids))),
            )
            .order_by(fulfilments.c.order_id)
        ).all()
        free = set(order_ids)
        for row in rows:
            if row.status not in _REDOABLE:
                log.warning("order %s is %s: not allocated again", row.order_id, row.status)
                free.discard(OrderId(row.order_id))
        gone: list[str] = []
        for row in rows:
            if OrderId(row.order_id) not in free:
                continue
            if row.status == FulfilmentStatus.ALLOCATED.value:
                fulfilment.release_order(uow, OrderId(row.order_id), row.warehouse_id)
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
    """The order was put on hold: free what its allocation promises (every part of it)."""
    with uow:
        rows = uow.conn.execute(
            select(fulfilments.c.warehouse_id, fulfilments.c.status).where(
                fulfilments.c.tenant_id == uow.tenant_id, fulfilments.c.order_id == order_id
            )
        ).all()
        for row in rows:
            if row.status == FulfilmentStatus.ALLOCATED.value:
                fulfilment.release_order(uow, order_id, row.warehouse_id)
        uow.commit()
