"""Reading and writing returns, return policies and recalls (SQLAlchemy Core), always within the
caller's tenant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from otwb.orders.returns import (
    Credit,
    Disposition,
    Inspection,
    ReturnPolicy,
    ReturnReason,
    Rma,
    RmaLine,
    RmaStatus,
)
from otwb.orders.returns_tables import (
    recalls,
    return_policies,
    returnable_lines,
    rma_inspections,
    rma_lines,
    rmas,
)
from otwb.platform.errors import NotFound
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, ShipmentId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.uow import UnitOfWork


# -- policies -------------------------------------------------------------------------------
def get_policy(uow: UnitOfWork, customer_id: CustomerId) -> ReturnPolicy:
    row = uow.conn.execute(
        select(return_policies).where(
            return_policies.c.tenant_id == uow.tenant_id,
            return_policies.c.customer_id == customer_id,
        )
    ).one_or_none()
    if row is None:
        return ReturnPolicy()
    return ReturnPolicy(row.window_days, row.restocking_fee_pct)


def set_policy(uow: UnitOfWork, customer_id: CustomerId, policy: ReturnPolicy) -> None:
    values = {
        "window_days": policy.window_days,
        "restocking_fee_pct": policy.restocking_fee_pct,
        "updated_at": uow.clock.now(),
    }
    done = uow.conn.execute(
        update(return_policies)
        .where(
            return_policies.c.tenant_id == uow.tenant_id,
            return_policies.c.customer_id == customer_id,
        )
        .values(**values)
    )
    if done.rowcount == 0:
        uow.conn.execute(
            insert(return_policies).values(
                tenant_id=uow.tenant_id, customer_id=customer_id, **values
            )
        )


# -- what each line may still return ------------------------------------------------------------
def returned_by_line(uow: UnitOfWork, line_ids: Sequence[OrderLineId]) -> dict[OrderLineId, int]:
    rows = uow.conn.execute(
        select(returnable_lines.c.order_line_id, returnable_lines.c.returned).where(
            returnable_lines.c.tenant_id == uow.tenant_id,
            returnable_lines.c.order_line_id.in_(sorted(set(line_ids))),
        )
    )
    return {OrderLineId(r.order_line_id): r.returned for r in rows}


def ensure_returnable(
    uow: UnitOfWork, order_id: OrderId, delivered: Mapping[OrderLineId, int]
) -> None:
    """A row per delivered line (kept if it exists: a concurrent request may have made it)."""
    dialect_insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    rows = [
        {
            "tenant_id": uow.tenant_id,
            "order_line_id": line_id,
            "order_id": order_id,
            "delivered": quantity,
            "returned": 0,
        }
        for line_id, quantity in sorted(delivered.items())
        if quantity > 0
    ]
    if rows:
        uow.conn.execute(
            dialect_insert(returnable_lines).on_conflict_do_nothing(
                index_elements=[returnable_lines.c.order_line_id]
            ),
            rows,
        )


def take_returnable(uow: UnitOfWork, line_id: OrderLineId, quantity: int) -> bool:
    """Count ``quantity`` more units of the line as returned, if that stays within what was
    delivered (a conditional UPDATE: of two racing requests, one only gets the last units)."""
    t = returnable_lines
    done = uow.conn.execute(
        update(t)
        .where(
            t.c.tenant_id == uow.tenant_id,
            t.c.order_line_id == line_id,
            t.c.returned + quantity <= t.c.delivered,
        )
        .values(returned=t.c.returned + quantity)
    )
    return done.rowcount == 1


def give_back_returnable(uow: UnitOfWork, quantities: Mapping[OrderLineId, int]) -> None:
    """Units a refused, cancelled or short return no longer holds."""
    t = returnable_lines
    for line_id, quantity in sorted(quantities.items()):
        if quantity > 0:
            uow.conn.execute(
                update(t)
                .where(t.c.tenant_id == uow.tenant_id, t.c.order_line_id == line_id)
                .values(returned=t.c.returned - quantity)
            )


# -- returns --------------------------------------------------------------------------------
def insert_rma(uow: UnitOfWork, rma: Rma, recall_id: str | None = None) -> None:
    uow.conn.execute(
        insert(rmas).values(
            id=rma.id,
            tenant_id=uow.tenant_id,
            order_id=rma.order_id,
            customer_id=rma.customer_id,
            warehouse_id=rma.warehouse_id,
            status=rma.status.value,
            currency=rma.currency,
            note=rma.note,
            requested_at=rma.requested_at,
            updated_at=rma.requested_at,
            recall_id=recall_id,
        )
    )
    uow.conn.execute(
        insert(rma_lines),
        [
            {
                "id": line.id,
                "tenant_id": uow.tenant_id,
                "rma_id": rma.id,
                "order_line_id": line.order_line_id,
                "line_no": line.line_no,
                "sku": line.sku,
                "quantity": line.quantity,
                "reason": line.reason.value,
                "unit_price": line.unit_price,
            }
            for line in rma.lines
        ],
    )


def _rma(row: Any, lines: Sequence[Any], inspections: Sequence[Any]) -> Rma:
    credit = None
    if row.credit_gross is not None:
        credit = Credit(
            Money(row.credit_gross, row.currency), Money(row.restocking_fee, row.currency)
        )
    return Rma(
        id=row.id,
        order_id=OrderId(row.order_id),
        customer_id=CustomerId(row.customer_id),
        warehouse_id=WarehouseId(row.warehouse_id),
        status=RmaStatus(row.status),
        currency=row.currency,
        lines=tuple(
            RmaLine(
                x.id,
                OrderLineId(x.order_line_id),
                x.line_no,
                x.sku,
                x.quantity,
                ReturnReason(x.reason),
                Decimal(x.unit_price),
            )
            for x in lines
        ),
        requested_at=row.requested_at,
        note=row.note,
        pickup_shipment_id=ShipmentId(row.pickup_shipment_id) if row.pickup_shipment_id else None,
        pickup_tracking=row.pickup_tracking,
        refused_reason=row.refused_reason,
        inspections=tuple(
            Inspection(
                x.line_no,
                x.quantity,
                Disposition(x.disposition),
                x.lot,
                x.accepted,
                Disposition(x.requested) if x.requested else None,
            )
            for x in inspections
        ),
        credit=credit,
    )


def _load(uow: UnitOfWork, rows: Sequence[Any]) -> list[Rma]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    lines: dict[str, list[Any]] = {i: [] for i in ids}
    for x in uow.conn.execute(
        select(rma_lines)
        .where(rma_lines.c.tenant_id == uow.tenant_id, rma_lines.c.rma_id.in_(ids))
        .order_by(rma_lines.c.rma_id, rma_lines.c.line_no)
    ):
        lines[x.rma_id].append(x)
    checked: dict[str, list[Any]] = {i: [] for i in ids}
    for x in uow.conn.execute(
        select(rma_inspections)
        .where(rma_inspections.c.tenant_id == uow.tenant_id, rma_inspections.c.rma_id.in_(ids))
        .order_by(rma_inspections.c.id)
    ):
        checked[x.rma_id].append(x)
    return [_rma(r, lines[r.id], checked[r.id]) for r in rows]


def get_rma(uow: UnitOfWork, rma_id: str) -> Rma:
    row = uow.conn.execute(
        select(rmas).where(rmas.c.tenant_id == uow.tenant_id, rmas.c.id == rma_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no return {rma_id}")
    return _load(uow, [row])[0]


def find_rma_by_pickup(uow: UnitOfWork, shipment_id: str) -> Rma | None:
    row = uow.conn.execute(
        select(rmas).where(
            rmas.c.tenant_id == uow.tenant_id, rmas.c.pickup_shipment_id == shipment_id
        )
    ).one_or_none()
    return None if row is None else _load(uow, [row])[0]


def list_rmas(
    uow: UnitOfWork,
    status: RmaStatus | None = None,
    order_id: OrderId | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Rma]:
    query = select(rmas).where(rmas.c.tenant_id == uow.tenant_id)
    if status is not None:
        query = query.where(rmas.c.status == status.value)
    if order_id is not None:
        query = query.where(rmas.c.order_id == order_id)
    rows = uow.conn.execute(query.order_by(rmas.c.id).limit(limit).offset(offset)).all()
    return _load(uow, rows)


def move_rma(
    uow: UnitOfWork, rma_id: str, previous: RmaStatus, to: RmaStatus, **values: Any
) -> bool:
    """Set the status (and other columns) only if nobody moved the return meanwhile."""
    done = uow.conn.execute(
        update(rmas)
        .where(
            rmas.c.tenant_id == uow.tenant_id,
            rmas.c.id == rma_id,
            rmas.c.status == previous.value,
        )
        .values(status=to.value, updated_at=uow.clock.now(), **values)
    )
    return done.rowcount == 1


def insert_inspections(uow: UnitOfWork, rma_id: str, items: Sequence[Inspection]) -> None:
    uow.conn.execute(
        insert(rma_inspections),
        [
            {
                "tenant_id": uow.tenant_id,
                "rma_id": rma_id,
                "line_no": x.line_no,
                "lot": x.lot,
                "quantity": x.quantity,
                "disposition": x.disposition.value,
                "requested": x.requested.value if x.requested else None,
                "accepted": x.accepted,
            }
            for x in items
        ],
    )


# -- recalls --------------------------------------------------------------------------------
def insert_recall(
    uow: UnitOfWork,
    recall_id: str,
    sku: str,
    lot: str,
    reason: str,
    counts: tuple[int, int, int],
    at: datetime,
) -> None:
    orders, units, created = counts
    uow.conn.execute(
        insert(recalls).values(
            id=recall_id,
            tenant_id=uow.tenant_id,
            sku=sku,
            lot=lot,
            reason=reason,
            orders=orders,
            units_delivered=units,
            returns_created=created,
            created_at=at,
        )
    )


def find_recall(uow: UnitOfWork, sku: str, lot: str) -> tuple[str, list[str]] | None:
    """The recall of this lot, and the returns it created."""
    recall_id = uow.conn.execute(
        select(recalls.c.id).where(
            recalls.c.tenant_id == uow.tenant_id, recalls.c.sku == sku, recalls.c.lot == lot
        )
    ).scalar_one_or_none()
    if recall_id is None:
        return None
    created = uow.conn.execute(
        select(rmas.c.id)
        .where(rmas.c.tenant_id == uow.tenant_id, rmas.c.recall_id == recall_id)
        .order_by(rmas.c.id)
    ).scalars()
    return recall_id, list(created)
