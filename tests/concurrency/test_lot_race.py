"""Lots under concurrency, on SQLite and on PostgreSQL (real threads, real commits): orders
racing for two lots take them FEFO and never oversell; a lot quarantined while orders are being
allocated keeps no open promise."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from otwb.orders import service as orders
from otwb.orders.model import OrderStatus
from otwb.platform.values import TemperatureClass
from otwb.warehouse import fulfilment, quality, service
from otwb.warehouse.lots import LotStatus
from tests import factories as f
from tests.concurrency.test_allocation_race import run_together

TODAY = date(2026, 11, 25)


@pytest.fixture
def two_lots(uow):
    site = f.racked(uow)
    service.create_skus(
        uow(),
        [service.NewSku("MILK", "Milk", 1.0, 0.01, TemperatureClass.CHILLED, shelf_life_days=30)],
    )
    service.receive_stock(
        uow(), site.bin("K-01-1").id, "MILK", 6, lot="LATE", expires_on=TODAY + timedelta(20)
    )
    service.receive_stock(
        uow(), site.bin("K-02-1").id, "MILK", 4, lot="SOON", expires_on=TODAY + timedelta(5)
    )
    return f.customer(uow)


def by_lot(uow) -> dict[str, tuple[int, int]]:
    return {x.lot or "": (x.row.on_hand, x.row.allocated) for x in service.stock_levels(uow())}


def test_thirty_orders_race_for_two_lots(uow, two_lots):
    placed = run_together(30, lambda i: f.place(uow, two_lots.id, [("MILK", 1)]))

    assert not [p for p in placed if isinstance(p, Exception)]
    statuses = [orders.get_order(uow(), p.id).status for p in placed]
    assert statuses.count(OrderStatus.ALLOCATED) == 10
    assert by_lot(uow) == {"SOON": (4, 4), "LATE": (6, 6)}
    assert service.allocation_discrepancies(uow()) == []


def test_a_lot_put_on_hold_during_allocation_keeps_no_open_promise(uow, two_lots):
    soon = quality.find_lot(uow(), "MILK", "SOON")

    def work(i: int):
        if i == 7:
            return quality.set_lot_status(uow(), soon.id, LotStatus.QUARANTINED, "QA hold")
        return f.place(uow, two_lots.id, [("MILK", 1)])

    results = run_together(16, work)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert by_lot(uow)["SOON"] == (4, 0)  # nothing promised from the lot on hold
    placed = [r for r in results if not isinstance(r, type(soon))]
    served = [
        fulfilment.get_fulfilment(uow(), r.id)
        for r in placed
        if orders.get_order(uow(), r.id).status is OrderStatus.ALLOCATED
    ]
    promised = [p for fl in served for p in fl.picks if p.status == "open"]
    assert {p.lot_id for p in promised} <= {quality.find_lot(uow(), "MILK", "LATE").id}
    assert sum(p.quantity for p in promised) == by_lot(uow)["LATE"][1] <= 6
    assert service.allocation_discrepancies(uow()) == []
