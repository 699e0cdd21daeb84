"""O and W together, on SQLite and PostgreSQL: an order placed is allocated by W's reaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from otwb.orders import service as orders
from otwb.orders.model import OrderStatus
from otwb.orders.tables import order_lines
from otwb.orders.tables import orders as orders_table
from otwb.platform import auth
from otwb.platform.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    UnknownSku,
)
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId
from otwb.platform.tables import outbox
from otwb.platform.values import TemperatureClass
from otwb.warehouse import fulfilment, service
from otwb.warehouse.model import (
    FulfilmentStatus,
    TemperatureMismatch,
    WarehouseKind,
)
from otwb.warehouse.tables import stock, stock_movements
from tests import factories as f


@pytest.fixture
def stocked(uow):
    central = f.site(uow, "CEN", GeoPoint(45.70, 4.95), WarehouseKind.CENTRAL)
    north = f.site(uow, "NOR", GeoPoint(45.79, 4.84), WarehouseKind.FRONT)
    f.skus(uow, "TEA", "COFFEE", "SUGAR")
    service.receive_stock(uow(), central.locations[0].id, "TEA", 20)
    service.receive_stock(uow(), central.locations[1].id, "COFFEE", 20)
    service.receive_stock(uow(), north.locations[0].id, "TEA", 5)
    customer = f.customer(uow)
    return central, north, customer


def count(runtime, table, *where) -> int:
    with runtime.db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_a_placed_order_is_allocated_from_the_nearest_able_warehouse(uow, stocked):
    central, north, customer = stocked
    near = f.place(uow, customer.id, [("TEA", 3)])
    both = f.place(uow, customer.id, [("TEA", 3), ("COFFEE", 2)])

    assert orders.get_order(uow(), near.id).status is OrderStatus.ALLOCATED
    assert fulfilment.get_fulfilment(uow(), near.id).warehouse_id == north.warehouse.id
    # North has no coffee and the order is not split: central serves all of it.
    assert fulfilment.get_fulfilment(uow(), both.id).warehouse_id == central.warehouse.id
    timeline = orders.get_order(uow(), both.id).timeline
    assert [t.kind for t in timeline] == ["placed", "allocated"]
    levels = {(x.sku, x.row.warehouse_id): x.row for x in service.stock_levels(uow())}
    assert levels["TEA", north.warehouse.id].allocated == 3
    assert levels["TEA", central.warehouse.id].allocated == 3
    assert levels["COFFEE", central.warehouse.id].allocated == 2
    assert service.allocation_discrepancies(uow()) == []


def test_an_order_that_no_warehouse_can_serve_stays_placed_with_the_reason(uow, stocked):
    _, _, customer = stocked
    order = f.place(uow, customer.id, [("TEA", 30)])
    seen = orders.get_order(uow(), order.id)
    assert seen.status is OrderStatus.PLACED
    assert seen.timeline[-1].kind == "allocation_failed"
    assert "network-wide: TEA 25/30" in seen.timeline[-1].detail
    assert all(x.row.allocated == 0 for x in service.stock_levels(uow()))


def test_unknown_sku_or_customer_writes_nothing(runtime, uow, stocked):
    _, _, customer = stocked
    with pytest.raises(UnknownSku) as err:
        f.place(uow, customer.id, [("TEA", 1), ("NOPE", 1)])
    assert err.value.extra["skus"] == ["NOPE"]
    with pytest.raises(InvalidInput, match="unknown customer"):
        f.place(uow, "cus_missing", [("TEA", 1)])
    assert count(runtime, orders_table) == 0
    assert count(runtime, order_lines) == 0
    assert count(runtime, outbox, outbox.c.event_type == "OrderPlaced") == 0


def test_pick_pack_hand_over_moves_goods_and_keeps_the_ledger(runtime, uow, stocked):
    _, _, customer = stocked
    order = f.place(uow, customer.id, [("TEA", 4), ("COFFEE", 2)])
    fulfilment.confirm_pick(uow(), order.id)
    packed = fulfilment.pack_order(uow(), order.id)
    fulfilment.hand_over(uow(), order.id)

    assert len(packed.parcels) == 1
    assert packed.parcels[0].weight_kg == pytest.approx(12.0)
    seen = orders.get_order(uow(), order.id)
    assert seen.status is OrderStatus.PACKED
    assert [t.kind for t in seen.timeline] == [
        "placed",
        "allocated",
        "picked",
        "packed",
        "handed_over",
    ]
    assert fulfilment.get_fulfilment(uow(), order.id).status is FulfilmentStatus.HANDED_OVER
    with runtime.db.engine.connect() as conn:
        ledger = dict(
            conn.execute(
                select(stock_movements.c.stock_id, func.sum(stock_movements.c.quantity)).group_by(
                    stock_movements.c.stock_id
                )
            ).all()
        )
        on_hand = dict(conn.execute(select(stock.c.id, stock.c.on_hand)).all())
    assert {k: int(v) for k, v in ledger.items()} == on_hand
    assert sorted(on_hand.values()) == [5, 16, 18]


def test_steps_out_of_order_are_refused(uow, stocked):
    _, _, customer = stocked
    order = f.place(uow, customer.id, [("TEA", 1)])
    with pytest.raises(InvalidTransition):
        fulfilment.pack_order(uow(), order.id)
    fulfilment.confirm_pick(uow(), order.id)
    with pytest.raises(InvalidTransition):
        fulfilment.confirm_pick(uow(), order.id)
    with pytest.raises(InvalidTransition):
        fulfilment.hand_over(uow(), order.id)


def test_cancelling_releases_or_returns_the_stock(uow, stocked):
    _, north, customer = stocked
    allocated = f.place(uow, customer.id, [("TEA", 2)])
    picked = f.place(uow, customer.id, [("TEA", 3)])
    fulfilment.confirm_pick(uow(), picked.id)

    orders.cancel_order(uow(), allocated.id, "customer called")
    orders.cancel_order(uow(), picked.id, "customer called")

    assert orders.get_order(uow(), allocated.id).status is OrderStatus.CANCELLED
    assert fulfilment.get_fulfilment(uow(), picked.id).status is FulfilmentStatus.RELEASED
    tea_north = next(x.row for x in service.stock_levels(uow(), "TEA", north.warehouse.id))
    assert (tea_north.on_hand, tea_north.allocated) == (5, 0)
    assert service.allocation_discrepancies(uow()) == []
    with pytest.raises(InvalidTransition):
        orders.cancel_order(uow(), allocated.id)


def test_receiving_refuses_the_wrong_temperature_and_bad_quantities(uow, stocked):
    central, _, _ = stocked
    service.create_skus(
        uow(), [service.NewSku("YOGURT", "Yogurt", 0.5, 0.001, TemperatureClass.CHILLED)]
    )
    with pytest.raises(TemperatureMismatch):
        service.receive_stock(uow(), central.locations[0].id, "YOGURT", 10)
    with pytest.raises(InvalidInput):
        service.receive_stock(uow(), central.locations[0].id, "TEA", 0)
    with pytest.raises(UnknownSku):
        service.receive_stock(uow(), central.locations[0].id, "NOPE", 1)


def test_the_database_refuses_negative_stock_and_over_allocation(runtime, uow, stocked):
    with pytest.raises(IntegrityError), runtime.db.engine.begin() as conn:
        conn.execute(update(stock).values(allocated=stock.c.on_hand + 1))
    with pytest.raises(IntegrityError), runtime.db.engine.begin() as conn:
        conn.execute(update(stock).values(on_hand=-1, allocated=0))
    with runtime.db.engine.connect() as conn:
        assert conn.execute(text("SELECT MIN(on_hand) FROM stock")).scalar_one() >= 0


def test_another_tenant_sees_and_touches_nothing(runtime, uow, stocked):
    _, _, customer = stocked
    order = f.place(uow, customer.id, [("TEA", 1)])
    other = auth.create_tenant(runtime.uow(), "Other Shipper")

    def theirs():
        return runtime.uow(other.id)

    with pytest.raises(NotFound):
        orders.get_order(theirs(), order.id)
    with pytest.raises(NotFound):
        fulfilment.confirm_pick(theirs(), order.id)
    with pytest.raises(NotFound):
        orders.cancel_order(theirs(), order.id)
    assert orders.list_orders(theirs()) == []
    assert service.stock_levels(theirs()) == []
    assert service.unknown_skus(theirs(), ["TEA"]) == ["TEA"]
    assert orders.get_order(uow(), order.id).status is OrderStatus.ALLOCATED


def test_a_batch_of_orders_keeps_the_good_ones_and_reports_the_bad(runtime, uow, stocked):
    _, _, customer = stocked
    good = orders.PlaceOrder(customer.id, f.address(), [orders.NewLine("TEA", 2)])
    commands = [
        good,
        orders.PlaceOrder(customer.id, f.address(), [orders.NewLine("NOPE", 1)]),
        orders.PlaceOrder(customer.id, f.address(), [orders.NewLine("TEA", 0)]),
        orders.PlaceOrder(CustomerId("cus_missing"), f.address(), [orders.NewLine("TEA", 1)]),
        orders.PlaceOrder(customer.id, f.address(), [orders.NewLine("TEA", 30)]),
        good,
    ]
    outcomes = orders.place_orders(uow(), commands)

    assert [type(o).__name__ for o in outcomes] == [
        "Order",
        "UnknownSku",
        "InvalidInput",
        "InvalidInput",
        "Order",
        "Order",
    ]
    placed = [o for o in outcomes if not isinstance(o, Exception)]
    statuses = [orders.get_order(uow(), o.id).status for o in placed]
    # One run of three OrderPlaced events: the third order cannot be served after the first
    # two took their share of the same book.
    assert statuses == [OrderStatus.ALLOCATED, OrderStatus.PLACED, OrderStatus.ALLOCATED]
    assert count(runtime, orders_table) == 3
    tea = {x.row.warehouse_id: x.row for x in service.stock_levels(uow(), "TEA")}
    assert sum(r.allocated for r in tea.values()) == 4
    assert service.allocation_discrepancies(uow()) == []


def test_the_storage_snapshot_measures_what_each_owner_holds(uow, stocked):
    central, north, customer = stocked
    service.create_skus(
        uow(),
        [
            service.NewSku("BULKY", "Bulky", 10.0, 0.36, owner_id=customer.id),
            service.NewSku("MILK", "Milk", 1.0, 0.002, TemperatureClass.CHILLED),
        ],
    )
    service.receive_stock(uow(), central.locations[2].id, "BULKY", 8)
    lines = {
        (x.owner_id, x.warehouse_id, x.temperature_class): x
        for x in service.storage_snapshot(uow())
    }
    owned = lines[customer.id, central.warehouse.id, TemperatureClass.AMBIENT]
    assert (owned.units, round(owned.volume_m3, 6), round(owned.pallets, 2)) == (8, 2.88, 2.0)
    mine = lines[None, central.warehouse.id, TemperatureClass.AMBIENT]
    assert mine.units == 40  # 20 tea + 20 coffee, the tenant's own goods
    assert lines[None, north.warehouse.id, TemperatureClass.AMBIENT].units == 5
