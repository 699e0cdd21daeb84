"""W's move tasks: goods going from one bin to another -- putaway (from the dock to storage)
and replenishment (from reserve to a pick face).

A task is planned with its target bin (putaway by the slotting rules of ``slotting.py``, which
count what open tasks are already bringing to each bin) and confirmed when done -- to that bin
or, at the operator's word, to another that fits the goods. Confirming a task that is already
done (a scanner resending) changes nothing and answers the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from otwb.platform.errors import Conflict, InvalidTransition
from otwb.platform.ids import LocationId, StockId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import inbound_repo, lot_repo, promises, repo, sites, stock_repo, work_repo
from otwb.warehouse.events import StockMoved
from otwb.warehouse.inbound_repo import MoveTask
from otwb.warehouse.model import LotId, Sku, Warehouse, ZoneRole
from otwb.warehouse.slotting import check_capacity, choose_bins


def plan_putaway(
    uow: UnitOfWork,
    warehouse: Warehouse,
    sku: Sku,
    lot_id: LotId | None,
    from_stock: StockId,
    quantity: int,
    reference: str | None,
) -> tuple[list[MoveTask], int]:
    """Putaway tasks for goods at the dock (inside the caller's unit): the tasks, and how many
    units no storage bin can take (they wait at the dock)."""
    states = sites.bin_states(uow, warehouse, planned=True)
    abc = work_repo.abc_classes(uow, warehouse.id).get(sku.id, "C")
    placed = choose_bins(sku, lot_id, quantity, states, abc, ZoneRole.PICK, strict=False)
    tasks = [
        MoveTask(
            uow.ids.new("mov"), warehouse.id, "putaway", from_stock, loc.id, qty, "open", reference
        )
        for loc, qty in placed
    ]
    inbound_repo.insert_moves(uow, tasks)
    return tasks, quantity - sum(qty for _, qty in placed)


def confirm_move(
    uow: UnitOfWork, task_id: str, to_location_id: LocationId | None = None
) -> MoveTask:
    """The goods of a move task are in their bin (the planned one, or ``to_location_id``)."""
    with uow:
        task = inbound_repo.get_move(uow, task_id)
        if task.status == "done":
            if to_location_id is not None and to_location_id != task.to_location_id:
                raise Conflict(f"task {task_id} was done into another bin")
            return task
        if task.status != "open":
            raise InvalidTransition(
                f"the task is {task.status}", current=task.status, requested="done"
            )
        sku_id = stock_repo.sku_of(uow, task.from_stock_id)
        [source] = [r for r in promises.lock_skus(uow, [sku_id]) if r.id == task.from_stock_id]
        if source.on_hand - source.allocated < task.quantity:
            raise Conflict(
                f"bin-lot {task.from_stock_id} has {source.on_hand - source.allocated} free, "
                f"the task moves {task.quantity}"
            )
        target = repo.get_location(uow, to_location_id or task.to_location_id)
        if target.warehouse_id != task.warehouse_id:
            raise Conflict("a move task stays within its warehouse")
        sku = repo.skus_by_id(uow, [sku_id])[sku_id]
        check_capacity(sku, sites.bin_state(uow, target), task.quantity)
        stock_repo.change_on_hand(uow, [(task.from_stock_id, -task.quantity)], "move", task.id)
        stock_repo.receive_into(
            uow,
            StockId(uow.ids.new("stk")),
            target,
            sku.id,
            source.lot_id,
            task.quantity,
            "move",
            task.id,
            received_at=source.received_at,
        )
        if not inbound_repo.finish_move(uow, task.id, "done", target.id):
            raise Conflict(f"task {task_id} changed while this request ran; try again")
        lot = (
            lot_repo.lots_by_id(uow, [source.lot_id]).get(source.lot_id) if source.lot_id else None
        )
        uow.record(
            StockMoved(
                task_id=task.id,
                kind=task.kind,
                warehouse_id=task.warehouse_id,
                sku=sku.code,
                lot=lot.code if lot else None,
                from_location_id=source.location_id,
                to_location_id=target.id,
                quantity=task.quantity,
            )
        )
        done = inbound_repo.get_move(uow, task.id)
        uow.commit()
    return done


def cancel_move(uow: UnitOfWork, task_id: str) -> MoveTask:
    with uow:
        task = inbound_repo.get_move(uow, task_id)
        if task.status == "cancelled":
            return task
        if not inbound_repo.finish_move(uow, task.id, "cancelled", task.to_location_id):
            raise InvalidTransition(
                f"the task is {task.status}", current=task.status, requested="cancelled"
            )
        cancelled = inbound_repo.get_move(uow, task.id)
        uow.commit()
    return cancelled


def list_moves(
    uow: UnitOfWork,
    warehouse_id: WarehouseId | None = None,
    kind: str | None = None,
    status: str | None = "open",
    reference: str | None = None,
) -> Sequence[MoveTask]:
    with uow:
        return inbound_repo.list_moves(uow, warehouse_id, kind, status, reference)
