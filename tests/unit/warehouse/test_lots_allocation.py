"""Lots and allocation rules: FEFO/FIFO, lot status and expiry, shelf life, partial policy,
soft reservations. Pure: no database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, LocationId, OrderLineId, SkuId, StockId, WarehouseId
from otwb.platform.values import TemperatureClass
from otwb.warehouse.allocation import Allocated, Hold, StockBook, allocate, plan_picks
from otwb.warehouse.lots import (
    LotStatus,
    check_lot_transition,
    is_expired,
    lot_for_receipt,
    rotation_key,
    usable_for,
)
from otwb.warehouse.model import (
    Demand,
    LotId,
    Sku,
    StockRow,
    Warehouse,
    WarehouseKind,
    ZoneRole,
)

TODAY = date(2026, 11, 25)
CITY = GeoPoint(45.76, 4.83)
SITE = Warehouse(WarehouseId("w1"), "CEN", "Central", WarehouseKind.CENTRAL, GeoPoint(45.7, 4.9))
FAR = Warehouse(WarehouseId("w2"), "FAR", "Far", WarehouseKind.FRONT, GeoPoint(46.5, 5.5))
ALICE, BOB = CustomerId("alice"), CustomerId("bob")


def lot_row(
    sid: str,
    on_hand: int,
    *,
    expires: date | None = None,
    received: date = date(2026, 11, 1),
    allocated: int = 0,
    role: ZoneRole = ZoneRole.PICK,
    site: Warehouse = SITE,
    sku: str = "MILK",
) -> StockRow:
    return StockRow(
        StockId(sid),
        site.id,
        LocationId(f"bin_{sid}"),
        SkuId(sku),
        on_hand,
        allocated,
        LotId(f"lot_{sid}") if expires else None,
        expires,
        datetime.combine(received, datetime.min.time(), tzinfo=UTC),
        role,
    )


def demand(qty: int, sku: str = "MILK", line: str = "l1") -> list[Demand]:
    return [Demand(OrderLineId(line), SkuId(sku), qty)]


def taken(picks) -> list[tuple[str, int]]:
    return [(p.stock_id, p.quantity) for p in picks]


def test_fefo_takes_the_earliest_expiry_first_even_from_a_smaller_bin():
    rows = [
        lot_row("late", 50, expires=date(2026, 12, 20)),
        lot_row("soon", 4, expires=date(2026, 12, 1)),
        lot_row("mid", 10, expires=date(2026, 12, 10)),
    ]
    assert taken(plan_picks(demand(12), rows)) == [("soon", 4), ("mid", 8)]


def test_fifo_by_receipt_day_for_goods_that_do_not_expire_then_the_fullest_bin():
    rows = [
        lot_row("new", 50, received=date(2026, 11, 20)),
        lot_row("old", 3, received=date(2026, 11, 2)),
        lot_row("old_full", 9, received=date(2026, 11, 2)),
    ]
    assert taken(plan_picks(demand(14), rows)) == [("old_full", 9), ("old", 3), ("new", 2)]


def test_pick_faces_before_reserve_when_equally_old():
    rows = [
        lot_row("reserve", 40, expires=date(2026, 12, 1), role=ZoneRole.RESERVE),
        lot_row("face", 5, expires=date(2026, 12, 1)),
    ]
    assert taken(plan_picks(demand(7), rows)) == [("face", 5), ("reserve", 2)]


def test_rotation_key_puts_undated_goods_after_every_dated_lot():
    dated = lot_row("a", 1, expires=date(2030, 1, 1))
    undated = lot_row("b", 1, received=date(2020, 1, 1))
    assert rotation_key(dated) < rotation_key(undated)


@pytest.mark.parametrize(
    ("expires", "min_days", "usable"),
    [
        (TODAY, 0, False),  # expires today: expired
        (TODAY - timedelta(days=3), 0, False),
        (TODAY + timedelta(days=1), 0, True),
        (TODAY + timedelta(days=9), 10, False),  # nine days left, customer wants ten
        (TODAY + timedelta(days=10), 10, True),
        (None, 365, True),  # does not expire
    ],
)
def test_expiry_and_minimum_remaining_shelf_life(expires, min_days, usable):
    row = lot_row("x", 5, expires=expires)
    assert usable_for(row, TODAY, min_days) is usable
    assert is_expired(expires, TODAY) is (expires is not None and expires <= TODAY)


def test_allocation_respects_each_customers_shelf_life_and_serves_the_rest():
    rows = [
        lot_row("short_life", 5, expires=TODAY + timedelta(days=3)),
        lot_row("long_life", 5, expires=TODAY + timedelta(days=30)),
    ]
    book = StockBook(rows)
    picky = allocate(demand(4), book, [SITE], CITY, eligible=lambda r: usable_for(r, TODAY, 14))
    assert isinstance(picky, Allocated)
    assert taken(picky.picks) == [("long_life", 4)]
    relaxed = allocate(demand(4), book, [SITE], CITY, eligible=lambda r: usable_for(r, TODAY, 0))
    assert isinstance(relaxed, Allocated)
    assert taken(relaxed.picks) == [("short_life", 4)]
    too_much = allocate(demand(5), book, [SITE], CITY, eligible=lambda r: usable_for(r, TODAY, 14))
    assert not isinstance(too_much, Allocated)
    assert [(s.requested, s.available) for s in too_much] == [(5, 1)]


def test_all_or_nothing_by_default_partial_when_asked():
    rows = [lot_row("a", 3), lot_row("b", 2, sku="SUGAR")]
    lines = demand(5) + demand(2, "SUGAR", "l2")
    book = StockBook(rows)
    assert not isinstance(allocate(lines, book, [SITE], CITY), Allocated)
    assert book.promised == {}
    partial = allocate(lines, book, [SITE], CITY, partial=True)
    assert isinstance(partial, Allocated)
    assert taken(partial.picks) == [("a", 3), ("b", 2)]
    assert [(s.sku_id, s.requested, s.available) for s in partial.short] == [("MILK", 5, 3)]
    assert dict(book.promised) == {"a": 3, "b": 2}


def test_partial_policy_prefers_the_warehouse_that_serves_the_most():
    rows = [lot_row("near", 1), lot_row("far", 4, site=FAR)]
    result = allocate(demand(6), StockBook(rows), [SITE, FAR], CITY, partial=True)
    assert isinstance(result, Allocated)
    assert result.warehouse is FAR
    assert taken(result.picks) == [("far", 4)]


def test_a_line_splits_across_lots_and_bins_and_never_takes_more_than_available():
    rows = [
        lot_row("a", 4, expires=date(2026, 12, 2), allocated=1),
        lot_row("b", 4, expires=date(2026, 12, 3)),
    ]
    picks = plan_picks(demand(7), rows)
    assert taken(picks) == [("a", 3), ("b", 4)]
    assert {p.lot_id for p in picks} == {"lot_a", "lot_b"}


def test_soft_reservations_keep_stock_from_others_and_give_it_to_their_customer():
    hold = Hold("rsv1", SITE.id, SkuId("MILK"), ALICE, 6)
    book = StockBook([lot_row("a", 10)], [hold])
    assert book.free(SITE.id, SkuId("MILK")) == 4
    assert not isinstance(allocate(demand(5), book, [SITE], CITY, customer_id=BOB), Allocated)
    bob = allocate(demand(4), book, [SITE], CITY, customer_id=BOB)
    assert isinstance(bob, Allocated)
    alice = allocate(demand(6), book, [SITE], CITY, customer_id=ALICE)
    assert isinstance(alice, Allocated)
    assert dict(book.consumed) == {"rsv1": 6}
    assert book.free(SITE.id, SkuId("MILK")) == 0


def test_lot_status_moves_and_receipt_rules():
    check_lot_transition(LotStatus.RELEASED, LotStatus.QUARANTINED)
    check_lot_transition(LotStatus.QUARANTINED, LotStatus.RELEASED)
    for final in (LotStatus.RECALLED, LotStatus.EXPIRED):
        with pytest.raises(InvalidTransition):
            check_lot_transition(final, LotStatus.RELEASED)
    assert [s for s in LotStatus if s.allocatable] == [LotStatus.RELEASED]
    milk = Sku(SkuId("m"), "MILK", "Milk", 1.0, 0.001, TemperatureClass.CHILLED, shelf_life_days=12)
    assert lot_for_receipt(milk, None, None, TODAY) == ("BB20261207", date(2026, 12, 7))
    assert lot_for_receipt(milk, "L42", date(2026, 12, 1), TODAY) == ("L42", date(2026, 12, 1))
    with pytest.raises(InvalidInput, match="already expired"):
        lot_for_receipt(milk, "L43", TODAY, TODAY)
    tea = Sku(SkuId("t"), "TEA", "Tea", 1.0, 0.001, TemperatureClass.AMBIENT)
    assert lot_for_receipt(tea, None, None, TODAY) == (None, None)
    with pytest.raises(InvalidInput):
        lot_for_receipt(tea, "L1", None, TODAY)
    vaccine = Sku(
        SkuId("v"), "VAC", "Vaccine", 0.1, 0.001, TemperatureClass.CHILLED, lot_tracked=True
    )
    with pytest.raises(InvalidInput, match="lot number"):
        lot_for_receipt(vaccine, None, None, TODAY)
