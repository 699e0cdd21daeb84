"""B's cost side over HTTP: carrier settlement rules, expected payables, the freight audit of
carrier invoices, payable documents, internal cost rates, route costs and the cost report.

Money goes out as decimal strings. A carrier invoice comes in as JSON ``{"carrier_id", "csv"}``
(the CSV's text); bad rows come back as per-row errors next to the audited invoice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from otwb.billing import analytics_service, cost_service
from otwb.billing import settlement_service as settlement
from otwb.billing.analytics import CostReport, MarginRow, ReportPeriod
from otwb.billing.freight_audit import CarrierInvoice, Finding, LineStatus
from otwb.billing.settlement import (
    DEFAULT_TOLERANCE_ABS,
    DEFAULT_TOLERANCE_PCT,
    CarrierPayable,
    ExpectedPayable,
    PayableStatus,
    SettlementRule,
)
from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CarrierId

router = APIRouter(tags=["billing: carriers and costs"])

Money = Annotated[Decimal, Field(ge=0, description="Decimal string (or number), >= 0")]
PeriodQuery = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="A month: 2026-11")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RuleIn(Strict):
    pay_on_delivery: bool = False
    tolerance_abs: Money = DEFAULT_TOLERANCE_ABS
    tolerance_pct: Annotated[Decimal, Field(ge=0, le=100)] = DEFAULT_TOLERANCE_PCT


class RuleOut(BaseModel):
    carrier_id: str
    pay_on_delivery: bool
    tolerance_abs: Decimal
    tolerance_pct: Decimal

    @classmethod
    def of(cls, r: SettlementRule) -> RuleOut:
        return cls(
            carrier_id=r.carrier_id,
            pay_on_delivery=r.pay_on_delivery,
            tolerance_abs=r.tolerance_abs,
            tolerance_pct=r.tolerance_pct,
        )


class ExpectedOut(BaseModel):
    shipment_id: str
    order_id: str
    customer_id: str
    carrier_id: str
    tracking_number: str
    expected_amount: Decimal
    currency: str
    tendered_at: datetime
    status: PayableStatus
    due_amount: Decimal | None
    due_reason: str | None
    payable_id: str | None
    paid_amount: Decimal | None

    @classmethod
    def of(cls, p: ExpectedPayable) -> ExpectedOut:
        return cls(
            shipment_id=p.shipment_id,
            order_id=p.order_id,
            customer_id=p.customer_id,
            carrier_id=p.carrier_id,
            tracking_number=p.tracking_number,
            expected_amount=p.expected_amount,
            currency=p.currency,
            tendered_at=p.tendered_at,
            status=p.status,
            due_amount=p.due_amount,
            due_reason=p.due_reason.value if p.due_reason else None,
            payable_id=p.payable_id,
            paid_amount=p.paid_amount,
        )


class InvoiceIn(Strict):
    carrier_id: str = Field(min_length=1, max_length=40)
    csv: str = Field(min_length=1, description="The invoice CSV's text (see the README)")


class LineOut(BaseModel):
    line_no: int
    reference: str
    shipment_id: str | None
    amount: Decimal
    currency: str
    expected_amount: Decimal | None
    finding: Finding
    status: LineStatus
    approved_amount: Decimal | None
    override_reason: str | None
    surcharges: dict[str, Decimal]


class CarrierInvoiceOut(BaseModel):
    id: str
    carrier_id: str
    number: str
    invoice_date: date
    billed_total: Decimal
    findings: dict[str, int]
    payable_id: str | None
    lines: list[LineOut]

    @classmethod
    def of(cls, i: CarrierInvoice) -> CarrierInvoiceOut:
        return cls(
            id=i.id,
            carrier_id=i.carrier_id,
            number=i.number,
            invoice_date=i.invoice_date,
            billed_total=i.billed_total,
            findings=i.counts(),
            payable_id=i.payable_id,
            lines=[LineOut.model_validate(line, from_attributes=True) for line in i.lines],
        )


class RowErrorOut(BaseModel):
    row: int
    message: str


class AuditOut(BaseModel):
    invoice: CarrierInvoiceOut
    errors: list[RowErrorOut]


class ApproveIn(Strict):
    amount: Money | None = Field(default=None, description="Override (needs a reason)")
    reason: str | None = Field(default=None, max_length=200)


class RejectIn(Strict):
    reason: str | None = Field(default=None, max_length=200)


class PayableOut(BaseModel):
    id: str
    carrier_id: str
    invoice_id: str | None
    currency: str
    total: Decimal
    lines: int
    created_at: datetime

    @classmethod
    def of(cls, p: CarrierPayable) -> PayableOut:
        return cls.model_validate(p, from_attributes=True)


class RateIn(Strict):
    rate: Annotated[
        Decimal, Field(ge=0, description="Per unit of the activity, in the tenant's currency")
    ]


class RouteCostOut(BaseModel):
    route_id: str
    vehicle_id: str
    depot_id: str
    service_date: date
    distance_km: Decimal
    duration_s: int
    fixed: Decimal
    distance: Decimal
    time: Decimal
    total: Decimal
    currency: str
    shares: dict[str, Decimal] = Field(description="Shipment id -> its share (by weight)")


class MarginOut(BaseModel):
    key: str
    revenue: Decimal
    cost: Decimal
    margin: Decimal
    margin_pct: Decimal | None

    @classmethod
    def of(cls, r: MarginRow) -> MarginOut:
        return cls(
            key=r.key, revenue=r.revenue, cost=r.cost, margin=r.margin, margin_pct=r.margin_pct
        )


class ShareOut(BaseModel):
    category: str
    cost: Decimal
    share_pct: Decimal


class CostReportOut(BaseModel):
    period: str
    currency: str
    total: MarginOut
    cost_shares: list[ShareOut]
    by_customer: list[MarginOut]
    by_order: list[MarginOut]
    by_service: list[MarginOut]
    by_warehouse: list[MarginOut]
    unrated_charges: int

    @classmethod
    def of(cls, r: CostReport) -> CostReportOut:
        return cls(
            period=r.period.label,
            currency=r.currency,
            total=MarginOut.of(r.total),
            cost_shares=[
                ShareOut(category=s.category.value, cost=s.amount, share_pct=s.share_pct)
                for s in r.shares
            ],
            by_customer=[MarginOut.of(x) for x in r.by_customer],
            by_order=[MarginOut.of(x) for x in r.by_order],
            by_service=[MarginOut.of(x) for x in r.by_service],
            by_warehouse=[MarginOut.of(x) for x in r.by_warehouse],
            unrated_charges=r.unrated_charges,
        )


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
