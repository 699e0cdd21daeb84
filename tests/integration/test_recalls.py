"""Recalls on both databases: the lot is marked recalled in W, the report names exactly the
orders and customers that received it (and not others), where the rest still is, and the
returns it opens come back to quarantine -- never to sellable stock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from otwb.cli import app as cli_app
from otwb.orders import recalls_service as recalls
from otwb.orders import returns_inspection as inspection
from otwb.orders import returns_service as returns
from otwb.orders.model import Order
from otwb.orders.recalls import to_csv
from otwb.orders.returns import Disposition, ReturnReason, RmaStatus
from otwb.platform.errors import Conflict, InvalidInput, NotFound
from otwb.transport import dispatch, service, shipments
from otwb.transport.model import ShipmentKind
from otwb.warehouse import fulfilment, quality
from otwb.warehouse import service as warehouse
from otwb.warehouse.lots import LotStatus
from tests import factories as f
from tests.conftest import pg_url_of
from tests.integration.test_transport import DAY, LIMIT, at, van


def handed(uow, customer_id, quantity: int, pick_only: bool = False):
    order = f.place(uow, customer_id, [("PILL", quantity)])
    fulfilment.confirm_pick(uow(), order.id)
    if not pick_only:
        fulfilment.pack_order(uow(), order.id)
        fulfilment.hand_over(uow(), order.id)
    return order


@dataclass
class Scene:
    site: f.Site
    first: str
    second: str
    a: Order
    b: Order
    c: Order
    d: Order


@pytest.fixture
def scene(uow, clock):
    """D took lot L2 only; A (customer 1), B (customer 2) and C (customer 1, picked, not yet
    shipped) took lot L1; A, B and D are delivered on DAY."""
    site = f.site(uow)
    warehouse.create_skus(uow(), [warehouse.NewSku("PILL", "Pills", 0.2, 0.001, lot_tracked=True)])
    first, second = (
        f.customer(uow, "C001", "Pharmacie Bellecour"),
        f.customer(uow, "C002", "Clinique"),
    )
    warehouse.receive_stock(uow(), site.locations[1].id, "PILL", 2, lot="L2")
    d = handed(uow, second.id, 2)
    warehouse.receive_stock(uow(), site.locations[0].id, "PILL", 15, lot="L1")
    a = handed(uow, first.id, 4)
    b = handed(uow, second.id, 5)
    c = handed(uow, first.id, 3, pick_only=True)
    van(uow, site)
    (route,) = service.plan_routes(uow(), site.warehouse.id, DAY, LIMIT).routes
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    clock.set(at(DAY, 12))
    for stop in route.stops:
        dispatch.record_delivery(uow(), stop.shipment_id, "received")
    return Scene(site, first.id, second.id, a, b, c, d)


def test_a_recall_finds_exactly_who_received_the_lot(uow, scene):
    site, a, b, c = scene.site, scene.a, scene.b, scene.c
    before = recalls.recall_report(uow(), "PILL", "L1")
    assert before.recall_id is None
    assert [o.order_id for o in before.orders] == sorted([a.id, b.id, c.id])

    report = recalls.recall_lot(
        uow(), "PILL", "L1", "contamination", create_returns=True, credit_per_unit=Decimal("3.20")
    )
    by_order = {o.order_id: o for o in report.orders}
    assert set(by_order) == {a.id, b.id, c.id}  # not d: it took lot L2 only
    assert [by_order[x.id].quantity for x in (a, b, c)] == [4, 5, 3]
    assert [by_order[x.id].delivered for x in (a, b, c)] == [True, True, False]
    assert by_order[a.id].delivered_at == at(DAY, 12)
    assert by_order[a.id].customer == "C001 Pharmacie Bellecour"
    assert report.customers == sorted([scene.first, scene.second])
    assert (report.units_delivered, report.units_on_the_way) == (9, 3)
    assert [(s.location, s.on_hand) for s in report.in_stock] == [(site.locations[0].code, 3)]
    assert quality.find_lot(uow(), "PILL", "L1").status is LotStatus.RECALLED
    assert quality.find_lot(uow(), "PILL", "L2").status is LotStatus.RELEASED

    # one authorised return per delivered order, its pickup already scheduled
    assert report.recall_id is not None
    assert len(report.returns) == 2
    opened = [returns.get_return(uow(), r) for r in report.returns]
    assert sorted(r.order_id for r in opened) == sorted([a.id, b.id])
    for rma in opened:
        assert rma.status is RmaStatus.PICKUP_SCHEDULED
        assert {x.reason for x in rma.lines} == {ReturnReason.RECALL}
        assert rma.pickup_shipment_id is not None
        assert shipments.get_shipment(uow(), rma.pickup_shipment_id).kind is ShipmentKind.PICKUP

    csv_rows = to_csv(report).splitlines()
    assert csv_rows[0].startswith("kind,order_id,customer_id")
    assert [r.split(",")[0] for r in csv_rows[1:]] == ["order", "order", "order", "stock"]

    with pytest.raises(Conflict):
        recalls.recall_lot(uow(), "PILL", "L1", "again")
    with pytest.raises(NotFound):
        recalls.recall_report(uow(), "PILL", "NOPE")
    with pytest.raises(InvalidInput):
        recalls.recall_lot(uow(), "PILL", "L2", " ")


def test_recalled_goods_that_come_back_go_to_quarantine(uow, scene):
    report = recalls.recall_lot(uow(), "PILL", "L1", "contamination", create_returns=True)
    opened = [returns.get_return(uow(), i) for i in report.returns]
    rma = next(r for r in opened if r.order_id == scene.a.id)
    returns.receive_return(uow(), rma.id)
    done = inspection.inspect_return(
        uow(), rma.id, [inspection.InspectLine(1, 4, Disposition.RESTOCK)]
    )
    (checked,) = done.inspections
    assert (checked.disposition, checked.requested, checked.lot) == (
        Disposition.QUARANTINE,
        Disposition.RESTOCK,
        "L1",
    )
    levels = {(x.location, x.lot): x.row.on_hand for x in warehouse.stock_levels(uow(), "PILL")}
    assert levels[("RETQ-AMBIENT", "L1")] == 4
    assert levels[(scene.site.locations[0].code, "L1")] == 3  # the bin did not get them back
    assert returns.get_return(uow(), rma.id).status is RmaStatus.CLOSED


def test_two_returns_racing_for_the_same_units(uow, scene):
    from tests.concurrency.test_allocation_race import run_together

    a = scene.a
    ask = [returns.ReturnLineRequest(1, 3, ReturnReason.DEFECTIVE, Decimal("1"))]
    results = run_together(2, lambda i: returns.request_return(uow(), a.id, ask))
    made = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(made) == 1, results
    assert [type(e).__name__ for e in refused] == ["NotReturnable"]
    assert returns.list_returns(uow(), order_id=a.id) == made


def test_the_cli_recalls_and_reports(scene, database, tenant):
    t = ("--tenant", tenant.id, "--db", pg_url_of(database))

    def otwb(*args: str) -> str:
        result = CliRunner().invoke(cli_app, [*args, *t])
        assert result.exit_code == 0, result.output
        return result.output

    out = json.loads(
        otwb("order", "recall", "L1", "--sku", "PILL", "--reason", "contamination",
             "--create-returns", "--credit-per-unit", "2.5", "--json")
    )  # fmt: skip
    assert sorted(o["order_id"] for o in out["orders"]) == sorted(
        [scene.a.id, scene.b.id, scene.c.id]
    )
    assert (out["units_delivered"], out["units_in_stock"], len(out["returns"])) == (9, 3, 2)
    table = " ".join(otwb("order", "recall-report", "L1", "--sku", "PILL").split())
    assert "3 order(s), 2 customer(s); 9 delivered, 3 not yet, 3 in stock" in table
    assert "returns opened: rma_" in table
    rows = otwb("order", "recall-report", "L1", "--sku", "PILL", "--csv").splitlines()
    assert len(rows) == 1 + 3 + 1
