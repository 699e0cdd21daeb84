"""Lots through the whole allocation, on SQLite and PostgreSQL: FEFO across bins, lot status
(quarantine, recall, expiry), customers' shelf life, soft reservations, the partial policy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from otwb.orders import service as orders
from otwb.orders.model import OrderStatus
from otwb.platform.errors import InvalidTransition, OutOfStock
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.values import TemperatureClass
from otwb.warehouse import fulfilment, quality, reservations, service
from otwb.warehouse.fulfilment import AllocationRequest, RequestedLine
from otwb.warehouse.lots import LotStatus
from tests import factories as f


@pytest.fixture
def milk(uow):
    """MILK in three lots: L1 expires first (in 5 days), in two bins; L2 in 20 days; L3 in 40."""
    site = f.racked(uow)
    service.create_skus(
        uow(),
        [service.NewSku("MILK", "Milk", 1.0, 0.01, TemperatureClass.CHILLED, shelf_life_days=60)],
    )
    today = date(2026, 11, 25)
    for bin_code, lot, days, qty in (
        ("K-01-1", "L3", 40, 10),
        ("K-02-1", "L1", 5, 3),
        ("K-03-1", "L2", 20, 10),
        ("K-04-1", "L1", 5, 4),
    ):
        service.receive_stock(
            uow(), site.bin(bin_code).id, "MILK", qty, lot=lot, expires_on=today + timedelta(days)
        )
    return site, f.customer(uow)


def picked_lots(uow, order_id) -> list[tuple[str | None, int]]:
    f_ = fulfilment.get_fulfilment(uow(), order_id)
    lots = {x.row.id: x.lot for x in service.stock_levels(uow(), "MILK")}
    return [(lots[p.stock_id], p.quantity) for p in f_.picks if p.status == "open"]


def request(customer_id, qty, n: int = 1, **kw) -> AllocationRequest:
    return AllocationRequest(
        order_id=OrderId(f"ord_lots_{n}"),
        customer_id=CustomerId(customer_id),
        lines=[RequestedLine(OrderLineId(f"oli_lots_{n}"), "MILK", qty)],
        ship_to_name="Bistro",
        ship_to_address="1 rue X, Lyon",
        ship_to=GeoPoint(45.76, 4.83),
        service_level="standard",
        **kw,
    )


def test_fefo_across_lots_and_bins(uow, milk):
    _, customer = milk
    order = f.place(uow, customer.id, [("MILK", 9)])
    assert sorted(picked_lots(uow, order.id)) == [("L1", 3), ("L1", 4), ("L2", 2)]
    [event_lines] = [fulfilment.get_fulfilment(uow(), order.id).picks]
    assert {p.lot_id for p in event_lines} == {
        x.row.lot_id for x in service.stock_levels(uow(), "MILK") if x.lot in ("L1", "L2")
    }


@pytest.mark.parametrize("status", [LotStatus.QUARANTINED, LotStatus.RECALLED, LotStatus.EXPIRED])
def test_a_lot_on_hold_recalled_or_written_off_is_never_allocated(uow, milk, status):
    _, customer = milk
    l1 = quality.find_lot(uow(), "MILK", "L1")
    quality.set_lot_status(uow(), l1.id, status, "QA")
    order = f.place(uow, customer.id, [("MILK", 9)])
    assert sorted(picked_lots(uow, order.id)) == [("L2", 9)]
    too_much = f.place(uow, customer.id, [("MILK", 12)])  # 1 of L2 and 10 of L3 left
    assert orders.get_order(uow(), too_much.id).status is OrderStatus.PLACED


def test_an_expired_lot_drops_out_by_date_without_anyone_sweeping(uow, milk, clock):
    _, customer = milk
    clock.advance(timedelta(days=5))  # L1 expires today
    order = f.place(uow, customer.id, [("MILK", 4)])
    assert picked_lots(uow, order.id) == [("L2", 4)]


def test_each_customer_gets_the_shelf_life_it_requires(uow, milk):
    _, customer = milk
    quality.set_min_shelf_life(uow(), customer.id, 30)
    order = f.place(uow, customer.id, [("MILK", 5)])
    assert picked_lots(uow, order.id) == [("L3", 5)]
    other = f.customer(uow, "C002", "Cantine")
    relaxed = f.place(uow, other.id, [("MILK", 5)])
    assert sorted(picked_lots(uow, relaxed.id)) == [("L1", 1), ("L1", 4)]
    # The request may ask for more than the customer's rule.
    [strict] = fulfilment.allocate_orders(uow(), [request(other.id, 3, min_shelf_life_days=45)])
    assert isinstance(strict, OutOfStock)


def test_quarantining_a_lot_moves_its_open_promises_to_the_next_lot(uow, milk):
    _, customer = milk
    order = f.place(uow, customer.id, [("MILK", 6)])
    assert sorted(picked_lots(uow, order.id)) == [("L1", 2), ("L1", 4)]
    quality.set_lot_status(uow(), quality.find_lot(uow(), "MILK", "L1").id, LotStatus.QUARANTINED)
    assert picked_lots(uow, order.id) == [("L2", 6)]
    l1 = [x.row for x in service.stock_levels(uow(), "MILK") if x.lot == "L1"]
    assert all(r.allocated == 0 for r in l1)
    assert service.allocation_discrepancies(uow()) == []
    # Released again, it is promised again -- to new orders.
    quality.set_lot_status(uow(), quality.find_lot(uow(), "MILK", "L1").id, LotStatus.RELEASED)
    again = f.place(uow, customer.id, [("MILK", 1)])
    assert [lot for lot, _ in picked_lots(uow, again.id)] == ["L1"]
    recalled = quality.find_lot(uow(), "MILK", "L1").id
    quality.set_lot_status(uow(), recalled, LotStatus.RECALLED, "supplier recall")
    with pytest.raises(InvalidTransition):
        quality.set_lot_status(uow(), recalled, LotStatus.RELEASED)


def test_what_nothing_can_replace_is_back_ordered(uow, milk):
    _, customer = milk
    order = f.place(uow, customer.id, [("MILK", 27)])  # every unit
    for lot in ("L1", "L2"):
        quality.set_lot_status(
            uow(), quality.find_lot(uow(), "MILK", lot).id, LotStatus.QUARANTINED
        )
    assert picked_lots(uow, order.id) == [("L3", 10)]
    # Two lots put on hold, two back-orders: the 7 of L1, then the 10 of L2.
    assert fulfilment.backorders(uow(), order.id) == [
        (order.lines[0].id, "MILK", 7),
        (order.lines[0].id, "MILK", 10),
    ]
    assert service.allocation_discrepancies(uow()) == []


def test_the_partial_policy_serves_what_there_is_and_back_orders_the_rest(uow, milk):
    _, customer = milk
    [all_or_nothing] = fulfilment.allocate_orders(uow(), [request(customer.id, 30, 1)])
    assert isinstance(all_or_nothing, OutOfStock)
    [partial] = fulfilment.allocate_orders(uow(), [request(customer.id, 30, 2, partial=True)])
    assert not isinstance(partial, OutOfStock)
    assert sum(p.quantity for p in partial.picks) == 27
    assert fulfilment.backorders(uow(), partial.order_id) == [("oli_lots_2", "MILK", 3)]


def test_a_soft_reservation_keeps_stock_for_its_customer_until_it_lapses(uow, milk, clock):
    site, customer = milk
    other = f.customer(uow, "C002", "Cantine")
    held = reservations.reserve(
        uow(), site.warehouse.id, "MILK", 20, customer.id, timedelta(hours=2), "quote Q-17"
    )
    assert held.status(clock.now()) == "active"
    with pytest.raises(OutOfStock):  # 27 on hand, 20 held: 7 free to reserve
        reservations.reserve(uow(), site.warehouse.id, "MILK", 8, other.id, timedelta(hours=1))
    blocked = f.place(uow, other.id, [("MILK", 8)])
    assert orders.get_order(uow(), blocked.id).status is OrderStatus.PLACED
    served = f.place(uow, customer.id, [("MILK", 15)])
    assert orders.get_order(uow(), served.id).status is OrderStatus.ALLOCATED
    [after] = reservations.list_reservations(uow())
    assert (after.consumed, after.status(clock.now())) == (15, "active")
    clock.advance(timedelta(hours=2, seconds=1))  # it lapses by itself
    assert reservations.list_reservations(uow()) == []
    late = f.place(uow, other.id, [("MILK", 8)])
    assert orders.get_order(uow(), late.id).status is OrderStatus.ALLOCATED
    released = reservations.release(uow(), held.id)
    assert released.status(clock.now()) == "released"
