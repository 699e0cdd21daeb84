"""W's record of what an allocation could not promise: back-ordered lines per fulfilment."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select

from otwb.platform.ids import OrderLineId, SkuId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.tables import backorders


def insert_backorders(
    uow: UnitOfWork,
    fulfilment_id: str,
    items: Sequence[tuple[OrderLineId, SkuId, int]],
    reason: str,
) -> None:
    now = uow.clock.now()
    rows = [
        {
            "id": uow.ids.new("bko"),
            "tenant_id": uow.tenant_id,
            "fulfilment_id": fulfilment_id,
            "order_line_id": line,
            "sku_id": sku,
            "quantity": qty,
            "reason": reason,
            "created_at": now,
        }
        for line, sku, qty in items
        if qty > 0
    ]
    if rows:
        uow.conn.execute(insert(backorders), rows)


def backordered(uow: UnitOfWork, fulfilment_id: str) -> list[tuple[OrderLineId, SkuId, int]]:
    rows = uow.conn.execute(
        select(backorders.c.order_line_id, backorders.c.sku_id, backorders.c.quantity)
        .where(backorders.c.tenant_id == uow.tenant_id, backorders.c.fulfilment_id == fulfilment_id)
        .order_by(backorders.c.id)
    ).all()
    return [(OrderLineId(a), SkuId(b), int(c)) for a, b, c in rows]
