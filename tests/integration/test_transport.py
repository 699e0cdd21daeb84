"""T on real databases (SQLite and PostgreSQL), driven by real orders through O and W."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from otwb.orders import service as orders
from otwb.orders.model import (
    Order,
    OrderStatus,
)
from otwb.platform import auth
from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from otwb.platform.events import Envelope, Event
from otwb.platform.ids import EventId, RouteId, TenantId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.tables import outbox
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.transport import dispatch, planning, route_repo, routing, service, shipments
from otwb.transport.events import (
    DeliveryFailed,
    RouteCompleted,
    RoutePlanned,
    ShipmentDelivered,
    ShipmentDispatched,
)
from otwb.transport.model import (
    RouteStatus,
    ShipmentStatus,
    StopStatus,
    route_cost,
)
from otwb.transport.tables import shipments as shipments_table
from otwb.warehouse import fulfilment
from otwb.warehouse import service as warehouse
from tests import factories
from tests.conftest import START

DAY = date(2026, 11, 26)  # START is 2026-11-25 07:00 UTC: orders today, deliveries tomorrow
LIMIT = 0.3


def at(day: date, hour: int, minute: int = 0):
    return START.replace(year=day.year, month=day.month, day=day.day, hour=hour, minute=minute)


@pytest.fixture
def depot(uow) -> factories.Site:
    s = factories.site(uow)
    factories.skus(uow, "WINE-6", weight=9.0, volume=0.012)
    warehouse.receive_stock(uow(), s.locations[0].id, "WINE-6", 500)
    return s


def handed_over(
    uow,
    depot,
    n: int = 1,
    lat: float = 45.7578,
    window=None,
    sku: str = "WINE-6",
    lon: float = 4.8320,
) -> Order:
    customer = (
        orders.list_customers(uow())[0] if orders.list_customers(uow()) else factories.customer(uow)
    )
    order = factories.place(
        uow,
        customer.id,
        [(sku, n)],
        ship_to=factories.address(lat=lat, lon=lon),
        window=window,
    )
    fulfilment.confirm_pick(uow(), order.id)
    fulfilment.pack_order(uow(), order.id)
    fulfilment.hand_over(uow(), order.id)
    return order


def van(uow, depot, code: str = "VAN-1", **overrides) -> service.NewVehicle:
    new = service.NewVehicle(
        code=code,
        depot_id=depot.warehouse.id,
        capacity_kg=overrides.pop("capacity_kg", 900.0),
        capacity_m3=overrides.pop("capacity_m3", 8.0),
        cost_per_km=Decimal("0.45"),
        cost_per_hour=Decimal("32.50"),
        fixed_cost=Decimal("40"),
        speed_kmh=45.0,
        shift_start=time(7),
        shift_end=time(17),
        **overrides,
    )
    service.add_vehicle(uow(), new)
    return new


def events(runtime, tenant, kind: type[Event]) -> list[Any]:
    with runtime.db.engine.connect() as conn:
        rows = conn.execute(
            select(outbox)
            .where(outbox.c.tenant_id == tenant.id, outbox.c.event_type == kind.event_type())
            .order_by(outbox.c.id)
        ).all()
    return [Event.load(r.event_type, r.payload) for r in rows]


def order_status(uow, order_id) -> OrderStatus:
    return orders.get_order(uow(), order_id).status


# -- depots, vehicles, shipments ------------------------------------------------------------
def test_warehouse_opened_becomes_a_depot(uow, depot):
    (d,) = service.list_depots(uow())
    assert d.id == depot.warehouse.id
    assert d.name == depot.warehouse.name
    assert (d.point.lat, d.point.lon) == (depot.warehouse.point.lat, depot.warehouse.point.lon)


def test_vehicles_take_the_tenant_currency_and_unique_codes(uow, depot, runtime):
    van(uow, depot)
    (v,) = service.list_vehicles(uow(), depot.warehouse.id)
    assert v.code == "VAN-1"
    assert v.cost_per_hour == Money(Decimal("32.50"), "EUR")
    assert v.fixed_cost.amount == Decimal("40")
    assert (v.shift_start, v.shift_end) == (time(7), time(17))
    with pytest.raises(Conflict):
        van(uow, depot)
    with pytest.raises(InvalidInput):
        service.add_vehicle(
            uow(),
            service.NewVehicle("X", WarehouseId("whs_nowhere"), 1, 1, Decimal(1), Decimal(1)),
        )
    with pytest.raises(InvalidInput):
        van(uow, depot, code="BAD", capacity_kg=-5.0)
    other = auth.create_tenant(runtime.uow(), "Zurich Freight", currency="CHF")
    assert service.list_vehicles(runtime.uow(other.id)) == []


def test_hand_over_creates_a_ready_shipment(uow, depot):
    window = (at(DAY, 9), timedelta(hours=3))
    order = handed_over(uow, depot, n=3, window=window)
    (s,) = shipments.list_shipments(uow(), ShipmentStatus.READY, depot.warehouse.id)
    assert s.order_id == order.id
    assert s.depot_id == depot.warehouse.id
    assert s.customer_id == order.customer_id
    assert s.weight_kg == pytest.approx(27.0)
    assert s.volume_m3 == pytest.approx(0.036)
    assert s.parcel_count == 2  # 27 kg -> two parcels of at most 25 kg
    assert s.temperature_class is TemperatureClass.AMBIENT
    assert s.window is not None
    assert s.window.start == at(DAY, 9)
    assert s.window.end == at(DAY, 12)
    assert s.ship_to_name == "Bistro du Parc"
    assert shipments.get_shipment_by_tracking(uow(), s.tracking_number.lower()) == s


def test_a_redelivered_hand_over_makes_one_shipment(uow, depot, runtime, tenant):
    handed_over(uow, depot)
    with runtime.db.engine.connect() as conn:
        row = conn.execute(select(outbox).where(outbox.c.event_type == "OrderHandedOver")).one()
    envelope = Envelope(
        EventId(row.id),
        TenantId(row.tenant_id),
        row.occurred_at,
        Event.load(row.event_type, row.payload),
    )
    runtime.bus.after_commit(runtime, [envelope])
    runtime.bus.after_commit(runtime, [envelope])
    assert len(shipments.list_shipments(uow())) == 1
    # The service itself is idempotent too: one shipment per order and depot (a UNIQUE guard).
    s = shipments.list_shipments(uow())[0]
    with runtime.db.engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(
            insert(shipments_table).values(
                id="shp_dup",
                tenant_id=tenant.id,
                order_id=s.order_id,
                customer_id="c",
                depot_id=s.depot_id,
                tracking_number="OT-DUP",
                ship_to_name="x",
                ship_to_address="x",
                ship_to_lat=0,
                ship_to_lon=0,
                weight_kg=1,
                volume_m3=1,
                parcel_count=1,
                temperature_class="ambient",
                status="ready",
                attempts=0,
                created_at=START,
                updated_at=START,
            )
        )


def test_database_refuses_bad_measures_and_statuses(runtime, tenant, depot):
    base = {
        "tenant_id": tenant.id,
        "customer_id": "c",
        "depot_id": depot.warehouse.id,
        "ship_to_name": "x",
        "ship_to_address": "x",
        "ship_to_lat": 45.0,
        "ship_to_lon": 4.0,
        "volume_m3": 0.1,
        "parcel_count": 1,
        "temperature_class": "ambient",
        "attempts": 0,
        "created_at": START,
        "updated_at": START,
    }
    bad = [
        {"weight_kg": 0.0, "status": "ready"},
        {"weight_kg": 1.0, "status": "lost"},
        {"weight_kg": 1.0, "status": "planned"},  # planned needs a route
    ]
    for n, values in enumerate(bad):
        with runtime.db.engine.begin() as conn, pytest.raises(IntegrityError):
            conn.execute(
                insert(shipments_table).values(
                    id=f"shp_{n}", order_id=f"ord_{n}", tracking_number=f"T{n}", **base, **values
                )
            )


# -- the whole way: plan, dispatch, deliver --------------------------------------------------
def test_plan_dispatch_deliver_and_the_order_is_delivered(uow, depot, runtime, tenant, clock):
    van(uow, depot)
    order = handed_over(uow, depot, n=2, window=(at(DAY, 9), timedelta(hours=3)))
    result = service.plan_routes(uow(), depot.warehouse.id, DAY, time_limit_s=LIMIT)
    assert result.unplanned == []
    (route,) = result.routes
    (stop,) = route.stops
    assert route.status is RouteStatus.PLANNED
    assert route.service_date == DAY
    assert at(DAY, 9) <= stop.planned_arrival <= at(DAY, 12)
    assert route.planned_start >= at(DAY, 7)
    assert route.planned_end <= at(DAY, 17)
    vehicle = service.list_vehicles(uow())[0]
    assert route.planned_cost == route_cost(vehicle, route.distance_m, route.duration_s)
    assert route.distance_m > 0
    shipment = shipments.get_shipment(uow(), stop.shipment_id)
    assert shipment.status is ShipmentStatus.PLANNED
    assert shipment.route_id == route.id
    (planned,) = events(runtime, tenant, RoutePlanned)
    assert (planned.route_id, planned.stops) == (route.id, 1)
    assert planned.distance_km == pytest.approx(route.distance_m / 1000)

    with pytest.raises(InvalidTransition):  # START is the day before
        dispatch.dispatch_route(uow(), route.id)
    assert order_status(uow, order.id) is OrderStatus.PACKED
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    assert order_status(uow, order.id) is OrderStatus.SHIPPED
    (sent,) = events(runtime, tenant, ShipmentDispatched)
    delay = at(DAY, 8) - route.planned_start
    assert sent.eta == stop.planned_arrival + max(delay, timedelta(0))
    assert sent.tracking_number == shipment.tracking_number
    assert shipments.track(uow(), shipment.tracking_number).eta == sent.eta

    clock.set(at(DAY, 10, 30))
    delivered = dispatch.record_delivery(uow(), shipment.id, "  M. Durand ")
    assert delivered.status is ShipmentStatus.DELIVERED
    assert (delivered.recipient, delivered.delivered_at) == ("M. Durand", at(DAY, 10, 30))
    assert order_status(uow, order.id) is OrderStatus.DELIVERED
    (proof,) = events(runtime, tenant, ShipmentDelivered)
    assert proof.on_time
    assert proof.recipient == "M. Durand"
    assert proof.weight_kg == pytest.approx(18.0)
    depot_point, ship_to = depot.warehouse.point, shipment.ship_to
    road = service.distance_provider(uow()).distance_m([depot_point, ship_to])[0, 1]
    assert proof.distance_km == pytest.approx(road / 1000)
    assert 5 < proof.distance_km < 30

    done = service.get_route(uow(), route.id)
    assert done.status is RouteStatus.COMPLETED
    assert done.stops[0].status is StopStatus.DELIVERED
    back = done.stops[0].return_s
    assert done.completed_at == at(DAY, 10, 30) + timedelta(seconds=back)
    assert done.actual_duration_s == int((done.completed_at - at(DAY, 8)).total_seconds())
    assert done.actual_cost == route_cost(vehicle, route.distance_m, done.actual_duration_s)
    (closed,) = events(runtime, tenant, RouteCompleted)
    assert closed.cost == done.actual_cost.amount
    assert closed.currency == "EUR"
    assert closed.duration_s == done.actual_duration_s

    summary = service.fleet_summary(uow(), DAY)
    assert (summary.routes, summary.vehicles_used, summary.stops, summary.delivered) == (1, 1, 1, 1)
    assert summary.distance_km == Decimal(route.distance_m) / 1000
    assert summary.cost == done.actual_cost


def test_a_late_delivery_is_not_on_time(uow, depot, runtime, tenant, clock):
    van(uow, depot)
    handed_over(uow, depot, window=(at(DAY, 9), timedelta(hours=1)))
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    clock.set(at(DAY, 12))
    with pytest.raises(InvalidInput):  # before the dispatch
        dispatch.record_delivery(uow(), route.stops[0].shipment_id, "A", at(DAY, 7))
    with pytest.raises(InvalidInput):  # in the future
        dispatch.record_delivery(uow(), route.stops[0].shipment_id, "A", at(DAY, 13))
    dispatch.record_delivery(uow(), route.stops[0].shipment_id, "A. Martin", at(DAY, 11))
    (proof,) = events(runtime, tenant, ShipmentDelivered)
    assert not proof.on_time
    assert proof.delivered_at == at(DAY, 11)


def test_failed_delivery_then_a_second_attempt_the_next_day(uow, depot, runtime, tenant, clock):
    van(uow, depot)
    order = handed_over(uow, depot)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    shipment_id = route.stops[0].shipment_id
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    with pytest.raises(InvalidInput):
        dispatch.record_delivery_failure(uow(), shipment_id, "   ")
    clock.set(at(DAY, 9, 15))
    failed = dispatch.record_delivery_failure(uow(), shipment_id, "nobody in")
    assert failed.status is ShipmentStatus.FAILED
    assert failed.failure_reason == "nobody in"
    assert order_status(uow, order.id) is OrderStatus.DELIVERY_FAILED
    (why,) = events(runtime, tenant, DeliveryFailed)
    assert (why.reason, why.failed_at) == ("nobody in", at(DAY, 9, 15))
    assert service.get_route(uow(), route.id).status is RouteStatus.COMPLETED
    with pytest.raises(InvalidTransition):
        dispatch.record_delivery(uow(), shipment_id, "too late")

    nextday = DAY + timedelta(days=1)
    (again,) = service.plan_routes(uow(), depot.warehouse.id, nextday, LIMIT).routes
    assert again.id != route.id
    assert again.stops[0].shipment_id == shipment_id
    clock.set(at(nextday, 7, 30))
    dispatch.dispatch_route(uow(), again.id)
    assert order_status(uow, order.id) is OrderStatus.SHIPPED
    dispatch.record_delivery(uow(), shipment_id, "Mme Durand")
    assert order_status(uow, order.id) is OrderStatus.DELIVERED
    s = shipments.get_shipment(uow(), shipment_id)
    assert (s.status, s.attempts, s.route_id) == (ShipmentStatus.DELIVERED, 2, again.id)
    # The first route kept its failed stop.
    assert service.get_route(uow(), route.id).stops[0].status is StopStatus.FAILED


def test_busy_vehicles_are_not_planned_twice_the_same_day(uow, depot, runtime, tenant):
    van(uow, depot)
    handed_over(uow, depot)
    first = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT)
    assert len(first.routes) == 1
    handed_over(uow, depot, lat=45.70)
    second = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT)
    assert second.routes == []
    assert [u.reason for u in second.unplanned] == [planning.NO_VEHICLE]
    # The database guard: one open route per vehicle and date.
    (route,) = first.routes
    with pytest.raises(IntegrityError), uow() as u:
        route_repo.insert_route(u, replace(route, id=RouteId("rte_x"), stops=()))


def test_cancelled_order_cancels_its_shipment_before_dispatch(uow, depot, clock):
    van(uow, depot)
    ready = handed_over(uow, depot)
    orders.cancel_order(uow(), ready.id, "customer changed their mind")
    (s,) = shipments.list_shipments(uow())
    assert s.status is ShipmentStatus.CANCELLED

    planned = handed_over(uow, depot, lat=45.70)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    orders.cancel_order(uow(), planned.id, "duplicate")
    cancelled = service.get_route(uow(), route.id)
    assert cancelled.status is RouteStatus.CANCELLED
    assert cancelled.stops[0].status is StopStatus.CANCELLED
    assert shipments.list_shipments(uow(), ShipmentStatus.CANCELLED)[-1].order_id == planned.id
    with pytest.raises(InvalidTransition):
        dispatch.dispatch_route(uow(), route.id)

    # The vehicle is free again; once dispatched, an order can no longer be cancelled.
    shipped = handed_over(uow, depot, lat=45.72)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    with pytest.raises(InvalidTransition):
        orders.cancel_order(uow(), shipped.id)
    assert service.get_route(uow(), route.id).status is RouteStatus.DISPATCHED


def test_cancelling_an_order_without_shipment_does_nothing(uow, depot):
    customer = factories.customer(uow)
    order = factories.place(uow, customer.id, [("WINE-6", 1)])
    orders.cancel_order(uow(), order.id)
    assert shipments.list_shipments(uow()) == []


def test_a_redelivered_delivery_event_is_applied_once(uow, depot, runtime, tenant, clock):
    van(uow, depot)
    order = handed_over(uow, depot)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    dispatch.record_delivery(uow(), route.stops[0].shipment_id, "M. Durand")
    with runtime.db.engine.connect() as conn:
        row = conn.execute(select(outbox).where(outbox.c.event_type == "ShipmentDelivered")).one()
    envelope = Envelope(
        EventId(row.id),
        TenantId(row.tenant_id),
        row.occurred_at,
        Event.load(row.event_type, row.payload),
    )
    runtime.bus.after_commit(runtime, [envelope])
    timeline = orders.get_order(uow(), order.id).timeline
    assert [e.kind for e in timeline].count("delivered") == 1
    assert [e.kind for e in timeline].count("ignored") == 0


def test_another_tenant_sees_and_touches_nothing(uow, depot, runtime, clock):
    van(uow, depot)
    handed_over(uow, depot)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    shipment = shipments.get_shipment(uow(), route.stops[0].shipment_id)
    other = auth.create_tenant(runtime.uow(), "Rival Logistics")

    def theirs() -> UnitOfWork:
        unit: UnitOfWork = runtime.uow(other.id)
        return unit

    with pytest.raises(NotFound):
        service.get_route(theirs(), route.id)
    with pytest.raises(NotFound):
        dispatch.dispatch_route(theirs(), route.id)
    with pytest.raises(NotFound):
        shipments.get_shipment(theirs(), shipment.id)
    with pytest.raises(NotFound):
        shipments.get_shipment_by_tracking(theirs(), shipment.tracking_number)
    with pytest.raises(NotFound):
        service.plan_routes(theirs(), depot.warehouse.id, DAY, LIMIT)
    assert service.list_routes(theirs(), DAY) == []
    assert shipments.list_shipments(theirs()) == []
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    with pytest.raises(NotFound):
        dispatch.record_delivery(theirs(), shipment.id, "intruder")
    assert shipments.get_shipment(uow(), shipment.id).status is ShipmentStatus.IN_TRANSIT


def test_overflow_stays_ready_with_a_reason(uow, depot):
    van(uow, depot, capacity_kg=40.0)
    for k in range(3):
        handed_over(uow, depot, n=2, lat=45.74 + 0.01 * k)  # 18 kg each
    result = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT)
    assert sum(len(r.stops) for r in result.routes) == 2
    (left,) = result.unplanned
    assert left.reason == planning.FLEET_FULL
    assert shipments.get_shipment(uow(), left.shipment_id).status is ShipmentStatus.READY


def test_cold_goods_need_a_refrigerated_vehicle(uow, runtime):
    site = factories.site(uow, code="COLD", temperature=TemperatureClass.CHILLED)
    warehouse.create_skus(
        uow(), [warehouse.NewSku("YOG-12", "Yoghurt", 1.5, 0.004, TemperatureClass.CHILLED)]
    )
    warehouse.receive_stock(uow(), site.locations[0].id, "YOG-12", 100)
    van(uow, site, code="AMB-1")
    order = handed_over(uow, site, sku="YOG-12")
    result = service.plan_routes(uow(), site.warehouse.id, DAY, LIMIT)
    assert result.routes == []
    assert [u.reason for u in result.unplanned] == [planning.NEEDS_COLD]
    van(uow, site, code="FRIDGE-1", refrigerated=True)
    (route,) = service.plan_routes(uow(), site.warehouse.id, DAY, LIMIT).routes
    assert service.get_vehicle(uow(), route.vehicle_id).code == "FRIDGE-1"
    assert shipments.get_shipment(uow(), route.stops[0].shipment_id).order_id == order.id


def test_unknown_depot_and_bad_time_limit(uow, depot):
    with pytest.raises(NotFound):
        service.plan_routes(uow(), WarehouseId("whs_nope"), DAY, LIMIT)
    with pytest.raises(InvalidInput):
        service.plan_routes(uow(), depot.warehouse.id, DAY, 0)
    with pytest.raises(InvalidInput):
        shipments.get_shipment_by_tracking(uow(), "not-a-number")


def test_cancelling_a_planned_route_puts_its_shipments_back(uow, depot, clock):
    van(uow, depot)
    handed_over(uow, depot)
    handed_over(uow, depot, lat=45.70)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    cancelled = service.cancel_route(uow(), route.id)
    assert cancelled.status is RouteStatus.CANCELLED
    stored = service.get_route(uow(), route.id)
    assert {s.status for s in stored.stops} == {StopStatus.CANCELLED}
    assert {s.status for s in shipments.list_shipments(uow())} == {ShipmentStatus.READY}
    (again,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    assert again.vehicle_id == route.vehicle_id
    assert len(again.stops) == 2
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), again.id)
    with pytest.raises(InvalidTransition):
        service.cancel_route(uow(), again.id)


def test_a_failed_shipment_gets_a_new_window_for_its_second_attempt(uow, depot, clock):
    van(uow, depot)
    handed_over(uow, depot, window=(at(DAY, 9), timedelta(hours=2)))
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    shipment_id = route.stops[0].shipment_id
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    with pytest.raises(InvalidTransition):  # on the road: too late to change the window
        shipments.reschedule_shipment(uow(), shipment_id, None)
    dispatch.record_delivery_failure(uow(), shipment_id, "closed")
    nextday = DAY + timedelta(days=1)
    stuck = service.plan_routes(uow(), depot.warehouse.id, nextday, LIMIT)
    assert [u.reason for u in stuck.unplanned] == [planning.WINDOW_MISSED]
    window = DeliveryWindow(at(nextday, 14), at(nextday, 16))
    moved = shipments.reschedule_shipment(uow(), shipment_id, window)
    assert (moved.status, moved.window) == (ShipmentStatus.FAILED, window)
    (again,) = service.plan_routes(uow(), depot.warehouse.id, nextday, LIMIT).routes
    assert at(nextday, 14) <= again.stops[0].planned_arrival <= at(nextday, 16)


def test_a_concurrent_plan_makes_this_one_a_conflict(uow, depot, monkeypatch):
    van(uow, depot)
    handed_over(uow, depot)
    real = routing.solve
    raced: list[int] = []

    def solve_while_another_dispatcher_plans(problem, time_limit_s, seed=0):
        plan = real(problem, time_limit_s, seed)
        if not raced:
            raced.append(1)
            service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT)  # wins the race
        return plan

    monkeypatch.setattr(routing, "solve", solve_while_another_dispatcher_plans)
    with pytest.raises(Conflict):
        service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT)
    (route,) = service.list_routes(uow(), DAY)
    (s,) = shipments.list_shipments(uow())
    assert (s.status, s.route_id) == (ShipmentStatus.PLANNED, route.id)


def test_a_reschedule_while_planning_makes_the_plan_stale(uow, depot, monkeypatch):
    van(uow, depot)
    handed_over(uow, depot, window=(at(DAY, 9), timedelta(hours=3)))
    (s,) = shipments.list_shipments(uow())
    real = routing.solve

    def solve_while_the_customer_calls(problem, time_limit_s, seed=0):
        plan = real(problem, time_limit_s, seed)
        shipments.reschedule_shipment(uow(), s.id, DeliveryWindow(at(DAY, 15), at(DAY, 16)))
        return plan

    monkeypatch.setattr(routing, "solve", solve_while_the_customer_calls)
    with pytest.raises(Conflict):
        service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT)
    assert service.list_routes(uow(), DAY) == []
    assert shipments.get_shipment(uow(), s.id).status is ShipmentStatus.READY
