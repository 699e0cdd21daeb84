"""B's cost side over HTTP: carrier settlement rules, expected payables, the freight audit of
carrier invoices, payable documents, internal cost rates, route costs and the cost report.

Money goes out as decimal strings. A carrier invoice comes in as JSON ``{"carrier_id", "csv"}``
(the CSV's text); bad rows come back as per-row errors next to the audited invoice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from otwb.billing import analytics_service, cost_service
from otwb.billing import settlement_service as settlement
from otwb.billing.analytics import ReportPeriod
from otwb.billing.settlement import PayableStatus, SettlementRule
from otwb.billing.settlement_schemas import (
    ApproveIn,
    AuditOut,
    CarrierInvoiceOut,
    CostReportOut,
    ExpectedOut,
    InvoiceIn,
    PayableDocumentOut,
    PayableOut,
    RateIn,
    RejectIn,
    RouteCostOut,
    RowErrorOut,
    RuleIn,
    RuleOut,
)
from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CarrierId

router = APIRouter(tags=["billing: carriers and costs"])

PeriodQuery = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="A month: 2026-11")]


# -- settlement rules and expected payables --------------------------------------------------
@router.put("/billing/carrier-rules/{carrier_id}", response_model=RuleOut)
def set_rule(carrier_id: str, body: RuleIn, caller: Admin) -> RuleOut:
    """A carrier's audit tolerance and its pay-on-accepted-delivery rule."""
    rule = SettlementRule(
        CarrierId(carrier_id), body.pay_on_delivery, body.tolerance_abs, body.tolerance_pct
    )
    return RuleOut.of(settlement.set_rule(caller.uow(), rule))


@router.get("/billing/carrier-rules/{carrier_id}", response_model=RuleOut)
def get_rule(carrier_id: str, caller: Reader) -> RuleOut:
    return RuleOut.of(settlement.get_rule(caller.reader(), CarrierId(carrier_id)))


@router.get("/billing/expected-payables", response_model=list[ExpectedOut])
def list_expected(
    caller: Reader, carrier_id: str | None = None, status: PayableStatus | None = None
) -> list[ExpectedOut]:
    carrier = CarrierId(carrier_id) if carrier_id else None
    return [ExpectedOut.of(p) for p in settlement.list_expected(caller.reader(), carrier, status)]


# -- freight audit ----------------------------------------------------------------------------
@router.post("/billing/carrier-invoices", status_code=201, response_model=AuditOut)
def import_invoice(body: InvoiceIn, caller: Operator) -> AuditOut:
    """Import and audit a carrier's invoice: a finding per line, an error per bad row."""
    result = settlement.import_carrier_invoice(caller.uow(), CarrierId(body.carrier_id), body.csv)
    return AuditOut(
        invoice=CarrierInvoiceOut.of(result.invoice),
        errors=[RowErrorOut(row=e.row, message=e.message) for e in result.errors],
    )


@router.get("/billing/carrier-invoices", response_model=list[CarrierInvoiceOut])
def list_invoices(caller: Reader, carrier_id: str | None = None) -> list[CarrierInvoiceOut]:
    carrier = CarrierId(carrier_id) if carrier_id else None
    return [CarrierInvoiceOut.of(i) for i in settlement.list_invoices(caller.reader(), carrier)]


@router.get("/billing/carrier-invoices/{invoice_id}", response_model=CarrierInvoiceOut)
def get_invoice(invoice_id: str, caller: Reader) -> CarrierInvoiceOut:
    return CarrierInvoiceOut.of(settlement.get_invoice(caller.reader(), invoice_id))


@router.post(
    "/billing/carrier-invoices/{invoice_id}/lines/{line_no}/approve",
    response_model=CarrierInvoiceOut,
)
def approve_line(
    invoice_id: str, line_no: int, body: ApproveIn, caller: Operator
) -> CarrierInvoiceOut:
    """Approve a line: as billed, an over-charge at the expected amount, or an override amount
    with its reason."""
    return CarrierInvoiceOut.of(
        settlement.approve_line(caller.uow(), invoice_id, line_no, body.amount, body.reason)
    )


@router.post(
    "/billing/carrier-invoices/{invoice_id}/lines/{line_no}/reject",
    response_model=CarrierInvoiceOut,
)
def reject_line(
    invoice_id: str, line_no: int, body: RejectIn, caller: Operator
) -> CarrierInvoiceOut:
    return CarrierInvoiceOut.of(
        settlement.reject_line(caller.uow(), invoice_id, line_no, body.reason)
    )


@router.post("/billing/carrier-invoices/{invoice_id}/approve-all", response_model=CarrierInvoiceOut)
def approve_all(invoice_id: str, caller: Operator) -> CarrierInvoiceOut:
    """Approve every line that can be; the others stay pending for a decision."""
    return CarrierInvoiceOut.of(settlement.approve_all(caller.uow(), invoice_id))


@router.post("/billing/carrier-invoices/{invoice_id}/reject-rest", response_model=CarrierInvoiceOut)
def reject_rest(invoice_id: str, body: RejectIn, caller: Operator) -> CarrierInvoiceOut:
    """Reject every line still pending."""
    return CarrierInvoiceOut.of(settlement.reject_remaining(caller.uow(), invoice_id, body.reason))


@router.post(
    "/billing/carrier-invoices/{invoice_id}/payable", status_code=201, response_model=PayableOut
)
def produce_payable(invoice_id: str, caller: Admin) -> PayableOut:
    """The carrier payable of a fully decided invoice (its approved lines)."""
    return PayableOut.of(settlement.produce_payable(caller.uow(), invoice_id))


@router.post(
    "/billing/carrier-settlements/{carrier_id}", status_code=201, response_model=PayableOut
)
def settle_due(carrier_id: str, caller: Admin) -> PayableOut:
    """Self-billing: one payable of the carrier's due, unpaid lines."""
    return PayableOut.of(settlement.settle_due(caller.uow(), CarrierId(carrier_id)))


@router.get("/billing/carrier-payables", response_model=list[PayableOut])
def list_payables(caller: Reader, carrier_id: str | None = None) -> list[PayableOut]:
    carrier = CarrierId(carrier_id) if carrier_id else None
    return [PayableOut.of(p) for p in settlement.list_payables(caller.reader(), carrier)]


@router.get("/billing/carrier-payables/{payable_id}", response_model=PayableDocumentOut)
def get_payable(payable_id: str, caller: Reader) -> PayableDocumentOut:
    """A carrier payable document with the shipments it pays."""
    payable, items = settlement.get_payable(caller.reader(), payable_id)
    return PayableDocumentOut(
        **PayableOut.of(payable).model_dump(), items=[ExpectedOut.of(p) for p in items]
    )


# -- costs and the cost report ----------------------------------------------------------------
@router.put("/billing/cost-rates/{activity}", response_model=dict[str, Decimal])
def set_cost_rate(activity: str, body: RateIn, caller: Admin) -> dict[str, Decimal]:
    """The internal cost of one pick_line, parcel or unit_day; returns every rate."""
    cost_service.set_cost_rate(caller.uow(), activity, body.rate)
    return cost_service.cost_rates(caller.reader())


@router.get("/billing/cost-rates", response_model=dict[str, Decimal])
def cost_rates(caller: Reader) -> dict[str, Decimal]:
    return cost_service.cost_rates(caller.reader())


@router.get("/billing/route-costs", response_model=list[RouteCostOut])
def route_costs(caller: Reader, period: PeriodQuery) -> list[RouteCostOut]:
    month = ReportPeriod.month(period)
    return [
        RouteCostOut(
            route_id=c.route_id,
            vehicle_id=c.vehicle_id,
            depot_id=c.depot_id,
            service_date=c.service_date,
            distance_km=c.distance_km,
            duration_s=c.duration_s,
            fixed=c.parts.fixed,
            distance=c.parts.distance,
            time=c.parts.time,
            total=c.parts.total,
            currency=c.currency,
            shares={s.shipment_id: s.amount for s in shares},
        )
        for c, shares in cost_service.list_route_costs(caller.reader(), (month.start, month.end))
    ]


@router.get("/billing/cost-report", response_model=CostReportOut)
def cost_report(caller: Reader, period: PeriodQuery) -> CostReportOut:
    """Revenue vs cost of a month: per customer, order, service and warehouse; cost shares."""
    return CostReportOut.of(
        analytics_service.cost_report(caller.reader(), ReportPeriod.month(period))
    )
