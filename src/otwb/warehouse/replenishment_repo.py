"""Reading and writing W's replenishment rules and transfer orders, within the caller's
tenant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update

from otwb.platform.db import upsert
from otwb.platform.errors import NotFound
from otwb.platform.ids import SkuId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.tables import skus
from otwb.warehouse.work_tables import replenishment_rules, transfer_lines, transfer_orders


@dataclass(frozen=True, slots=True)
class Rule:
    warehouse_id: WarehouseId
    sku_id: SkuId
    sku: str
    min_qty: int | None
    max_qty: int | None
    pick_min: int | None
    pick_max: int | None


@dataclass(frozen=True, slots=True)
class TransferLine:
    sku_id: SkuId
    sku: str
    requested: int
    shipped: int


@dataclass(frozen=True, slots=True)
class TransferOrder:
    id: str
    from_warehouse_id: WarehouseId
    to_warehouse_id: WarehouseId
    status: str
    lines: tuple[TransferLine, ...]


def set_rule(uow: UnitOfWork, rule: Rule) -> None:
    upsert(
        uow.conn,
        replenishment_rules,
        {
            "tenant_id": uow.tenant_id,
            "warehouse_id": rule.warehouse_id,
            "sku_id": rule.sku_id,
            "min_qty": rule.min_qty,
            "max_qty": rule.max_qty,
            "pick_min": rule.pick_min,
            "pick_max": rule.pick_max,
        },
        [
            replenishment_rules.c.tenant_id,
            replenishment_rules.c.warehouse_id,
            replenishment_rules.c.sku_id,
        ],
        lambda x: {
            "min_qty": x.min_qty,
            "max_qty": x.max_qty,
            "pick_min": x.pick_min,
            "pick_max": x.pick_max,
        },
    )


def list_rules(uow: UnitOfWork, warehouse_id: WarehouseId | None) -> list[Rule]:
    query = (
        select(replenishment_rules, skus.c.code)
        .join(skus, skus.c.id == replenishment_rules.c.sku_id)
        .where(replenishment_rules.c.tenant_id == uow.tenant_id)
    )
    if warehouse_id is not None:
        query = query.where(replenishment_rules.c.warehouse_id == warehouse_id)
    rows = uow.conn.execute(query.order_by(replenishment_rules.c.warehouse_id, skus.c.code))
    return [
        Rule(
            WarehouseId(r.warehouse_id),
            SkuId(r.sku_id),
            r.code,
            r.min_qty,
            r.max_qty,
            r.pick_min,
            r.pick_max,
        )
        for r in rows
    ]


def insert_transfer(uow: UnitOfWork, order: TransferOrder) -> None:
    uow.conn.execute(
        insert(transfer_orders).values(
            id=order.id,
            tenant_id=uow.tenant_id,
            from_warehouse_id=order.from_warehouse_id,
            to_warehouse_id=order.to_warehouse_id,
            status=order.status,
            created_at=uow.clock.now(),
        )
    )
    uow.conn.execute(
        insert(transfer_lines),
        [
            {
                "id": uow.ids.new("trl"),
                "tenant_id": uow.tenant_id,
                "transfer_id": order.id,
                "sku_id": x.sku_id,
                "requested": x.requested,
                "shipped": 0,
            }
            for x in order.lines
        ],
    )


def _transfer(uow: UnitOfWork, r: Any) -> TransferOrder:
    lines = uow.conn.execute(
        select(transfer_lines, skus.c.code)
        .join(skus, skus.c.id == transfer_lines.c.sku_id)
        .where(transfer_lines.c.tenant_id == uow.tenant_id, transfer_lines.c.transfer_id == r.id)
        .order_by(skus.c.code)
    ).all()
    return TransferOrder(
        r.id,
        WarehouseId(r.from_warehouse_id),
        WarehouseId(r.to_warehouse_id),
        r.status,
        tuple(TransferLine(SkuId(x.sku_id), x.code, x.requested, x.shipped) for x in lines),
    )


def get_transfer(uow: UnitOfWork, transfer_id: str) -> TransferOrder:
    row = uow.conn.execute(
        select(transfer_orders)
        .where(transfer_orders.c.tenant_id == uow.tenant_id, transfer_orders.c.id == transfer_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"no transfer order {transfer_id}")
    return _transfer(uow, row)


def list_transfers(
    uow: UnitOfWork, warehouse_id: WarehouseId | None, status: str | None
) -> list[TransferOrder]:
    query = select(transfer_orders).where(transfer_orders.c.tenant_id == uow.tenant_id)
    if warehouse_id is not None:
        query = query.where(
            (transfer_orders.c.from_warehouse_id == warehouse_id)
            | (transfer_orders.c.to_warehouse_id == warehouse_id)
        )
    if status is not None:
        query = query.where(transfer_orders.c.status == status)
    rows = uow.conn.execute(query.order_by(transfer_orders.c.id).limit(500)).all()
    return [_transfer(uow, r) for r in rows]


def set_status(uow: UnitOfWork, transfer_id: str, old: str, new: str) -> bool:
    values: dict[str, Any] = {"status": new}
    if new in ("shipped", "received"):
        values[f"{new}_at"] = uow.clock.now()
    result = uow.conn.execute(
        update(transfer_orders)
        .where(
            transfer_orders.c.tenant_id == uow.tenant_id,
            transfer_orders.c.id == transfer_id,
            transfer_orders.c.status == old,
        )
        .values(**values)
    )
    return result.rowcount == 1


def set_shipped(uow: UnitOfWork, transfer_id: str, shipped: dict[SkuId, int]) -> None:
    for sku_id, qty in sorted(shipped.items()):
        uow.conn.execute(
            update(transfer_lines)
            .where(
                transfer_lines.c.tenant_id == uow.tenant_id,
                transfer_lines.c.transfer_id == transfer_id,
                transfer_lines.c.sku_id == sku_id,
            )
            .values(shipped=qty)
        )


def in_transit(uow: UnitOfWork, to_warehouse_id: WarehouseId) -> dict[SkuId, int]:
    """Units on their way to a warehouse: planned (requested) or shipped, not yet received."""
    rows = uow.conn.execute(
        select(
            transfer_lines.c.sku_id,
            func.sum(transfer_lines.c.requested).filter(transfer_orders.c.status == "planned"),
            func.sum(transfer_lines.c.shipped).filter(transfer_orders.c.status == "shipped"),
        )
        .join(transfer_orders, transfer_orders.c.id == transfer_lines.c.transfer_id)
        .where(
            transfer_lines.c.tenant_id == uow.tenant_id,
            transfer_orders.c.to_warehouse_id == to_warehouse_id,
            transfer_orders.c.status.in_(("planned", "shipped")),
        )
        .group_by(transfer_lines.c.sku_id)
    ).all()
    return {SkuId(s): int(a or 0) + int(b or 0) for s, a, b in rows}
