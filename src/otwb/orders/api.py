"""O's HTTP routes: customers and orders. Thin: schemas in, service call, schemas out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from otwb.orders import service
from otwb.orders.model import (
    Address,
    Customer,
    Order,
    OrderStatus,
    ServiceLevel,
)
from otwb.platform.geo import GeoPoint
from otwb.platform.http import Operator, Reader
from otwb.platform.ids import CustomerId, OrderId
from otwb.platform.values import DeliveryWindow

router = APIRouter(tags=["orders"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerIn(Strict):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)


class CustomerOut(BaseModel):
    id: str
    code: str
    name: str

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(id=c.id, code=c.code, name=c.name)


class AddressIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postcode: str = Field(min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class LineIn(Strict):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=1_000_000)


class WindowIn(Strict):
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def ends_after_start(self) -> WindowIn:
        if self.end <= self.start:
            raise ValueError("the delivery window must end after it starts")
        return self


class OrderIn(Strict):
    customer_id: str = Field(min_length=1)
    reference: str | None = Field(default=None, max_length=100)
    ship_to: AddressIn
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    service_level: ServiceLevel = ServiceLevel.STANDARD
    delivery_window: WindowIn | None = None


class LineOut(BaseModel):
    id: str
    line_no: int
    sku: str
    quantity: int


class TimelineOut(BaseModel):
    at: datetime
    kind: str
    detail: str


class OrderOut(BaseModel):
    id: str
    customer_id: str
    reference: str | None
    status: OrderStatus
    service_level: ServiceLevel
    ship_to: AddressIn
    delivery_window: WindowIn | None
    lines: list[LineOut]
    placed_at: datetime
    timeline: list[TimelineOut]

    @classmethod
    def of(cls, o: Order) -> OrderOut:
        a = o.ship_to
        return cls(
            id=o.id,
            customer_id=o.customer_id,
            reference=o.reference,
            status=o.status,
            service_level=o.service_level,
            ship_to=AddressIn(
                name=a.name,
                street=a.street,
                city=a.city,
                postcode=a.postcode,
                country=a.country,
                lat=a.point.lat,
                lon=a.point.lon,
            ),
            delivery_window=WindowIn(start=o.window.start, end=o.window.end) if o.window else None,
            lines=[
                LineOut(id=x.id, line_no=x.line_no, sku=x.sku, quantity=x.quantity) for x in o.lines
            ],
            placed_at=o.placed_at,
            timeline=[TimelineOut(at=t.at, kind=t.kind, detail=t.detail) for t in o.timeline],
        )


class CancelIn(Strict):
    reason: str = Field(default="", max_length=500)


@router.post("/customers", status_code=201, response_model=CustomerOut)
def create_customer(body: CustomerIn, caller: Operator) -> CustomerOut:
    return CustomerOut.of(service.create_customer(caller.uow(), body.code, body.name))


@router.get("/customers", response_model=list[CustomerOut])
def list_customers(caller: Reader) -> list[CustomerOut]:
    return [CustomerOut.of(c) for c in service.list_customers(caller.reader())]


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(customer_id: str, caller: Reader) -> CustomerOut:
    return CustomerOut.of(service.get_customer(caller.reader(), CustomerId(customer_id)))


def to_command(body: OrderIn) -> service.PlaceOrder:
    """The service command for a validated order body (the API and the CLI both use it)."""
    a = body.ship_to
    return service.PlaceOrder(
        customer_id=CustomerId(body.customer_id),
        ship_to=Address(
            a.name, a.street, a.city, a.postcode, a.country.upper(), GeoPoint(a.lat, a.lon)
        ),
        lines=[service.NewLine(x.sku, x.quantity) for x in body.lines],
        service_level=body.service_level,
        window=(
            DeliveryWindow(body.delivery_window.start, body.delivery_window.end)
            if body.delivery_window
            else None
        ),
        reference=body.reference,
    )


@router.post("/orders", status_code=201, response_model=OrderOut)
def place_order(body: OrderIn, caller: Operator) -> OrderOut:
    order = service.place_order(caller.uow(), to_command(body))
    return OrderOut.of(service.get_order(caller.reader(), order.id))


@router.get("/orders", response_model=list[OrderOut])
def list_orders(
    caller: Reader,
    status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[OrderOut]:
    return [OrderOut.of(o) for o in service.list_orders(caller.reader(), status, limit, offset)]


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: str, caller: Reader) -> OrderOut:
    return OrderOut.of(service.get_order(caller.reader(), OrderId(order_id)))


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
def cancel_order(order_id: str, caller: Operator, body: CancelIn | None = None) -> OrderOut:
    service.cancel_order(caller.uow(), OrderId(order_id), body.reason if body else "")
    return OrderOut.of(service.get_order(caller.reader(), OrderId(order_id)))
