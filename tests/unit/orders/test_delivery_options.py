"""Delivery options: what a customer may choose, checked before anything is booked."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from otwb.orders.delivery_options import (
    DeliveryChoice,
    DeliveryMethod,
    DeliverySlot,
    PickupKind,
    PickupPoint,
    pickup_code,
    tracking_token,
)
from otwb.platform.errors import InvalidInput
from otwb.platform.geo import GeoPoint
from otwb.platform.money import Money
from otwb.platform.values import DeliveryWindow

WINDOW = DeliveryWindow(
    datetime(2026, 11, 26, 8, tzinfo=UTC), datetime(2026, 11, 26, 10, tzinfo=UTC)
)


def test_home_delivery_with_a_slot_installation_and_cash():
    choice = DeliveryChoice(
        slot_id="dsl_1", installation=True, cash_on_delivery=Money(Decimal("149.90"), "EUR")
    )
    assert choice.method is DeliveryMethod.HOME
    assert DeliveryChoice().pickup_point is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": DeliveryMethod.PICKUP}, "pickup_point"),
        ({"method": DeliveryMethod.PICKUP, "pickup_point": "ST", "slot_id": "dsl"}, "slot_id"),
        (
            {"method": DeliveryMethod.PICKUP, "pickup_point": "ST", "installation": True},
            "installation",
        ),
        ({"pickup_point": "ST"}, "pickup_point"),
        ({"cash_on_delivery": Money(Decimal("0"), "EUR")}, "cash_on_delivery"),
        ({"cash_on_delivery": Money(Decimal("-5"), "EUR")}, "cash_on_delivery"),
        ({"cash_on_delivery": Money(Decimal("10000.01"), "EUR")}, "cash_on_delivery"),
        ({"cash_on_delivery": Money(Decimal("1.005"), "EUR")}, "cash_on_delivery"),
        ({"cash_on_delivery": Money(Decimal("100.5"), "JPY")}, "cash_on_delivery"),
    ],
)
def test_inconsistent_choices_are_refused(kwargs, field):
    with pytest.raises(InvalidInput) as err:
        DeliveryChoice(**kwargs)
    assert err.value.extra["field"] == field


def test_slots_and_points_keep_their_rules():
    slot = DeliverySlot("dsl_1", "whs_1", WINDOW, 4, 3)
    assert slot.free == 1
    for capacity, booked in ((0, 0), (2, 3), (2, -1)):
        with pytest.raises(InvalidInput):
            DeliverySlot("dsl_1", "whs_1", WINDOW, capacity, booked)
    with pytest.raises(InvalidInput):
        PickupPoint(
            "pup_1",
            "ST",
            " ",
            PickupKind.STORE,
            "1 rue",
            "Lyon",
            "69001",
            "FR",
            GeoPoint(45.7, 4.8),
        )
    with pytest.raises(InvalidInput):
        PickupPoint(
            "pup_1",
            "ST",
            "Shop",
            PickupKind.STORE,
            "1 rue",
            "Lyon",
            "69001",
            "FRA",
            GeoPoint(45.7, 4.8),
        )


def test_codes_and_tokens_are_random_and_unambiguous():
    codes = {pickup_code() for _ in range(200)}
    assert len(codes) > 195
    assert all(len(c) == 6 and not set(c) & set("0O1I2Z5S8B") for c in codes)
    tokens = {tracking_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) == 32 and int(t, 16) >= 0 for t in tokens)
