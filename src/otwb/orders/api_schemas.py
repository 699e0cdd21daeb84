"""O's request and response schemas (the API and the CLI's JSON files share them)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from otwb.orders import service
from otwb.orders.model import (
    Address,
    Customer,
    Order,
    OrderStatus,
    PostalAddress,
    ServiceLevel,
)
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId
from otwb.platform.values import DeliveryWindow


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerIn(Strict):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)


class CustomerOut(BaseModel):
    id: str
    code: str
    name: str
    credit_hold: bool

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(id=c.id, code=c.code, name=c.name, credit_hold=c.credit_hold)


class AddressIn(Strict):
    """A ship-to address; without ``lat``/``lon`` it is geocoded from the postcode table."""

    name: str = Field(min_length=1, max_length=200)
    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postcode: str = Field(min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def both_or_neither(self) -> AddressIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither (geocoded from the postcode)")
        return self

    def to_address(self) -> Address | PostalAddress:
        postal = PostalAddress(
            self.name, self.street, self.city, self.postcode, self.country.upper()
        )
        if self.lat is None or self.lon is None:
            return postal
        return postal.at(GeoPoint(self.lat, self.lon))

    @classmethod
    def of(cls, a: Address) -> AddressIn:
        return cls(
            name=a.name,
            street=a.street,
            city=a.city,
            postcode=a.postcode,
            country=a.country,
            lat=a.point.lat,
            lon=a.point.lon,
        )


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
    reference: str | None = Field(
        default=None, max_length=100, description="The channel's order reference (unique)"
    )
    channel: str = Field(default="api", min_length=1, max_length=30, pattern="^[A-Za-z0-9_.-]+$")
    ship_to: AddressIn
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    service_level: ServiceLevel = ServiceLevel.STANDARD
    delivery_window: WindowIn | None = None


class LineOut(BaseModel):
    id: str
    line_no: int
    sku: str
    quantity: int


class BackorderOut(BaseModel):
    line_id: str
    sku: str
    quantity: int
    since: datetime


class TimelineOut(BaseModel):
    at: datetime
    kind: str
    detail: str


class OrderOut(BaseModel):
    id: str
    customer_id: str
    reference: str | None
    channel: str
    status: OrderStatus
    hold_reason: str | None
    service_level: ServiceLevel
    ship_to: AddressIn
    delivery_window: WindowIn | None
    lines: list[LineOut]
    backorders: list[BackorderOut]
    placed_at: datetime
    timeline: list[TimelineOut]

    @classmethod
    def of(cls, o: Order) -> OrderOut:
        return cls(
            id=o.id,
            customer_id=o.customer_id,
            reference=o.reference,
            channel=o.channel,
            status=o.status,
            hold_reason=o.hold_reason,
            service_level=o.service_level,
            ship_to=AddressIn.of(o.ship_to),
            delivery_window=WindowIn(start=o.window.start, end=o.window.end) if o.window else None,
            lines=[
                LineOut(id=x.id, line_no=x.line_no, sku=x.sku, quantity=x.quantity) for x in o.lines
            ],
            backorders=[
                BackorderOut(line_id=b.line_id, sku=b.sku, quantity=b.quantity, since=b.since)
                for b in o.backorders
            ],
            placed_at=o.placed_at,
            timeline=[TimelineOut(at=t.at, kind=t.kind, detail=t.detail) for t in o.timeline],
        )


def to_command(body: OrderIn) -> service.PlaceOrder:
    """The service command for a validated order body (the API and the CLI both use it)."""
    return service.PlaceOrder(
        customer_id=CustomerId(body.customer_id),
        ship_to=body.ship_to.to_address(),
        lines=[service.NewLine(x.sku, x.quantity) for x in body.lines],
        service_level=body.service_level,
        window=(
            DeliveryWindow(body.delivery_window.start, body.delivery_window.end)
            if body.delivery_window
            else None
        ),
        reference=body.reference,
        channel=body.channel,
    )
