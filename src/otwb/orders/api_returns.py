"""O's HTTP routes for returns (RMA), return policies and recalls. Thin: schemas in, service
call, schemas out."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from otwb.orders import recalls_service, returns_service
from otwb.orders import returns_inspection as inspection
from otwb.orders.recalls import RecallReport, to_csv
from otwb.orders.returns import Disposition, ReturnPolicy, ReturnReason, Rma, RmaStatus
from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CustomerId, OrderId

router = APIRouter(tags=["returns"])

Price = Annotated[Decimal, Field(ge=0, le=1_000_000, decimal_places=4)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PolicyIn(Strict):
    window_days: int = Field(default=30, ge=1, le=365)
    restocking_fee_pct: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] = Decimal(0)


class PolicyOut(BaseModel):
    window_days: int
    restocking_fee_pct: Decimal

    @classmethod
    def of(cls, p: ReturnPolicy) -> PolicyOut:
        return cls(window_days=p.window_days, restocking_fee_pct=p.restocking_fee_pct)


class ReturnLineIn(Strict):
    line_no: int = Field(ge=1)
    quantity: int = Field(gt=0, le=1_000_000)
    reason: ReturnReason
    unit_price: Price = Field(default=Decimal(0), description="What the customer paid per unit")


class ReturnIn(Strict):
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)
    note: str = Field(default="", max_length=500)


class RefuseIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


class InspectLineIn(Strict):
    line_no: int = Field(ge=1)
    quantity: int = Field(gt=0, le=1_000_000)
    disposition: Disposition
    lot: str | None = Field(default=None, max_length=64)
    accepted: bool = True


class InspectIn(Strict):
    lines: list[InspectLineIn] = Field(min_length=1, max_length=2000)


class RmaLineOut(BaseModel):
    line_no: int
    order_line_id: str
    sku: str
    quantity: int
    reason: ReturnReason
    unit_price: Decimal


class InspectionOut(BaseModel):
    line_no: int
    quantity: int
    lot: str | None
    disposition: Disposition
    requested: Disposition | None
    accepted: bool


class CreditOut(BaseModel):
    gross: Decimal
    restocking_fee: Decimal
    net: Decimal
    currency: str


class RmaOut(BaseModel):
    id: str
    order_id: str
    customer_id: str
    warehouse_id: str
    status: RmaStatus
    requested_at: datetime
    note: str
    lines: list[RmaLineOut]
    pickup_shipment_id: str | None
    pickup_tracking: str | None
    refused_reason: str | None
    inspections: list[InspectionOut]
    credit: CreditOut | None

    @classmethod
    def of(cls, r: Rma) -> RmaOut:
        credit = None
        if r.credit is not None:
            credit = CreditOut(
                gross=r.credit.gross.amount,
                restocking_fee=r.credit.restocking_fee.amount,
                net=r.credit.net.amount,
                currency=r.currency,
            )
        return cls(
            id=r.id,
            order_id=r.order_id,
            customer_id=r.customer_id,
            warehouse_id=r.warehouse_id,
            status=r.status,
            requested_at=r.requested_at,
            note=r.note,
            lines=[
                RmaLineOut(
                    line_no=x.line_no,
                    order_line_id=x.order_line_id,
                    sku=x.sku,
                    quantity=x.quantity,
                    reason=x.reason,
                    unit_price=x.unit_price,
                )
                for x in r.lines
            ],
            pickup_shipment_id=r.pickup_shipment_id,
            pickup_tracking=r.pickup_tracking,
            refused_reason=r.refused_reason,
            inspections=[
                InspectionOut(
                    line_no=x.line_no,
                    quantity=x.quantity,
                    lot=x.lot,
                    disposition=x.disposition,
                    requested=x.requested,
                    accepted=x.accepted,
                )
                for x in r.inspections
            ],
            credit=credit,
        )


class RecallIn(Strict):
    sku: str = Field(min_length=1, max_length=64)
    lot: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
    create_returns: bool = False
    credit_per_unit: Price = Decimal(0)


class RecalledOrderOut(BaseModel):
    order_id: str
    customer_id: str
    customer: str
    warehouse_id: str
    quantity: int
    shipment_status: str | None
    delivered_at: datetime | None


class StockOut(BaseModel):
    warehouse_id: str
    location: str
    on_hand: int
    allocated: int


class RecallOut(BaseModel):
    sku: str
    lot: str
    recall_id: str | None
    customers: list[str]
    units_delivered: int
    units_on_the_way: int
    units_in_stock: int
    orders: list[RecalledOrderOut]
    in_stock: list[StockOut]
    returns: list[str]

    @classmethod
    def of(cls, r: RecallReport) -> RecallOut:
        return cls(
            sku=r.sku,
            lot=r.lot,
            recall_id=r.recall_id,
            customers=list(r.customers),
            units_delivered=r.units_delivered,
            units_on_the_way=r.units_on_the_way,
            units_in_stock=r.units_in_stock,
            orders=[
                RecalledOrderOut(
                    order_id=o.order_id,
                    customer_id=o.customer_id,
                    customer=o.customer,
                    warehouse_id=o.warehouse_id,
                    quantity=o.quantity,
                    shipment_status=o.shipment_status,
                    delivered_at=o.delivered_at,
                )
                for o in r.orders
            ],
            in_stock=[
                StockOut(
                    warehouse_id=s.warehouse_id,
                    location=s.location,
                    on_hand=s.on_hand,
                    allocated=s.allocated,
                )
                for s in r.in_stock
            ],
            returns=list(r.returns),
        )


# -- policies -------------------------------------------------------------------------------
@router.put("/customers/{customer_id}/return-policy", response_model=PolicyOut)
def set_policy(customer_id: str, body: PolicyIn, caller: Admin) -> PolicyOut:
    policy = returns_service.set_return_policy(
        caller.uow(), CustomerId(customer_id), body.window_days, body.restocking_fee_pct
    )
    return PolicyOut.of(policy)


@router.get("/customers/{customer_id}/return-policy", response_model=PolicyOut)
def get_policy(customer_id: str, caller: Reader) -> PolicyOut:
    return PolicyOut.of(returns_service.get_return_policy(caller.reader(), CustomerId(customer_id)))


# -- returns --------------------------------------------------------------------------------
@router.post("/orders/{order_id}/returns", status_code=201, response_model=RmaOut)
def request_return(order_id: str, body: ReturnIn, caller: Operator) -> RmaOut:
    lines = [
        returns_service.ReturnLineRequest(x.line_no, x.quantity, x.reason, x.unit_price)
        for x in body.lines
    ]
    rma = returns_service.request_return(caller.uow(), OrderId(order_id), lines, body.note)
    return RmaOut.of(returns_service.get_return(caller.reader(), rma.id))


@router.get("/returns", response_model=list[RmaOut])
def list_returns(
    caller: Reader,
    status: RmaStatus | None = None,
    order_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RmaOut]:
    found = returns_service.list_returns(
        caller.reader(), status, OrderId(order_id) if order_id else None, limit, offset
    )
    return [RmaOut.of(r) for r in found]


@router.get("/returns/{rma_id}", response_model=RmaOut)
def get_return(rma_id: str, caller: Reader) -> RmaOut:
    return RmaOut.of(returns_service.get_return(caller.reader(), rma_id))


def _after(caller: Operator, rma_id: str) -> RmaOut:
    """The return as it is once the events of the change were handled."""
    return RmaOut.of(returns_service.get_return(caller.reader(), rma_id))


@router.post("/returns/{rma_id}/authorise", response_model=RmaOut)
def authorise_return(rma_id: str, caller: Operator) -> RmaOut:
    returns_service.authorise_return(caller.uow(), rma_id)
    return _after(caller, rma_id)


@router.post("/returns/{rma_id}/refuse", response_model=RmaOut)
def refuse_return(rma_id: str, body: RefuseIn, caller: Operator) -> RmaOut:
    returns_service.refuse_return(caller.uow(), rma_id, body.reason)
    return _after(caller, rma_id)


@router.post("/returns/{rma_id}/cancel", response_model=RmaOut)
def cancel_return(rma_id: str, caller: Operator) -> RmaOut:
    returns_service.cancel_return(caller.uow(), rma_id)
    return _after(caller, rma_id)


@router.post("/returns/{rma_id}/receive", response_model=RmaOut)
def receive_return(rma_id: str, caller: Operator) -> RmaOut:
    returns_service.receive_return(caller.uow(), rma_id)
    return _after(caller, rma_id)


@router.post("/returns/{rma_id}/inspect", response_model=RmaOut)
def inspect_return(rma_id: str, body: InspectIn, caller: Operator) -> RmaOut:
    lines = [
        inspection.InspectLine(x.line_no, x.quantity, x.disposition, x.lot, x.accepted)
        for x in body.lines
    ]
    inspection.inspect_return(caller.uow(), rma_id, lines)
    return _after(caller, rma_id)


# -- recalls --------------------------------------------------------------------------------
@router.post("/recalls", status_code=201, response_model=RecallOut)
def recall_lot(body: RecallIn, caller: Operator) -> RecallOut:
    report = recalls_service.recall_lot(
        caller.uow(),
        body.sku,
        body.lot,
        body.reason,
        create_returns=body.create_returns,
        credit_per_unit=body.credit_per_unit,
    )
    return RecallOut.of(report)


@router.get(
    "/recalls/report",
    response_model=RecallOut,
    responses={200: {"content": {"text/csv": {}}}},
)
def recall_report(
    caller: Reader,
    sku: Annotated[str, Query(min_length=1, max_length=64)],
    lot: Annotated[str, Query(min_length=1, max_length=64)],
    format: Literal["json", "csv"] = "json",
) -> RecallOut | Response:
    """Who received the lot and where the rest still is (recalled or not yet)."""
    report = recalls_service.recall_report(caller.reader(), sku, lot)
    if format == "csv":
        return Response(to_csv(report), media_type="text/csv")
    return RecallOut.of(report)
