"""Returns on both databases, through O, T, W and B: deliver -> RMA -> pickup on a route ->
collection -> receipt -> inspection -> restock / scrap in W's ledger -> credit in B -> closed."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from otwb.billing import returns as billing_returns
from otwb.cli import app as cli_app
from otwb.orders import returns_handlers
from otwb.orders import returns_inspection as inspection
from otwb.orders import returns_service as returns
from otwb.orders import service as orders
from otwb.orders.events import ReturnAuthorised
from otwb.orders.returns import (
    Disposition,
    NotReturnable,
    ReturnReason,
    ReturnWindowClosed,
    RmaStatus,
)
from otwb.orders.returns_tables import returnable_lines, rmas
from otwb.platform import auth
from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from otwb.transport import dispatch, service, shipments
from otwb.transport.events import PickupCollected, ReturnPickupScheduled
from otwb.transport.model import ShipmentKind, ShipmentStatus
from otwb.warehouse import service as warehouse
from otwb.warehouse.events import ReturnStocked
from tests.conftest import pg_url_of
from tests.integration.test_transport import (  # noqa: F401
    DAY,
    LIMIT,
    at,
    depot,
    events,
    handed_over,
    van,
)

NEXT_DAY = DAY + timedelta(days=1)
DEFECTIVE = ReturnReason.DEFECTIVE


def delivered(uow, depot, clock, n: int = 6):
    """An order of ``n`` WINE-6 delivered on DAY at 10:30."""
    order = handed_over(uow, depot, n=n)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    clock.set(at(DAY, 10, 30))
    dispatch.record_delivery(uow(), route.stops[0].shipment_id, "M. Durand")
    return order


def line(no: int, qty: int, reason=DEFECTIVE, price: str = "12.50"):
    return returns.ReturnLineRequest(no, qty, reason, Decimal(price))


def on_hand(uow, location_code: str) -> int:
    return sum(
        x.row.on_hand
        for x in warehouse.stock_levels(uow(), "WINE-6")
        if x.location == location_code
    )


def test_the_whole_return_loop(uow, depot, runtime, tenant, clock):
    van(uow, depot)
    order = delivered(uow, depot, clock)
    bin_code = depot.locations[0].code
    assert on_hand(uow, bin_code) == 494

    rma = returns.request_return(uow(), order.id, [line(1, 3)], "two cracked bottles")
    assert rma.status is RmaStatus.REQUESTED
    assert (rma.warehouse_id, rma.currency) == (depot.warehouse.id, "EUR")

    rma = returns.authorise_return(uow(), rma.id)
    (asked,) = events(runtime, tenant, ReturnAuthorised)
    assert (asked.weight_kg, asked.parcel_count, asked.temperature_class) == (27.0, 2, "ambient")
    rma = returns.get_return(uow(), rma.id)
    assert rma.status is RmaStatus.PICKUP_SCHEDULED
    (scheduled,) = events(runtime, tenant, ReturnPickupScheduled)
    assert rma.pickup_shipment_id == scheduled.shipment_id
    pickup = shipments.get_shipment(uow(), scheduled.shipment_id)
    assert (pickup.kind, pickup.status) == (ShipmentKind.PICKUP, ShipmentStatus.READY)
    assert pickup.depot_id == depot.warehouse.id
    assert pickup.ship_to == order.ship_to.point
    assert pickup.weight_kg == pytest.approx(27.0)

    with pytest.raises(InvalidTransition):  # not collected yet: nothing to inspect
        inspection.inspect_return(
            uow(), rma.id, [inspection.InspectLine(1, 3, Disposition.RESTOCK)]
        )

    (route,) = service.plan_routes(uow(), depot.warehouse.id, NEXT_DAY, LIMIT).routes
    assert [s.shipment_id for s in route.stops] == [pickup.id]
    clock.set(at(NEXT_DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    clock.set(at(NEXT_DAY, 9, 15))
    dispatch.record_delivery(uow(), pickup.id, "Bistro du Parc")
    (collected,) = events(runtime, tenant, PickupCollected)
    assert collected.collected_at == at(NEXT_DAY, 9, 15)
    assert returns.get_return(uow(), rma.id).status is RmaStatus.IN_TRANSIT
    with pytest.raises(InvalidTransition):  # on the road: too late to cancel
        returns.cancel_return(uow(), rma.id)

    clock.set(at(NEXT_DAY, 11))
    assert returns.receive_return(uow(), rma.id).status is RmaStatus.RECEIVED
    done = inspection.inspect_return(
        uow(),
        rma.id,
        [
            inspection.InspectLine(1, 2, Disposition.RESTOCK),
            inspection.InspectLine(1, 1, Disposition.SCRAP),
        ],
    )
    assert done.credit is not None
    assert done.credit.net.amount == Decimal("37.50")

    # W: two back in their bin, one received into quarantine and written off at once
    assert on_hand(uow, bin_code) == 496
    assert on_hand(uow, "RETQ-AMBIENT") == 0
    ledger = [(m.kind, m.quantity, m.reason) for m in warehouse.movements(uow(), reference=rma.id)]
    assert sorted(ledger, key=str) == sorted(
        [
            ("return", 2, "return_restock"),
            ("return", 1, "return_scrap"),
            ("adjustment", -1, "scrap"),
        ],
        key=str,
    )
    assert warehouse.ledger_discrepancies(uow()) == []
    (stocked,) = events(runtime, tenant, ReturnStocked)
    assert sorted((x.disposition, x.quantity) for x in stocked.lines) == [
        ("restock", 2),
        ("scrap", 1),
    ]

    # B: one open credit, for the invoicing run; O: the return is closed
    credit = billing_returns.credit_of_return(uow(), rma.id)
    assert (credit.amount.amount, credit.amount.currency) == (Decimal("37.50"), "EUR")
    assert [c.rma_id for c in billing_returns.open_credits(uow(), order.customer_id)] == [rma.id]
    billing_returns.apply_credits(uow(), [credit.id], "inv_TEST")
    assert billing_returns.open_credits(uow()) == []
    applied = billing_returns.credit_of_return(uow(), rma.id)
    assert (applied.status.value, applied.applied_to) == ("applied", "inv_TEST")
    with pytest.raises(Conflict):  # a credit is applied once
        billing_returns.apply_credits(uow(), [credit.id], "inv_OTHER")
    closed = returns.get_return(uow(), rma.id)
    assert closed.status is RmaStatus.CLOSED
    timeline = [e.kind for e in orders.get_order(uow(), order.id).timeline]
    assert timeline[timeline.index("delivered") + 1 :] == [
        "return_requested",
        "return_authorised",
        "return_pickup_scheduled",
        "return_in_transit",
        "return_received",
        "return_inspected",
        "return_stocked",
        "return_closed",
    ]

    # the three units are returned for good: three more may come back, not four
    with pytest.raises(NotReturnable):
        returns.request_return(uow(), order.id, [line(1, 4)])
    assert returns.request_return(uow(), order.id, [line(1, 3)]).status is RmaStatus.REQUESTED


def test_requests_outside_the_rules_are_refused(uow, depot, clock):
    van(uow, depot)
    order = delivered(uow, depot, clock, n=2)
    with pytest.raises(NotReturnable):
        returns.request_return(uow(), order.id, [line(1, 3)])
    with pytest.raises(InvalidInput):
        returns.request_return(uow(), order.id, [line(2, 1)])
    with pytest.raises(InvalidInput):
        returns.request_return(uow(), order.id, [line(1, 1), line(1, 1)])
    returns.set_return_policy(uow(), order.customer_id, 7, Decimal("10"))
    clock.set(at(DAY, 10, 30) + timedelta(days=7, minutes=1))
    with pytest.raises(ReturnWindowClosed):
        returns.request_return(uow(), order.id, [line(1, 1)])
    returns.set_return_policy(uow(), order.customer_id, 30, Decimal("10"))
    rma = returns.request_return(uow(), order.id, [line(1, 2, ReturnReason.CHANGED_MIND, "20")])
    refused = returns.refuse_return(uow(), rma.id, "opened bottles are not taken back")
    assert (refused.status, refused.refused_reason) == (
        RmaStatus.REFUSED,
        "opened bottles are not taken back",
    )
    # a refusal gives the units back: they may be asked for again
    again = returns.request_return(uow(), order.id, [line(1, 2, ReturnReason.CHANGED_MIND, "20")])
    returns.authorise_return(uow(), again.id)
    returns.receive_return(uow(), again.id)  # brought to the warehouse: no collection
    inspected = inspection.inspect_return(
        uow(), again.id, [inspection.InspectLine(1, 1, Disposition.QUARANTINE)]
    )
    assert inspected.credit is not None
    assert (inspected.credit.gross.amount, inspected.credit.restocking_fee.amount) == (
        Decimal("20.00"),
        Decimal("2.00"),
    )


def test_an_undelivered_order_is_not_returned(uow, depot):
    order = handed_over(uow, depot, n=1)
    with pytest.raises(NotReturnable):
        returns.request_return(uow(), order.id, [line(1, 1)])


def test_cancelling_a_return_calls_off_its_pickup(uow, depot, clock):
    van(uow, depot)
    order = delivered(uow, depot, clock, n=2)
    rma = returns.request_return(uow(), order.id, [line(1, 2)])
    returns.authorise_return(uow(), rma.id)
    pickup_id = returns.get_return(uow(), rma.id).pickup_shipment_id
    assert pickup_id is not None
    assert returns.cancel_return(uow(), rma.id).status is RmaStatus.CANCELLED
    assert shipments.get_shipment(uow(), pickup_id).status is ShipmentStatus.CANCELLED
    assert returns.request_return(uow(), order.id, [line(1, 2)]).status is RmaStatus.REQUESTED


def test_the_cli_runs_the_same_return(uow, depot, clock, database, tenant):
    van(uow, depot)
    order = delivered(uow, depot, clock, n=3)
    t = ("--tenant", tenant.id, "--db", pg_url_of(database))

    def otwb(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(cli_app, [*args, *t])
        assert (result.exit_code == 0) is ok, result.output
        return result.output

    made = json.loads(
        otwb("order", "return", "request", order.id, "--line", "1:2:defective:9.90", "--json")
    )
    assert made["status"] == "requested"
    rid = made["id"]
    assert "pickup_scheduled" in otwb("order", "return", "authorise", rid)
    assert "received" in otwb("order", "return", "receive", rid)
    done = json.loads(
        otwb(
            "order", "return", "inspect", rid,
            "--line", "1:1:restock", "--line", "1:1:scrap::rejected", "--json",
        )
    )  # fmt: skip
    assert (done["status"], done["credit"]["net"]) == ("closed", "9.9000")
    assert [x["accepted"] for x in done["inspections"]] == [True, False]
    listed = json.loads(otwb("order", "return", "list", "--order", order.id, "--json"))
    assert [r["id"] for r in listed] == [rid]
    assert "not a whole number" in otwb(
        "order", "return", "request", order.id, "--line", "x:1:defective", ok=False
    )
    assert "reason is one of" in otwb(
        "order", "return", "request", order.id, "--line", "1:1:meh", ok=False
    )
    assert "no lot" in otwb("order", "recall-report", "NOPE", "--sku", "WINE-6", ok=False)


def test_a_pickup_scheduled_for_a_return_cancelled_meanwhile_is_called_off(uow, depot, clock):
    van(uow, depot)
    order = delivered(uow, depot, clock, n=2)
    rma = returns.request_return(uow(), order.id, [line(1, 1)])
    returns.cancel_return(uow(), rma.id)
    late = shipments.request_pickup(
        uow(),
        shipments.NewPickup(
            order.customer_id, depot.warehouse.id, "x", "y", order.ship_to.point, 9.0, 0.01
        ),
    )
    event = ReturnPickupScheduled(
        rma_id=rma.id,
        shipment_id=late.id,
        tracking_number=late.tracking_number,
        depot_id=depot.warehouse.id,
    )
    returns_handlers.on_pickup_scheduled(uow(), event)
    assert shipments.get_shipment(uow(), late.id).status is ShipmentStatus.CANCELLED
    assert returns.get_return(uow(), rma.id).status is RmaStatus.CANCELLED


def test_the_database_refuses_more_returned_than_delivered(uow, depot, clock, runtime):
    van(uow, depot)
    order = delivered(uow, depot, clock, n=2)
    returns.request_return(uow(), order.id, [line(1, 2)])
    with pytest.raises(IntegrityError), runtime.db.engine.begin() as conn:
        conn.execute(update(returnable_lines).values(returned=returnable_lines.c.returned + 1))
    with pytest.raises(IntegrityError), runtime.db.engine.begin() as conn:
        conn.execute(update(rmas).values(status="inspected"))  # an inspection without its credit


def test_another_tenant_sees_no_return(uow, depot, clock, runtime):
    van(uow, depot)
    order = delivered(uow, depot, clock, n=2)
    rma = returns.request_return(uow(), order.id, [line(1, 1)])
    other = auth.create_tenant(runtime.uow(), "Other Co")
    with pytest.raises(NotFound):
        returns.get_return(runtime.uow(other.id), rma.id)
    with pytest.raises(NotFound):
        returns.request_return(runtime.uow(other.id), order.id, [line(1, 1)])
    assert returns.list_returns(runtime.uow(other.id)) == []
