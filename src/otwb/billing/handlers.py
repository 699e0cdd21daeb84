"""How B accrues charges as W and T work: every W and T activity event becomes charge lines.

* ``OrderPicked`` -> handling per order line picked; ``OrderPacked`` -> handling per parcel;
* ``GoodsReceived`` (an ASN's receipt) and ``StockReceived`` (a receipt without notice) ->
  handling per inbound line, charged to the SKU's consignment owner (the tenant's own goods
  are not charged);
* ``ShipmentDelivered`` -> transport (per kg, kg·km, drop, pallet, zone x weight) and its
  surcharges; and the value-added services of the order's delivery options (installation,
  cash on delivery: O's ``delivery_services``), charged once per order when it is delivered.

Each charge is dated when the activity happened (``picked_at``, ``delivered_at``; the receipt
and packing events carry no time, so when B hears of them), and a redelivered event charges
nothing more (the bus remembers what each consumer processed, and charges are UNIQUE).
"""

from __future__ import annotations

from decimal import Decimal

from otwb.billing import returns, service, settlement_handlers
from otwb.billing.charges import SourceType
from otwb.billing.numbers import measured
from otwb.billing.tariff import COD_SERVICE, INSTALLATION_SERVICE
from otwb.orders import checkout
from otwb.orders import service as orders
from otwb.platform.bus import MessageBus
from otwb.platform.ids import CustomerId
from otwb.platform.uow import UnitOfWork
from otwb.transport.events import ShipmentDelivered
from otwb.warehouse import service as warehouse
from otwb.warehouse.events import GoodsReceived, OrderPacked, OrderPicked, StockReceived


def on_order_picked(uow: UnitOfWork, e: OrderPicked) -> None:
    service.charge_handling(uow, e.order_id, e.customer_id, e.lines, e.picked_at)


def on_order_packed(uow: UnitOfWork, e: OrderPacked) -> None:
    if e.parcels:
        customer = orders.get_order(uow, e.order_id).customer_id
        service.charge_parcels(uow, e.order_id, customer, len(e.parcels), uow.clock.now())


def _owner(uow: UnitOfWork, sku: str) -> CustomerId | None:
    return warehouse.get_sku(uow, sku).owner_id


def on_goods_received(uow: UnitOfWork, e: GoodsReceived) -> None:
    now = uow.clock.now()
    for line in e.lines:
        owner = _owner(uow, line.sku)
        if owner is not None and line.received > 0:
            service.charge_receipt(uow, owner, f"{e.asn_id}:{line.line_no}", 1, now)


def on_stock_received(uow: UnitOfWork, e: StockReceived) -> None:
    owner = _owner(uow, e.sku)
    if owner is not None and e.quantity > 0:
        service.charge_receipt(uow, owner, uow.ids.new("rcv"), 1, uow.clock.now())


def on_shipment_delivered(uow: UnitOfWork, e: ShipmentDelivered) -> None:
    service.charge_transport(
        uow,
        e.shipment_id,
        e.customer_id,
        measured(e.weight_kg, "weight_kg"),
        measured(e.distance_km, "distance_km"),
        e.delivered_at,
    )


def on_delivered_services(uow: UnitOfWork, e: ShipmentDelivered) -> None:
    chosen = checkout.delivery_services(uow, e.order_id)
    services: list[tuple[str, int, Decimal | None]] = []
    if chosen.installation:
        services.append((INSTALLATION_SERVICE, 1, None))
    if chosen.cash_on_delivery is not None:
        services.append((COD_SERVICE, 1, chosen.cash_on_delivery.amount))
    if services:
        service.charge_services(
            uow, e.customer_id, SourceType.ORDER, e.order_id, services, e.delivered_at
        )


def register(bus: MessageBus) -> None:
    returns.register(bus)
    bus.subscribe(OrderPicked, "billing.handling", on_order_picked)
    bus.subscribe(OrderPacked, "billing.parcels", on_order_packed)
    bus.subscribe(GoodsReceived, "billing.inbound", on_goods_received)
    bus.subscribe(StockReceived, "billing.inbound_direct", on_stock_received)
    bus.subscribe(ShipmentDelivered, "billing.transport", on_shipment_delivered)
    bus.subscribe(ShipmentDelivered, "billing.delivery_services", on_delivered_services)
    settlement_handlers.register(bus)
