"""W's quality use cases: lot status (quarantine, release, recall, write-off as expired) and
customers' minimum remaining shelf life.

A lot that stops being released takes its open promises with it: the open pick tasks on its
stock are allocated again from other lots (FEFO/FIFO, same warehouse, each customer's shelf
life) or back-ordered -- in the same transaction as the status change, with the SKU's stock rows
locked first, so no allocation running meanwhile can promise the lot after the change.
Goods already picked are not recalled from orders here (that is the orders context's recall).
"""

from __future__ import annotations

from otwb.platform.errors import Conflict, InvalidInput, NotFound
from otwb.platform.ids import CustomerId, OrderId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import fulfilment_repo, lot_repo, promises, repo, service, work_repo
from otwb.warehouse.events import LotStatusChanged
from otwb.warehouse.lots import Lot, LotStatus, check_lot_transition
from otwb.warehouse.model import LotId

MAX_SHELF_LIFE_RULE = 3650


def find_lot(uow: UnitOfWork, sku_code: str, lot_code: str) -> Lot:
    with uow:
        sku = service.sku_by_code(uow, sku_code)
        lot = lot_repo.find_lot(uow, sku.id, lot_code)
    if lot is None:
        raise NotFound(f"no lot {lot_code!r} of {sku_code}")
    return lot


def list_lots(
    uow: UnitOfWork,
    sku_code: str | None = None,
    status: LotStatus | None = None,
    limit: int = 500,
) -> list[Lot]:
    with uow:
        sku_id = service.sku_by_code(uow, sku_code).id if sku_code else None
        return lot_repo.list_lots(uow, sku_id, status, limit)


def set_lot_status(uow: UnitOfWork, lot_id: LotId, status: LotStatus, reason: str = "") -> Lot:
    """Quarantine, release, recall or write off a lot; open promises of a lot that is no longer
    released move to other lots or are back-ordered. Setting the status it has is a no-op."""
    reason = reason.strip()
    with uow:
        lot = lot_repo.lots_by_id(uow, [lot_id]).get(lot_id)
        if lot is None:
            raise NotFound(f"no lot {lot_id}")
        if lot.status is status:
            return lot
        check_lot_transition(lot.status, status)
        rows = promises.lock_skus(uow, [lot.sku_id])
        if not lot_repo.set_lot_status(uow, lot, status, lot.status, reason):
            raise Conflict(f"lot {lot_id} changed while this request ran; try again")
        orders: tuple[OrderId, ...] = ()
        if not status.allocatable:
            tasks = fulfilment_repo.open_tasks_on(uow, [r.id for r in rows if r.lot_id == lot.id])
            fulfilments = fulfilment_repo.fulfilments_by_id(uow, {t.fulfilment_id for t in tasks})
            orders = tuple(sorted(f.order_id for f in fulfilments.values()))
            promises.find_elsewhere(uow, promises.release(uow, tasks), f"lot {status.value}")
        sku = repo.skus_by_id(uow, [lot.sku_id])[lot.sku_id]
        uow.record(
            LotStatusChanged(
                lot_id=lot.id,
                sku=sku.code,
                lot=lot.code,
                status=status.value,
                previous=lot.status.value,
                reason=reason,
                reallocated_orders=orders,
            )
        )
        changed = lot_repo.lots_by_id(uow, [lot_id])[lot_id]
        uow.commit()
    return changed


def set_min_shelf_life(uow: UnitOfWork, customer_id: CustomerId, days: int) -> int:
    """The shelf life (days before expiry) goods must have left to be promised to a customer."""
    if not 0 <= days <= MAX_SHELF_LIFE_RULE:
        raise InvalidInput(f"days must be within 0..{MAX_SHELF_LIFE_RULE}", field="days")
    if not customer_id.strip():
        raise InvalidInput("a customer id is needed", field="customer_id")
    with uow:
        work_repo.set_shelf_life_rule(uow, customer_id, days)
        uow.commit()
    return days


def shelf_life_rules(uow: UnitOfWork) -> dict[CustomerId, int]:
    with uow:
        return work_repo.list_shelf_life_rules(uow)
