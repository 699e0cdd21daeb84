"""A carrier line is never paid twice, on SQLite and on PostgreSQL (real threads, real commits):
self-billing runs of twenty lines due on accepted delivery race the approval and payable of the
carrier's invoice for the same shipments. Whatever the interleaving, one payable pays them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from otwb.billing import settlement_service as settlement
from otwb.billing.settlement import CarrierPayable, PayableStatus, SettlementRule
from otwb.billing.settlement_tables import carrier_payables
from otwb.platform.errors import Conflict
from otwb.platform.ids import CarrierId
from otwb.transport import carriers
from tests.concurrency.test_allocation_race import run_together
from tests.integration.test_billing_settlement import accepted, tendered

SHIPMENTS = 20
THREADS = 6


def test_settlement_runs_and_an_invoice_payable_race_for_the_same_lines(runtime, uow) -> None:
    carrier = CarrierId(carriers.add_carrier(uow(), "DHL", "DHL Freight").id)
    settlement.set_rule(uow(), SettlementRule(carrier, pay_on_delivery=True))
    rows = ["invoice_number,date,tracking_number,amount,currency"]
    for n in range(SHIPMENTS):
        shipment = tendered(uow, carrier, f"DHL-{n:03}", f"{10 + n}.50")
        accepted(uow, carrier, shipment)
        rows.append(f"D-1,2026-11-30,DHL-{n:03},{10 + n}.50,EUR")
    invoice = settlement.import_carrier_invoice(uow(), carrier, "\n".join(rows)).invoice
    assert len(settlement.list_expected(uow(), carrier, PayableStatus.DUE)) == SHIPMENTS

    def work(i: int) -> CarrierPayable:
        if i == THREADS - 1:
            settlement.approve_all(uow(), invoice.id)
            return settlement.produce_payable(uow(), invoice.id)
        return settlement.settle_due(uow(), carrier)

    results = run_together(THREADS, work)

    won = [r for r in results if isinstance(r, CarrierPayable)]
    assert len(won) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in won), results
    expected_total = sum(Decimal(f"{10 + n}.50") for n in range(SHIPMENTS))
    assert (won[0].lines, won[0].total) == (SHIPMENTS, expected_total)
    paid = settlement.list_expected(uow(), carrier, PayableStatus.PAID)
    assert len(paid) == SHIPMENTS
    assert {p.payable_id for p in paid} == {won[0].id}
    assert sum((p.paid_amount or Decimal(0) for p in paid), Decimal(0)) == expected_total
    with runtime.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(carrier_payables)).scalar_one() == 1
