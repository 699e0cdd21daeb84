"""What a customer sees of their order on the shop's tracking page.

The page is found by the order number or T's tracking number *and* a verifier: the ship-to
postcode, or the opaque token printed on the order confirmation (pickup orders: the token only,
as their ship-to is the store's public address). A wrong verifier, an unknown number and another
tenant's number all give the same ``NotFound``: the page never tells which was wrong.

It shows that order only, in customer words: a timeline of customer-safe steps (no internal ids,
warehouses, routes or vehicles), the promise, the ETA while on the road, the proof of delivery
(recipient and time), the slot or the pickup point -- and the pickup code when the token was
given.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime

from otwb.orders import delivery_repo, promise_repo
from otwb.orders import repo as orders_repo
from otwb.orders.delivery_options import DeliveryOptions
from otwb.orders.model import Order
from otwb.platform.errors import DomainError, NotFound
from otwb.platform.ids import OrderId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow
from otwb.transport.tracking import CustomerView, customer_view

# Timeline kinds a customer may see, in their words; every other kind stays internal.
CUSTOMER_STEPS = {
    "placed": "Order received",
    "allocated": "Being prepared",
    "picked": "Being prepared",
    "packed": "Packed",
    "handed_over": "Ready to leave",
    "shipped": "On its way",
    "delivered": "Delivered",
    "delivery_failed": "Delivery attempt failed",
    "cancelled": "Cancelled",
}
CUSTOMER_STATUS = {
    "allocated": "preparing",
    "picked": "preparing",
    "packed": "preparing",
    "shipped": "on_its_way",
    "delivered": "delivered",
    "delivery_failed": "delivery_failed",
    "cancelled": "cancelled",
}


def _not_found() -> NotFound:
    return NotFound("no order matches this number and verifier")


@dataclass(frozen=True)
class Step:
    at: datetime
    label: str


@dataclass(frozen=True)
class PickupInfo:
    name: str
    address: str
    code: str | None
    """Shown only to a customer who gave the confirmation token."""


@dataclass(frozen=True)
class TrackingPage:
    order_number: str
    tracking_number: str | None
    status: str
    steps: list[Step]
    service_level: str | None
    promised_day: date | None
    promised_by: datetime | None
    window: DeliveryWindow | None
    eta: datetime | None
    stops_before: int | None
    carrier: str | None
    delivered_at: datetime | None
    received_by: str | None
    pickup: PickupInfo | None
    installation: bool


def _norm(postcode: str) -> str:
    return "".join(c for c in postcode.upper() if c.isalnum())


def _verified(order: Order, options: DeliveryOptions | None, verifier: str) -> tuple[bool, bool]:
    """(verified, by the token)."""
    if options is not None and hmac.compare_digest(
        options.tracking_token.encode(), verifier.strip().lower().encode()
    ):
        return True, True
    pickup = options is not None and options.pickup_point is not None
    given = _norm(verifier)
    by_postcode = bool(given) and hmac.compare_digest(
        _norm(order.ship_to.postcode).encode(), given.encode()
    )
    return by_postcode and not pickup, False


def _steps(order: Order) -> list[Step]:
    steps: list[Step] = []
    for entry in order.timeline:
        label = CUSTOMER_STEPS.get(entry.kind)
        if label is not None and (not steps or steps[-1].label != label):
            steps.append(Step(entry.at, label))
    return steps


def tracking_page(uow: UnitOfWork, number: str, verifier: str) -> TrackingPage:
    number, verifier = number.strip(), verifier.strip()
    if not number or not verifier or len(number) > 64 or len(verifier) > 64:
        raise _not_found()
    with uow:
        if number.lower().startswith("ord_"):
            order_id: OrderId | None = OrderId("ord_" + number[4:].upper())
        else:
            order_id = delivery_repo.order_by_tracking_number(uow, number.upper())
        if order_id is None:
            raise _not_found()
        try:
            order = orders_repo.get_order(uow, order_id, with_timeline=True)
        except NotFound:
            raise _not_found() from None
        options = delivery_repo.options_of(uow, order_id)
        ok, by_token = _verified(order, options, verifier)
        if not ok:
            raise _not_found()
        promise = promise_repo.promises_of(uow, [order_id]).get(order_id)
        tracking = delivery_repo.tracking_number_of(uow, order_id)
        view: CustomerView | None = None
        if tracking is not None:
            try:
                view = customer_view(uow, tracking)
            except DomainError:
                view = None
    shipment = view.shipment if view else None
    point = options.pickup_point if options else None
    return TrackingPage(
        order_number=order.id,
        tracking_number=tracking,
        status=CUSTOMER_STATUS.get(order.status.value, "received"),
        steps=_steps(order),
        service_level=promise.level.value if promise else None,
        promised_day=promise.delivery_day if promise else None,
        promised_by=promise.promised_by if promise else None,
        window=order.window,
        eta=view.eta if view else None,
        stops_before=view.stops_before if view else None,
        carrier=view.carrier_name if view else None,
        delivered_at=shipment.delivered_at if shipment else None,
        received_by=shipment.recipient if shipment else None,
        pickup=None
        if point is None
        else PickupInfo(
            point.name,
            f"{point.street}, {point.postcode} {point.city}",
            options.pickup_code if by_token and options else None,
        ),
        installation=options.installation if options else False,
    )
