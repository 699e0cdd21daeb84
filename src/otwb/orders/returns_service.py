"""O's return (RMA) use cases. The API, the CLI, recalls and event handlers all call these.

The loop: a delivered order's lines are returned (``request_return``), the return is
authorised (T then schedules a pickup at the customer's address), collected (in transit),
received and inspected at the order's warehouse (W restocks, quarantines or scraps each unit
and B records the credit), and closed once B holds the credit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from otwb.orders import repo as orders_repo
from otwb.orders import returns_repo as repo
from otwb.orders.events import (
    ReturnAuthorised,
    ReturnCancelled,
    ReturnedLine,
    ReturnRefused,
    ReturnRequested,
    ShipToPayload,
)
from otwb.orders.model import Order, OrderStatus
from otwb.orders.returns import (
    NotReturnable,
    ReturnPolicy,
    ReturnReason,
    Rma,
    RmaLine,
    RmaStatus,
    check_returnable,
    check_rma_transition,
    check_window,
)
from otwb.platform import auth
from otwb.platform.errors import Conflict, InvalidInput
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.transport import pickups
from otwb.warehouse import returns as warehouse_returns
from otwb.warehouse import service as warehouse
from otwb.warehouse.returns_repo import ShippedUnits

MAX_TEXT = 500
PARCEL_KG = 25.0
"""A returned parcel weighs at most this: how many parcels T is told to collect."""


@dataclass(frozen=True)
class ReturnLineRequest:
    line_no: int
    quantity: int
    reason: ReturnReason
    unit_price: Decimal = Decimal(0)


# -- policies -------------------------------------------------------------------------------
def set_return_policy(
    uow: UnitOfWork, customer_id: CustomerId, window_days: int, restocking_fee_pct: Decimal
) -> ReturnPolicy:
    policy = ReturnPolicy(window_days, restocking_fee_pct)
    with uow:
        if orders_repo.find_customer(uow, customer_id) is None:
            raise InvalidInput(f"unknown customer {customer_id}", field="customer_id")
        repo.set_policy(uow, customer_id, policy)
        uow.commit()
    return policy


def get_return_policy(uow: UnitOfWork, customer_id: CustomerId) -> ReturnPolicy:
    with uow:
        if orders_repo.find_customer(uow, customer_id) is None:
            raise InvalidInput(f"unknown customer {customer_id}", field="customer_id")
        return repo.get_policy(uow, customer_id)


# -- requesting -----------------------------------------------------------------------------
def request_return(
    uow: UnitOfWork, order_id: OrderId, lines: Sequence[ReturnLineRequest], note: str = ""
) -> Rma:
    """Return lines of a delivered order, within the customer's window and what the lines may
    still return; the return waits to be authorised."""
    with uow:
        rma = open_return(uow, order_id, lines, note)
        uow.commit()
    return rma


def open_return(
    uow: UnitOfWork,
    order_id: OrderId,
    lines: Sequence[ReturnLineRequest],
    note: str = "",
    *,
    recall_id: str | None = None,
) -> Rma:
    """``request_return`` inside the caller's open unit of work. A recall's return is
    authorised at once and knows no return window."""
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise InvalidInput(f"a note has at most {MAX_TEXT} characters", field="note")
    if not lines:
        raise InvalidInput("a return needs at least one line", field="lines")
    numbers = [x.line_no for x in lines]
    if len(set(numbers)) != len(numbers):
        raise InvalidInput("each order line appears once in a return", field="lines")
    order = orders_repo.get_order(uow, order_id)
    if order.status is not OrderStatus.DELIVERED:
        raise NotReturnable(
            f"order {order_id} is {order.status.value}; only a delivered order is returned"
        )
    delivery = pickups.deliveries(uow, [order_id]).get(order_id)
    delivered_at = delivery.delivered_at if delivery else None
    if delivered_at is None:
        raise NotReturnable(f"order {order_id} has no delivery on record")
    now = uow.clock.now()
    if recall_id is None:
        check_window(delivered_at, now, repo.get_policy(uow, order.customer_id))
    shipped = warehouse_returns.shipped_units(uow, order_id)
    rma = _new_rma(uow, order, lines, shipped, note, recall_id is not None)
    _hold_quantities(uow, order, rma, shipped)
    repo.insert_rma(uow, rma, recall_id)
    units = sum(x.quantity for x in rma.lines)
    orders_repo.add_timeline(uow, order_id, now, "return_requested", f"{rma.id}: {units} unit(s)")
    uow.record(
        ReturnRequested(
            rma_id=rma.id,
            order_id=order_id,
            customer_id=order.customer_id,
            lines=_returned_lines(rma),
        )
    )
    if rma.status is RmaStatus.AUTHORISED:
        timeline_note(
            uow, rma, "return_authorised", f"recall {recall_id}: a pickup will be scheduled"
        )
        uow.record(_authorised_event(uow, order, rma))
    return rma


def _new_rma(
    uow: UnitOfWork,
    order: Order,
    lines: Sequence[ReturnLineRequest],
    shipped: Sequence[ShippedUnits],
    note: str,
    authorised: bool,
) -> Rma:
    by_no = {line.line_no: line for line in order.lines}
    missing = [x.line_no for x in lines if x.line_no not in by_no]
    if missing:
        raise InvalidInput(f"order {order.id} has no line {missing[0]}", field="line_no")
    warehouse_id = shipped[0].warehouse_id if shipped else None
    if warehouse_id is None:
        raise NotReturnable(f"order {order.id}: the warehouse shipped nothing of it")
    return Rma(
        id=uow.ids.new("rma"),
        order_id=order.id,
        customer_id=order.customer_id,
        warehouse_id=WarehouseId(warehouse_id),
        status=RmaStatus.AUTHORISED if authorised else RmaStatus.REQUESTED,
        currency=auth.get_tenant(uow, uow.tenant_id).currency,
        lines=tuple(
            RmaLine(
                uow.ids.new("rml"),
                by_no[x.line_no].id,
                x.line_no,
                by_no[x.line_no].sku,
                x.quantity,
                ReturnReason(x.reason),
                x.unit_price,
            )
            for x in sorted(lines, key=lambda x: x.line_no)
        ),
        requested_at=uow.clock.now(),
        note=note,
    )


def _hold_quantities(
    uow: UnitOfWork, order: Order, rma: Rma, shipped: Sequence[ShippedUnits]
) -> None:
    """Count the return's units against the lines (the database refuses more than delivered)."""
    delivered: dict[OrderLineId, int] = defaultdict(int)
    for s in shipped:
        delivered[s.order_line_id] += s.quantity
    repo.ensure_returnable(uow, order.id, delivered)
    wanted = {x.order_line_id: x.quantity for x in rma.lines}
    numbers = {x.order_line_id: x.line_no for x in rma.lines}
    check_returnable(wanted, delivered, repo.returned_by_line(uow, list(wanted)), numbers)
    for line_id, quantity in sorted(wanted.items()):
        if not repo.take_returnable(uow, line_id, quantity):  # another return took them first
            raise NotReturnable(
                f"line {numbers[line_id]}: another return holds these units; try again",
                line_no=numbers[line_id],
            )


def _returned_lines(rma: Rma) -> tuple[ReturnedLine, ...]:
    return tuple(
        ReturnedLine(
            order_line_id=x.order_line_id,
            line_no=x.line_no,
            sku=x.sku,
            quantity=x.quantity,
            reason=x.reason.value,
        )
        for x in rma.lines
    )


def _authorised_event(uow: UnitOfWork, order: Order, rma: Rma) -> ReturnAuthorised:
    """What T needs to collect the goods: where, how heavy and bulky, how cold."""
    weight = volume = 0.0
    colds: set[str] = set()
    for line in rma.lines:
        sku = warehouse.sku_by_code(uow, line.sku)
        weight += sku.weight_kg * line.quantity
        volume += sku.volume_m3 * line.quantity
        colds.add(sku.temperature_class.value)
    to = order.ship_to
    return ReturnAuthorised(
        rma_id=rma.id,
        order_id=order.id,
        customer_id=order.customer_id,
        warehouse_id=rma.warehouse_id,
        pickup_from=ShipToPayload(
            name=to.name,
            street=to.street,
            city=to.city,
            postcode=to.postcode,
            country=to.country,
            lat=to.point.lat,
            lon=to.point.lon,
        ),
        weight_kg=weight,
        volume_m3=volume,
        parcel_count=max(1, math.ceil(weight / PARCEL_KG)),
        temperature_class=_coldest(colds),
        lines=_returned_lines(rma),
    )


def _coldest(classes: set[str]) -> str:
    """The coldest class among the goods: the vehicle must keep them all."""
    for name in ("frozen", "chilled"):
        if name in classes:
            return name
    return "ambient"


# -- its life -------------------------------------------------------------------------------
def move(uow: UnitOfWork, rma: Rma, to: RmaStatus, **values: Any) -> None:
    check_rma_transition(rma.id, rma.status, to)
    if not repo.move_rma(uow, rma.id, rma.status, to, **values):
        raise Conflict(f"return {rma.id} changed while this request ran; try again")


def timeline_note(uow: UnitOfWork, rma: Rma, kind: str, detail: str) -> None:
    orders_repo.add_timeline(uow, rma.order_id, uow.clock.now(), kind, f"{rma.id}: {detail}")


def authorise_return(uow: UnitOfWork, rma_id: str) -> Rma:
    """The return may come back: T schedules its pickup at the customer's address."""
    with uow:
        rma = repo.get_rma(uow, rma_id)
        move(uow, rma, RmaStatus.AUTHORISED)
        order = orders_repo.get_order(uow, rma.order_id)
        timeline_note(uow, rma, "return_authorised", "a pickup will be scheduled")
        uow.record(_authorised_event(uow, order, rma))
        rma = repo.get_rma(uow, rma_id)
        uow.commit()
    return rma


def refuse_return(uow: UnitOfWork, rma_id: str, reason: str) -> Rma:
    reason = reason.strip()
    if not reason or len(reason) > MAX_TEXT:
        raise InvalidInput(
            f"a refusal needs a reason of 1 to {MAX_TEXT} characters", field="reason"
        )
    with uow:
        rma = repo.get_rma(uow, rma_id)
        move(uow, rma, RmaStatus.REFUSED, refused_reason=reason)
        repo.give_back_returnable(uow, {x.order_line_id: x.quantity for x in rma.lines})
        timeline_note(uow, rma, "return_refused", reason)
        uow.record(ReturnRefused(rma_id=rma.id, order_id=rma.order_id, reason=reason))
        rma = repo.get_rma(uow, rma_id)
        uow.commit()
    return rma


def cancel_return(uow: UnitOfWork, rma_id: str) -> Rma:
    """Called off before its goods are collected; a scheduled pickup is cancelled too."""
    with uow:
        rma = repo.get_rma(uow, rma_id)
        move(uow, rma, RmaStatus.CANCELLED)
        repo.give_back_returnable(uow, {x.order_line_id: x.quantity for x in rma.lines})
        timeline_note(uow, rma, "return_cancelled", "cancelled")
        uow.record(
            ReturnCancelled(
                rma_id=rma.id, order_id=rma.order_id, pickup_shipment_id=rma.pickup_shipment_id
            )
        )
        rma = repo.get_rma(uow, rma_id)
        uow.commit()
    return rma


def receive_return(uow: UnitOfWork, rma_id: str) -> Rma:
    """The goods are at the warehouse's dock (collected by T, or brought by the customer)."""
    with uow:
        rma = repo.get_rma(uow, rma_id)
        move(uow, rma, RmaStatus.RECEIVED)
        timeline_note(uow, rma, "return_received", f"at {rma.warehouse_id}")
        rma = repo.get_rma(uow, rma_id)
        uow.commit()
    return rma


# -- reading --------------------------------------------------------------------------------
def get_return(uow: UnitOfWork, rma_id: str) -> Rma:
    with uow:
        return repo.get_rma(uow, rma_id)


def list_returns(
    uow: UnitOfWork,
    status: RmaStatus | None = None,
    order_id: OrderId | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Rma]:
    with uow:
        return repo.list_rmas(uow, status, order_id, limit, offset)
