"""O's capture and changes with W, on SQLite and PostgreSQL: duplicates, geocoding, credit hold,
hold and release, amendments re-allocated by W, back-orders retried when stock arrives."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from otwb.orders import changes
from otwb.orders import service as orders
from otwb.orders.capture_repo import Postcode
from otwb.orders.errors import (
    AddressNotGeocoded,
    CreditHold,
    DuplicateOrder,
    InvalidAddress,
    TooLateToAmend,
)
from otwb.orders.model import Order, OrderStatus, PostalAddress
from otwb.orders.tables import orders as orders_table
from otwb.platform.errors import InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId
from otwb.platform.tables import outbox
from otwb.warehouse import fulfilment, service
from otwb.warehouse.model import FulfilmentStatus, WarehouseKind
from otwb.warehouse.tables import stock
from tests import factories as f


@pytest.fixture
def depot(uow):
    central = f.site(uow, "CEN", GeoPoint(45.70, 4.95), WarehouseKind.CENTRAL)
    f.skus(uow, "TEA", "COFFEE", "SUGAR")
    service.receive_stock(uow(), central.locations[0].id, "TEA", 10)
    service.receive_stock(uow(), central.locations[1].id, "COFFEE", 10)
    return central, f.customer(uow)


def command(customer_id, lines, reference=None, channel="api", ship_to=None):
    return orders.PlaceOrder(
        customer_id=CustomerId(customer_id),
        ship_to=ship_to or f.address(),
        lines=[orders.NewLine(s, q) for s, q in lines],
        reference=reference,
        channel=channel,
    )


def allocated_units(runtime, sku_code) -> int:
    with runtime.db.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT COALESCE(SUM(s.allocated), 0) FROM stock s JOIN skus k ON k.id = "
                    "s.sku_id WHERE k.code = :c"
                ),
                {"c": sku_code},
            ).scalar_one()
        )


def test_a_channel_reference_is_taken_once(uow, depot, runtime):
    _, customer = depot
    first = orders.place_order(uow(), command(customer.id, [("TEA", 1)], "SO-1", "shop"))
    with pytest.raises(DuplicateOrder) as err:
        orders.place_order(uow(), command(customer.id, [("TEA", 1)], "SO-1", "shop"))
    assert err.value.status == 409
    assert err.value.code == "duplicate_order"
    assert err.value.extra["existing_order_id"] == first.id
    # Another channel may use the same reference; in one batch the second copy is refused.
    outcomes = orders.place_orders(
        uow(),
        [
            command(customer.id, [("TEA", 1)], "SO-1", "edi"),
            command(customer.id, [("TEA", 1)], "SO-2", "edi"),
            command(customer.id, [("TEA", 1)], "SO-2", "edi"),
        ],
    )
    assert [type(o).__name__ for o in outcomes] == ["Order", "Order", "DuplicateOrder"]
    second, third = outcomes[1], outcomes[2]
    assert isinstance(second, Order)
    assert isinstance(third, DuplicateOrder)
    assert third.extra["existing_order_id"] == second.id
    # The database refuses it too (UNIQUE), whatever the code does.
    with runtime.db.engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(orders_table).where(orders_table.c.reference == "SO-2")
        ).scalar_one()
    assert n == 1


def test_an_address_without_coordinates_is_geocoded_from_the_postcode_table(uow, depot):
    _, customer = depot
    orders.load_postcodes(uow(), [Postcode("fr", "69 003", "Lyon 3e", GeoPoint(45.7597, 4.8590))])
    postal = PostalAddress("Café Gare", "3 rue Garibaldi", "Lyon", "69003", "FR")
    order = orders.place_order(uow(), command(customer.id, [("TEA", 1)], ship_to=postal))
    assert order.ship_to.point == GeoPoint(45.7597, 4.8590)
    unknown = PostalAddress("Café Nord", "1 rue X", "Lille", "59000", "FR")
    with pytest.raises(AddressNotGeocoded) as err:
        orders.place_order(uow(), command(customer.id, [("TEA", 1)], ship_to=unknown))
    assert err.value.code == "address_not_geocoded"
    with pytest.raises(InvalidAddress) as missing:
        PostalAddress("Café", " ", "Lyon", "69003", "FR")
    assert missing.value.extra == {"field": "street"}


def test_a_customer_on_credit_hold_gets_orders_on_hold_until_the_hold_is_lifted(
    uow, depot, runtime
):
    _, customer = depot
    changes.set_credit_hold(uow(), customer.id, True)
    order = orders.place_order(uow(), command(customer.id, [("TEA", 4)]))
    assert order.status is OrderStatus.ON_HOLD
    assert order.hold_reason == "credit_hold"
    assert allocated_units(runtime, "TEA") == 0  # not sent to the warehouse
    with pytest.raises(CreditHold):
        changes.release_order(uow(), order.id)
    assert changes.set_credit_hold(uow(), customer.id, False) == [order.id]
    now = orders.get_order(uow(), order.id)
    assert now.status is OrderStatus.ALLOCATED
    assert now.hold_reason is None
    assert allocated_units(runtime, "TEA") == 4
    assert [t.kind for t in now.timeline] == ["placed", "released", "allocated"]


def test_hold_releases_the_allocation_and_release_allocates_again(uow, depot, runtime):
    _, customer = depot
    order = f.place(uow, customer.id, [("TEA", 3)])
    assert allocated_units(runtime, "TEA") == 3
    held = changes.hold_order(uow(), order.id, "customer called")
    assert held.status is OrderStatus.ON_HOLD
    assert allocated_units(runtime, "TEA") == 0
    with pytest.raises(InvalidTransition):
        changes.hold_order(uow(), order.id, "again")
    changes.release_order(uow(), order.id)
    assert orders.get_order(uow(), order.id).status is OrderStatus.ALLOCATED
    assert allocated_units(runtime, "TEA") == 3
    assert fulfilment.get_fulfilment(uow(), order.id).status is FulfilmentStatus.ALLOCATED


def test_an_amendment_is_allocated_again_and_refused_after_picking(uow, depot, runtime):
    _, customer = depot
    order = f.place(uow, customer.id, [("TEA", 3)])
    amended = changes.amend_order(
        uow(),
        order.id,
        changes.Amendment(lines=[orders.NewLine("COFFEE", 2), orders.NewLine("TEA", 1)]),
    )
    assert [(x.sku, x.quantity) for x in amended.lines] == [("COFFEE", 2), ("TEA", 1)]
    now = orders.get_order(uow(), order.id)
    assert now.status is OrderStatus.ALLOCATED
    assert allocated_units(runtime, "TEA") == 1
    assert allocated_units(runtime, "COFFEE") == 2
    picks = fulfilment.get_fulfilment(uow(), order.id).picks
    assert sorted((p.line_id, p.quantity) for p in picks) == sorted(
        (x.id, x.quantity) for x in amended.lines
    )
    fulfilment.confirm_pick(uow(), order.id)
    with pytest.raises(TooLateToAmend) as err:
        changes.amend_order(uow(), order.id, changes.Amendment(ship_to=f.address(45.75, 4.85)))
    assert err.value.code == "too_late_to_amend"
    assert err.value.status == 409


def test_back_orders_are_shown_and_released_first_in_first_out_when_stock_arrives(
    uow, depot, runtime
):
    central, customer = depot
    older = f.place(uow, customer.id, [("SUGAR", 5), ("TEA", 1)])
    newer = f.place(uow, customer.id, [("SUGAR", 4)])
    for o in (older, newer):
        now = orders.get_order(uow(), o.id)
        assert now.status is OrderStatus.PLACED
        assert [(b.sku, b.quantity) for b in now.backorders] == [("SUGAR", o.lines[0].quantity)]
    listed = {o.id: o.backorders for o in orders.list_orders(uow())}
    assert [b.quantity for b in listed[older.id]] == [5]
    assert [b.quantity for b in listed[newer.id]] == [4]
    # 6 arrive: enough for the older order (5), not for both: FIFO serves the older one.
    service.receive_stock(uow(), central.locations[2].id, "SUGAR", 6)
    first = orders.get_order(uow(), older.id)
    assert first.status is OrderStatus.ALLOCATED
    assert first.backorders == ()
    assert "backorder_retry" in [t.kind for t in first.timeline]
    second = orders.get_order(uow(), newer.id)
    assert second.status is OrderStatus.PLACED
    assert [b.quantity for b in second.backorders] == [4]
    service.receive_stock(uow(), central.locations[2].id, "SUGAR", 10)
    assert orders.get_order(uow(), newer.id).status is OrderStatus.ALLOCATED
    assert orders.get_order(uow(), newer.id).backorders == ()
    with runtime.db.engine.connect() as conn:
        assert conn.execute(select(func.sum(stock.c.allocated))).scalar_one() == 10


def test_cancelling_a_held_order_clears_its_hold(uow, depot, runtime):
    _, customer = depot
    order = f.place(uow, customer.id, [("TEA", 1)])
    changes.hold_order(uow(), order.id, "fraud check")
    cancelled = orders.cancel_order(uow(), order.id, "fraud")
    with runtime.db.engine.connect() as conn:  # every handler applied the events: none failed
        failed = conn.execute(select(func.count()).select_from(outbox).where(outbox.c.attempts > 0))
        assert failed.scalar_one() == 0
    assert cancelled.status is OrderStatus.CANCELLED
    assert cancelled.hold_reason is None
    assert orders.get_order(uow(), order.id).hold_reason is None
