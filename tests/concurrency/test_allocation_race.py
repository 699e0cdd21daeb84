"""No oversell under concurrency, on SQLite and on PostgreSQL (real threads, real commits)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from otwb.orders import service as orders
from otwb.orders.model import OrderStatus
from otwb.platform.errors import OutOfStock
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.warehouse import fulfilment, service
from otwb.warehouse.fulfilment import AllocationRequest, RequestedLine
from otwb.warehouse.tables import allocations, stock
from tests import factories as f

THREADS = 50


def run_together(n: int, work) -> list:
    """Run ``work(i)`` on n threads released at the same instant; return results/exceptions."""
    barrier = threading.Barrier(n)

    def job(i: int):
        barrier.wait()
        try:
            return work(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(job, range(n)))


def test_fifty_orders_race_for_ten_units(runtime, uow):
    site = f.site(uow, bins=2)
    f.skus(uow, "GPU")
    service.receive_stock(uow(), site.locations[0].id, "GPU", 6)
    service.receive_stock(uow(), site.locations[1].id, "GPU", 4)
    customer = f.customer(uow)

    placed = run_together(THREADS, lambda i: f.place(uow, customer.id, [("GPU", 1)]))

    assert not [p for p in placed if isinstance(p, Exception)]
    statuses = [orders.get_order(uow(), p.id).status for p in placed]
    assert statuses.count(OrderStatus.ALLOCATED) == 10
    assert statuses.count(OrderStatus.PLACED) == THREADS - 10
    rows = [x.row for x in service.stock_levels(uow(), "GPU")]
    assert sum(r.on_hand for r in rows) == 10
    assert sum(r.allocated for r in rows) == 10
    assert all(0 <= r.allocated <= r.on_hand for r in rows)
    with runtime.db.engine.connect() as conn:
        allocated_rows = conn.execute(
            select(func.sum(allocations.c.quantity)).where(allocations.c.status == "open")
        ).scalar_one()
        stock_allocated = conn.execute(select(func.sum(stock.c.allocated))).scalar_one()
    assert allocated_rows == stock_allocated == 10
    assert service.allocation_discrepancies(uow()) == []


def test_multi_line_orders_in_opposite_orders_never_deadlock(runtime, uow):
    site = f.site(uow, bins=2)
    f.skus(uow, "NUT", "BOLT")
    service.receive_stock(uow(), site.locations[0].id, "NUT", 15)
    service.receive_stock(uow(), site.locations[1].id, "BOLT", 15)
    customer = f.customer(uow)

    def allocate(i: int):
        lines = [("NUT", 1), ("BOLT", 1)] if i % 2 else [("BOLT", 1), ("NUT", 1)]
        request = AllocationRequest(
            order_id=OrderId(f"ord_race_{i:03d}"),
            customer_id=CustomerId(customer.id),
            lines=[
                RequestedLine(OrderLineId(f"oli_{i:03d}_{n}"), sku, qty)
                for n, (sku, qty) in enumerate(lines)
            ],
            ship_to_name="Bistro",
            ship_to_address="1 rue X, Lyon",
            ship_to=GeoPoint(45.76, 4.83),
            service_level="standard",
        )
        [outcome] = fulfilment.allocate_orders(uow(), [request])
        if isinstance(outcome, OutOfStock):
            raise outcome
        return outcome

    results = run_together(40, allocate)
    failures = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, OutOfStock) for r in failures), failures
    assert len(results) - len(failures) == 15
    rows = {x.sku: x.row for x in service.stock_levels(uow())}
    assert rows["NUT"].allocated == rows["BOLT"].allocated == 15
    assert service.allocation_discrepancies(uow()) == []
