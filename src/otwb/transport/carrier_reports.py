"""What carriers report about the shipments tendered to them (by webhook, or by polling their
API): collected, delivered with a proof, failed with a reason.

* **Collected** (``picked_up``): the shipment is in transit with the carrier, and
  ``ShipmentDispatched`` (with ``carrier_id``, no route) tells O that it has left -- the same
  event the own fleet publishes when a route leaves. Its ETA is the carrier's promise for the
  tender: the end of the delivery day its rate card gives (cut-off, business days of transit).
* **Delivered**: the proof is checked (a signature name or a photo; a time after the tender and
  not in the future), then ``ShipmentDelivered`` with the carrier and ``ProofOfDeliveryAccepted``.
* **Failed**: with the carrier's reason (``DeliveryFailed``); the shipment waits at the depot for
  another plan or tender.

Many carriers never report the collection. A delivery or a failure reported on a shipment that
is still ``tendered`` therefore means the carrier collected it first: ``ShipmentDispatched`` is
published just before, in the same transaction, so O always sees shipped, then delivered.
"""

from __future__ import annotations

from datetime import datetime

from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition
from otwb.platform.ids import CarrierId, ShipmentId
from otwb.platform.uow import UnitOfWork
from otwb.transport import carrier_repo, carriers, rateshop, repo
from otwb.transport.connectors import http as carrier_http
from otwb.transport.connectors.base import CarrierEvent
from otwb.transport.connectors.registry import connector
from otwb.transport.dispatch import deliver, fail_delivery, reported_time
from otwb.transport.events import ShipmentDispatched
from otwb.transport.model import Shipment, ShipmentStatus

MAX_REASON = 500
STATUSES = ("picked_up", "delivered", "failed")


def record_carrier_event(uow: UnitOfWork, shipment_id: ShipmentId, event: CarrierEvent) -> Shipment:
    """A carrier's report on one of our shipments; see the module's docstring."""
    if event.status not in STATUSES:
        raise InvalidInput(f"unknown carrier status {event.status!r}", field="status")
    with uow:
        shipment = repo.get_shipment(uow, shipment_id)
        carrier_id = shipment.carrier_id
        if carrier_id is None:
            raise InvalidTransition(
                f"shipment {shipment_id} is not with a carrier", current=shipment.status.value
            )
        at = reported_time(uow, event.at, "at", (shipment.tendered_at, "the tender"))
        if event.status == "picked_up":
            shipment.moved_to(ShipmentStatus.IN_TRANSIT)
            if not repo.move_shipment(
                uow, shipment_id, [ShipmentStatus.TENDERED], ShipmentStatus.IN_TRANSIT
            ):
                raise Conflict(f"shipment {shipment_id} changed meanwhile; try again")
            _collected(uow, shipment, carrier_id, at)
        elif event.status == "delivered":
            name = (event.signature_name or "").strip()
            if not name and not event.photo_ref:
                raise InvalidInput("a proof of delivery needs a signature name or a photo")
            if shipment.status is ShipmentStatus.TENDERED:
                _collected(uow, shipment, carrier_id, at)
            deliver(uow, shipment, name or "(photo)", at, name or None, event.photo_ref, carrier_id)
        else:
            reason = ((event.reason or "").strip() or "reported failed by the carrier")[:MAX_REASON]
            shipment.moved_to(ShipmentStatus.FAILED)
            if shipment.status is ShipmentStatus.TENDERED:
                _collected(uow, shipment, carrier_id, at)
            fail_delivery(uow, shipment, at, reason)
        result = repo.get_shipment(uow, shipment_id)
        uow.commit()
    return result


def _collected(uow: UnitOfWork, shipment: Shipment, carrier_id: CarrierId, at: datetime) -> None:
    """The carrier has the goods: the order has shipped (a pickup has no order to tell)."""
    if shipment.order_id is None:
        return
    uow.record(
        ShipmentDispatched(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            carrier_id=carrier_id,
            tracking_number=shipment.tracking_number,
            depot_id=shipment.depot_id,
            eta=_promised(uow, shipment, carrier_id, at),
        )
    )


def _promised(uow: UnitOfWork, shipment: Shipment, carrier_id: CarrierId, at: datetime) -> datetime:
    """When the carrier's service delivers a shipment tendered when this one was: the end of
    that delivery day. Without its card any more, the shipment's deadline, else ``at``."""
    tendered = shipment.tendered_at or at
    level = shipment.service_level or ""
    card = carriers.card_in_force(uow, carrier_id, level, tendered.date())
    quote = (
        rateshop.quote_shipment(card, shipment, carriers.depot_km(uow, shipment)) if card else None
    )
    if card is None or quote is None:
        return shipment.deadline or at
    return card.delivered_by(tendered, quote.transit_days)


def poll_carrier(uow: UnitOfWork, carrier_id: CarrierId) -> int:
    """Ask a carrier's API what happened to our shipments with it; apply what is new. Returns
    how many reports were applied."""
    with uow:
        carrier = carrier_repo.get_carrier(uow, carrier_id)
        open_ = [
            s
            for s in repo.list_shipments(uow, [ShipmentStatus.TENDERED, ShipmentStatus.IN_TRANSIT])
            if s.carrier_id == carrier_id and s.carrier_reference
        ]
    if carrier.endpoint is None:
        raise InvalidInput(f"{carrier.name} has no API endpoint to ask")
    speaker = connector(carrier.connector)
    applied = 0
    for s in open_:
        assert s.carrier_reference is not None
        answer = carrier_http.send(speaker.build_tracking(carrier.endpoint, s.carrier_reference))
        for event in speaker.parse_tracking(answer):
            if (event.status, _status(uow, s.id)) in _NEW:
                record_carrier_event(uow, s.id, event)
                applied += 1
    return applied


_NEW = {
    ("picked_up", ShipmentStatus.TENDERED),
    ("delivered", ShipmentStatus.TENDERED),
    ("delivered", ShipmentStatus.IN_TRANSIT),
    ("failed", ShipmentStatus.TENDERED),
    ("failed", ShipmentStatus.IN_TRANSIT),
}
"""(reported status, our status): the reports that move a shipment on; the rest are old news."""


def _status(uow: UnitOfWork, shipment_id: ShipmentId) -> ShipmentStatus:
    with uow:
        return repo.get_shipment(uow, shipment_id).status
