"""O's delivery options reach B: an order placed with installation and cash on delivery is
charged those services when it is delivered -- once, however many of its shipments arrive --
on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from otwb.billing import service as billing
from otwb.billing.charges import Basis, ChargeStatus
from otwb.orders import checkout
from otwb.orders.delivery_options import DeliveryChoice
from otwb.orders.promise import PromiseLevel
from otwb.platform.money import Money
from otwb.transport import dispatch, shipments
from otwb.transport import service as transport
from otwb.warehouse import fulfilment
from tests.integration.test_billing_rating import R, rate_card
from tests.integration.test_orders_promise import THU, command, paris
from tests.integration.test_orders_tracking_page import shop, van

__all__ = ["shop"]  # the fixture, shared with the tracking page's tests


def test_installation_and_cash_on_delivery_are_charged_on_delivery(uow, shop, clock):
    site, customer = shop
    rate_card(
        uow,
        customer.id,
        [R("service", price="45", service="installation"), R("cod", price="2.50", percent="1.5")],
    )
    choice = DeliveryChoice(installation=True, cash_on_delivery=Money(Decimal("249.90"), "EUR"))
    placed = checkout.place_with_options(
        uow(), checkout.Checkout(command(customer.id), PromiseLevel.NEXT_DAY, choice)
    )
    order_id = placed.order.id
    assert billing.list_charges(uow(), customer_id=customer.id) == []  # nothing before delivery

    fulfilment.confirm_pick(uow(), order_id)
    fulfilment.pack_order(uow(), order_id)
    fulfilment.hand_over(uow(), order_id)
    van(uow, site)
    [route] = transport.plan_routes(uow(), site.warehouse.id, THU, time_limit_s=0.3).routes
    clock.set(paris(THU, 8))
    dispatch.dispatch_route(uow(), route.id)
    [shipment] = [s for s in shipments.list_shipments(uow()) if s.order_id == order_id]
    clock.set(paris(THU, 10, 40))
    dispatch.record_delivery(uow(), shipment.id, "M. Durand")

    services = {
        (c.basis, c.service): (c.amount, c.status)
        for c in billing.list_charges(uow(), customer_id=customer.id)
        if c.basis in (Basis.SERVICE, Basis.COD)
    }
    assert services == {
        (Basis.SERVICE, "installation"): (Decimal("45.00"), ChargeStatus.RATED),
        (Basis.SERVICE, "cod"): (Decimal("2.50"), ChargeStatus.RATED),
        (Basis.COD, "cod"): (Decimal("3.75"), ChargeStatus.RATED),  # 1.5 % of 249.90
    }
