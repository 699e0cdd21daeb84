"""Reading and writing W's inbound records -- advance shipping notices and their lines -- and
move tasks (putaway, replenishment), within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from otwb.platform.errors import NotFound
from otwb.platform.ids import LocationId, SkuId, StockId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.stock_repo import Contents, contents
from otwb.warehouse.tables import skus, stock
from otwb.warehouse.work_tables import asn_lines, asns, move_tasks


@dataclass(frozen=True, slots=True)
class AsnLine:
    id: str
    line_no: int
    sku_id: SkuId
    lot: str | None
    expires_on: date | None
    expected: int
    received: int
    damaged: int

    @property
    def over(self) -> int:
        """Units beyond what the notice announced (good and damaged)."""
        return max(self.received + self.damaged - self.expected, 0)

    @property
    def short(self) -> int:
        """Units announced that never arrived."""
        return max(self.expected - self.received - self.damaged, 0)


@dataclass(frozen=True, slots=True)
class Asn:
    id: str
    warehouse_id: WarehouseId
    reference: str
    supplier: str
    expected_at: datetime | None
    status: str
    lines: tuple[AsnLine, ...]


def insert_asn(uow: UnitOfWork, asn: Asn) -> None:
    uow.conn.execute(
        insert(asns).values(
            id=asn.id,
            tenant_id=uow.tenant_id,
            warehouse_id=asn.warehouse_id,
            reference=asn.reference,
            supplier=asn.supplier,
            expected_at=asn.expected_at,
            status=asn.status,
            created_at=uow.clock.now(),
        )
    )
    uow.conn.execute(
        insert(asn_lines),
        [
            {
                "id": x.id,
                "tenant_id": uow.tenant_id,
                "asn_id": asn.id,
                "line_no": x.line_no,
                "sku_id": x.sku_id,
                "lot_code": x.lot,
                "expires_on": x.expires_on,
                "expected": x.expected,
                "received": 0,
                "damaged": 0,
            }
            for x in asn.lines
        ],
    )


def _asn(uow: UnitOfWork, row: Any) -> Asn:
    lines = uow.conn.execute(
        select(asn_lines)
        .where(asn_lines.c.tenant_id == uow.tenant_id, asn_lines.c.asn_id == row.id)
        .order_by(asn_lines.c.line_no)
    ).all()
    return Asn(
        row.id,
        WarehouseId(row.warehouse_id),
        row.reference,
        row.supplier,
        row.expected_at,
        row.status,
        tuple(
            AsnLine(
                x.id,
                x.line_no,
                SkuId(x.sku_id),
                x.lot_code,
                x.expires_on,
                x.expected,
                x.received,
                x.damaged,
            )
            for x in lines
        ),
    )


def get_asn(uow: UnitOfWork, asn_id: str, *, lock: bool = False) -> Asn:
    query = select(asns).where(asns.c.tenant_id == uow.tenant_id, asns.c.id == asn_id)
    row = uow.conn.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"no ASN {asn_id}")
    return _asn(uow, row)


def list_asns(uow: UnitOfWork, warehouse_id: WarehouseId | None, status: str | None) -> list[Asn]:
    query = select(asns).where(asns.c.tenant_id == uow.tenant_id)
    if warehouse_id is not None:
        query = query.where(asns.c.warehouse_id == warehouse_id)
    if status is not None:
        query = query.where(asns.c.status == status)
    return [_asn(uow, r) for r in uow.conn.execute(query.order_by(asns.c.id).limit(500)).all()]


def record_receipt(uow: UnitOfWork, line_id: str, received: int, damaged: int) -> None:
    uow.conn.execute(
        update(asn_lines)
        .where(asn_lines.c.tenant_id == uow.tenant_id, asn_lines.c.id == line_id)
        .values(received=asn_lines.c.received + received, damaged=asn_lines.c.damaged + damaged)
    )


def set_asn_status(uow: UnitOfWork, asn_id: str, status: str) -> None:
    values: dict[str, Any] = {"status": status}
    if status == "closed":
        values["closed_at"] = uow.clock.now()
    uow.conn.execute(
        update(asns).where(asns.c.tenant_id == uow.tenant_id, asns.c.id == asn_id).values(**values)
    )


# -- move tasks ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MoveTask:
    id: str
    warehouse_id: WarehouseId
    kind: str
    from_stock_id: StockId
    to_location_id: LocationId
    quantity: int
    status: str
    reference: str | None


def _task(r: Any) -> MoveTask:
    return MoveTask(
        r.id,
        WarehouseId(r.warehouse_id),
        r.kind,
        StockId(r.from_stock_id),
        LocationId(r.to_location_id),
        r.quantity,
        r.status,
        r.reference,
    )


def insert_moves(uow: UnitOfWork, tasks: Sequence[MoveTask]) -> None:
    if tasks:
        now = uow.clock.now()
        uow.conn.execute(
            insert(move_tasks),
            [
                {
                    "id": t.id,
                    "tenant_id": uow.tenant_id,
                    "warehouse_id": t.warehouse_id,
                    "kind": t.kind,
                    "from_stock_id": t.from_stock_id,
                    "to_location_id": t.to_location_id,
                    "quantity": t.quantity,
                    "status": t.status,
                    "reference": t.reference,
                    "created_at": now,
                }
                for t in tasks
            ],
        )


def get_move(uow: UnitOfWork, task_id: str) -> MoveTask:
    row = uow.conn.execute(
        select(move_tasks).where(
            move_tasks.c.tenant_id == uow.tenant_id, move_tasks.c.id == task_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no move task {task_id}")
    return _task(row)


def finish_move(uow: UnitOfWork, task_id: str, status: str, to: LocationId) -> bool:
    """Close an open task (done or cancelled); False if it was not open any more."""
    result = uow.conn.execute(
        update(move_tasks)
        .where(
            move_tasks.c.tenant_id == uow.tenant_id,
            move_tasks.c.id == task_id,
            move_tasks.c.status == "open",
        )
        .values(status=status, to_location_id=to, done_at=uow.clock.now())
    )
    return result.rowcount == 1


def list_moves(
    uow: UnitOfWork,
    warehouse_id: WarehouseId | None,
    kind: str | None,
    status: str | None,
    reference: str | None = None,
    limit: int = 1000,
) -> list[MoveTask]:
    query = select(move_tasks).where(move_tasks.c.tenant_id == uow.tenant_id)
    for column, value in (
        (move_tasks.c.warehouse_id, warehouse_id),
        (move_tasks.c.kind, kind),
        (move_tasks.c.status, status),
        (move_tasks.c.reference, reference),
    ):
        if value is not None:
            query = query.where(column == value)
    rows = uow.conn.execute(query.order_by(move_tasks.c.id).limit(limit)).all()
    return [_task(r) for r in rows]


def open_move_quantity(uow: UnitOfWork, stock_ids: Sequence[StockId]) -> dict[StockId, int]:
    """Units of these rows that open move tasks are about to take away."""
    if not stock_ids:
        return {}
    rows = uow.conn.execute(
        select(move_tasks.c.from_stock_id, func.sum(move_tasks.c.quantity))
        .where(
            move_tasks.c.tenant_id == uow.tenant_id,
            move_tasks.c.status == "open",
            move_tasks.c.from_stock_id.in_(list(stock_ids)),
        )
        .group_by(move_tasks.c.from_stock_id)
    ).all()
    return {StockId(s): int(q) for s, q in rows}


def incoming(uow: UnitOfWork, warehouse_id: WarehouseId) -> Contents:
    """What open move tasks are about to bring to each bin."""
    rows = uow.conn.execute(
        select(
            move_tasks.c.to_location_id.label("location_id"),
            stock.c.sku_id,
            stock.c.lot_id,
            move_tasks.c.quantity.label("units"),
            skus.c.volume_m3,
            skus.c.weight_kg,
        )
        .join(stock, stock.c.id == move_tasks.c.from_stock_id)
        .join(skus, skus.c.id == stock.c.sku_id)
        .where(
            move_tasks.c.tenant_id == uow.tenant_id,
            move_tasks.c.warehouse_id == warehouse_id,
            move_tasks.c.status == "open",
        )
    ).all()
    return contents(rows)
