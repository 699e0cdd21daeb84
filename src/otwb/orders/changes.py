"""Changes to an order after capture: hold and release, amend, credit holds.

* ``hold_order``: keep an order back from the warehouse (before picking); W releases any
  allocation it holds (``OrderHeld``).
* ``release_order``: send a held order to the warehouse (``OrderReleased``); refused with
  ``credit_hold`` while its customer is on credit hold.
* ``amend_order``: new lines and/or a new address until the order is picked
  (``too_late_to_amend`` after); ``OrderAmended``, then -- unless held -- ``OrderReleased``, on
  which W forgets the old allocation and allocates the new lines.
* ``set_credit_hold``: put a customer on credit hold (new orders are placed on hold) or lift
  it (its orders held for credit are released, oldest first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from otwb.orders import capture_repo, changes_repo, repo, sourcing_repo
from otwb.orders.capture import CREDIT_HOLD, NewLine, new_lines
from otwb.orders.errors import AddressNotGeocoded, CreditHold
from otwb.orders.events import OrderAmended, OrderHeld
from otwb.orders.model import Address, Order, OrderStatus, PostalAddress, postcode_key
from otwb.orders.release import line_payloads, release_to_warehouse, ship_to_payload
from otwb.platform.errors import NotFound, UnknownSku
from otwb.platform.ids import CustomerId, OrderId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import service as warehouse


def hold_order(uow: UnitOfWork, order_id: OrderId, reason: str) -> Order:
    with uow:
        order = repo.get_order(uow, order_id, lock=True)
        held = order.hold(reason)
        now = uow.clock.now()
        changes_repo.save_order(uow, order.status, held, now)
        repo.add_timeline(uow, order_id, now, "held", held.hold_reason or "")
        uow.record(OrderHeld(order_id=order_id, reason=held.hold_reason or ""))
        uow.commit()
    return held


def release_order(uow: UnitOfWork, order_id: OrderId) -> Order:
    with uow:
        order = repo.get_order(uow, order_id, lock=True)
        if capture_repo.customers_on_credit_hold(uow, [order.customer_id]):
            raise CreditHold(
                f"customer {order.customer_id} is on credit hold; lift it to release its orders",
                customer_id=order.customer_id,
            )
        released = order.release()
        now = uow.clock.now()
        changes_repo.save_order(uow, order.status, released, now)
        repo.add_timeline(uow, order_id, now, "released", f"hold ({order.hold_reason}) released")
        release_to_warehouse(uow, [released], "hold_released")
        uow.commit()
    return released


@dataclass(frozen=True)
class Amendment:
    lines: Sequence[NewLine] | None = None
    ship_to: Address | PostalAddress | None = None


def amend_order(uow: UnitOfWork, order_id: OrderId, amendment: Amendment) -> Order:
    with uow:
        order = repo.get_order(uow, order_id, lock=True)
        lines = None if amendment.lines is None else new_lines(uow, amendment.lines)
        if lines is not None:
            unknown = warehouse.unknown_skus(uow, sorted({x.sku for x in lines}))
            if unknown:
                raise UnknownSku(f"unknown SKU(s): {', '.join(unknown)}", skus=unknown)
        ship_to = None if amendment.ship_to is None else _locate(uow, amendment.ship_to)
        amended = order.amended(lines, ship_to)
        now = uow.clock.now()
        changes_repo.save_order(uow, order.status, amended, now)
        changed = tuple(n for n, v in (("lines", lines), ("ship_to", ship_to)) if v is not None)
        if lines is not None:  # the plan of the old lines goes with them (sourced again)
            sourcing_repo.forget_plans(uow, [order_id])
            changes_repo.replace_lines(uow, amended)
        else:
            changes_repo.clear_backorders(uow, [order_id])
        repo.add_timeline(uow, order_id, now, "amended", " and ".join(changed) + " changed")
        uow.record(
            OrderAmended(
                order_id=order_id,
                lines=line_payloads(amended.lines),
                ship_to=ship_to_payload(amended.ship_to),
                changed=changed,
            )
        )
        if amended.status is not OrderStatus.ON_HOLD:
            release_to_warehouse(uow, [amended], "amended")
        uow.commit()
    return amended


def _locate(uow: UnitOfWork, ship_to: Address | PostalAddress) -> Address:
    if isinstance(ship_to, Address):
        return ship_to
    key = postcode_key(ship_to.country, ship_to.postcode)
    point = capture_repo.geocode(uow, [key]).get(key)
    if point is None:
        raise AddressNotGeocoded(
            f"no coordinates given and postcode {ship_to.postcode} is not in the postcode table",
            field="ship_to.postcode",
        )
    return ship_to.at(point)


def set_credit_hold(uow: UnitOfWork, customer_id: CustomerId, on: bool) -> list[OrderId]:
    """Put the customer on credit hold or lift it; lifting releases the orders held for
    credit (oldest first). The ids of the orders released."""
    with uow:
        if not capture_repo.set_credit_hold(uow, customer_id, on):
            raise NotFound(f"no customer {customer_id}")
        released: list[Order] = []
        now = uow.clock.now()
        if not on:
            for order_id in changes_repo.held_for(uow, customer_id, CREDIT_HOLD):
                order = repo.get_order(uow, order_id, lock=True)
                now_released = order.release()
                changes_repo.save_order(uow, order.status, now_released, now)
                released.append(now_released)
            repo.add_timeline_entries(
                uow, [(o.id, "released", "credit hold lifted") for o in released], now
            )
            release_to_warehouse(uow, released, "credit_hold_lifted")
        uow.commit()
    return [o.id for o in released]
