"""Inventory control and replenishment on SQLite and PostgreSQL: cycle counts (ABC and by bin,
blind, variance approval), adjustments with reason codes, the append-only ledger, transfers from
the central warehouse and pick-face replenishment from reserve."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.warehouse import counts, fulfilment, moves, picking, replenishment, service, velocity
from otwb.warehouse.counts import Counted
from otwb.warehouse.model import WarehouseKind
from otwb.warehouse.tables import stock_movements
from tests import factories as f


@pytest.fixture
def site(uow):
    racked = f.racked(uow)
    f.skus(uow, "TEA", "COFFEE", weight=1.0, volume=0.01)
    service.receive_stock(uow(), racked.bin("A-01-1").id, "TEA", 10)
    service.receive_stock(uow(), racked.bin("B-02-1").id, "COFFEE", 10)
    return racked


def levels(uow, sku: str, warehouse_id=None) -> dict[str, tuple[int, int]]:
    return {
        x.location: (x.row.on_hand, x.row.allocated)
        for x in service.stock_levels(uow(), sku, warehouse_id)
    }


def test_a_count_with_no_variance_is_approved_at_once(uow, site):
    [task] = counts.plan_cycle_counts(uow(), site.warehouse.id, bins=[site.bin("A-01-1").id])
    done = counts.record_count(uow(), task.id, [Counted("TEA", None, 10)], "carla")
    assert done.status == "approved"
    assert [(x.sku, x.expected, x.counted) for x in done.lines] == [("TEA", 10, 10)]
    assert levels(uow, "TEA") == {"A-01-1": (10, 0)}


def test_a_variance_waits_for_approval_then_adjusts_and_re_allocates(uow, site):
    customer = f.customer(uow)
    order = f.place(uow, customer.id, [("TEA", 8)])
    service.receive_stock(uow(), site.bin("C-06-1").id, "TEA", 5)
    [task] = counts.plan_cycle_counts(uow(), site.warehouse.id, bins=[site.bin("A-01-1").id])
    counted = counts.record_count(uow(), task.id, [Counted("TEA", None, 6)], "carla")
    assert counted.status == "counted"
    # A resend of the same count is the same count; another is refused.
    assert counts.record_count(uow(), task.id, [Counted("TEA", None, 6)], "carla") == counted
    assert levels(uow, "TEA") == {"A-01-1": (10, 8), "C-06-1": (5, 0)}
    approved = counts.approve_count(uow(), task.id, "supervisor")
    assert approved.status == "approved"
    # 4 were lost: 6 are left for the 8 promised; the rest comes from C-06-1.
    assert levels(uow, "TEA") == {"A-01-1": (6, 6), "C-06-1": (5, 2)}
    assert sum(p.quantity for p in fulfilment.get_fulfilment(uow(), order.id).open_picks) == 8
    assert service.allocation_discrepancies(uow()) == []
    assert service.ledger_discrepancies(uow()) == []
    assert counts.approve_count(uow(), task.id, "supervisor").status == "approved"


def test_a_rejected_count_changes_nothing_and_asks_for_a_recount(uow, site):
    [task] = counts.plan_cycle_counts(uow(), site.warehouse.id, bins=[site.bin("B-02-1").id])
    counts.record_count(uow(), task.id, [Counted("COFFEE", None, 2)], "carla")
    rejected = counts.reject_count(uow(), task.id, "supervisor")
    assert rejected.status == "rejected"
    assert levels(uow, "COFFEE") == {"B-02-1": (10, 0)}
    [recount] = counts.list_counts(uow(), site.warehouse.id, "open")
    assert (recount.location, recount.reason) == ("B-02-1", "recount")
    with pytest.raises(InvalidTransition):
        counts.approve_count(uow(), task.id, "supervisor")


def test_goods_found_in_a_count_enter_stock_when_approved(uow, site):
    [task] = counts.plan_cycle_counts(uow(), site.warehouse.id, bins=[site.bin("A-01-1").id])
    counts.record_count(
        uow(), task.id, [Counted("TEA", None, 10), Counted("COFFEE", None, 3)], "carla"
    )
    counts.approve_count(uow(), task.id, "supervisor")
    assert levels(uow, "COFFEE") == {"A-01-1": (3, 0), "B-02-1": (10, 0)}
    kinds = {m.kind for m in service.movements(uow(), "COFFEE")}
    assert kinds == {"receipt", "count"}


def test_adjustments_need_a_reason_and_never_go_below_zero(uow, site):
    with pytest.raises(InvalidInput, match="reason"):
        counts.adjust_stock(uow(), site.bin("A-01-1").id, "TEA", -1, "oops")
    with pytest.raises(InvalidInput):
        counts.adjust_stock(uow(), site.bin("A-01-1").id, "TEA", -11, "lost")
    counts.adjust_stock(uow(), site.bin("A-01-1").id, "TEA", -2, "damaged")
    counts.adjust_stock(uow(), site.bin("A-01-1").id, "TEA", 1, "found")
    assert levels(uow, "TEA") == {"A-01-1": (9, 0)}
    ledger = [(m.kind, m.reason, m.quantity) for m in service.movements(uow(), "TEA")]
    assert ledger == [
        ("receipt", None, 10),
        ("adjustment", "damaged", -2),
        ("adjustment", "found", 1),
    ]


def test_the_movement_ledger_is_append_only(runtime, uow, site):
    with pytest.raises(DBAPIError, match="append-only"), runtime.db.engine.begin() as conn:
        conn.execute(update(stock_movements).values(quantity=99))
    with pytest.raises(DBAPIError, match="append-only"), runtime.db.engine.begin() as conn:
        conn.execute(stock_movements.delete())
    assert service.ledger_discrepancies(uow()) == []


def test_abc_classes_from_picks_drive_the_cycle_count_plan(uow, site, clock):
    customer = f.customer(uow)
    for _ in range(4):
        order = f.place(uow, customer.id, [("TEA", 1)])
        fulfilment.confirm_pick(uow(), order.id)
    classes = {
        v.sku: (v.abc, v.pick_lines) for v in velocity.classify_skus(uow(), site.warehouse.id)
    }
    assert classes == {"TEA": ("A", 4), "COFFEE": ("C", 0)}
    first = counts.plan_cycle_counts(uow(), site.warehouse.id)
    assert [t.location for t in first] == ["A-01-1", "B-02-1"]  # A first, never counted
    for task in first:
        held = {x.sku: x.row.on_hand for x in service.stock_levels(uow(), None, site.warehouse.id)}
        sku = "TEA" if task.location == "A-01-1" else "COFFEE"
        counts.record_count(uow(), task.id, [Counted(sku, None, held[sku])], "carla")
    clock.advance(timedelta(days=31))
    assert [t.location for t in counts.plan_cycle_counts(uow(), site.warehouse.id)] == ["A-01-1"]
    clock.advance(timedelta(days=150))
    assert [t.location for t in counts.plan_cycle_counts(uow(), site.warehouse.id)] == ["B-02-1"]


def test_transfers_top_up_a_front_warehouse_with_the_same_lots(uow, site):
    front = f.racked(uow, "FR1", GeoPoint(45.78, 4.84), WarehouseKind.FRONT)
    replenishment.set_rule(uow(), front.warehouse.id, "TEA", min_qty=2, max_qty=6)
    service.receive_stock(uow(), front.bin("A-01-1").id, "TEA", 1)
    order = replenishment.plan_transfer(uow(), front.warehouse.id)
    assert order is not None
    assert [(x.sku, x.requested) for x in order.lines] == [("TEA", 5)]
    assert replenishment.plan_transfer(uow(), front.warehouse.id) is None  # 5 on the way
    shipped = replenishment.ship_transfer(uow(), order.id)
    assert [(x.sku, x.shipped) for x in shipped.lines] == [("TEA", 5)]
    assert levels(uow, "TEA", site.warehouse.id) == {"A-01-1": (5, 0)}  # central: 10 - 5
    received, tasks = replenishment.receive_transfer(uow(), order.id)
    assert received.status == "received"
    assert sum(t.quantity for t in tasks) == 5
    for t in tasks:
        moves.confirm_move(uow(), t.id)
    front_tea = {
        x.location: x.row.on_hand for x in service.stock_levels(uow(), "TEA", front.warehouse.id)
    }
    assert sum(front_tea.values()) == 6
    kinds = [m.kind for m in service.movements(uow(), "TEA", reference=order.id)]
    assert kinds == ["transfer_out", "transfer_in"]  # the putaway moves name their task
    assert service.ledger_discrepancies(uow()) == []


def test_pick_faces_are_replenished_from_reserve(uow, site):
    f.skus(uow, "RICE", weight=1.0, volume=0.01)
    service.receive_stock(uow(), site.bin("R-01-1").id, "RICE", 30)
    service.receive_stock(uow(), site.bin("A-02-1").id, "RICE", 2)
    replenishment.set_rule(uow(), site.warehouse.id, "RICE", pick_min=3, pick_max=20)
    tasks = replenishment.plan_pick_faces(uow(), site.warehouse.id)
    assert sum(t.quantity for t in tasks) == 18
    assert {t.kind for t in tasks} == {"replenishment"}
    assert replenishment.plan_pick_faces(uow(), site.warehouse.id) == []  # already coming
    for t in tasks:
        moves.confirm_move(uow(), t.id)
    rice = levels(uow, "RICE")
    assert rice["R-01-1"] == (12, 0)
    assert sum(v[0] for k, v in rice.items() if not k.startswith("R-")) == 20
    # Picks of a planned wave take from the pick face first when lots are as old.
    customer = f.customer(uow)
    order = f.place(uow, customer.id, [("RICE", 5)])
    [pick] = fulfilment.get_fulfilment(uow(), order.id).picks
    assert pick.stock_id != next(
        x.row.id for x in service.stock_levels(uow(), "RICE") if x.location == "R-01-1"
    )
    assert picking.plan_waves(uow(), site.warehouse.id)[0].orders == 1


def test_reslotting_suggests_moving_a_fast_mover_nearer_the_dock(uow, site, clock):
    f.skus(uow, "RICE", weight=1.0, volume=0.01)
    far = site.bin("C-06-2")  # the farthest corner of the ambient pick zone
    service.receive_stock(uow(), far.id, "RICE", 40)
    customer = f.customer(uow)
    for _ in range(3):
        order = f.place(uow, customer.id, [("RICE", 1)])
        fulfilment.confirm_pick(uow(), order.id)
    [suggestion] = [
        s for s in velocity.reslotting_suggestions(uow(), site.warehouse.id) if s.sku == "RICE"
    ]
    assert (suggestion.abc, suggestion.from_bin, suggestion.pick_lines) == ("A", "C-06-2", 3)
    assert suggestion.metres_saved > 0
    assert suggestion.to_bin == "B-01-1"  # the dock is at x = 6 m, aisle B at 4.8 m: its front


def test_a_move_task_cancelled_moves_nothing(uow, site):
    f.skus(uow, "RICE", weight=1.0, volume=0.01)
    service.receive_stock(uow(), site.bin("R-01-1").id, "RICE", 30)
    replenishment.set_rule(uow(), site.warehouse.id, "RICE", pick_min=3, pick_max=10)
    [task] = replenishment.plan_pick_faces(uow(), site.warehouse.id)
    cancelled = moves.cancel_move(uow(), task.id)
    assert cancelled.status == "cancelled"
    with pytest.raises(InvalidTransition):
        moves.confirm_move(uow(), task.id)
    assert levels(uow, "RICE") == {"R-01-1": (30, 0)}
