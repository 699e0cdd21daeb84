"""The order's changes as pure rules: hold, release, amend; addresses and postcodes."""

from __future__ import annotations

import pytest

from otwb.orders.errors import InvalidAddress, TooLateToAmend
from otwb.orders.model import OrderLine, OrderStatus, PostalAddress, postcode_key
from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import OrderLineId
from tests.unit.orders.test_order_model import address, order


def test_a_hold_needs_a_reason_and_release_clears_it():
    with pytest.raises(InvalidInput):
        order().hold("  ")
    held = order().hold("credit_hold")
    assert held.status is OrderStatus.ON_HOLD
    assert held.hold_reason == "credit_hold"
    released = held.release()
    assert released.status is OrderStatus.PLACED
    assert released.hold_reason is None
    assert held.cancel().hold_reason is None
    with pytest.raises(InvalidTransition):
        order(OrderStatus.ALLOCATED).release()  # not on hold
    with pytest.raises(InvalidTransition):
        order(OrderStatus.PICKED).hold("too late")


def test_an_amendment_is_allowed_until_picking_and_sends_an_allocated_order_back():
    lines = (OrderLine(OrderLineId("oli_9"), 1, "TEA", 5),)
    amended = order(OrderStatus.ALLOCATED).amended(lines, None)
    assert amended.status is OrderStatus.PLACED
    assert amended.lines == lines
    moved = order(OrderStatus.ON_HOLD).amended(None, address(street="2 rue Y"))
    assert moved.status is OrderStatus.ON_HOLD
    assert moved.ship_to.street == "2 rue Y"
    with pytest.raises(InvalidInput):
        order().amended(None, None)
    for status in (OrderStatus.PICKED, OrderStatus.SHIPPED, OrderStatus.CANCELLED):
        with pytest.raises(TooLateToAmend) as err:
            order(status).amended(lines, None)
        assert err.value.extra == {"current": status.value}
    with pytest.raises(InvalidInput):
        order().amended((), None)  # an order keeps at least one line


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", ""), ("street", " "), ("city", ""), ("postcode", ""), ("country", "FRA")],
)
def test_an_address_needs_every_field(field, value):
    fields = {"name": "B", "street": "1 rue X", "city": "Lyon", "postcode": "69001"}
    fields["country"] = "FR"
    fields[field] = value
    with pytest.raises(InvalidAddress) as err:
        PostalAddress(**fields)
    assert err.value.extra == {"field": field}


def test_postcodes_match_without_spaces_or_case():
    assert postcode_key(" fr ", "69 003") == ("FR", "69003")
    assert postcode_key("GB", "sw1a 1aa") == ("GB", "SW1A1AA")
    located = PostalAddress("B", "1 rue X", "Lyon", "69003", "FR").at(GeoPoint(45.76, 4.86))
    assert located.point == GeoPoint(45.76, 4.86)
