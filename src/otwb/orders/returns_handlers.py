"""How O follows its returns through T, W and B: the pickup scheduled, the goods collected,
put back in stock, and the credit recorded (which closes the return)."""

from __future__ import annotations

import logging

from otwb.billing.events import ReturnCreditRecorded
from otwb.orders import repo as orders_repo
from otwb.orders import returns_inspection as inspection
from otwb.orders import returns_repo as repo
from otwb.orders.events import ReturnCancelled
from otwb.orders.returns import RmaStatus
from otwb.platform.bus import MessageBus
from otwb.platform.uow import UnitOfWork
from otwb.transport.events import PickupCollected, ReturnPickupScheduled
from otwb.warehouse.events import ReturnStocked

log = logging.getLogger("otwb.orders.returns")


def on_pickup_scheduled(uow: UnitOfWork, e: ReturnPickupScheduled) -> None:
    with uow:
        rma = repo.get_rma(uow, e.rma_id)
        if rma.status is RmaStatus.CANCELLED:  # cancelled meanwhile: T calls the pickup off
            uow.record(
                ReturnCancelled(
                    rma_id=rma.id, order_id=rma.order_id, pickup_shipment_id=e.shipment_id
                )
            )
            uow.commit()
            return
        if rma.status is not RmaStatus.AUTHORISED:
            log.warning(
                "return %s is %s: pickup %s not recorded", rma.id, rma.status, e.shipment_id
            )
            return
        if not repo.move_rma(
            uow,
            rma.id,
            RmaStatus.AUTHORISED,
            RmaStatus.PICKUP_SCHEDULED,
            pickup_shipment_id=e.shipment_id,
            pickup_tracking=e.tracking_number,
        ):
            raise RuntimeError(f"return {rma.id} changed while its pickup was recorded")
        orders_repo.add_timeline(
            uow,
            rma.order_id,
            uow.clock.now(),
            "return_pickup_scheduled",
            f"{rma.id}: pickup {e.tracking_number} to {e.depot_id}",
        )
        uow.commit()


def on_pickup_collected(uow: UnitOfWork, e: PickupCollected) -> None:
    with uow:
        rma = repo.find_rma_by_pickup(uow, e.shipment_id)
        if rma is None:
            return  # a pickup of something else (empties)
        if rma.status is not RmaStatus.PICKUP_SCHEDULED:
            log.warning("return %s is %s: collection not applied", rma.id, rma.status)
            return
        if not repo.move_rma(uow, rma.id, RmaStatus.PICKUP_SCHEDULED, RmaStatus.IN_TRANSIT):
            raise RuntimeError(f"return {rma.id} changed while its collection was recorded")
        orders_repo.add_timeline(
            uow,
            rma.order_id,
            uow.clock.now(),
            "return_in_transit",
            f"{rma.id}: collected at {e.collected_at.isoformat()}",
        )
        uow.commit()


def on_return_stocked(uow: UnitOfWork, e: ReturnStocked) -> None:
    done = ", ".join(f"{x.quantity} {x.sku} {x.disposition}" for x in e.lines)
    with uow:
        orders_repo.add_timeline(
            uow, e.order_id, uow.clock.now(), "return_stocked", f"{e.rma_id}: {done}"
        )
        uow.commit()


def on_credit_recorded(uow: UnitOfWork, e: ReturnCreditRecorded) -> None:
    inspection.close_return(
        uow, e.rma_id, f"credit {e.amount} {e.currency} recorded ({e.credit_id})"
    )


def register(bus: MessageBus) -> None:
    bus.subscribe(ReturnPickupScheduled, "orders.return_pickup", on_pickup_scheduled)
    bus.subscribe(PickupCollected, "orders.return_collected", on_pickup_collected)
    bus.subscribe(ReturnStocked, "orders.return_stocked", on_return_stocked)
    bus.subscribe(ReturnCreditRecorded, "orders.return_credited", on_credit_recorded)
