from datetime import UTC, datetime, timedelta

import pytest

from otwb.orders.model import (
    TRANSITIONS,
    Address,
    Order,
    OrderLine,
    OrderStatus,
    ServiceLevel,
)
from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.values import DeliveryWindow

NOW = datetime(2026, 11, 25, 8, tzinfo=UTC)


def address(**changes: str) -> Address:
    fields = {
        "name": "Bistro",
        "street": "1 rue X",
        "city": "Lyon",
        "postcode": "69001",
        "country": "FR",
    }
    fields.update(changes)
    return Address(**fields, point=GeoPoint(45.76, 4.83))


def order(status: OrderStatus = OrderStatus.PLACED, lines: int = 1) -> Order:
    return Order(
        id=OrderId("ord_1"),
        customer_id=CustomerId("cus_1"),
        reference=None,
        ship_to=address(),
        lines=tuple(
            OrderLine(OrderLineId(f"oli_{i}"), i, f"SKU{i}", 2) for i in range(1, lines + 1)
        ),
        service_level=ServiceLevel.STANDARD,
        window=None,
        status=status,
        placed_at=NOW,
    )


HAPPY_PATH = [
    OrderStatus.ALLOCATED,
    OrderStatus.PICKED,
    OrderStatus.PACKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
]


def test_the_happy_path_is_allowed_step_by_step():
    current = order()
    for step in HAPPY_PATH:
        current = current.transition(step)
    assert current.status is OrderStatus.DELIVERED


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("to", list(OrderStatus))
def test_every_transition_outside_the_table_is_refused(status, to):
    if to in TRANSITIONS[status]:
        assert order(status).transition(to).status is to
    else:
        with pytest.raises(InvalidTransition) as err:
            order(status).transition(to)
        assert err.value.extra == {"current": status.value, "requested": to.value}


def test_cancel_only_before_shipping():
    for status in (
        OrderStatus.PLACED,
        OrderStatus.ALLOCATED,
        OrderStatus.PICKED,
        OrderStatus.PACKED,
    ):
        assert order(status).cancel().status is OrderStatus.CANCELLED
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED):
        with pytest.raises(InvalidTransition):
            order(status).cancel()


def test_a_failed_delivery_can_go_out_again():
    failed = order(OrderStatus.SHIPPED).transition(OrderStatus.DELIVERY_FAILED)
    assert failed.transition(OrderStatus.SHIPPED).status is OrderStatus.SHIPPED


def test_lines_are_validated():
    with pytest.raises(InvalidInput, match="quantity must be positive"):
        OrderLine(OrderLineId("oli_1"), 1, "SKU1", 0)
    with pytest.raises(InvalidInput, match="SKU is empty"):
        OrderLine(OrderLineId("oli_1"), 1, "  ", 1)
    with pytest.raises(InvalidInput, match="at least one line"):
        order(lines=0)
    with pytest.raises(InvalidInput, match="unique"):
        Order(
            id=OrderId("ord_1"),
            customer_id=CustomerId("cus_1"),
            reference=None,
            ship_to=address(),
            lines=(OrderLine(OrderLineId("a"), 1, "X", 1), OrderLine(OrderLineId("b"), 1, "Y", 1)),
            service_level=ServiceLevel.STANDARD,
            window=None,
            status=OrderStatus.PLACED,
            placed_at=NOW,
        )


def test_address_and_window_are_validated():
    with pytest.raises(InvalidInput, match="city"):
        address(city=" ")
    with pytest.raises(InvalidInput, match="alpha-2"):
        address(country="FRA")
    with pytest.raises(InvalidInput, match="end after"):
        DeliveryWindow(NOW, NOW)
    with pytest.raises(InvalidInput, match="timezone"):
        DeliveryWindow(NOW.replace(tzinfo=None), NOW + timedelta(hours=1))
    window = DeliveryWindow(NOW, NOW + timedelta(hours=2))
    assert window.contains(NOW + timedelta(hours=1))
    assert not window.contains(NOW + timedelta(hours=3))
