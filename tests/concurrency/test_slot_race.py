"""A delivery slot is never overbooked, on SQLite and on PostgreSQL (real threads, real commits):
many customers race for the last places of one slot; exactly its capacity get an order."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import func, select

from otwb.orders import checkout, delivery_service, promise_service
from otwb.orders import service as orders
from otwb.orders.delivery_options import DeliveryChoice, SlotFull
from otwb.orders.promise import PromiseLevel, PromiseProfile
from otwb.orders.promise_tables import order_delivery_options
from otwb.orders.tables import orders as orders_table
from otwb.platform.ids import CustomerId
from otwb.warehouse import service as warehouse
from tests import factories as f
from tests.concurrency.test_allocation_race import run_together

THREADS = 24
CAPACITY = 5


def test_customers_race_for_the_places_of_one_slot(runtime, uow):
    site = f.site(uow)
    f.skus(uow, "TV")
    warehouse.receive_stock(uow(), site.locations[0].id, "TV", 100)
    profile = PromiseProfile(
        time_zone="Europe/Paris", country="FR", working_days=frozenset(range(1, 6))
    )
    promise_service.set_profile(uow(), site.warehouse.id, profile)
    thursday = date(2026, 11, 26)
    plan = delivery_service.SlotPlan(
        site.warehouse.id, thursday, thursday, [(time(14), time(16))], CAPACITY
    )
    [slot] = delivery_service.open_slots(uow(), plan)
    customer = f.customer(uow)

    def book(i: int):
        return checkout.place_with_options(
            uow(),
            checkout.Checkout(
                orders.PlaceOrder(
                    customer_id=CustomerId(customer.id),
                    ship_to=f.address(name=f"Customer {i}"),
                    lines=[orders.NewLine("TV", 1)],
                ),
                PromiseLevel.NEXT_DAY,
                DeliveryChoice(slot_id=slot.id, installation=True),
            ),
        )

    results = run_together(THREADS, book)

    placed = [r for r in results if isinstance(r, checkout.Placed)]
    full = [r for r in results if isinstance(r, SlotFull)]
    assert len(placed) == CAPACITY, [r for r in results if isinstance(r, Exception)][:3]
    assert len(full) == THREADS - CAPACITY
    assert delivery_service.get_slot(uow(), slot.id).booked == CAPACITY
    with runtime.db.engine.connect() as conn:
        booked = conn.execute(
            select(func.count()).where(order_delivery_options.c.slot_id == slot.id)
        ).scalar_one()
        placed_orders = conn.execute(select(func.count()).select_from(orders_table)).scalar_one()
    assert booked == placed_orders == CAPACITY
    for p in placed:
        order = orders.get_order(uow(), p.order.id)
        assert order.window is not None
        assert order.window.start == slot.window.start
