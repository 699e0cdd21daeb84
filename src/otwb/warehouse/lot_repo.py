"""Reading and writing W's lots, within the caller's tenant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from otwb.platform.ids import SkuId
from otwb.platform.sqllist import any_of
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.lots import Lot, LotStatus
from otwb.warehouse.model import LotId, Sku
from otwb.warehouse.tables import lots

_LOTS_BY_ID = select(lots).where(
    lots.c.tenant_id == bindparam("b_tenant"), any_of(lots.c.id, "b_ids")
)


def _lot(r: Any) -> Lot:
    return Lot(
        LotId(r.id), SkuId(r.sku_id), r.code, r.expires_on, LotStatus(r.status), r.received_at
    )


def ensure_lot(uow: UnitOfWork, lot_id: LotId, sku: Sku, code: str, expires_on: date | None) -> Lot:
    """The SKU's lot of this code -- created (released) when first received. A lot keeps the
    expiry it was first received with: the same lot with another date is refused."""
    row = uow.conn.execute(
        select(lots).where(
            lots.c.tenant_id == uow.tenant_id, lots.c.sku_id == sku.id, lots.c.code == code
        )
    ).one_or_none()
    if row is not None:
        return _lot(row)
    now = uow.clock.now()
    uow.conn.execute(
        insert(lots).values(
            id=lot_id,
            tenant_id=uow.tenant_id,
            sku_id=sku.id,
            code=code,
            expires_on=expires_on,
            status=LotStatus.RELEASED.value,
            received_at=now,
            updated_at=now,
        )
    )
    return Lot(lot_id, sku.id, code, expires_on, LotStatus.RELEASED, now)


def lots_by_id(uow: UnitOfWork, ids: Iterable[LotId]) -> dict[LotId, Lot]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = uow.conn.execute(_LOTS_BY_ID, {"b_tenant": uow.tenant_id, "b_ids": wanted})
    return {LotId(r.id): _lot(r) for r in rows}


def find_lot(uow: UnitOfWork, sku_id: SkuId, code: str) -> Lot | None:
    row = uow.conn.execute(
        select(lots).where(
            lots.c.tenant_id == uow.tenant_id, lots.c.sku_id == sku_id, lots.c.code == code
        )
    ).one_or_none()
    return None if row is None else _lot(row)


def list_lots(
    uow: UnitOfWork, sku_id: SkuId | None, status: LotStatus | None, limit: int
) -> list[Lot]:
    query = select(lots).where(lots.c.tenant_id == uow.tenant_id)
    if sku_id is not None:
        query = query.where(lots.c.sku_id == sku_id)
    if status is not None:
        query = query.where(lots.c.status == status.value)
    rows = uow.conn.execute(query.order_by(lots.c.expires_on, lots.c.code).limit(limit)).all()
    return [_lot(r) for r in rows]


def set_lot_status(
    uow: UnitOfWork, lot: Lot, status: LotStatus, previous: LotStatus, reason: str
) -> bool:
    result = uow.conn.execute(
        update(lots)
        .where(
            lots.c.tenant_id == uow.tenant_id,
            lots.c.id == lot.id,
            lots.c.status == previous.value,
        )
        .values(status=status.value, status_reason=reason or None, updated_at=uow.clock.now())
    )
    return result.rowcount == 1
