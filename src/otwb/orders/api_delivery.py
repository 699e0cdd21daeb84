"""O's HTTP routes for delivery options (slots, pickup points, checkout, each order's options)
and the customer's tracking page. Thin: schemas in, service call, schemas out.

Its ``router`` also carries the promise routes of ``api_promise``."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from otwb.orders import api_promise, checkout, delivery_service
from otwb.orders.api_promise import OrderPromiseOut, clock_time
from otwb.orders.api_schemas import OrderIn, Strict, to_command
from otwb.orders.delivery_options import (
    DeliveryChoice,
    DeliveryMethod,
    DeliveryOptions,
    DeliverySlot,
    PickupKind,
    PickupPoint,
)
from otwb.orders.promise import PromiseLevel
from otwb.orders.tracking_page import TrackingPage, tracking_page
from otwb.platform.errors import InvalidInput
from otwb.platform.geo import GeoPoint
from otwb.platform.http import Operator, Reader
from otwb.platform.ids import OrderId, WarehouseId
from otwb.platform.money import Money

router = APIRouter(tags=["delivery options and tracking page"])


# -- slots and pickup points ------------------------------------------------------------------
class SlotPlanIn(Strict):
    warehouse_id: str
    first_day: date
    last_day: date
    spans: list[Annotated[str, Field(pattern=r"^\d\d:\d\d-\d\d:\d\d$")]] = Field(
        min_length=1, max_length=24, examples=[["08:00-10:00", "10:00-12:00"]]
    )
    capacity: int = Field(gt=0, le=10000)


class SlotOut(BaseModel):
    id: str
    warehouse_id: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    free: int

    @classmethod
    def of(cls, s: DeliverySlot) -> SlotOut:
        return cls(
            id=s.id, warehouse_id=s.warehouse_id, starts_at=s.window.start, ends_at=s.window.end,
            capacity=s.capacity, booked=s.booked, free=s.free,
        )  # fmt: skip


class PickupPointIn(Strict):
    """A store or front warehouse where customers collect orders: it needs its coordinates."""

    code: str = Field(min_length=1, max_length=32)
    kind: PickupKind
    name: str = Field(min_length=1, max_length=200)
    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postcode: str = Field(min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class PickupPointOut(PickupPointIn):
    active: bool

    @classmethod
    def of(cls, p: PickupPoint) -> PickupPointOut:
        return cls(
            code=p.code, name=p.name, kind=p.kind, street=p.street, city=p.city,
            postcode=p.postcode, country=p.country, lat=p.point.lat, lon=p.point.lon,
            active=p.active,
        )  # fmt: skip


class ActiveIn(Strict):
    active: bool


def _span(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    return clock_time(start), clock_time(end)


@router.post("/delivery-slots", status_code=201, response_model=list[SlotOut])
def open_slots(body: SlotPlanIn, caller: Operator) -> list[SlotOut]:
    try:
        spans = [_span(s) for s in body.spans]
    except ValueError:
        raise InvalidInput("slot spans look like 08:00-10:00", field="spans") from None
    plan = delivery_service.SlotPlan(
        WarehouseId(body.warehouse_id), body.first_day, body.last_day, spans, body.capacity
    )
    return [SlotOut.of(s) for s in delivery_service.open_slots(caller.uow(), plan)]


@router.get("/delivery-slots", response_model=list[SlotOut])
def list_slots(
    caller: Reader,
    since: AwareDatetime,
    until: AwareDatetime,
    warehouse_id: str | None = None,
    free_only: bool = False,
) -> list[SlotOut]:
    wh = WarehouseId(warehouse_id) if warehouse_id else None
    slots = delivery_service.list_slots(caller.reader(), since, until, wh, free_only)
    return [SlotOut.of(s) for s in slots]


@router.post("/pickup-points", status_code=201, response_model=PickupPointOut)
def add_pickup_point(body: PickupPointIn, caller: Operator) -> PickupPointOut:
    new = delivery_service.NewPickupPoint(
        body.code, body.name, body.kind, body.street, body.city, body.postcode,
        body.country, GeoPoint(body.lat, body.lon),
    )  # fmt: skip
    return PickupPointOut.of(delivery_service.add_pickup_point(caller.uow(), new))


@router.get("/pickup-points", response_model=list[PickupPointOut])
def list_pickup_points(caller: Reader, include_closed: bool = False) -> list[PickupPointOut]:
    points = delivery_service.list_pickup_points(caller.reader(), active_only=not include_closed)
    return [PickupPointOut.of(p) for p in points]


@router.patch("/pickup-points/{code}", response_model=PickupPointOut)
def set_pickup_point_active(code: str, body: ActiveIn, caller: Operator) -> PickupPointOut:
    return PickupPointOut.of(
        delivery_service.set_pickup_point_active(caller.uow(), code, body.active)
    )


# -- checkout and each order's options --------------------------------------------------------
class MoneyIn(Strict):
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=4)
    currency: str = Field(pattern="^[A-Z]{3}$")


class ChoiceIn(Strict):
    method: DeliveryMethod = DeliveryMethod.HOME
    slot_id: str | None = None
    pickup_point: str | None = Field(default=None, description="The pickup point's code")
    installation: bool = False
    cash_on_delivery: MoneyIn | None = None


class CheckoutIn(Strict):
    order: OrderIn
    promise_level: PromiseLevel = PromiseLevel.STANDARD
    delivery: ChoiceIn = Field(default_factory=ChoiceIn)
    warehouse_id: str | None = None


class OptionsOut(BaseModel):
    order_id: str
    method: DeliveryMethod
    slot_id: str | None
    window_start: datetime | None
    window_end: datetime | None
    pickup_point: str | None
    pickup_code: str | None
    installation: bool
    cash_on_delivery: MoneyIn | None
    tracking_token: str = Field(description="Print it on the confirmation: the tracking page key")

    @classmethod
    def of(cls, o: DeliveryOptions) -> OptionsOut:
        cod = o.cash_on_delivery
        return cls(
            order_id=o.order_id, method=o.method, slot_id=o.slot_id,
            window_start=o.slot.start if o.slot else None,
            window_end=o.slot.end if o.slot else None,
            pickup_point=o.pickup_point.code if o.pickup_point else None,
            pickup_code=o.pickup_code, installation=o.installation,
            cash_on_delivery=MoneyIn(amount=cod.amount, currency=cod.currency) if cod else None,
            tracking_token=o.tracking_token,
        )  # fmt: skip


class CheckoutOut(BaseModel):
    order_id: str
    status: str
    promise: OrderPromiseOut
    options: OptionsOut


def place_choice(body: CheckoutIn) -> DeliveryChoice:
    d = body.delivery
    cod = d.cash_on_delivery
    money = Money(cod.amount, cod.currency) if cod else None
    return DeliveryChoice(d.method, d.slot_id, d.pickup_point, d.installation, money)


@router.post("/checkout", status_code=201, response_model=CheckoutOut)
def place_with_options(body: CheckoutIn, caller: Operator) -> CheckoutOut:
    choice = place_choice(body)
    placed = checkout.place_with_options(
        caller.uow(),
        checkout.Checkout(
            to_command(body.order), body.promise_level, choice,
            WarehouseId(body.warehouse_id) if body.warehouse_id else None,
        ),
    )  # fmt: skip
    return CheckoutOut(
        order_id=placed.order.id,
        status=placed.order.status.value,
        promise=OrderPromiseOut.of(placed.promise),
        options=OptionsOut.of(placed.options),
    )


@router.get("/orders/{order_id}/delivery-options", response_model=OptionsOut)
def delivery_options(order_id: str, caller: Reader) -> OptionsOut:
    return OptionsOut.of(checkout.options_of(caller.reader(), OrderId(order_id)))


# -- the customer's tracking page -------------------------------------------------------------
class TrackingPageIn(Strict):
    number: str = Field(min_length=1, max_length=64, description="Order or tracking number")
    verifier: str = Field(
        min_length=1, max_length=64, description="Ship-to postcode or confirmation token"
    )


class StepOut(BaseModel):
    at: datetime
    label: str


class PickupOut(BaseModel):
    name: str
    address: str
    code: str | None


class TrackingPageOut(BaseModel):
    order_number: str
    tracking_number: str | None
    status: str
    steps: list[StepOut]
    service_level: str | None
    promised_day: date | None
    promised_by: datetime | None
    window_start: datetime | None
    window_end: datetime | None
    eta: datetime | None
    stops_before: int | None
    carrier: str | None
    delivered_at: datetime | None
    received_by: str | None
    pickup: PickupOut | None
    installation: bool

    @classmethod
    def of(cls, p: TrackingPage) -> TrackingPageOut:
        return cls(
            order_number=p.order_number, tracking_number=p.tracking_number, status=p.status,
            steps=[StepOut(at=s.at, label=s.label) for s in p.steps],
            service_level=p.service_level, promised_day=p.promised_day,
            promised_by=p.promised_by,
            window_start=p.window.start if p.window else None,
            window_end=p.window.end if p.window else None,
            eta=p.eta, stops_before=p.stops_before, carrier=p.carrier,
            delivered_at=p.delivered_at, received_by=p.received_by,
            pickup=PickupOut(name=p.pickup.name, address=p.pickup.address, code=p.pickup.code)
            if p.pickup else None,
            installation=p.installation,
        )  # fmt: skip


@router.post("/tracking-page", response_model=TrackingPageOut)
def customer_tracking_page(body: TrackingPageIn, caller: Reader) -> TrackingPageOut:
    """For the shop's public tracking page (called with the shop's read-only key): one order,
    for whoever has its number and its verifier; 404 alike for any mismatch."""
    return TrackingPageOut.of(tracking_page(caller.reader(), body.number, body.verifier))


router.include_router(api_promise.router)
