"""T's use cases for external carriers: carriers and their rate cards, rate shopping and
tendering. What carriers report back (collected, delivered with a proof, failed) is in
``carrier_reports.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from otwb.platform import auth
from otwb.platform.errors import Conflict, InvalidInput
from otwb.platform.ids import CarrierId, ShipmentId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.uow import UnitOfWork
from otwb.transport import carrier_repo, emissions, rateshop, repo, route_repo
from otwb.transport.connectors import http as carrier_http
from otwb.transport.connectors.base import Address, TenderRequest
from otwb.transport.connectors.registry import connector
from otwb.transport.distance import road_distance_km
from otwb.transport.events import ShipmentTendered
from otwb.transport.model import (
    PLANNABLE,
    RouteStatus,
    Shipment,
    ShipmentKind,
    ShipmentStatus,
    StopStatus,
)
from otwb.transport.rating import Carrier, RateCard
from otwb.transport.service import distance_provider
from otwb.transport.tables import carriers as carriers_table

MAX_SERVICE_LEVEL = 32


def add_carrier(
    uow: UnitOfWork,
    code: str,
    name: str,
    connector_name: str = "generic",
    endpoint: str | None = None,
) -> Carrier:
    code, name = code.strip(), name.strip()
    if not 1 <= len(code) <= 32 or not 1 <= len(name) <= 200:
        raise InvalidInput("a carrier needs a code (1-32) and a name (1-200 characters)")
    connector(connector_name)  # InvalidInput when no such connector is registered
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise InvalidInput("a carrier's endpoint is an http(s) URL", field="endpoint")
    with uow:
        carrier = Carrier(CarrierId(uow.ids.new("car")), code, name, connector_name, endpoint)
        repo.insert_coded(uow, carriers_table, "carrier", carrier_repo.insert_carrier, carrier)
        uow.commit()
    return carrier


def list_carriers(uow: UnitOfWork) -> list[Carrier]:
    with uow:
        return carrier_repo.list_carriers(uow)


def set_rate_card(
    uow: UnitOfWork,
    carrier_id: CarrierId,
    service_level: str,
    valid_from: date,
    document: dict[str, Any],
) -> RateCard:
    """A carrier service's rate card from ``valid_from`` on, in the tenant's currency."""
    service_level = service_level.strip()
    if not 1 <= len(service_level) <= MAX_SERVICE_LEVEL:
        raise InvalidInput("a service level is 1 to 32 characters", field="service_level")
    with uow:
        carrier_repo.get_carrier(uow, carrier_id)
        currency = auth.get_tenant(uow, uow.tenant_id).currency
        card = RateCard.parse(currency, document)
        existing = carrier_repo.current_cards(uow, valid_from, carrier_id)
        if any(lvl == service_level and start == valid_from for _, lvl, start, _ in existing):
            raise Conflict(f"{service_level} already has a card from {valid_from}")
        carrier_repo.insert_rate_card(
            uow, uow.ids.new("rtc"), carrier_id, service_level, valid_from, card
        )
        uow.commit()
    return card


def rate_cards(uow: UnitOfWork, on: date) -> list[tuple[CarrierId, str, date, RateCard]]:
    with uow:
        return carrier_repo.current_cards(uow, on)


def card_in_force(
    uow: UnitOfWork, carrier_id: CarrierId, service_level: str, on: date
) -> RateCard | None:
    """The carrier service's rate card in force on ``on`` (None: it has none)."""
    cards = carrier_repo.current_cards(uow, on, carrier_id)
    return next((card for _, level, _, card in cards if level == service_level), None)


# -- rate shopping ------------------------------------------------------------------------
def depot_km(uow: UnitOfWork, shipment: Shipment) -> Decimal:
    """Road km from the shipment's depot to its ship-to: what carriers' zones are priced on."""
    depot = repo.get_depot(uow, shipment.depot_id)
    return Decimal(str(road_distance_km(distance_provider(uow), depot.point, shipment.ship_to)))


def _own_saving(uow: UnitOfWork, shipment: Shipment) -> tuple[Money | None, datetime | None]:
    if shipment.status is not ShipmentStatus.PLANNED or shipment.route_id is None:
        return None, None
    route = route_repo.get_route(uow, shipment.route_id)
    if route.status is not RouteStatus.PLANNED:
        return None, None
    live = [s for s in route.stops if s.status is StopStatus.PLANNED]
    at = next(i for i, s in enumerate(live) if s.shipment_id == shipment.id)
    neighbours = repo.shipments_by_id(uow, [s.shipment_id for s in live])
    depot = repo.get_depot(uow, route.depot_id).point
    before = neighbours[live[at - 1].shipment_id].ship_to if at > 0 else depot
    after = neighbours[live[at + 1].shipment_id].ship_to if at + 1 < len(live) else depot
    vehicle = repo.get_vehicle(uow, route.vehicle_id)
    saving = rateshop.removal_saving(vehicle, distance_provider(uow), before, shipment, after)
    return saving, live[at].planned_arrival


def shipment_options(uow: UnitOfWork, shipment_id: ShipmentId) -> list[rateshop.Option]:
    """Every way to carry the shipment, with its cost and whether it meets the promise."""
    with uow:
        shipment = repo.get_shipment(uow, shipment_id)
        now = uow.clock.now()
        saving, arrival = _own_saving(uow, shipment)
        km = depot_km(uow, shipment)
        carriers = {c.id: c for c in carrier_repo.list_carriers(uow) if c.active}
        cards = carrier_repo.current_cards(uow, now.date())
    options = [rateshop.own_fleet(saving, arrival, shipment.deadline)]
    for carrier_id, level, _, card in cards:
        if carrier_id in carriers and shipment.kind is ShipmentKind.DELIVERY:
            options.append(
                rateshop.carrier_option(carriers[carrier_id], level, card, shipment, km, now)
            )
    return options


@dataclass(frozen=True)
class Decision:
    shipment_id: ShipmentId
    chosen: rateshop.Option | None
    options: list[rateshop.Option]


def shop(uow: UnitOfWork, shipment_id: ShipmentId) -> Decision:
    """Rate-shop one shipment and act on it: a carrier that wins gets the tender; the own fleet
    keeps it otherwise (or it waits, when nothing meets the promise)."""
    options = shipment_options(uow, shipment_id)
    chosen = rateshop.choose(options)
    if chosen is not None and chosen.carrier_id is not None:
        tender(uow, shipment_id, chosen.carrier_id, chosen.service_level)
    return Decision(shipment_id, chosen, options)


def shop_depot(uow: UnitOfWork, depot_id: WarehouseId) -> list[Decision]:
    """Rate-shop every delivery of a depot waiting or on a planned route."""
    with uow:
        ids = [
            s.id
            for s in repo.list_shipments(uow, {*PLANNABLE, ShipmentStatus.PLANNED}, depot_id)
            if s.kind is ShipmentKind.DELIVERY
        ]
    return [shop(uow, i) for i in ids]


def tender(
    uow: UnitOfWork, shipment_id: ShipmentId, carrier_id: CarrierId, service_level: str
) -> Shipment:
    """Give a shipment to a carrier at its rate card's price. With an API endpoint the carrier
    is asked first (outside the transaction); a refusal changes nothing. A shipment on a
    planned route leaves it. Pickups stay with the own fleet. Publishes ``ShipmentTendered``."""
    with uow:
        shipment = repo.get_shipment(uow, shipment_id)
        shipment.moved_to(ShipmentStatus.TENDERED)
        if shipment.kind is not ShipmentKind.DELIVERY:
            raise InvalidInput(f"{shipment_id} is a pickup: carriers are tendered deliveries")
        carrier = carrier_repo.get_carrier(uow, carrier_id)
        depot = repo.get_depot(uow, shipment.depot_id)
        km = depot_km(uow, shipment)
        now = uow.clock.now()
        card = card_in_force(uow, carrier_id, service_level, now.date())
    if card is None:
        raise InvalidInput(f"{carrier.name} has no {service_level!r} card in force")
    quote = rateshop.quote_shipment(card, shipment, km)
    if quote is None:
        raise InvalidInput(f"{carrier.name} {service_level} cannot take shipment {shipment_id}")
    reference = shipment.tracking_number
    if carrier.endpoint is not None:
        speaker = connector(carrier.connector)
        request = TenderRequest(
            reference=shipment.tracking_number,
            service_level=service_level,
            ship_from=Address(depot.name, depot.name, depot.point.lat, depot.point.lon),
            ship_to=Address(
                shipment.ship_to_name,
                shipment.ship_to_address,
                shipment.ship_to.lat,
                shipment.ship_to.lon,
            ),
            weight_kg=shipment.weight_kg,
            volume_m3=shipment.volume_m3,
            parcels=shipment.parcel_count,
            temperature_class=shipment.temperature_class.value,
            deliver_by=shipment.deadline,
            expected_cost=quote.amount.amount,
            currency=quote.amount.currency,
        )
        answer = speaker.parse_tender(
            carrier_http.send(speaker.build_tender(carrier.endpoint, request))
        )
        if not answer.accepted:
            raise Conflict(f"{carrier.name} declined the tender: {answer.message or 'no reason'}")
        reference = answer.carrier_reference
    co2 = emissions.carrier_co2(shipment.weight_kg, km, card.co2_g_per_tkm)
    with uow:
        if shipment.status is ShipmentStatus.PLANNED and shipment.route_id is not None:
            route_repo.move_stop(
                uow, shipment.route_id, shipment_id, [StopStatus.PLANNED], StopStatus.CANCELLED
            )
        if not repo.move_shipment(
            uow,
            shipment_id,
            [shipment.status],
            ShipmentStatus.TENDERED,
            carrier_id=carrier_id,
            service_level=service_level,
            carrier_reference=reference,
            expected_cost=quote.amount.amount,
            currency=quote.amount.currency,
            tendered_at=now,
            co2_kg=co2,
            route_id=None,
        ):
            raise Conflict(f"shipment {shipment_id} changed while tendering; try again")
        uow.record(
            ShipmentTendered(
                shipment_id=shipment_id,
                order_id=shipment.order_id,
                customer_id=shipment.customer_id,
                depot_id=shipment.depot_id,
                carrier_id=carrier_id,
                carrier_name=carrier.name,
                service_level=service_level,
                tracking_number=shipment.tracking_number,
                weight_kg=shipment.weight_kg,
                volume_m3=shipment.volume_m3,
                expected_cost=quote.amount.amount,
                currency=quote.amount.currency,
                tendered_at=now,
            )
        )
        tendered = repo.get_shipment(uow, shipment_id)
        uow.commit()
    return tendered
