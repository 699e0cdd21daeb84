"""Outbound on SQLite and PostgreSQL: waves and pick lists with both walking distances, pick
tasks confirmed (and confirmed again), short picks re-allocated or back-ordered, packing into
catalogue boxes with SSCCs, hand-over with the parcel ids."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from otwb.orders import service as orders
from otwb.orders.model import OrderStatus
from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition
from otwb.platform.tables import outbox
from otwb.warehouse import counts, fulfilment, packing, picking, service
from otwb.warehouse import sscc as gs1
from otwb.warehouse.cartonisation import Box
from otwb.warehouse.model import FulfilmentStatus
from tests import factories as f

BINS = {"TEA": ("A-01-1", "C-06-2"), "COFFEE": ("B-03-1",), "SUGAR": ("C-02-1",)}


@pytest.fixture
def floor(uow, clock):
    site = f.racked(uow)
    f.skus(uow, "TEA", "COFFEE", "SUGAR", weight=2.0, volume=0.01)
    for sku, bins in BINS.items():
        for code in bins:
            service.receive_stock(uow(), site.bin(code).id, sku, 20)
    customer = f.customer(uow)
    slot = (clock.now() + timedelta(hours=4), timedelta(hours=2))
    # Three addresses: orders of one customer to one address would be merged in their wave.
    placed = [
        f.place(uow, customer.id, lines, ship_to=f.address(lat=45.75 + n / 100), window=slot)
        for n, lines in enumerate(
            ([("TEA", 3), ("COFFEE", 2)], [("SUGAR", 1)], [("TEA", 2), ("SUGAR", 4)])
        )
    ]
    return site, placed


def open_tasks(uow, order_id):
    return [p for p in fulfilment.get_fulfilment(uow(), order_id).picks if p.status == "open"]


def test_a_wave_gets_pick_lists_in_walking_order_with_both_distances(runtime, uow, floor):
    site, placed = floor
    [planned] = picking.plan_waves(uow(), site.warehouse.id, cart_size=2, pickers=["ann", "bob"])
    assert planned.orders == 3
    assert len(planned.pick_lists) == 2  # one zone, carts of two orders
    assert {p.picker for p in planned.pick_lists} == {"ann", "bob"}
    for p in planned.pick_lists:
        assert 0 < p.optimised_m <= p.s_shape_m
    assert planned.wave.cut_off == placed[0].window.start - fulfilment.PICK_LEAD
    view = picking.get_pick_list(uow(), planned.pick_lists[0].id)
    assert [t.seq for t in view.tasks] == list(range(1, len(view.tasks) + 1))
    assert set(view.totes.values()) == set(range(1, view.pick_list.orders + 1))
    # Planned twice: nothing left to plan.
    assert picking.plan_waves(uow(), site.warehouse.id) == []
    with runtime.db.engine.connect() as conn:
        events = conn.execute(
            select(outbox.c.payload).where(outbox.c.event_type == "WavePlanned")
        ).all()
    assert len(events) == 1


def test_pick_tasks_wait_for_the_wave_and_a_resend_changes_nothing(uow, floor):
    site, placed = floor
    [planned] = picking.plan_waves(uow(), site.warehouse.id)
    task = open_tasks(uow, placed[1].id)[0]
    with pytest.raises(InvalidTransition, match="not released"):
        picking.confirm_pick_task(uow(), task.task_id, task.quantity)
    picking.release_wave(uow(), planned.wave.id)
    done = picking.confirm_pick_task(uow(), task.task_id, task.quantity)
    assert done.fulfilment_status is FulfilmentStatus.PICKED  # its only task
    assert picking.confirm_pick_task(uow(), task.task_id, task.quantity) == done
    with pytest.raises(Conflict):
        picking.confirm_pick_task(uow(), task.task_id, task.quantity - 1)
    assert orders.get_order(uow(), placed[1].id).status is OrderStatus.PICKED
    with pytest.raises(Conflict, match="picked already"):
        picking.cancel_wave(uow(), planned.wave.id)


def test_a_short_pick_is_found_in_another_bin_and_the_bin_gets_counted(uow, floor):
    site, placed = floor
    first = placed[0]
    [tea] = [t for t in open_tasks(uow, first.id) if t.sku_id == skus(uow)["TEA"]]
    [wave] = picking.plan_waves(uow(), site.warehouse.id)
    picking.release_wave(uow(), wave.wave.id)
    result = picking.confirm_pick_task(uow(), tea.task_id, 1)  # 3 asked, 1 found
    assert result.fulfilment_status is FulfilmentStatus.ALLOCATED
    [again] = [t for t in open_tasks(uow, first.id) if t.sku_id == tea.sku_id]
    assert again.quantity == 2
    assert again.stock_id != tea.stock_id
    view = picking.get_pick_list(uow(), _list_of(uow, again.task_id))
    assert view.tasks[-1].id == again.task_id  # at the end of the same list
    [count] = counts.list_counts(uow(), site.warehouse.id, "open")
    assert count.reason == "short_pick"
    assert service.allocation_discrepancies(uow()) == []


def test_a_short_pick_back_orders_when_asked(uow, floor):
    site, placed = floor
    [wave] = picking.plan_waves(uow(), site.warehouse.id)
    picking.release_wave(uow(), wave.wave.id)
    order = placed[1]
    [task] = open_tasks(uow, order.id)
    with pytest.raises(InvalidInput):
        picking.confirm_pick_task(uow(), task.task_id, task.quantity + 1)
    result = picking.confirm_pick_task(uow(), task.task_id, 0, reallocate_short=False)
    # Nothing was picked at all: the order is released, its line back-ordered.
    assert result.fulfilment_status is FulfilmentStatus.RELEASED
    assert fulfilment.backorders(uow(), order.id) == [(order.lines[0].id, "SUGAR", 1)]


def test_packing_into_catalogue_boxes_labels_every_parcel_with_an_sscc(runtime, uow, floor):
    _, placed = floor
    packing.set_box(uow(), Box("S", 0.02, 15.0, 0.3))
    packing.set_box(uow(), Box("L", 0.08, 30.0, 0.8, outer_m3=0.09))
    packing.set_sscc_series(uow(), "7610425", 3)
    order = placed[2]  # 2 TEA + 4 SUGAR: 6 units, 12 kg, 0.06 m³
    fulfilment.confirm_pick(uow(), order.id)
    packed = fulfilment.pack_order(uow(), order.id)
    [parcel] = packed.parcels
    assert (parcel.box, parcel.volume_m3) == ("L", 0.09)
    assert parcel.weight_kg == pytest.approx(12.8)  # the goods and the box
    assert parcel.sscc is not None
    assert gs1.is_valid(parcel.sscc)
    assert parcel.sscc.startswith("37610425")
    other = placed[1]
    fulfilment.confirm_pick(uow(), other.id)
    second = fulfilment.pack_order(uow(), other.id).parcels[0].sscc
    assert second is not None
    assert int(second[8:17]) == int(parcel.sscc[8:17]) + 1  # the next serial reference
    fulfilment.hand_over(uow(), order.id)
    with runtime.db.engine.connect() as conn:
        payload = conn.execute(
            select(outbox.c.payload).where(outbox.c.event_type == "OrderHandedOver")
        ).scalar_one()
    assert parcel.sscc in payload


def test_without_a_catalogue_orders_go_in_standard_parcels_still_labelled(uow, floor):
    _, placed = floor
    fulfilment.confirm_pick(uow(), placed[0].id)
    packed = fulfilment.pack_order(uow(), placed[0].id)
    assert [p.box for p in packed.parcels] == [None]
    assert packed.parcels[0].sscc is not None
    assert packed.parcels[0].sscc.startswith("0" + gs1.EXAMPLE_PREFIX)


def skus(uow):
    return {s.code: s.id for s in service.list_skus(uow())}


def _list_of(uow, task_id) -> str:
    from otwb.warehouse.fulfilment_repo import get_task

    u = uow()
    with u:
        row = get_task(u, task_id)
    assert row.pick_list_id is not None
    return row.pick_list_id


def test_one_cart_shows_each_orders_tote_and_the_totals_per_stop(uow, floor):
    site, _ = floor
    [wave] = picking.plan_waves(uow(), site.warehouse.id, cart_size=3)
    [pick_list] = wave.pick_lists
    view = picking.get_pick_list(uow(), pick_list.id)
    assert sorted(view.totes.values()) == [1, 2, 3]
    per_sku: dict[str, int] = {}
    for _, sku, _, units in view.totals:
        per_sku[sku] = per_sku.get(sku, 0) + units
    assert per_sku == {"TEA": 5, "COFFEE": 2, "SUGAR": 5}
    assert len(view.totals) == pick_list.stops  # one line per stop: every SKU has its bin


def test_a_cancelled_wave_gives_its_orders_back_to_planning(uow, floor):
    site, _ = floor
    [first] = picking.plan_waves(uow(), site.warehouse.id)
    cancelled = picking.cancel_wave(uow(), first.wave.id)
    assert cancelled.status == "cancelled"
    assert picking.cancel_wave(uow(), first.wave.id) == cancelled  # again: the same
    with pytest.raises(InvalidTransition):
        picking.release_wave(uow(), first.wave.id)
    [again] = picking.plan_waves(uow(), site.warehouse.id)
    assert again.orders == 3
    assert again.wave.id != first.wave.id
