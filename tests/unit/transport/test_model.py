"""The transport domain's rules: transitions, vehicle validation, costs, completion, tracking."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.ids import RouteId, ShipmentId, VehicleId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.transport.dispatch import completion
from otwb.transport.model import (
    PLANNABLE,
    Route,
    RouteStatus,
    RouteStop,
    ShipmentStatus,
    StopStatus,
    route_cost,
    service_seconds,
)
from otwb.transport.tracking_numbers import is_valid_tracking_number, tracking_number
from tests.unit.transport.builders import at, eur, shipment, vehicle


# -- shipments ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path"),
    [
        ["planned", "in_transit", "delivered"],
        ["planned", "in_transit", "failed", "planned", "in_transit", "delivered"],
        ["planned", "ready", "planned"],
        ["cancelled"],
        ["planned", "in_transit", "failed", "cancelled"],
    ],
)
def test_shipment_lives(path):
    s = shipment(1)
    for status in path:
        s = s.moved_to(ShipmentStatus(status))
    assert s.status.value == path[-1]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("ready", "in_transit"),
        ("ready", "delivered"),
        ("planned", "delivered"),
        ("in_transit", "cancelled"),
        ("in_transit", "ready"),
        ("delivered", "failed"),
        ("delivered", "cancelled"),
        ("cancelled", "ready"),
        ("failed", "delivered"),
    ],
)
def test_shipment_refuses_illegal_moves(start, to):
    s = shipment(1, status=ShipmentStatus(start))
    with pytest.raises(InvalidTransition) as err:
        s.moved_to(ShipmentStatus(to))
    assert err.value.extra == {"current": start, "requested": to}


def test_failed_shipments_are_plannable_again():
    assert {ShipmentStatus.READY, ShipmentStatus.FAILED} == PLANNABLE


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"kg": 0.0}, "weight_kg"), ({"m3": -1.0}, "volume_m3"), ({"parcels": 0}, "parcel_count")],
)
def test_shipment_measures_must_be_positive(kwargs, field):
    with pytest.raises(InvalidInput) as err:
        shipment(1, **kwargs)
    assert err.value.extra["field"] == field


def test_on_time_is_within_the_window_or_true_without_one():
    s = shipment(1, window=(at(9), at(11)))
    assert s.on_time(at(9))
    assert s.on_time(at(11))
    assert not s.on_time(at(11, 1))
    assert not s.on_time(at(8, 59))
    assert shipment(2).on_time(at(23))


def test_window_must_end_after_it_starts():
    with pytest.raises(InvalidInput):
        DeliveryWindow(at(10), at(10))


def test_service_time_grows_with_parcels():
    assert service_seconds(1) == 360
    assert service_seconds(4) == 540


# -- routes ---------------------------------------------------------------------------------
def test_route_transitions():
    r = _route()
    assert r.moved_to(RouteStatus.DISPATCHED).moved_to(RouteStatus.COMPLETED).status == "completed"
    assert r.moved_to(RouteStatus.CANCELLED).status == "cancelled"
    with pytest.raises(InvalidTransition):
        r.moved_to(RouteStatus.COMPLETED)
    with pytest.raises(InvalidTransition):
        r.moved_to(RouteStatus.DISPATCHED).moved_to(RouteStatus.CANCELLED)


def test_route_cost_is_exact_decimal_rounded_to_cents():
    v = vehicle(per_km="0.57", per_hour="31.40", fixed="45.00")
    # 123.456 km x 0.57 = 70.36992; 2 h 30 min 10 s = 2.502777... h x 31.40 = 78.5872...
    cost = route_cost(v, 123_456, 2 * 3600 + 30 * 60 + 10)
    expected = Decimal("45.00") + Decimal("70.36992") + Decimal(9010) / 3600 * Decimal("31.40")
    assert cost == Money(expected.quantize(Decimal("0.01")), "EUR")
    assert cost.amount == Decimal("193.96")
    assert isinstance(cost.amount, Decimal)


def test_route_cost_rounds_half_up():
    v = vehicle(per_km="0.005", per_hour="0", fixed="0")
    assert route_cost(v, 1000, 0).amount == Decimal("0.01")  # 0.005 -> 0.01
    assert route_cost(v, 0, 0).amount == Decimal("0.00")


def test_completion_waits_for_every_stop_then_adds_the_way_back():
    v = vehicle(per_km="0.50", per_hour="36", fixed="10")
    dispatched = at(8)
    stops = (
        _stop(1, StopStatus.DELIVERED, at(9), return_s=1200),
        _stop(2, StopStatus.DISPATCHED, None, return_s=600),
    )
    route = replace(_route(), dispatched_at=dispatched, status=RouteStatus.DISPATCHED)
    assert completion(route, v, stops) is None
    stops = (stops[0], _stop(2, StopStatus.FAILED, at(10, 30), return_s=600))
    done = completion(route, v, stops)
    assert done is not None
    back, duration, cost = done
    assert back == at(10, 40)
    assert duration == 2 * 3600 + 40 * 60
    # 10 + 42.5 km x 0.50 + 2.6667 h x 36 = 10 + 21.25 + 96.00
    assert cost == eur("127.25")


def test_completion_uses_the_stop_resolved_last_not_the_last_in_sequence():
    v = vehicle(per_km="0", per_hour="60", fixed="0")
    route = replace(_route(), dispatched_at=at(8), status=RouteStatus.DISPATCHED)
    stops = (
        _stop(1, StopStatus.DELIVERED, at(11), return_s=900),
        _stop(2, StopStatus.DELIVERED, at(10), return_s=60),
    )
    back, duration, cost = completion(route, v, stops)  # type: ignore[misc]
    assert back == at(11, 15)
    assert duration == 3 * 3600 + 15 * 60
    assert cost == eur("195.00")


# -- vehicles -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code": " "}, "code"),
        ({"kg": 0.0}, "capacity_kg"),
        ({"kg": float("nan")}, "capacity_kg"),
        ({"m3": -2.0}, "capacity_m3"),
        ({"speed": 0.0}, "speed_kmh"),
        ({"speed": 500.0}, "speed_kmh"),
        ({"per_km": "-0.1"}, "cost_per_km"),
        ({"per_hour": "-1"}, "cost_per_hour"),
        ({"fixed": "-5"}, "fixed_cost"),
        ({"shift": (time(17), time(7))}, "shift must end after"),
        ({"shift": (time(9), time(9))}, "shift must end after"),
        ({"shift": (time(7, tzinfo=UTC), time(9))}, "plain UTC time"),
    ],
)
def test_vehicle_validation(kwargs, message):
    with pytest.raises(InvalidInput) as err:
        vehicle(**kwargs)
    assert message in err.value.detail


def test_vehicle_costs_in_one_currency():
    v = vehicle()
    with pytest.raises(InvalidInput):
        replace(v, cost_per_km=Money(Decimal("1"), "USD"))


def test_only_refrigerated_vehicles_carry_cold_goods():
    assert vehicle(refrigerated=True).can_carry(TemperatureClass.FROZEN)
    assert not vehicle().can_carry(TemperatureClass.CHILLED)
    assert vehicle().can_carry(TemperatureClass.AMBIENT)


def test_vehicle_shift_seconds():
    v = vehicle(shift=(time(6, 30), time(14, 15, 5)))
    assert (v.shift_start_s, v.shift_end_s) == (23_400, 51_305)


# -- tracking numbers -----------------------------------------------------------------------
def test_tracking_number_is_short_checked_and_derived_from_the_id():
    number = tracking_number("shp_01JD3Q0Z8Y6X4K2M9P7R5T3V1W")
    assert number == tracking_number("shp_01JD3Q0Z8Y6X4K2M9P7R5T3V1W")
    assert number.startswith("OT-")
    assert len(number) == len("OT-XXXX-XXXX-XXXX-X")
    assert is_valid_tracking_number(number)
    assert is_valid_tracking_number(number.lower())
    # One mistyped character is caught by the check character.
    typo = number[:4] + ("A" if number[4] != "A" else "B") + number[5:]
    assert not is_valid_tracking_number(typo)
    assert not is_valid_tracking_number("OT-1234")
    assert tracking_number("shp_01JD3Q0Z8Y6X4K2M9P7R5T3V1X") != number


# -- helpers --------------------------------------------------------------------------------
def _route() -> Route:
    return Route(
        id=RouteId("rte_1"),
        depot_id=WarehouseId("whs_LYON"),
        vehicle_id=VehicleId("veh_V1"),
        service_date=at(0).date(),
        status=RouteStatus.PLANNED,
        distance_m=42_500,
        duration_s=3 * 3600,
        planned_start=at(8),
        planned_end=at(11),
        planned_cost=eur("100"),
    )


def _stop(seq: int, status: StopStatus, resolved: datetime | None, return_s: int) -> RouteStop:
    planned = at(9) + timedelta(minutes=seq)
    return RouteStop(seq, ShipmentId(f"shp_{seq}"), status, planned, planned, return_s, resolved)
