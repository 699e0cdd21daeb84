"""How B follows its costs as T and W work: a tender is an expected carrier payable, an accepted
proof of delivery may make it due, a completed route is an own-fleet cost, and warehouse work is
counted for its internal cost. Each handler is idempotent (the outbox consumer key, and UNIQUE
keys on what it writes)."""

from __future__ import annotations

from otwb.billing import cost_service, settlement_service
from otwb.platform.bus import MessageBus
from otwb.platform.uow import UnitOfWork
from otwb.transport.events import ProofOfDeliveryAccepted, RouteCompleted, ShipmentTendered
from otwb.warehouse.events import OrderHandedOver, OrderPicked


def on_shipment_tendered(uow: UnitOfWork, e: ShipmentTendered) -> None:
    settlement_service.record_tendered(uow, e)


def on_delivery_accepted(uow: UnitOfWork, e: ProofOfDeliveryAccepted) -> None:
    if e.carrier_id is not None:
        settlement_service.delivery_accepted(uow, e.shipment_id)


def on_route_completed(uow: UnitOfWork, e: RouteCompleted) -> None:
    cost_service.record_route_cost(uow, e)


def on_order_picked(uow: UnitOfWork, e: OrderPicked) -> None:
    cost_service.record_picked(uow, e)


def on_order_handed_over(uow: UnitOfWork, e: OrderHandedOver) -> None:
    cost_service.record_handed_over(uow, e)


def register(bus: MessageBus) -> None:
    bus.subscribe(ShipmentTendered, "billing.carrier_payable", on_shipment_tendered)
    bus.subscribe(ProofOfDeliveryAccepted, "billing.pay_on_delivery", on_delivery_accepted)
    bus.subscribe(RouteCompleted, "billing.route_cost", on_route_completed)
    bus.subscribe(OrderPicked, "billing.pick_cost", on_order_picked)
    bus.subscribe(OrderHandedOver, "billing.parcel_cost", on_order_handed_over)
