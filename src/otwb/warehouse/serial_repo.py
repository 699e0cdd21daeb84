"""Serial numbers of serial-tracked SKUs: which are in stock (per SKU, lot and warehouse) and
which order each one left with. A serial is unique per SKU within a tenant.

Serials are tracked per warehouse and lot, not per bin: a putaway or a replenishment moves units
without naming them; a receipt must name every unit, a pick must name the units it took.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, update

from otwb.platform.errors import Conflict, InvalidInput
from otwb.platform.ids import OrderId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.model import LotId, Sku
from otwb.warehouse.tables import serials


def _clean(sku: Sku, given: Sequence[str], quantity: int) -> list[str]:
    cleaned = [s.strip() for s in given]
    if not sku.serial_tracked:
        if cleaned:
            raise InvalidInput(f"SKU {sku.code} is not serial-tracked", field="serials")
        return []
    if len(cleaned) != quantity or any(not s for s in cleaned):
        raise InvalidInput(
            f"SKU {sku.code} is serial-tracked: give one serial per unit ({quantity})",
            field="serials",
        )
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("serials repeat", field="serials")
    return cleaned


def receive(
    uow: UnitOfWork,
    sku: Sku,
    lot_id: LotId | None,
    warehouse_id: WarehouseId,
    quantity: int,
    given: Sequence[str],
) -> None:
    cleaned = _clean(sku, given, quantity)
    if not cleaned:
        return
    known = set(
        uow.conn.execute(
            select(serials.c.serial).where(
                serials.c.tenant_id == uow.tenant_id,
                serials.c.sku_id == sku.id,
                serials.c.serial.in_(cleaned),
            )
        ).scalars()
    )
    if known:
        raise Conflict(f"serials already known for {sku.code}: {', '.join(sorted(known))}")
    now = uow.clock.now()
    uow.conn.execute(
        insert(serials),
        [
            {
                "id": uow.ids.new("ser"),
                "tenant_id": uow.tenant_id,
                "sku_id": sku.id,
                "serial": s,
                "lot_id": lot_id,
                "warehouse_id": warehouse_id,
                "status": "in_stock",
                "updated_at": now,
            }
            for s in cleaned
        ],
    )


def pick(
    uow: UnitOfWork,
    sku: Sku,
    lot_id: LotId | None,
    warehouse_id: WarehouseId,
    quantity: int,
    given: Sequence[str],
    order_id: OrderId,
) -> None:
    """The picked units, named: each must be in stock in that warehouse, of that lot."""
    cleaned = _clean(sku, given, quantity)
    if not cleaned:
        return
    result = uow.conn.execute(
        update(serials)
        .where(
            serials.c.tenant_id == uow.tenant_id,
            serials.c.sku_id == sku.id,
            serials.c.lot_id == lot_id,
            serials.c.warehouse_id == warehouse_id,
            serials.c.status == "in_stock",
            serials.c.serial.in_(cleaned),
        )
        .values(status="picked", order_id=order_id, updated_at=uow.clock.now())
    )
    if result.rowcount != len(cleaned):
        raise InvalidInput(
            f"{len(cleaned) - result.rowcount} serial(s) are not in stock here for "
            f"{sku.code} of this lot",
            field="serials",
        )


def put_back(uow: UnitOfWork, order_id: OrderId) -> None:
    """The order's goods went back to stock: so did their serials."""
    uow.conn.execute(
        update(serials)
        .where(serials.c.tenant_id == uow.tenant_id, serials.c.order_id == order_id)
        .values(status="in_stock", order_id=None, updated_at=uow.clock.now())
    )


def of_order(uow: UnitOfWork, order_id: OrderId) -> list[str]:
    return list(
        uow.conn.execute(
            select(serials.c.serial)
            .where(serials.c.tenant_id == uow.tenant_id, serials.c.order_id == order_id)
            .order_by(serials.c.serial)
        ).scalars()
    )
