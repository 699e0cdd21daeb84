"""O's HTTP routes: customers and orders. Thin: schemas in, service call, schemas out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from otwb.orders import api_webhooks, capture_repo, changes, service
from otwb.orders.api_schemas import (
    AddressIn,
    CustomerIn,
    CustomerOut,
    LineIn,
    OrderIn,
    OrderOut,
    Strict,
    to_command,
)
from otwb.orders.model import OrderStatus
from otwb.platform.errors import DomainError
from otwb.platform.geo import GeoPoint
from otwb.platform.http import Operator, Reader
from otwb.platform.ids import CustomerId, OrderId

router = APIRouter(tags=["orders"])
router.include_router(api_webhooks.router)


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


@router.post("/orders", status_code=201, response_model=OrderOut)
def place_order(body: OrderIn, caller: Operator) -> OrderOut:
    """Capture an order. Send an ``Idempotency-Key`` header: a retry gets the first answer.
    A (channel, reference) already used is refused with 409 ``duplicate_order``."""
    order = service.place_order(caller.uow(), to_command(body))
    return OrderOut.of(service.get_order(caller.reader(), order.id))


class BatchIn(Strict):
    orders: list[OrderIn] = Field(min_length=1, max_length=1000)


class BatchItemOut(BaseModel):
    index: int
    status: int
    order_id: str | None = None
    order_status: OrderStatus | None = None
    code: str | None = None
    detail: str | None = None
    extra: dict[str, Any] | None = None


class BatchOut(BaseModel):
    placed: int
    refused: int
    results: list[BatchItemOut]


@router.post("/orders:batch", response_model=BatchOut)
def place_orders(body: BatchIn, caller: Operator) -> BatchOut:
    """Capture up to 1,000 orders in one transaction; each item gets its own result (201, or
    the problem's status and code); good orders are kept when others are refused."""
    outcomes = service.place_orders(caller.uow(), [to_command(o) for o in body.orders])
    results = [
        BatchItemOut(index=i, status=201, order_id=o.id, order_status=o.status)
        if not isinstance(o, DomainError)
        else BatchItemOut(
            index=i, status=o.status, code=o.code, detail=o.detail, extra=o.extra or None
        )
        for i, o in enumerate(outcomes)
    ]
    placed = sum(1 for r in results if r.status == 201)
    return BatchOut(placed=placed, refused=len(results) - placed, results=results)


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


class HoldIn(Strict):
    reason: str = Field(min_length=1, max_length=100)


class AmendIn(Strict):
    lines: list[LineIn] | None = Field(default=None, min_length=1, max_length=500)
    ship_to: AddressIn | None = None


def amendment_of(body: AmendIn) -> changes.Amendment:
    lines = body.lines
    return changes.Amendment(
        lines=None if lines is None else [service.NewLine(x.sku, x.quantity) for x in lines],
        ship_to=None if body.ship_to is None else body.ship_to.to_address(),
    )


@router.post("/orders/{order_id}/hold", response_model=OrderOut)
def hold_order(order_id: str, body: HoldIn, caller: Operator) -> OrderOut:
    """Keep the order back from the warehouse (before picking); its allocation is released."""
    changes.hold_order(caller.uow(), OrderId(order_id), body.reason)
    return OrderOut.of(service.get_order(caller.reader(), OrderId(order_id)))


@router.post("/orders/{order_id}/release", response_model=OrderOut)
def release_order(order_id: str, caller: Operator) -> OrderOut:
    """Send a held order to the warehouse (409 ``credit_hold`` while its customer is on hold)."""
    changes.release_order(caller.uow(), OrderId(order_id))
    return OrderOut.of(service.get_order(caller.reader(), OrderId(order_id)))


@router.post("/orders/{order_id}/amend", response_model=OrderOut)
def amend_order(order_id: str, body: AmendIn, caller: Operator) -> OrderOut:
    """New lines and/or address until picked (409 ``too_late_to_amend`` after); the warehouse
    allocates the order again."""
    changes.amend_order(caller.uow(), OrderId(order_id), amendment_of(body))
    return OrderOut.of(service.get_order(caller.reader(), OrderId(order_id)))


class CreditHoldIn(Strict):
    on: bool


class CreditHoldOut(BaseModel):
    customer: CustomerOut
    released_orders: list[str]


@router.put("/customers/{customer_id}/credit-hold", response_model=CreditHoldOut)
def set_credit_hold(customer_id: str, body: CreditHoldIn, caller: Operator) -> CreditHoldOut:
    """Credit hold on: new orders of the customer are placed on hold. Off: the orders held for
    credit are released to the warehouse, oldest first."""
    released = changes.set_credit_hold(caller.uow(), CustomerId(customer_id), body.on)
    customer = service.get_customer(caller.reader(), CustomerId(customer_id))
    return CreditHoldOut(customer=CustomerOut.of(customer), released_orders=list(released))


class PostcodeIn(Strict):
    country: str = Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")
    postcode: str = Field(min_length=1, max_length=20)
    city: str = Field(min_length=1, max_length=100)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class PostcodesIn(Strict):
    postcodes: list[PostcodeIn] = Field(min_length=1, max_length=10_000)


class PostcodesOut(BaseModel):
    loaded: int
    total: int


@router.post("/postcodes", response_model=PostcodesOut)
def load_postcodes(body: PostcodesIn, caller: Operator) -> PostcodesOut:
    """Load (or replace) entries of the postcode table used to geocode ship-to addresses."""
    items = [
        capture_repo.Postcode(p.country, p.postcode, p.city, GeoPoint(p.lat, p.lon))
        for p in body.postcodes
    ]
    total = service.load_postcodes(caller.uow(), items)
    return PostcodesOut(loaded=len(items), total=total)
