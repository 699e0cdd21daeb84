"""O's use cases. The API, the CLI, the demo and event handlers all call these."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from otwb.orders import capture_repo, changes_repo, repo
from otwb.orders.capture import NewLine as NewLine  # capture's use cases, re-exported
from otwb.orders.capture import PlaceOrder as PlaceOrder
from otwb.orders.capture import place_order as place_order
from otwb.orders.capture import place_orders as place_orders
from otwb.orders.events import OrderCancelled
from otwb.orders.model import (
    Customer,
    Order,
    OrderStatus,
    check_transition,
    postcode_key,
)
from otwb.platform.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from otwb.platform.ids import CustomerId, OrderId
from otwb.platform.uow import UnitOfWork

log = logging.getLogger("otwb.orders")


# -- customers ------------------------------------------------------------------------------
def create_customer(uow: UnitOfWork, code: str, name: str) -> Customer:
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput("a customer needs a code and a name")
    customer = Customer(CustomerId(uow.ids.new("cus")), code, name)
    with uow:
        if repo.find_customer_by_code(uow, code) is not None:
            raise Conflict(f"customer code {code!r} is already used")
        repo.insert_customer(uow, customer)
        uow.commit()
    return customer


def get_customer(uow: UnitOfWork, customer_id: CustomerId) -> Customer:
    with uow:
        customer = repo.find_customer(uow, customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return customer


def list_customers(uow: UnitOfWork) -> list[Customer]:
    with uow:
        return repo.list_customers(uow)


# -- orders ---------------------------------------------------------------------------------
def get_order(uow: UnitOfWork, order_id: OrderId) -> Order:
    """The order with its timeline of events."""
    with uow:
        return repo.get_order(uow, order_id, with_timeline=True)


def list_orders(
    uow: UnitOfWork, status: OrderStatus | None = None, limit: int = 100, offset: int = 0
) -> list[Order]:
    with uow:
        return repo.list_orders(uow, status, limit, offset)


def orders_by_status(uow: UnitOfWork) -> dict[str, int]:
    with uow:
        return repo.count_by_status(uow)


def cancel_order(uow: UnitOfWork, order_id: OrderId, reason: str = "") -> Order:
    """Cancel before shipping; the warehouse releases the stock when it hears of it."""
    with uow:
        order = repo.get_order(uow, order_id, lock=True)
        cancelled = order.cancel()
        now = uow.clock.now()
        changes_repo.save_order(uow, order.status, cancelled, now)
        changes_repo.clear_backorders(uow, [order_id])
        repo.add_timeline(uow, order_id, now, "cancelled", reason or "cancelled")
        uow.record(OrderCancelled(order_id=order_id, reason=reason))
        uow.commit()
    return cancelled


@dataclass(frozen=True)
class Progress:
    """A report from W or T about an order: the status it implies (or none), and what to note."""

    order_id: OrderId
    to: OrderStatus | None
    kind: str
    detail: str


def record_progress(uow: UnitOfWork, reports: Sequence[Progress]) -> None:
    """Move orders along their life as W and T report progress, and note every report on the
    order's timeline -- one transaction for the lot.

    A report that does not fit the order's life (a pick confirmed after a cancellation) is kept
    on the timeline as ``ignored`` and logged, not retried forever.
    """
    with uow:
        statuses = repo.lock_statuses(uow, [r.order_id for r in reports])
        changes: list[tuple[OrderId, OrderStatus]] = []
        notes: list[tuple[OrderId, str, str]] = []
        for report in reports:
            current = statuses.get(report.order_id)
            if current is None:
                log.warning("%s for unknown order %s ignored", report.kind, report.order_id)
                continue
            if report.to is not None:
                try:
                    check_transition(report.order_id, current, report.to)
                except InvalidTransition as exc:
                    log.warning(
                        "order %s: %s not applied: %s", report.order_id, report.kind, exc.detail
                    )
                    notes.append((report.order_id, "ignored", f"{report.kind}: {exc.detail}"))
                    continue
                statuses[report.order_id] = report.to
                changes.append((report.order_id, report.to))
            notes.append((report.order_id, report.kind, report.detail))
        now = uow.clock.now()
        repo.set_statuses(uow, changes, now)
        repo.add_timeline_entries(uow, notes, now)
        uow.commit()


def note_on_timeline(uow: UnitOfWork, order_id: OrderId, kind: str, detail: str) -> None:
    with uow:
        repo.get_status(uow, order_id)  # tenant check: NotFound for another tenant's order
        repo.add_timeline(uow, order_id, uow.clock.now(), kind, detail)
        uow.commit()


def load_postcodes(uow: UnitOfWork, items: Sequence[capture_repo.Postcode]) -> int:
    """Load postcodes into the tenant's table (replacing equal keys); the table's size after."""
    keyed: dict[tuple[str, str], capture_repo.Postcode] = {}
    for p in items:
        country, code = postcode_key(p.country, p.postcode)
        if len(country) != 2 or not country.isalpha() or not code or not p.city.strip():
            raise InvalidInput(f"postcode entry {p.country} {p.postcode!r} is incomplete")
        keyed[(country, code)] = capture_repo.Postcode(country, code, p.city.strip(), p.point)
    with uow:
        capture_repo.replace_postcodes(uow, list(keyed.values()))
        total = capture_repo.count_postcodes(uow)
        uow.commit()
    return total
