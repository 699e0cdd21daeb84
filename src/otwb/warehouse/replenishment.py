"""W's replenishment: min/max per SKU per site, transfer orders from the central warehouse to
front warehouses, and pick-face replenishment from reserve.

* **Rules** per SKU and warehouse: a site min/max (``min_qty``/``max_qty``) and a pick-face
  min/max (``pick_min``/``pick_max``).
* **Transfers**: a front warehouse whose position in a SKU -- on hand plus what is on its way
  (transfers planned or shipped to it) -- is at or below its min gets a transfer order from the
  central warehouse up to its max. Shipping takes the goods out of the central warehouse's
  bins by FEFO/FIFO (only what is free: nothing promised to orders), ``transfer_out`` in the
  ledger; receiving puts the same lots in the front warehouse's dock bin (``transfer_in``) and
  plans their putaway. Serial-tracked SKUs are not transferred here.
* **Pick faces**: a SKU whose pick-face stock (on hand in pick bins plus open replenishment
  tasks bringing more) is at or below ``pick_min`` gets replenishment tasks from reserve bins
  (free stock, FEFO/FIFO, released lots) up to ``pick_max``, into pick bins chosen by the
  slotting rules (the SKU's own pick bin first).
"""

from __future__ import annotations

from collections import defaultdict

from otwb.platform.errors import InvalidInput, InvalidTransition, NotFound
from otwb.platform.ids import OrderLineId, SkuId, StockId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import (
    inbound_repo,
    ledger_repo,
    moves,
    promises,
    replenishment_repo,
    repo,
    service,
    sites,
    stock_repo,
    work_repo,
)
from otwb.warehouse.allocation import Allocated, allocate
from otwb.warehouse.events import TransferLine as TransferLineEvent
from otwb.warehouse.events import TransferPlanned, TransferReceived, TransferShipped
from otwb.warehouse.inbound_repo import MoveTask
from otwb.warehouse.lots import rotation_key
from otwb.warehouse.model import Demand, LotId, WarehouseKind, ZoneRole
from otwb.warehouse.replenishment_repo import Rule, TransferLine, TransferOrder
from otwb.warehouse.slotting import choose_bins


def set_rule(
    uow: UnitOfWork,
    warehouse_id: WarehouseId,
    sku_code: str,
    *,
    min_qty: int | None = None,
    max_qty: int | None = None,
    pick_min: int | None = None,
    pick_max: int | None = None,
) -> Rule:
    for low, high, what in ((min_qty, max_qty, "site"), (pick_min, pick_max, "pick-face")):
        if (low is None) != (high is None):
            raise InvalidInput(f"the {what} rule needs both its min and its max")
        if low is not None and high is not None and not 0 <= low < high:
            raise InvalidInput(f"the {what} rule needs 0 <= min < max")
    if min_qty is None and pick_min is None:
        raise InvalidInput("give a site min/max, a pick-face min/max, or both")
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        sku = service.sku_by_code(uow, sku_code)
        rule = Rule(warehouse_id, sku.id, sku.code, min_qty, max_qty, pick_min, pick_max)
        replenishment_repo.set_rule(uow, rule)
        uow.commit()
    return rule


def list_rules(uow: UnitOfWork, warehouse_id: WarehouseId | None = None) -> list[Rule]:
    with uow:
        return replenishment_repo.list_rules(uow, warehouse_id)


def plan_transfer(
    uow: UnitOfWork, to_warehouse_id: WarehouseId, from_warehouse_id: WarehouseId | None = None
) -> TransferOrder | None:
    """A transfer order topping up the SKUs at or below their min (None when none is)."""
    with uow:
        warehouses = {w.id: w for w in repo.list_warehouses(uow)}
        if to_warehouse_id not in warehouses:
            raise NotFound(f"no warehouse {to_warehouse_id}")
        source = from_warehouse_id or next(
            (
                w.id
                for w in warehouses.values()
                if w.kind is WarehouseKind.CENTRAL and w.id != to_warehouse_id
            ),
            None,
        )
        if source is None or source not in warehouses or source == to_warehouse_id:
            raise InvalidInput("no other (central) warehouse to transfer from")
        rules = [
            r for r in replenishment_repo.list_rules(uow, to_warehouse_id) if r.min_qty is not None
        ]
        skus = repo.skus_by_id(uow, [r.sku_id for r in rules])
        on_hand = ledger_repo.on_hand_by_sku(uow, to_warehouse_id)
        coming = replenishment_repo.in_transit(uow, to_warehouse_id)
        lines = []
        for r in rules:
            assert r.min_qty is not None
            assert r.max_qty is not None
            position = on_hand.get(r.sku_id, 0) + coming.get(r.sku_id, 0)
            if position <= r.min_qty and not skus[r.sku_id].serial_tracked:
                lines.append(TransferLine(r.sku_id, r.sku, r.max_qty - position, 0))
        if not lines:
            return None
        order = TransferOrder(uow.ids.new("tro"), source, to_warehouse_id, "planned", tuple(lines))
        replenishment_repo.insert_transfer(uow, order)
        uow.record(
            TransferPlanned(
                transfer_id=order.id,
                from_warehouse_id=source,
                to_warehouse_id=to_warehouse_id,
                lines=tuple(TransferLineEvent(sku=x.sku, quantity=x.requested) for x in lines),
            )
        )
        uow.commit()
    return order


def ship_transfer(uow: UnitOfWork, transfer_id: str) -> TransferOrder:
    """The transfer leaves the source: free stock by FEFO/FIFO, as much as there is."""
    with uow:
        order = replenishment_repo.get_transfer(uow, transfer_id)
        if order.status != "planned":
            if order.status == "shipped":
                return order
            raise InvalidTransition(
                f"the transfer is {order.status}", current=order.status, requested="shipped"
            )
        source = repo.get_warehouse(uow, order.from_warehouse_id)
        sku_ids = sorted(x.sku_id for x in order.lines)
        book, _ = promises.book_for(uow, sku_ids, promises.lock_skus(uow, sku_ids))
        eligible = promises.eligible(uow.clock.now().date(), 0)
        shipped: dict[SkuId, int] = defaultdict(int)
        taken: list[tuple[StockId, int]] = []
        for x in order.lines:
            result = allocate(
                [Demand(OrderLineId(order.id), x.sku_id, x.requested)],
                book,
                [source],
                source.point,
                eligible=eligible,
                partial=True,
            )
            if isinstance(result, Allocated):
                for p in result.picks:
                    taken.append((p.stock_id, -p.quantity))
                    shipped[x.sku_id] += p.quantity
        stock_repo.change_on_hand(uow, taken, "transfer_out", order.id)
        replenishment_repo.set_shipped(uow, order.id, shipped)
        replenishment_repo.set_status(uow, order.id, "planned", "shipped")
        uow.record(
            TransferShipped(
                transfer_id=order.id,
                from_warehouse_id=order.from_warehouse_id,
                to_warehouse_id=order.to_warehouse_id,
                lines=tuple(
                    TransferLineEvent(sku=x.sku, quantity=shipped[x.sku_id]) for x in order.lines
                ),
            )
        )
        order = replenishment_repo.get_transfer(uow, order.id)
        uow.commit()
    return order


def receive_transfer(uow: UnitOfWork, transfer_id: str) -> tuple[TransferOrder, list[MoveTask]]:
    """The transfer arrived: its lots enter the destination's dock bin, putaway is planned."""
    with uow:
        order = replenishment_repo.get_transfer(uow, transfer_id)
        if order.status == "received":
            return order, list(inbound_repo.list_moves(uow, None, "putaway", None, order.id))
        if order.status != "shipped":
            raise InvalidTransition(
                f"the transfer is {order.status}", current=order.status, requested="received"
            )
        warehouse = repo.get_warehouse(uow, order.to_warehouse_id)
        left: dict[tuple[SkuId, LotId | None], int] = defaultdict(int)
        for m in ledger_repo.movements(uow, None, None, order.id, 10_000):
            if m.kind == "transfer_out":
                left[SkuId(m.sku_id), LotId(m.lot_id) if m.lot_id else None] -= m.quantity
        skus = repo.skus_by_id(uow, {sku for sku, _ in left})
        promises.lock_skus(uow, skus)
        tasks: list[MoveTask] = []
        for (sku_id, lot_id), quantity in sorted(
            left.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
        ):
            sku = skus[sku_id]
            dock = sites.staging_bin(uow, warehouse, sku.temperature_class)
            stock_id = stock_repo.receive_into(
                uow,
                StockId(uow.ids.new("stk")),
                dock,
                sku_id,
                lot_id,
                quantity,
                "transfer_in",
                order.id,
            )
            planned, _ = moves.plan_putaway(
                uow, warehouse, sku, lot_id, stock_id, quantity, order.id
            )
            tasks.extend(planned)
        replenishment_repo.set_status(uow, order.id, "shipped", "received")
        uow.record(
            TransferReceived(
                transfer_id=order.id,
                to_warehouse_id=order.to_warehouse_id,
                lines=tuple(TransferLineEvent(sku=x.sku, quantity=x.shipped) for x in order.lines),
            )
        )
        order = replenishment_repo.get_transfer(uow, order.id)
        uow.commit()
    return order, tasks


def list_transfers(
    uow: UnitOfWork, warehouse_id: WarehouseId | None = None, status: str | None = None
) -> list[TransferOrder]:
    with uow:
        return replenishment_repo.list_transfers(uow, warehouse_id, status)


def plan_pick_faces(uow: UnitOfWork, warehouse_id: WarehouseId) -> list[MoveTask]:
    """Replenishment tasks from reserve to the pick faces running low (see above)."""
    tasks: list[MoveTask] = []
    with uow:
        warehouse = repo.get_warehouse(uow, warehouse_id)
        rules = [
            r for r in replenishment_repo.list_rules(uow, warehouse_id) if r.pick_min is not None
        ]
        if not rules:
            return []
        skus = repo.skus_by_id(uow, [r.sku_id for r in rules])
        rows = promises.lock_skus(uow, skus)
        book, _ = promises.book_for(uow, sorted(skus), rows)
        at_face = ledger_repo.on_hand_by_sku(uow, warehouse_id, ZoneRole.PICK)
        coming = inbound_repo.incoming(uow, warehouse_id)
        moving = inbound_repo.open_move_quantity(uow, [r.id for r in rows])
        abc = work_repo.abc_classes(uow, warehouse_id)
        for rule in rules:
            assert rule.pick_min is not None
            assert rule.pick_max is not None
            sku = skus[rule.sku_id]
            face = at_face.get(sku.id, 0) + sum(
                q for items in coming.values() for s, _, q, _, _ in items if s == sku.id
            )
            if face > rule.pick_min:
                continue
            need = rule.pick_max - face
            reserve = sorted(
                (
                    r
                    for r in book.rows([sku.id])
                    if r.warehouse_id == warehouse_id and r.role is ZoneRole.RESERVE
                ),
                key=lambda r: (rotation_key(r), r.id),
            )
            for row in reserve:
                take = min(need, row.available - moving.get(row.id, 0))
                if take <= 0:
                    continue
                states = [  # again for each source: the tasks just planned count
                    s
                    for s in sites.bin_states(uow, warehouse, planned=True)
                    if s.location.role is ZoneRole.PICK
                ]
                placed = choose_bins(
                    sku, row.lot_id, take, states, abc.get(sku.id, "C"), ZoneRole.PICK, strict=False
                )
                made = [
                    MoveTask(
                        uow.ids.new("mov"),
                        warehouse_id,
                        "replenishment",
                        row.id,
                        loc.id,
                        qty,
                        "open",
                        None,
                    )
                    for loc, qty in placed
                ]
                inbound_repo.insert_moves(uow, made)
                tasks.extend(made)
                need -= sum(qty for _, qty in placed)
                if need <= 0 or not made:
                    break
        uow.commit()
    return tasks
