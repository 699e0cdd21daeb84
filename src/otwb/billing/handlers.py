"""How B accrues charges as W and T work: a picked order is handled, a delivery transported.
Each charge is dated when the activity happened (``picked_at``, ``delivered_at``), not when B
hears of it, so a redelivery after an outage lands in the right billing period."""

from __future__ import annotations

from otwb.billing import service, settlement_handlers
from otwb.billing.model import measured
from otwb.platform.bus import MessageBus
from otwb.platform.uow import UnitOfWork
from otwb.transport.events import ShipmentDelivered
from otwb.warehouse.events import OrderPicked


def on_order_picked(uow: UnitOfWork, e: OrderPicked) -> None:
    service.charge_handling(uow, e.order_id, e.customer_id, e.lines, e.picked_at)


def on_shipment_delivered(uow: UnitOfWork, e: ShipmentDelivered) -> None:
    service.charge_transport(
        uow,
        e.shipment_id,
        e.customer_id,
        measured(e.weight_kg, "weight_kg"),
        measured(e.distance_km, "distance_km"),
        e.delivered_at,
    )


def register(bus: MessageBus) -> None:
    bus.subscribe(OrderPicked, "billing.handling", on_order_picked)
    bus.subscribe(ShipmentDelivered, "billing.transport", on_shipment_delivered)
    settlement_handlers.register(bus)
