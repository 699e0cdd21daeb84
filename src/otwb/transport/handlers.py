"""How T reacts to W and O: depots from opened warehouses, shipments from handed-over orders,
and cancelled orders' shipments called off before they leave."""

from __future__ import annotations

from otwb.orders.checkout import DeliveryTerms, delivery_terms
from otwb.orders.events import OrderCancelled
from otwb.platform.bus import MessageBus
from otwb.platform.geo import GeoPoint
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import TemperatureClass
from otwb.transport import pickups, service, shipments
from otwb.warehouse.events import OrderHandedOver, WarehouseOpened


def on_warehouse_opened(uow: UnitOfWork, e: WarehouseOpened) -> None:
    service.open_depot(uow, e.warehouse_id, e.name, GeoPoint(e.lat, e.lon))


def on_order_handed_over(uow: UnitOfWork, e: OrderHandedOver) -> None:
    with uow:
        # The customer's promise (carriers must meet it) and installation on delivery (a
        # longer stop), as O's promise and delivery options say.
        _receive(uow, e, delivery_terms(uow, e.order_id))
        uow.commit()


def _receive(uow: UnitOfWork, e: OrderHandedOver, terms: DeliveryTerms) -> None:
    shipments.receive_shipment(
        uow,
        shipments.HandedOver(
            order_id=e.order_id,
            customer_id=e.customer_id,
            depot_id=e.warehouse_id,
            ship_to_name=e.ship_to_name,
            ship_to_address=e.ship_to_address,
            ship_to=GeoPoint(e.lat, e.lon),
            window_start=e.window_start,
            window_end=e.window_end,
            weight_kg=e.weight_kg,
            volume_m3=e.volume_m3,
            parcel_count=e.parcel_count,
            temperature_class=TemperatureClass(e.temperature_class),
            extra_service_s=terms.extra_service_s,
            promised_by=terms.promised_by,
        ),
    )


def on_order_cancelled(uow: UnitOfWork, e: OrderCancelled) -> None:
    shipments.cancel_order_shipments(uow, e.order_id)


def register(bus: MessageBus) -> None:
    pickups.register(bus)
    bus.subscribe(WarehouseOpened, "transport.depot", on_warehouse_opened)
    bus.subscribe(OrderHandedOver, "transport.shipment", on_order_handed_over)
    bus.subscribe(OrderCancelled, "transport.cancel", on_order_cancelled)
