"""A hypothesis state machine drives W's stock through receipts, allocations (all-or-nothing and
partial), releases, picks (in full and short), adjustments, cycle counts and lot holds, on SQLite
and on PostgreSQL. After every step, for every bin-lot row:

* on hand is never negative,
* allocated stays between 0 and on hand,
* the movement ledger sums to on hand, and the allocated counter to the open pick tasks.

Each example runs in a tenant of its own, so examples never see each other's stock.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from otwb.platform import auth
from otwb.platform.errors import DomainError
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.runtime import Runtime
from otwb.platform.values import TemperatureClass
from otwb.warehouse import counts, fulfilment, picking, quality, service, sites
from otwb.warehouse.counts import Counted
from otwb.warehouse.fulfilment import AllocationRequest, RequestedLine
from otwb.warehouse.layout import LayoutSpec
from otwb.warehouse.lots import LotStatus
from otwb.warehouse.model import FulfilmentStatus, WarehouseKind
from otwb.warehouse.tables import stock

SKUS = ("TEA", "MILK")
LOTS = ("L1", "L2")
BINS = ("A-01-1", "A-02-1", "A-03-1")
REASONS = ("damaged", "lost", "found", "correction")
_tenants = itertools.count()


def machine_for(runtime: Runtime) -> type[RuleBasedStateMachine]:
    class StockMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            tenant = auth.create_tenant(runtime.uow(), f"Stateful {next(_tenants)}")
            self.uow = lambda: runtime.uow(tenant.id)
            self.today = runtime.clock.now().date()
            w = service.create_warehouse(
                self.uow(), "S1", "Site", WarehouseKind.CENTRAL, GeoPoint(45.7, 4.9)
            )
            sites.create_zone(self.uow(), w.id, "AMB", TemperatureClass.AMBIENT)
            built = sites.build_layout(self.uow(), w.id, "AMB", LayoutSpec(("A",), 6, 1))
            self.bins = {b.code: b for b in built.bins}
            service.create_skus(
                self.uow(),
                [
                    service.NewSku("TEA", "Tea", 1.0, 0.001),
                    service.NewSku("MILK", "Milk", 1.0, 0.001, shelf_life_days=30),
                ],
            )
            self.customer = CustomerId("cus_stateful")
            self.orders: list[OrderId] = []
            self.n = 0

        def attempt(self, action) -> None:
            # Refused: a rule of the domain said no, and nothing was written.
            with contextlib.suppress(DomainError):
                action()

        @rule(
            sku=st.sampled_from(SKUS),
            where=st.sampled_from(BINS),
            qty=st.integers(1, 12),
            lot=st.sampled_from(LOTS),
        )
        def receive(self, sku, where, qty, lot):
            expiry = self.today + timedelta(days=10 if lot == "L1" else 20)
            self.attempt(
                lambda: service.receive_stock(
                    self.uow(),
                    self.bins[where].id,
                    sku,
                    qty,
                    lot=lot if sku == "MILK" else None,
                    expires_on=expiry if sku == "MILK" else None,
                )
            )

        @rule(
            sku=st.sampled_from(SKUS),
            qty=st.integers(1, 15),
            partial=st.booleans(),
            shelf=st.sampled_from([0, 15]),
        )
        def allocate(self, sku, qty, partial, shelf):
            self.n += 1
            order_id = OrderId(f"ord_{self.n:04d}")
            [outcome] = fulfilment.allocate_orders(
                self.uow(),
                [
                    AllocationRequest(
                        order_id=order_id,
                        customer_id=self.customer,
                        lines=[RequestedLine(OrderLineId(f"oli_{self.n:04d}"), sku, qty)],
                        ship_to_name="X",
                        ship_to_address="Y",
                        ship_to=GeoPoint(45.76, 4.83),
                        service_level="standard",
                        partial=partial,
                        min_shelf_life_days=shelf,
                    )
                ],
            )
            if not isinstance(outcome, DomainError):
                self.orders.append(order_id)

        @precondition(lambda self: self.orders)
        @rule(data=st.data())
        def release(self, data):
            order_id = data.draw(st.sampled_from(self.orders))
            self.attempt(lambda: fulfilment.release_order(self.uow(), order_id))

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), short=st.integers(0, 3))
        def pick(self, data, short):
            order_id = data.draw(st.sampled_from(self.orders))
            f = fulfilment.get_fulfilment(self.uow(), order_id)
            if f.status is not FulfilmentStatus.ALLOCATED or not f.open_picks:
                return
            task = data.draw(st.sampled_from(f.open_picks))
            taken = max(task.quantity - short, 0)
            self.attempt(lambda: picking.confirm_pick_task(self.uow(), task.task_id, taken))

        @rule(
            where=st.sampled_from(BINS),
            sku=st.sampled_from(SKUS),
            lot=st.sampled_from(LOTS),
            delta=st.integers(-8, 8),
            reason=st.sampled_from(REASONS),
        )
        def adjust(self, where, sku, lot, delta, reason):
            if delta:
                self.attempt(
                    lambda: counts.adjust_stock(
                        self.uow(),
                        self.bins[where].id,
                        sku,
                        delta,
                        reason,
                        lot if sku == "MILK" else None,
                    )
                )

        @rule(where=st.sampled_from(BINS), data=st.data())
        def count(self, where, data):
            planned = counts.plan_cycle_counts(
                self.uow(), self.bins[where].warehouse_id, bins=[self.bins[where].id]
            )
            if not planned:
                return  # the bin's count is open already (a short pick asked for it)
            [task] = planned
            held = service.stock_levels(self.uow(), None, None, self.bins[where].id)
            found = [
                Counted(x.sku, x.lot, data.draw(st.integers(0, x.row.on_hand + 3)))
                for x in held
                if x.row.on_hand
            ]
            counts.record_count(self.uow(), task.id, found, "counter")
            if data.draw(st.booleans()):
                self.attempt(lambda: counts.approve_count(self.uow(), task.id, "boss"))
            else:
                self.attempt(lambda: counts.reject_count(self.uow(), task.id, "boss"))

        @rule(lot=st.sampled_from(LOTS), status=st.sampled_from(list(LotStatus)))
        def lot_status(self, lot, status):
            def change() -> None:
                found = quality.find_lot(self.uow(), "MILK", lot)
                quality.set_lot_status(self.uow(), found.id, status, "stateful")

            self.attempt(change)

        @invariant()
        def stock_adds_up(self):
            with runtime.db.engine.connect() as conn:
                rows = conn.execute(
                    select(stock.c.on_hand, stock.c.allocated).where(
                        stock.c.tenant_id == self.uow().tenant_id
                    )
                ).all()
            assert all(on_hand >= 0 for on_hand, _ in rows)
            assert all(0 <= allocated <= on_hand for on_hand, allocated in rows)
            assert service.ledger_discrepancies(self.uow()) == []
            assert service.allocation_discrepancies(self.uow()) == []

    return StockMachine


@pytest.mark.slow
def test_stock_never_goes_wrong(runtime):
    machine = machine_for(runtime)
    machine.TestCase.settings = settings(
        max_examples=12 if runtime.db.dialect == "postgresql" else 20,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    machine.TestCase().runTest()
