"""B's carrier settlement on SQLite and PostgreSQL: expected payables from tenders, the freight
audit of a carrier invoice with known discrepancies, approvals, the payable document, and the
pay-on-accepted-delivery rule applied once however often its event is delivered."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from otwb.billing import settlement_service as settlement
from otwb.billing.freight_audit import Finding, LineStatus
from otwb.billing.settlement import DueReason, PayableStatus, SettlementRule
from otwb.billing.settlement_tables import carrier_invoice_lines, expected_payables
from otwb.platform.auth import Tenant
from otwb.platform.errors import Conflict, InvalidInput, NotFound
from otwb.platform.ids import CarrierId, CustomerId, OrderId, ShipmentId, WarehouseId
from otwb.platform.runtime import Runtime
from otwb.platform.tables import outbox, processed_events
from otwb.transport import carriers
from otwb.transport.events import ProofOfDeliveryAccepted, ShipmentTendered
from tests.factories import UowFactory

SAMPLE = Path(__file__).parent.parent / "data" / "carrier_invoice_geo_2026_11.csv"
TENDERED_AT = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)
EXPECTED = {
    "TRK-001": "12.40",
    "TRK-002": "18.00",
    "TRK-003": "25.00",
    "TRK-004": "60.00",
    "TRK-005": "40.00",
    "TRK-006": "9.90",
    "TRK-007": "14.00",
}


def tendered(uow: UowFactory, carrier_id: str, tracking: str, cost: str) -> ShipmentId:
    shipment_id = ShipmentId(f"shp_{tracking}")
    with uow() as u:
        u.record(
            ShipmentTendered(
                shipment_id=shipment_id,
                order_id=OrderId(f"ord_{tracking}"),
                customer_id=CustomerId("cus_bistro"),
                depot_id=WarehouseId("whs_lyon"),
                carrier_id=CarrierId(carrier_id),
                carrier_name="Geodis",
                service_level="standard",
                tracking_number=tracking,
                weight_kg=12.5,
                volume_m3=0.05,
                expected_cost=Decimal(cost),
                currency="EUR",
                tendered_at=TENDERED_AT,
            )
        )
        u.commit()
    return shipment_id


def accepted(uow: UowFactory, carrier_id: str | None, shipment_id: str) -> None:
    with uow() as u:
        u.record(
            ProofOfDeliveryAccepted(
                shipment_id=ShipmentId(shipment_id),
                order_id=OrderId("ord_x"),
                carrier_id=CarrierId(carrier_id) if carrier_id else None,
                accepted_at=TENDERED_AT,
            )
        )
        u.commit()


@pytest.fixture
def geo(uow: UowFactory) -> CarrierId:
    carrier = carriers.add_carrier(uow(), "GEO", "Geodis")
    for tracking, cost in EXPECTED.items():
        tendered(uow, carrier.id, tracking, cost)
    return CarrierId(carrier.id)


def test_a_tender_is_expected_once(uow, geo, runtime: Runtime) -> None:
    lines = settlement.list_expected(uow(), geo)
    assert [(p.tracking_number, p.expected_amount) for p in lines] == [
        (t, Decimal(c)) for t, c in EXPECTED.items()
    ]
    assert {p.status for p in lines} == {PayableStatus.EXPECTED}
    assert lines[0].weight_kg == Decimal("12.5")
    # Redelivered, and even with the consumer's memory wiped: still one line per shipment.
    with runtime.db.engine.begin() as conn:
        conn.execute(processed_events.delete())
        conn.execute(update(outbox).values(dispatched_at=None))
    assert runtime.bus.dispatch_pending(runtime).failed == 0
    assert len(settlement.list_expected(uow(), geo)) == len(EXPECTED)


def test_the_sample_invoice_shows_exactly_its_discrepancies(uow, geo) -> None:
    result = settlement.import_carrier_invoice(uow(), geo, SAMPLE.read_text())
    invoice = result.invoice
    assert (invoice.number, invoice.invoice_date.isoformat()) == ("GEO-2026-1107", "2026-11-30")
    assert [
        (e.row, "not a decimal" in e.message or "tracking" in e.message) for e in result.errors
    ] == [
        (10, True),
        (11, True),
    ]
    assert [(line.reference, line.finding) for line in invoice.lines] == [
        ("TRK-001", Finding.OK),
        ("TRK-002", Finding.OK),  # +0.30: within the 1.00 absolute tolerance
        ("TRK-003", Finding.OVERCHARGE),  # +6.75
        ("TRK-004", Finding.OK),  # +1.10: above 1.00 but within 2 % of 60.00 (1.20)
        ("TRK-005", Finding.OVERCHARGE),  # +1.50: above both 1.00 and 2 % of 40.00
        ("TRK-999", Finding.UNKNOWN_SHIPMENT),
        ("TRK-001", Finding.DUPLICATE),
        ("TRK-006", Finding.CURRENCY_MISMATCH),
    ]
    assert invoice.billed_total == Decimal("202.35")
    assert invoice.lines[2].surcharges == {"fuel": Decimal("4.00"), "residential": Decimal("2.75")}
    assert invoice.lines[2].expected_amount == Decimal("25.00")
    assert invoice.lines[5].shipment_id is None
    with pytest.raises(Conflict):  # imported once
        settlement.import_carrier_invoice(uow(), geo, SAMPLE.read_text())


def test_approve_override_reject_and_produce_the_payable(uow, geo) -> None:
    invoice = settlement.import_carrier_invoice(uow(), geo, SAMPLE.read_text()).invoice
    with pytest.raises(InvalidInput):  # an override needs its reason
        settlement.approve_line(uow(), invoice.id, 5, Decimal("41.50"))
    with pytest.raises(InvalidInput):  # never more than billed
        settlement.approve_line(uow(), invoice.id, 5, Decimal("41.51"), "agreed")
    settlement.approve_line(uow(), invoice.id, 5, Decimal("41.50"), "fuel surcharge agreed")
    with pytest.raises(Conflict):
        settlement.approve_line(uow(), invoice.id, 6)  # unknown shipment
    with pytest.raises(Conflict):
        settlement.produce_payable(uow(), invoice.id)  # nothing approved yet but line 5
    invoice = settlement.approve_all(uow(), invoice.id)
    assert [(ln.line_no, ln.status, ln.approved_amount) for ln in invoice.lines][:5] == [
        (1, LineStatus.APPROVED, Decimal("12.40")),
        (2, LineStatus.APPROVED, Decimal("18.30")),
        (3, LineStatus.APPROVED, Decimal("25.00")),  # the over-charge at the expected amount
        (4, LineStatus.APPROVED, Decimal("61.10")),
        (5, LineStatus.APPROVED, Decimal("41.50")),  # overridden, with its reason
    ]
    assert invoice.lines[4].override_reason == "fuel surcharge agreed"
    assert [ln.line_no for ln in invoice.pending()] == [6, 7, 8]
    with pytest.raises(Conflict, match="await a decision"):
        settlement.produce_payable(uow(), invoice.id)
    for line_no in (6, 7, 8):
        settlement.reject_line(uow(), invoice.id, line_no, "not ours to pay")
    due = settlement.list_expected(uow(), geo, PayableStatus.DUE)
    assert {p.tracking_number: p.due_amount for p in due}["TRK-003"] == Decimal("25.00")
    assert {p.due_reason for p in due} == {DueReason.AUDIT_APPROVED}

    payable = settlement.produce_payable(uow(), invoice.id)
    assert (payable.total, payable.lines, payable.currency) == (Decimal("158.30"), 5, "EUR")
    paid = settlement.list_expected(uow(), geo, PayableStatus.PAID)
    assert {p.tracking_number for p in paid} == {f"TRK-00{n}" for n in range(1, 6)}
    assert {p.payable_id for p in paid} == {payable.id}
    with pytest.raises(Conflict):
        settlement.produce_payable(uow(), invoice.id)
    with pytest.raises(Conflict):
        settlement.reject_line(uow(), invoice.id, 1)

    # A later invoice billing a paid shipment again: a duplicate, never paid twice.
    again = (
        "invoice_number,date,tracking_number,amount,currency\nGEO-2,2026-12-01,TRK-002,18.30,EUR\n"
    )
    second = settlement.import_carrier_invoice(uow(), geo, again).invoice
    assert second.lines[0].finding is Finding.DUPLICATE


def test_pay_on_accepted_delivery_makes_the_line_due_once(uow, runtime: Runtime) -> None:
    carrier = carriers.add_carrier(uow(), "DHL", "DHL Freight")
    other = carriers.add_carrier(uow(), "TNT", "TNT")
    cid, oid = CarrierId(carrier.id), CarrierId(other.id)
    settlement.set_rule(uow(), SettlementRule(cid, pay_on_delivery=True))
    shipment = tendered(uow, cid, "DHL-1", "22.00")
    slow = tendered(uow, oid, "TNT-1", "30.00")  # TNT waits for its invoice
    accepted(uow, cid, shipment)
    accepted(uow, oid, slow)
    accepted(uow, None, "shp_own_fleet")  # an own-fleet delivery: nothing to settle

    [due] = settlement.list_expected(uow(), status=PayableStatus.DUE)
    assert (due.shipment_id, due.due_amount, due.due_reason) == (
        shipment,
        Decimal("22.00"),
        DueReason.DELIVERY_ACCEPTED,
    )
    with runtime.db.engine.begin() as conn:  # the relay delivers everything again
        conn.execute(update(outbox).values(dispatched_at=None))
    runtime.bus.dispatch_pending(runtime)
    assert len(settlement.list_expected(uow(), status=PayableStatus.DUE)) == 1

    # TNT's line approved on its invoice is due too, but paid by that invoice's payable.
    tnt = "invoice_number,date,tracking_number,amount,currency\nT-1,2026-11-30,TNT-1,30.00,EUR\n"
    settlement.approve_all(uow(), settlement.import_carrier_invoice(uow(), oid, tnt).invoice.id)
    with pytest.raises(Conflict):
        settlement.settle_due(uow(), oid)
    payable = settlement.settle_due(uow(), cid)
    assert (payable.total, payable.lines, payable.invoice_id) == (Decimal("22.00"), 1, None)
    with pytest.raises(Conflict):
        settlement.settle_due(uow(), cid)
    with pytest.raises(NotFound):
        settlement.settle_due(uow(), CarrierId("car_unknown"))
    assert settlement.get_rule(uow(), oid) == SettlementRule(oid)


def test_bad_invoices_and_rules_are_refused(uow, geo) -> None:
    with pytest.raises(InvalidInput, match="lacks the column"):
        settlement.import_carrier_invoice(uow(), geo, "number,amount\nX,1\n")
    with pytest.raises(InvalidInput, match="no readable line"):
        settlement.import_carrier_invoice(
            uow(),
            geo,
            "invoice_number,date,tracking_number,amount,currency\nA,2026-11-30,T,-1,EUR\n",
        )
    with pytest.raises(NotFound):
        settlement.import_carrier_invoice(uow(), CarrierId("car_x"), SAMPLE.read_text())
    with pytest.raises(InvalidInput):
        SettlementRule(geo, tolerance_pct=Decimal(101))
    with pytest.raises(NotFound):
        settlement.approve_line(uow(), "cinv_none", 1)


def test_the_database_refuses_a_line_paid_twice_or_a_bad_status(
    runtime: Runtime, tenant: Tenant, uow, geo
) -> None:
    invoice = settlement.import_carrier_invoice(uow(), geo, SAMPLE.read_text()).invoice
    settlement.approve_line(uow(), invoice.id, 1)
    with runtime.db.engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(  # a second approved line for the same shipment
            update(carrier_invoice_lines)
            .where(carrier_invoice_lines.c.line_no == 2)
            .values(shipment_id="shp_TRK-001", status="approved", approved_amount=Decimal(1))
        )
    with runtime.db.engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(update(expected_payables).values(status="paid"))  # no payable document
    with runtime.db.engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(  # one expected payable per shipment
            insert(expected_payables).values(
                id="pay_x",
                tenant_id=tenant.id,
                shipment_id="shp_TRK-001",
                order_id="o",
                customer_id="c",
                depot_id="d",
                carrier_id=geo,
                tracking_number="X",
                service_level="s",
                weight_kg=Decimal(1),
                expected_amount=Decimal(1),
                currency="EUR",
                tendered_at=TENDERED_AT,
                status="expected",
            )
        )
