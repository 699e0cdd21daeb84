"""The shapes of B's cost-side API (carrier settlement, freight audit, costs, the report):
money and rates go out as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from otwb.billing.analytics import CostReport, MarginRow
from otwb.billing.freight_audit import CarrierInvoice, Finding, LineStatus
from otwb.billing.settlement import (
    DEFAULT_TOLERANCE_ABS,
    DEFAULT_TOLERANCE_PCT,
    CarrierPayable,
    ExpectedPayable,
    PayableStatus,
    SettlementRule,
)

Money = Annotated[Decimal, Field(ge=0, description="Decimal string (or number), >= 0")]


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


class PayableDocumentOut(PayableOut):
    items: list[ExpectedOut]


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
