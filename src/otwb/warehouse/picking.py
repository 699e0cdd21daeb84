"""W's picking use cases: plan waves and their pick lists, release them to the floor, confirm
pick tasks one by one (with short picks), and read a pick list in walking order.

**Planning** (``plan_waves``) takes a warehouse's allocated orders not yet in a wave, groups
them (carrier, route, cut-off: ``waves.group_waves``), splits each wave by zone, clusters each
zone's orders onto carts (``waves.cluster``), orders every cart's bins on the optimised path and
keeps the S-shape distance beside it (``pickpath.plan_path``), and shares the lists among the
pickers. A wave is *planned*, then *released* to the floor; a planned or released wave nobody
has picked from may be cancelled (its orders can be planned again).

**A pick task** is confirmed with the quantity taken (and the serials, for serial-tracked
goods). Confirming it again with the same quantity (a scanner resending) changes nothing. Fewer
than asked is a *short pick*: the rest of the promise is taken back, the bin gets a cycle count,
and the rest is allocated again from another bin-lot (added to the end of the same list) or, if
asked or if nothing else has it, back-ordered. When an order has no open task left it is
picked (``OrderPicked``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition
from otwb.platform.ids import WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import (
    counts,
    fulfilment_repo,
    picking_repo,
    promises,
    repo,
    serial_repo,
    sites,
    stock_repo,
)
from otwb.warehouse.events import WavePlanned, WaveReleased
from otwb.warehouse.model import FulfilmentStatus, TaskId
from otwb.warehouse.picking_repo import PickList, Wave
from otwb.warehouse.pickpath import Spot, plan_path
from otwb.warehouse.waves import (
    Released,
    assign_pickers,
    cluster,
    consolidation_key,
    consolidations,
    group_waves,
)


@dataclass(frozen=True)
class PlannedWave:
    wave: Wave
    orders: int
    pick_lists: list[PickList]

    @property
    def s_shape_m(self) -> float:
        return sum(p.s_shape_m for p in self.pick_lists)

    @property
    def optimised_m(self) -> float:
        return sum(p.optimised_m for p in self.pick_lists)


def plan_waves(
    uow: UnitOfWork,
    warehouse_id: WarehouseId,
    *,
    max_orders: int = 200,
    cart_size: int = 8,
    pickers: Sequence[str] = ("P1",),
    cut_off_before: datetime | None = None,
) -> list[PlannedWave]:
    """Waves and pick lists for the warehouse's allocated orders not yet in a wave (those due
    by ``cut_off_before``, if given)."""
    if not (1 <= max_orders <= 5000 and 1 <= cart_size <= 50):
        raise InvalidInput("max_orders must be within 1..5000 and cart_size within 1..50")
    if not pickers or any(not p.strip() for p in pickers) or len(set(pickers)) != len(pickers):
        raise InvalidInput("name the pickers (distinct, not empty)", field="pickers")
    planned: list[PlannedWave] = []
    with uow:
        warehouse = repo.get_warehouse(uow, warehouse_id)
        rows = picking_repo.waveable(uow, warehouse_id, cut_off_before)
        bins = repo.locations_by_id(uow, {r.location_id for r in rows})
        spots = {loc_id: Spot.of(loc) for loc_id, loc in bins.items()}
        dock = sites.dock_spot(warehouse)
        zones: dict[str, str] = {z.id: z.code for z in repo.list_zones(uow, warehouse_id)}
        tasks: dict[str, list[Any]] = defaultdict(list)
        orders: dict[str, Released] = {}
        for r in rows:
            tasks[r.fulfilment_id].append(r)
            orders[r.fulfilment_id] = Released(
                r.fulfilment_id,
                r.carrier,
                r.route,
                r.cut_off,
                consolidation_key(r.customer_id, r.ship_to_address, r.ship_to_lat, r.ship_to_lon),
            )
        now = uow.clock.now()
        for group in group_waves(list(orders.values()), max_orders):
            first = group[0]
            wave = Wave(
                uow.ids.new("wav"),
                warehouse_id,
                first.carrier,
                first.route,
                first.cut_off,
                "planned",
                now,
                None,
            )
            picking_repo.insert_wave(uow, wave)
            lists, placed = _pick_lists(uow, wave, group, tasks, bins, spots, dock, cart_size)
            shared = assign_pickers([p.optimised_m for p in lists], pickers)
            lists = [
                replace(p, zone=zones[p.zone_id], picker=picker)
                for p, picker in zip(lists, shared, strict=True)
            ]
            picking_repo.insert_pick_lists(uow, lists)
            picking_repo.place_tasks(uow, placed)
            fulfilment_repo.set_wave(uow, [o.order_id for o in group], wave.id)
            merged = consolidations(group)
            fulfilment_repo.set_consolidation(
                uow, [(f, c) for fs in merged for c in (uow.ids.new("cns"),) for f in fs]
            )
            result = PlannedWave(wave, len(group), lists)
            uow.record(
                WavePlanned(
                    wave_id=wave.id,
                    warehouse_id=warehouse_id,
                    orders=len(group),
                    pick_lists=len(lists),
                    s_shape_m=round(result.s_shape_m, 1),
                    optimised_m=round(result.optimised_m, 1),
                    cut_off=wave.cut_off,
                    consolidated=sum(len(fs) for fs in merged),
                )
            )
            planned.append(result)
        uow.commit()
    return planned


def _pick_lists(
    uow: UnitOfWork,
    wave: Wave,
    group: Sequence[Released],
    tasks: dict[str, list[Any]],
    bins: dict[Any, Any],
    spots: dict[Any, Spot],
    dock: Spot,
    cart_size: int,
) -> tuple[list[PickList], list[tuple[str, str | None, int | None]]]:
    """The wave's pick lists, zone by zone and cart by cart, and each task's place on them."""
    # One tote per consolidation group (or per order alone): the unit clustered onto carts.
    by_zone: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for order in group:
        for t in tasks[order.order_id]:
            by_zone[bins[t.location_id].zone_id][order.unit].append(t)
    lists: list[PickList] = []
    placed: list[tuple[str, str | None, int | None]] = []
    for zone_id in sorted(by_zone):
        zone_orders = by_zone[zone_id]
        carts = cluster(
            {o: [spots[t.location_id] for t in ts] for o, ts in zone_orders.items()},
            dock,
            cart_size,
        )
        for cart in carts:
            cart_tasks = [t for o in cart for t in zone_orders[o]]
            stops = sorted({t.location_id for t in cart_tasks})
            path = plan_path(dock, [spots[s] for s in stops])
            rank = {stops[i]: n for n, i in enumerate(path.order)}
            walk = sorted(cart_tasks, key=lambda t: (rank[t.location_id], t.task_id))
            pick_list = PickList(
                uow.ids.new("pkl"),
                wave.id,
                zone_id,
                "",
                len(lists) + 1,
                None,
                len({t.fulfilment_id for t in cart_tasks}),
                len(stops),
                path.s_shape_m,
                path.optimised_m,
            )
            lists.append(pick_list)
            placed.extend((t.task_id, pick_list.id, n) for n, t in enumerate(walk, start=1))
    return lists, placed


def release_wave(uow: UnitOfWork, wave_id: str) -> Wave:
    """The wave goes to the floor: its pick tasks may be confirmed (releasing twice: no-op)."""
    with uow:
        wave = picking_repo.get_wave(uow, wave_id)
        if wave.status == "planned":
            picking_repo.set_wave_status(uow, wave_id, "planned", "released")
            uow.record(WaveReleased(wave_id=wave_id, warehouse_id=wave.warehouse_id))
        elif wave.status != "released":
            raise InvalidTransition(
                f"the wave is {wave.status}", current=wave.status, requested="released"
            )
        wave = picking_repo.get_wave(uow, wave_id)
        uow.commit()
    return wave


def cancel_wave(uow: UnitOfWork, wave_id: str) -> Wave:
    """Call a wave off before anything of it is picked: its orders may be planned again."""
    with uow:
        wave = picking_repo.get_wave(uow, wave_id)
        if wave.status == "cancelled":
            return wave
        tasks = picking_repo.tasks_of_wave(uow, wave_id)
        if any(t.status == "picked" for t in tasks):
            raise Conflict("part of this wave is picked already: it cannot be cancelled")
        picking_repo.set_wave_status(uow, wave_id, wave.status, "cancelled")
        picking_repo.place_tasks(uow, [(t.id, None, None) for t in tasks])
        fulfilment_repo.set_wave(uow, sorted({t.fulfilment_id for t in tasks}), None)
        wave = picking_repo.get_wave(uow, wave_id)
        uow.commit()
    return wave


def get_wave(uow: UnitOfWork, wave_id: str) -> tuple[Wave, list[PickList]]:
    with uow:
        return picking_repo.get_wave(uow, wave_id), picking_repo.pick_lists_of(uow, wave_id)


def list_waves(
    uow: UnitOfWork, warehouse_id: WarehouseId | None = None, status: str | None = None
) -> list[Wave]:
    with uow:
        return picking_repo.list_waves(uow, warehouse_id, status)


@dataclass(frozen=True)
class PickListView:
    pick_list: PickList
    tasks: list[Any]
    """In walking order: task id, seq, bin, SKU, lot, expiry, order, quantity, status..."""
    totes: dict[str, int]
    """Cluster picking: the tote of each order on the cart (one per consolidation group)."""
    totals: list[tuple[str, str, str | None, int]]
    """Batch picking: (bin, SKU, lot, units) to take at each stop, in walking order, for all
    the cart's orders at once (sorted to the orders at the pack bench)."""


def get_pick_list(uow: UnitOfWork, pick_list_id: str) -> PickListView:
    with uow:
        pick_list = picking_repo.get_pick_list(uow, pick_list_id)
        tasks = picking_repo.pick_list_tasks(uow, pick_list_id)
    # Orders merged in a consolidation group share a tote.
    units = {t.order_id: t.consolidation_id or t.order_id for t in tasks}
    numbers = {u: n for n, u in enumerate(sorted(set(units.values())), start=1)}
    totes = {o: numbers[u] for o, u in units.items()}
    totals: dict[tuple[str, str, str | None], int] = {}
    for t in tasks:
        if t.status == "open":
            key = (t.location, t.sku, t.lot)
            totals[key] = totals.get(key, 0) + t.quantity
    return PickListView(pick_list, tasks, totes, [(*k, q) for k, q in totals.items()])


@dataclass(frozen=True)
class PickConfirmed:
    task_id: TaskId
    order_id: str
    quantity: int
    picked: int
    fulfilment_status: FulfilmentStatus


def confirm_pick_task(
    uow: UnitOfWork,
    task_id: TaskId,
    quantity: int,
    serials: Sequence[str] = (),
    *,
    reallocate_short: bool = True,
) -> PickConfirmed:
    """The picker took ``quantity`` for this task (see the module's docstring for short
    picks). A task on a pick list is confirmed once its wave is released."""
    with uow:
        row = fulfilment_repo.get_task(uow, task_id)
        task = row.pick
        f = fulfilment_repo.fulfilments_by_id(uow, [row.fulfilment_id])[row.fulfilment_id]
        if task.status == "picked":
            if task.picked != quantity:
                raise Conflict(f"task {task_id} was confirmed with {task.picked}, not {quantity}")
            return PickConfirmed(task_id, f.order_id, task.quantity, task.picked, f.status)
        if task.status != "open" or f.status is not FulfilmentStatus.ALLOCATED:
            raise InvalidTransition(
                f"the task is {task.status}", current=task.status, requested="picked"
            )
        if not 0 <= quantity <= task.quantity:
            raise InvalidInput(
                f"the task asks for {task.quantity}; 0..{task.quantity} may be taken"
            )
        if (
            row.pick_list_id
            and picking_repo.wave_status_of_list(uow, row.pick_list_id) != "released"
        ):
            raise InvalidTransition(
                "the task's wave is not released", current="planned", requested="picked"
            )
        [bin_lot] = [r for r in promises.lock_skus(uow, [task.sku_id]) if r.id == task.stock_id]
        sku = repo.skus_by_id(uow, [task.sku_id])[task.sku_id]
        if quantity:
            serial_repo.pick(uow, sku, task.lot_id, f.warehouse_id, quantity, serials, f.order_id)
            stock_repo.take_picked(uow, task.stock_id, quantity, f.order_id)
        if not fulfilment_repo.mark_picked(uow, task_id, quantity):
            raise Conflict(f"task {task_id} changed while this request ran; try again")
        short = task.quantity - quantity
        if short:
            stock_repo.release_allocated(uow, task.stock_id, short)
            counts.request_count(uow, f.warehouse_id, bin_lot.location_id, "short_pick")
            unserved = promises.Unserved(
                f.id, task.line_id, task.sku_id, short, row.pick_list_id, task.stock_id
            )
            promises.find_elsewhere(
                uow, [unserved], "short_pick", [task.stock_id], reallocate=reallocate_short
            )
        promises.settle(uow, f.id)
        after = fulfilment_repo.fulfilments_by_id(uow, [f.id])[f.id]
        uow.commit()
    return PickConfirmed(task_id, f.order_id, task.quantity, quantity, after.status)
