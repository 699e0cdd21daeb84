"""Recall a lot: mark it recalled in W, find every order and customer that received it (W's
picks of the lot, T's deliveries), report where the rest still is, and -- if asked -- open an
authorised return for every delivered order (T then schedules the pickups)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from otwb.orders import repo as orders_repo
from otwb.orders import returns_repo as repo
from otwb.orders.events import RecallIssued
from otwb.orders.model import OrderStatus
from otwb.orders.recalls import LotUnits, RecallReport, StillInStock, recalled_orders
from otwb.orders.returns import ReturnReason
from otwb.orders.returns_service import MAX_TEXT, ReturnLineRequest, open_return
from otwb.platform.errors import Conflict, InvalidInput
from otwb.platform.ids import CustomerId, OrderId, OrderLineId
from otwb.platform.uow import UnitOfWork
from otwb.transport import pickups
from otwb.warehouse import returns as warehouse_returns


def recall_report(uow: UnitOfWork, sku: str, lot: str) -> RecallReport:
    """Who received the lot (orders, customers, units, delivery dates) and where it still is."""
    with uow:
        warehouse_returns.find_lot_id(uow, sku, lot)  # NotFound for an unknown lot
        return _report(uow, sku, lot)


def _report(uow: UnitOfWork, sku: str, lot: str) -> RecallReport:
    shipped = warehouse_returns.units_of_lot(uow, sku, lot)
    units = [
        LotUnits(s.order_id, s.order_line_id, s.customer_id, s.warehouse_id, s.quantity)
        for s in shipped
    ]
    order_ids = sorted({u.order_id for u in units})
    customers: dict[CustomerId, str] = {}
    for customer_id in sorted({u.customer_id for u in units}):
        found = orders_repo.find_customer(uow, customer_id)
        customers[customer_id] = f"{found.code} {found.name}" if found else customer_id
    deliveries = {
        order_id: (d.status.value, d.delivered_at)
        for order_id, d in pickups.deliveries(uow, order_ids).items()
    }
    stock = warehouse_returns.lot_in_stock(uow, sku, lot)
    recall = repo.find_recall(uow, sku, lot)
    return RecallReport(
        sku=sku,
        lot=lot,
        orders=recalled_orders(units, customers, deliveries),
        in_stock=tuple(
            StillInStock(s.warehouse_id, s.location, s.on_hand, s.allocated) for s in stock
        ),
        recall_id=recall[0] if recall else None,
        returns=tuple(recall[1]) if recall else (),
    )


def recall_lot(
    uow: UnitOfWork,
    sku: str,
    lot: str,
    reason: str,
    *,
    create_returns: bool = False,
    credit_per_unit: Decimal = Decimal(0),
) -> RecallReport:
    """Issue the recall of a lot (once); W marks the lot recalled when it hears of it."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_TEXT:
        raise InvalidInput(f"a recall needs a reason of 1 to {MAX_TEXT} characters", field="reason")
    if credit_per_unit < 0:
        raise InvalidInput("credit_per_unit cannot be negative", field="credit_per_unit")
    with uow:
        warehouse_returns.find_lot_id(uow, sku, lot)
        if repo.find_recall(uow, sku, lot) is not None:
            raise Conflict(f"lot {lot} of {sku} is already recalled")
        report = _report(uow, sku, lot)
        recall_id = uow.ids.new("rcl")
        created: list[str] = []
        if create_returns:
            for order in report.orders:
                lines = _still_returnable(uow, order.order_id, dict(order.lines), credit_per_unit)
                if lines:
                    note = f"recall of {sku} lot {lot}"
                    rma = open_return(uow, order.order_id, lines, note, recall_id=recall_id)
                    created.append(rma.id)
        counts = (len(report.orders), report.units_delivered, len(created))
        repo.insert_recall(uow, recall_id, sku, lot, reason, counts, uow.clock.now())
        uow.record(
            RecallIssued(
                recall_id=recall_id,
                sku=sku,
                lot=lot,
                reason=reason,
                orders=tuple(o.order_id for o in report.orders),
                returns_created=tuple(created),
            )
        )
        uow.commit()
    return recall_report(uow, sku, lot)


def _still_returnable(
    uow: UnitOfWork, order_id: OrderId, of_lot: dict[OrderLineId, int], price: Decimal
) -> list[ReturnLineRequest]:
    """The recalled units of a delivered order's lines that no return holds yet."""
    if orders_repo.get_status(uow, order_id) is not OrderStatus.DELIVERED:
        return []
    order = orders_repo.get_order(uow, order_id)
    delivered: dict[OrderLineId, int] = defaultdict(int)
    for s in warehouse_returns.shipped_units(uow, order_id):
        delivered[s.order_line_id] += s.quantity
    returned = repo.returned_by_line(uow, list(of_lot))
    out = []
    for line in order.lines:
        left = min(of_lot.get(line.id, 0), delivered[line.id] - returned.get(line.id, 0))
        if left > 0:
            out.append(ReturnLineRequest(line.line_no, left, ReturnReason.RECALL, price))
    return out
