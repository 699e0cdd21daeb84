"""The RMA rules: the window, what may be returned, its life, dispositions and the credit."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from otwb.orders.returns import (
    Disposition,
    Inspection,
    NotReturnable,
    ReturnPolicy,
    ReturnReason,
    ReturnWindowClosed,
    Rma,
    RmaLine,
    RmaStatus,
    check_inspection,
    check_returnable,
    check_rma_transition,
    check_window,
    credit_of,
    final_disposition,
    not_received,
)
from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, WarehouseId
from otwb.platform.money import Money

DELIVERED = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
L1, L2 = OrderLineId("oli_1"), OrderLineId("oli_2")


def rma(*lines: RmaLine) -> Rma:
    return Rma(
        "rma_1",
        OrderId("ord_1"),
        CustomerId("cus_1"),
        WarehouseId("whs_1"),
        RmaStatus.RECEIVED,
        "EUR",
        lines,
        DELIVERED,
    )


def line(no: int, qty: int, reason: ReturnReason, price: str) -> RmaLine:
    return RmaLine(
        f"rml_{no}", OrderLineId(f"oli_{no}"), no, f"SKU-{no}", qty, reason, Decimal(price)
    )


def test_the_window_is_30_days_by_default_and_per_customer():
    check_window(DELIVERED, DELIVERED + timedelta(days=30), ReturnPolicy())
    with pytest.raises(ReturnWindowClosed) as caught:
        check_window(DELIVERED, DELIVERED + timedelta(days=30, seconds=1), ReturnPolicy())
    assert caught.value.code == "return_window_closed"
    assert "2026-12-01" in caught.value.detail
    check_window(DELIVERED, DELIVERED + timedelta(days=60), ReturnPolicy(window_days=60))
    with pytest.raises(ReturnWindowClosed):
        check_window(DELIVERED, DELIVERED + timedelta(days=8), ReturnPolicy(window_days=7))


@pytest.mark.parametrize(("days", "fee"), [(0, "0"), (366, "0"), (30, "-1"), (30, "100.01")])
def test_a_policy_outside_its_bounds_is_refused(days, fee):
    with pytest.raises(InvalidInput):
        ReturnPolicy(days, Decimal(fee))


def test_at_most_delivered_less_already_returned():
    numbers = {L1: 1, L2: 2}
    check_returnable({L1: 3}, {L1: 5}, {L1: 2}, numbers)
    with pytest.raises(NotReturnable) as caught:
        check_returnable({L1: 1, L2: 4}, {L1: 5, L2: 3}, {}, numbers)
    assert caught.value.extra == {"line_no": 2, "returnable": 3}
    with pytest.raises(NotReturnable):
        check_returnable({L1: 4}, {L1: 5}, {L1: 2}, numbers)


def test_the_life_of_a_return():
    path = [
        RmaStatus.REQUESTED,
        RmaStatus.AUTHORISED,
        RmaStatus.PICKUP_SCHEDULED,
        RmaStatus.IN_TRANSIT,
        RmaStatus.RECEIVED,
        RmaStatus.INSPECTED,
        RmaStatus.CLOSED,
    ]
    for current, to in itertools.pairwise(path):
        check_rma_transition("rma_1", current, to)
    check_rma_transition("rma_1", RmaStatus.REQUESTED, RmaStatus.REFUSED)
    check_rma_transition("rma_1", RmaStatus.PICKUP_SCHEDULED, RmaStatus.CANCELLED)
    check_rma_transition("rma_1", RmaStatus.AUTHORISED, RmaStatus.RECEIVED)  # brought in
    for current, to in [
        (RmaStatus.REQUESTED, RmaStatus.RECEIVED),
        (RmaStatus.IN_TRANSIT, RmaStatus.CANCELLED),
        (RmaStatus.AUTHORISED, RmaStatus.REFUSED),
        (RmaStatus.CLOSED, RmaStatus.CANCELLED),
        (RmaStatus.RECEIVED, RmaStatus.CLOSED),
    ]:
        with pytest.raises(InvalidTransition):
            check_rma_transition("rma_1", current, to)


def test_restock_only_a_released_unexpired_lot():
    today = date(2026, 11, 20)
    restock, quarantine = Disposition.RESTOCK, Disposition.QUARANTINE
    assert final_disposition(restock, "released", date(2027, 1, 1), today) is restock
    assert final_disposition(restock, None, None, today) is restock  # no lot
    assert final_disposition(restock, "recalled", None, today) is quarantine
    assert final_disposition(restock, "quarantined", None, today) is quarantine
    assert final_disposition(restock, "released", today, today) is quarantine  # expires today
    assert final_disposition(Disposition.SCRAP, "released", None, today) is Disposition.SCRAP
    assert final_disposition(restock, "released", None, today, serial_tracked=True) is quarantine


def test_inspection_counts_no_more_than_returned():
    r = rma(line(1, 3, ReturnReason.DEFECTIVE, "10"))
    check_inspection(
        r, [Inspection(1, 2, Disposition.RESTOCK), Inspection(1, 1, Disposition.SCRAP)]
    )
    with pytest.raises(InvalidInput):
        check_inspection(
            r, [Inspection(1, 2, Disposition.RESTOCK), Inspection(1, 2, Disposition.SCRAP)]
        )
    with pytest.raises(InvalidInput):
        check_inspection(r, [Inspection(2, 1, Disposition.RESTOCK)])
    with pytest.raises(InvalidInput):
        check_inspection(r, [])
    assert not_received(r, [Inspection(1, 2, Disposition.RESTOCK)]) == {L1: 1}


def test_credit_is_price_times_accepted_units_less_the_fee_on_changed_minds_only():
    r = rma(
        line(1, 3, ReturnReason.CHANGED_MIND, "19.99"),
        line(2, 2, ReturnReason.DEFECTIVE, "5.005"),
    )
    items = [
        Inspection(1, 2, Disposition.RESTOCK),
        Inspection(1, 1, Disposition.SCRAP, accepted=False),  # broken by the customer
        Inspection(2, 2, Disposition.SCRAP),
    ]
    credit = credit_of(r, items, ReturnPolicy(30, Decimal("15")))
    # 2 x 19.99 + 2 x 5.005 = 49.99; fee 15 % of 39.98 = 5.997 -> 6.00
    assert credit.gross == Money(Decimal("49.99"), "EUR")
    assert credit.restocking_fee == Money(Decimal("6.00"), "EUR")
    assert credit.net == Money(Decimal("43.99"), "EUR")
    none = credit_of(r, items, ReturnPolicy())
    assert none.restocking_fee.amount == 0
    assert none.net.amount == Decimal("49.99")


def test_a_return_line_needs_a_positive_quantity_and_a_sane_price():
    with pytest.raises(InvalidInput):
        line(1, 0, ReturnReason.DEFECTIVE, "1")
    with pytest.raises(InvalidInput):
        line(1, 1, ReturnReason.DEFECTIVE, "-0.01")
