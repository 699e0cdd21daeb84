"""Split orders race for stock in two warehouses: no oversell, and no order half allocated, on
SQLite and on PostgreSQL (real threads, real commits)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from otwb.orders import service as orders
from otwb.orders import sourcing_service as sourcing
from otwb.orders.model import OrderStatus
from otwb.orders.sourcing import SourcingPolicy
from otwb.platform.geo import GeoPoint
from otwb.warehouse import service
from otwb.warehouse.model import WarehouseKind
from otwb.warehouse.tables import allocations, fulfilments, stock
from tests import factories as f
from tests.concurrency.test_allocation_race import run_together

THREADS = 30


def test_split_orders_race_for_two_warehouses(runtime, uow):
    central = f.site(uow, "CEN", GeoPoint(45.70, 4.95), WarehouseKind.CENTRAL)
    north = f.site(uow, "NOR", GeoPoint(45.79, 4.84), WarehouseKind.FRONT)
    f.skus(uow, "TEA", "COFFEE")
    service.receive_stock(uow(), north.locations[0].id, "TEA", 8)
    service.receive_stock(uow(), central.locations[0].id, "COFFEE", 3)
    service.receive_stock(uow(), central.locations[1].id, "COFFEE", 2)
    customer = f.customer(uow)
    sourcing.set_customer_policy(uow(), customer.id, SourcingPolicy.ALLOW_SPLIT)

    placed = run_together(THREADS, lambda i: f.place(uow, customer.id, [("TEA", 1), ("COFFEE", 1)]))

    assert not [p for p in placed if isinstance(p, Exception)]
    statuses = Counter(orders.get_order(uow(), p.id).status for p in placed)
    # COFFEE is the bottleneck: 5 orders served, in two warehouses each; the rest wait.
    assert statuses == {OrderStatus.ALLOCATED: 5, OrderStatus.PLACED: THREADS - 5}
    with runtime.db.engine.connect() as conn:
        parts = Counter(conn.execute(select(fulfilments.c.order_id)).scalars())
        promised = conn.execute(
            select(func.sum(allocations.c.quantity)).where(allocations.c.status == "open")
        ).scalar_one()
        counters = conn.execute(select(func.sum(stock.c.allocated))).scalar_one()
        rows = conn.execute(select(stock.c.on_hand, stock.c.allocated)).all()
    assert set(parts.values()) == {2}  # never half an order
    assert len(parts) == 5
    assert promised == counters == 10
    assert all(0 <= r.allocated <= r.on_hand for r in rows)
    assert service.allocation_discrepancies(uow()) == []
