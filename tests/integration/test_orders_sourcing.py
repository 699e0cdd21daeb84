"""O's sourcing with W, on SQLite and PostgreSQL: the plan is recorded, W allocates each part in
its warehouse, the order follows its parts, a cancellation releases every part."""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from otwb.orders import promise_repo, promise_service
from otwb.orders import service as orders
from otwb.orders import sourcing_service as sourcing
from otwb.orders.model import OrderStatus
from otwb.orders.promise import PromiseProfile
from otwb.orders.sourcing import SourcingOutcome, SourcingPolicy
from otwb.platform.errors import Conflict, NotFound
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.tables import outbox
from otwb.platform.values import TemperatureClass
from otwb.transport import dispatch, shipments
from otwb.transport import service as tms
from otwb.transport.model import ShipmentStatus
from otwb.transport.tables import shipments as shipments_table
from otwb.warehouse import fulfilment, picking, service
from otwb.warehouse.model import FulfilmentStatus, WarehouseKind
from otwb.warehouse.tables import fulfilments
from tests import factories as f
from tests.conftest import START


@pytest.fixture
def network(uow):
    central = f.site(uow, "CEN", GeoPoint(45.70, 4.95), WarehouseKind.CENTRAL)
    north = f.site(uow, "NOR", GeoPoint(45.79, 4.84), WarehouseKind.FRONT)
    f.skus(uow, "TEA", "COFFEE", "SUGAR")
    service.receive_stock(uow(), north.locations[0].id, "TEA", 10)
    service.receive_stock(uow(), central.locations[0].id, "COFFEE", 10)
    service.receive_stock(uow(), central.locations[1].id, "SUGAR", 10)
    service.receive_stock(uow(), north.locations[1].id, "SUGAR", 10)
    customer = f.customer(uow)
    return central, north, customer


def test_ship_complete_waits_when_no_single_warehouse_can_serve(uow, network):
    _, _, customer = network
    order = f.place(uow, customer.id, [("TEA", 2), ("COFFEE", 2)])
    [part] = sourcing.get_sourcing(uow(), order.id)
    assert part.outcome is SourcingOutcome.UNSOURCED
    assert part.warehouse_id is None
    assert part.cost is None
    assert part.policy is SourcingPolicy.SHIP_COMPLETE
    seen = orders.get_order(uow(), order.id)
    assert seen.status is OrderStatus.PLACED
    assert seen.timeline[-1].kind == "allocation_failed"
    assert all(x.row.allocated == 0 for x in service.stock_levels(uow()))


def test_allow_split_allocates_each_part_in_its_warehouse(uow, network):
    central, north, customer = network
    sourcing.set_customer_policy(uow(), customer.id, SourcingPolicy.ALLOW_SPLIT)
    order = f.place(uow, customer.id, [("TEA", 2), ("COFFEE", 3), ("SUGAR", 1)])

    parts = sourcing.get_sourcing(uow(), order.id)
    assert [p.outcome for p in parts] == [SourcingOutcome.SPLIT] * 2
    by_site = {p.warehouse_id: sorted(x.sku for x in p.lines) for p in parts}
    # North (front, nearer) takes what it has -- tea and sugar; central only the coffee.
    assert by_site == {north.warehouse.id: ["SUGAR", "TEA"], central.warehouse.id: ["COFFEE"]}
    assert all(p.cost is not None and p.cost > 0 for p in parts)
    assert sourcing.total_cost(parts) == sum(p.cost for p in parts if p.cost)

    assert fulfilment.parts(uow(), order.id) == sorted([central.warehouse.id, north.warehouse.id])
    nor = fulfilment.get_fulfilment(uow(), order.id, north.warehouse.id)
    cen = fulfilment.get_fulfilment(uow(), order.id, central.warehouse.id)
    assert sum(p.quantity for p in nor.picks) == 3
    assert sum(p.quantity for p in cen.picks) == 3
    with pytest.raises(Conflict):
        fulfilment.get_fulfilment(uow(), order.id)  # which part? the warehouse must be named
    seen = orders.get_order(uow(), order.id)
    assert seen.status is OrderStatus.ALLOCATED
    kinds = [t.kind for t in seen.timeline]
    assert kinds == ["placed", "sourced", "allocated", "allocated"]
    assert "1 of 2 parts allocated" in seen.timeline[2].detail
    assert "2 of 2 parts allocated" in seen.timeline[3].detail
    assert service.allocation_discrepancies(uow()) == []


def test_a_split_order_is_picked_when_every_part_is(uow, network):
    central, north, customer = network
    sourcing.set_customer_policy(uow(), customer.id, SourcingPolicy.ALLOW_SPLIT)
    order = f.place(uow, customer.id, [("TEA", 2), ("COFFEE", 3)])
    fulfilment.confirm_pick(uow(), order.id, north.warehouse.id)
    assert orders.get_order(uow(), order.id).status is OrderStatus.ALLOCATED
    fulfilment.confirm_pick(uow(), order.id, central.warehouse.id)
    assert orders.get_order(uow(), order.id).status is OrderStatus.PICKED
    parts = sourcing.get_sourcing(uow(), order.id)
    assert {p.stage.value for p in parts} == {"picked"}


def test_cancelling_a_split_order_releases_every_part(uow, network):
    central, north, customer = network
    order = f.place(uow, customer.id, [("TEA", 2)])
    sourcing.set_order_policy(uow(), order.id, SourcingPolicy.ALLOW_SPLIT)  # too late: sourced
    split_customer = f.customer(uow, "C002", "Café Split")
    sourcing.set_customer_policy(uow(), split_customer.id, SourcingPolicy.ALLOW_SPLIT)
    split = f.place(uow, split_customer.id, [("TEA", 2), ("COFFEE", 3)])
    orders.cancel_order(uow(), split.id)
    for wid in (central.warehouse.id, north.warehouse.id):
        part = fulfilment.get_fulfilment(uow(), split.id, wid)
        assert part.status is FulfilmentStatus.RELEASED
    levels = {(x.sku, x.row.warehouse_id): x.row for x in service.stock_levels(uow())}
    assert levels["TEA", north.warehouse.id].allocated == 2  # the first order's, still promised
    assert levels["COFFEE", central.warehouse.id].allocated == 0


def test_temperature_and_costs_steer_the_choice(uow, network):
    central, north, customer = network
    f.skus(uow, "TEA2")
    # Equal stock in both: north is nearer, but its handling cost makes central cheaper.
    service.receive_stock(uow(), north.locations[2].id, "TEA2", 5)
    service.receive_stock(uow(), central.locations[2].id, "TEA2", 5)
    sourcing.set_site_costs(
        uow(), north.warehouse.id, Money.of("50.00", "EUR"), Money.of("1.00", "EUR")
    )
    order = f.place(uow, customer.id, [("TEA2", 1)])
    [part] = sourcing.get_sourcing(uow(), order.id)
    assert part.warehouse_id == central.warehouse.id
    assert fulfilment.get_fulfilment(uow(), order.id).warehouse_id == central.warehouse.id
    # A chilled SKU is only sourced where a chilled zone exists.
    cold = f.site(
        uow, "FRZ", GeoPoint(45.60, 5.10), WarehouseKind.FRONT, temperature=TemperatureClass.CHILLED
    )
    service.create_skus(
        uow(), [service.NewSku("YOG", "Yoghurt", 0.2, 0.001, TemperatureClass.CHILLED)]
    )
    service.receive_stock(uow(), cold.locations[0].id, "YOG", 5)
    yog = f.place(uow, customer.id, [("YOG", 2)])
    [part] = sourcing.get_sourcing(uow(), yog.id)
    assert part.warehouse_id == cold.warehouse.id


def test_policies_and_costs_are_validated(uow, network):
    _, north, _customer = network
    with pytest.raises(NotFound):
        sourcing.set_customer_policy(uow(), CustomerId("cus-nope"), SourcingPolicy.ALLOW_SPLIT)
    with pytest.raises(NotFound):
        sourcing.set_site_costs(
            uow(), WarehouseId("wh-nope"), Money.of("1", "EUR"), Money.of("1", "EUR")
        )
    with pytest.raises(NotFound):
        sourcing.get_sourcing(uow(), OrderId("ord-nope"))
    costs = sourcing.set_site_costs(
        uow(), north.warehouse.id, Money.of("2.5", "EUR"), Money.of("0.4", "EUR")
    )
    again = sourcing.set_site_costs(
        uow(), north.warehouse.id, Money.of("3", "EUR"), Money.of("0.4", "EUR")
    )
    assert (costs.handling_cost, again.handling_cost) == (Decimal("2.5"), Decimal("3"))


def test_the_database_refuses_a_second_fulfilment_of_one_part(runtime, uow, network):
    _, _north, customer = network
    order = f.place(uow, customer.id, [("TEA", 1)])
    with runtime.db.engine.connect() as conn:
        row = (
            conn.execute(fulfilments.select().where(fulfilments.c.order_id == order.id))
            .one()
            ._asdict()
        )
        row["id"] = "ful-dup"
        with pytest.raises(IntegrityError):
            conn.execute(fulfilments.insert().values(**row))


def test_orders_of_one_customer_to_one_address_are_merged_in_their_wave(runtime, uow):
    site = f.racked(uow)
    f.skus(uow, "TEA", "SUGAR")
    service.receive_stock(uow(), site.bin("A-01-1").id, "TEA", 20)
    service.receive_stock(uow(), site.bin("C-02-1").id, "SUGAR", 20)
    bistro, cafe = f.customer(uow), f.customer(uow, "C002", "Café")
    first = f.place(uow, bistro.id, [("TEA", 1)])
    second = f.place(uow, bistro.id, [("SUGAR", 2)])
    elsewhere = f.place(uow, bistro.id, [("TEA", 1)], ship_to=f.address(lat=45.70))
    other = f.place(uow, cafe.id, [("TEA", 1)])  # same address, another customer

    [planned] = picking.plan_waves(uow(), site.warehouse.id, cart_size=8)
    assert planned.orders == 4
    merged = {
        o.id: fulfilment.get_fulfilment(uow(), o.id).consolidation_id
        for o in (first, second, elsewhere, other)
    }
    assert merged[first.id] is not None
    assert merged[first.id] == merged[second.id]
    assert merged[elsewhere.id] is None
    assert merged[other.id] is None
    [pick_list] = planned.pick_lists
    view = picking.get_pick_list(uow(), pick_list.id)
    assert view.totes[first.id] == view.totes[second.id]  # one tote for the group
    assert len(set(view.totes.values())) == 3
    assert pick_list.orders == 4

    for o in (first, second):
        fulfilment.confirm_pick(uow(), o.id)
        fulfilment.pack_order(uow(), o.id)
        fulfilment.hand_over(uow(), o.id)
    with runtime.db.engine.connect() as conn:
        payloads = conn.execute(
            select(outbox.c.payload).where(
                outbox.c.event_type.in_(["OrderHandedOver", "WavePlanned"])
            )
        ).scalars()
        seen = [json.loads(p) if isinstance(p, str) else p for p in payloads]
    assert [p["consolidated"] for p in seen if "consolidated" in p] == [2]
    handed = [p["consolidation_id"] for p in seen if "parcel_count" in p]
    assert handed == [merged[first.id]] * 2


# -- a split order ships in parts -------------------------------------------------------------
DAY = date(2026, 11, 26)  # START is the day before, 07:00 UTC


def _hand_over_part(uow, order_id, wid) -> None:
    fulfilment.confirm_pick(uow(), order_id, wid)
    fulfilment.pack_order(uow(), order_id, warehouse_id=wid)
    fulfilment.hand_over(uow(), order_id, wid)


def _van(uow, wid, code: str) -> None:
    tms.add_vehicle(
        uow(),
        tms.NewVehicle(
            code=code,
            depot_id=wid,
            capacity_kg=900.0,
            capacity_m3=8.0,
            cost_per_km=Decimal("0.45"),
            cost_per_hour=Decimal("32.50"),
            fixed_cost=Decimal("40"),
            speed_kmh=45.0,
            shift_start=time(7),
            shift_end=time(17),
        ),
    )


def _promise_delivered_at(uow, order_id):
    with uow() as u:
        return promise_repo.promises_of(u, [order_id])[order_id].delivered_at


def _send_and_deliver(uow, clock, shipment, hour: int) -> None:
    (route,) = tms.plan_routes(uow(), shipment.depot_id, DAY, time_limit_s=0.3).routes
    clock.set(START.replace(day=DAY.day, hour=hour))
    dispatch.dispatch_route(uow(), route.id)
    clock.set(START.replace(day=DAY.day, hour=hour + 1))
    dispatch.record_delivery(uow(), shipment.id, "M. Durand")


def test_a_split_order_ships_in_parts_and_is_delivered_with_its_last(uow, network, clock):
    central, north, customer = network
    sourcing.set_customer_policy(uow(), customer.id, SourcingPolicy.ALLOW_SPLIT)
    profile = PromiseProfile(
        time_zone="Europe/Paris", country="FR", working_days=frozenset({1, 2, 3, 4, 5})
    )
    for site in (north, central):
        promise_service.set_profile(uow(), site.warehouse.id, profile)
    order = f.place(uow, customer.id, [("TEA", 2), ("COFFEE", 3)])
    for site, code in ((north, "VAN-N"), (central, "VAN-C")):
        _hand_over_part(uow, order.id, site.warehouse.id)
        _van(uow, site.warehouse.id, code)
    assert orders.get_order(uow(), order.id).status is OrderStatus.PACKED

    sent = {s.depot_id: s for s in shipments.list_shipments(uow())}
    assert sorted(sent) == sorted([north.warehouse.id, central.warehouse.id])
    assert {s.order_id for s in sent.values()} == {order.id}
    for site in (north, central):
        part = fulfilment.get_fulfilment(uow(), order.id, site.warehouse.id)
        assert sent[site.warehouse.id].parcel_count == len(part.parcels) > 0
        weight = sum(p.weight_kg for p in part.parcels)
        assert sent[site.warehouse.id].weight_kg == pytest.approx(weight)
    assert len({s.tracking_number for s in sent.values()}) == 2

    first, last = sent[north.warehouse.id], sent[central.warehouse.id]
    _send_and_deliver(uow, clock, first, 8)
    seen = orders.get_order(uow(), order.id)
    assert seen.status is OrderStatus.PACKED  # one part is still at its depot
    notes = {t.kind: t.detail for t in seen.timeline}
    assert "(1 of 2 parts shipped)" in notes["shipped"]
    assert "(1 of 2 parts delivered)" in notes["delivered"]
    stages = {p.warehouse_id: p.stage.value for p in sourcing.get_sourcing(uow(), order.id)}
    assert stages == {north.warehouse.id: "delivered", central.warehouse.id: "handed_over"}
    assert _promise_delivered_at(uow, order.id) is None  # kept or broken by the last part

    _send_and_deliver(uow, clock, last, 10)
    seen = orders.get_order(uow(), order.id)
    assert seen.status is OrderStatus.DELIVERED
    assert "(2 of 2 parts delivered)" in seen.timeline[-1].detail
    assert [t.kind for t in seen.timeline].count("shipped") == 2
    assert {s.status for s in shipments.list_shipments(uow())} == {ShipmentStatus.DELIVERED}
    assert _promise_delivered_at(uow, order.id) == START.replace(day=DAY.day, hour=11)


def test_handing_a_part_over_twice_keeps_one_shipment_for_it(runtime, uow, network):
    central, north, customer = network
    sourcing.set_customer_policy(uow(), customer.id, SourcingPolicy.ALLOW_SPLIT)
    order = f.place(uow, customer.id, [("TEA", 2), ("COFFEE", 3)])
    for site in (north, central):
        _hand_over_part(uow, order.id, site.warehouse.id)
    (north_part,) = [s for s in shipments.list_shipments(uow()) if s.depot_id == north.warehouse.id]
    again = shipments.receive_shipment(
        uow(),
        shipments.HandedOver(
            order_id=order.id,
            customer_id=customer.id,
            depot_id=north.warehouse.id,
            ship_to_name="x",
            ship_to_address="x",
            ship_to=GeoPoint(45.7, 4.8),
            window_start=None,
            window_end=None,
            weight_kg=1.0,
            volume_m3=0.1,
            parcel_count=9,
            temperature_class=TemperatureClass.AMBIENT,
        ),
    )
    assert again == north_part
    assert len(shipments.list_shipments(uow())) == 2
    with runtime.db.engine.connect() as conn:
        row = (
            conn.execute(shipments_table.select().where(shipments_table.c.id == north_part.id))
            .one()
            ._asdict()
        )
        row.update(id="shp-dup", tracking_number="OT-DUP")
        with pytest.raises(IntegrityError):  # the database keeps one shipment per part, too
            conn.execute(shipments_table.insert().values(**row))
    # T calls off every part of an order that has not left its depot
    before = shipments.list_shipments(uow())
    called_off = shipments.cancel_order_shipments(uow(), order.id)
    assert called_off == [s.moved_to(ShipmentStatus.CANCELLED) for s in before]
    assert {s.status for s in shipments.list_shipments(uow())} == {ShipmentStatus.CANCELLED}
