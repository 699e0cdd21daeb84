"""The TMS on both databases: carriers and tenders with proof of delivery, re-routing around a
closure, breakdown rescue, backhaul, CO2 per customer, tenant isolation, the API and the CLI."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from otwb.cli import app as cli_app
from otwb.orders import service as orders
from otwb.orders.model import OrderStatus
from otwb.platform import auth
from otwb.platform.errors import InvalidTransition
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CarrierId
from otwb.transport import (
    backhaul,
    carrier_reports,
    carriers,
    dispatch,
    emissions_report,
    rerouting,
    service,
    shipments,
    tracking,
)
from otwb.transport.connectors.base import CarrierEvent
from otwb.transport.events import (
    EtaChanged,
    ProofOfDeliveryAccepted,
    RouteReplanned,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentTendered,
)
from otwb.transport.model import ShipmentStatus, StopStatus
from otwb.transport.traffic import Incident, affected
from tests.integration.test_transport import (  # noqa: F401
    DAY,
    LIMIT,
    at,
    depot,
    events,
    handed_over,
    order_status,
    van,
)
from tests.unit.transport.test_tms_rules import CARD, DATA

START_DAY = date(2026, 11, 25)


def _tendered_to_a_carrier(uow, depot):
    order = handed_over(uow, depot, n=2)
    carrier = carriers.add_carrier(uow(), "GX", "Gexpress")
    carriers.set_rate_card(uow(), CarrierId(carrier.id), "standard", START_DAY, CARD)
    (s,) = shipments.list_shipments(uow(), ShipmentStatus.READY)
    decision = carriers.shop(uow(), s.id)
    assert decision.chosen is not None and decision.chosen.carrier_id == carrier.id
    return order, carrier, s


def test_rate_shop_tender_and_carrier_proof_publish_the_contract_events(
    uow, depot, runtime, tenant, clock
):
    order, carrier, s = _tendered_to_a_carrier(uow, depot)
    tendered = shipments.get_shipment(uow(), s.id)
    assert tendered.status is ShipmentStatus.TENDERED and tendered.expected_cost is not None
    (t,) = events(runtime, tenant, ShipmentTendered)
    assert t.carrier_id == carrier.id and t.expected_cost == tendered.expected_cost.amount
    with pytest.raises(Exception, match="signature"):
        carrier_reports.record_carrier_event(
            uow(), s.id, CarrierEvent(s.tracking_number, "delivered", clock.now())
        )
    clock.advance(timedelta(hours=3))
    done = carrier_reports.record_carrier_event(
        uow(),
        s.id,
        CarrierEvent(s.tracking_number, "delivered", clock.now(), signature_name="M. Roux"),
    )
    assert done.status is ShipmentStatus.DELIVERED and done.signature_name == "M. Roux"
    (d,) = events(runtime, tenant, ShipmentDelivered)
    (p,) = events(runtime, tenant, ProofOfDeliveryAccepted)
    assert d.carrier_id == carrier.id == p.carrier_id and d.order_id == order.id
    per = emissions_report.co2_by_customer(uow(), START_DAY, START_DAY + timedelta(days=2))
    assert per[order.customer_id] > 0
    other = auth.create_tenant(runtime.uow(), "Other Ltd")
    assert carriers.list_carriers(runtime.uow(other.id)) == []


def test_an_order_given_to_a_carrier_ends_delivered_in_orders(uow, depot, runtime, tenant, clock):
    order, carrier, s = _tendered_to_a_carrier(uow, depot)
    assert order_status(uow, order.id) is OrderStatus.PACKED
    clock.advance(timedelta(hours=1))
    carrier_reports.record_carrier_event(
        uow(), s.id, CarrierEvent(s.tracking_number, "picked_up", clock.now())
    )
    (sent,) = events(runtime, tenant, ShipmentDispatched)
    assert (sent.order_id, sent.route_id, sent.carrier_id) == (order.id, None, carrier.id)
    assert sent.tracking_number == s.tracking_number
    # Tendered on Wednesday 07:00, before the 16:00 cut-off; the city zone takes 1 business day.
    assert sent.eta == at(DAY, 23, 59).replace(second=59)
    assert order_status(uow, order.id) is OrderStatus.SHIPPED
    clock.advance(timedelta(hours=26))
    carrier_reports.record_carrier_event(
        uow(),
        s.id,
        CarrierEvent(s.tracking_number, "delivered", clock.now(), signature_name="M. Roux"),
    )
    seen = orders.get_order(uow(), order.id)
    assert seen.status is OrderStatus.DELIVERED
    kinds = [t.kind for t in seen.timeline]
    assert kinds[-3:] == ["handed_over", "shipped", "delivered"] and "ignored" not in kinds
    shipped = seen.timeline[-2].detail
    assert shipped.startswith(f"with carrier {carrier.id}, tracking {s.tracking_number}")
    assert "received by M. Roux" in seen.timeline[-1].detail
    assert len(events(runtime, tenant, ShipmentDispatched)) == 1


def test_a_carrier_that_skips_the_pickup_report_still_ships_the_order_first(
    uow, depot, runtime, tenant, clock
):
    order, carrier, s = _tendered_to_a_carrier(uow, depot)
    clock.advance(timedelta(hours=5))
    carrier_reports.record_carrier_event(
        uow(), s.id, CarrierEvent(s.tracking_number, "failed", clock.now(), reason="closed")
    )
    (sent,) = events(runtime, tenant, ShipmentDispatched)
    assert sent.carrier_id == carrier.id
    seen = orders.get_order(uow(), order.id)
    assert seen.status is OrderStatus.DELIVERY_FAILED
    assert [t.kind for t in seen.timeline][-2:] == ["shipped", "delivery_failed"]
    assert seen.timeline[-1].detail == "closed"
    # Tendered again after the failure, then delivered with a photo and no pickup report.
    carriers.tender(uow(), s.id, CarrierId(carrier.id), "standard")
    clock.advance(timedelta(hours=1))
    carrier_reports.record_carrier_event(
        uow(), s.id, CarrierEvent(s.tracking_number, "delivered", clock.now(), photo_ref="p.jpg")
    )
    assert len(events(runtime, tenant, ShipmentDispatched)) == 2
    seen = orders.get_order(uow(), order.id)
    assert seen.status is OrderStatus.DELIVERED
    assert [t.kind for t in seen.timeline][-2:] == ["shipped", "delivered"]


def test_a_shipment_the_carrier_failed_goes_with_the_own_fleet_without_its_tender(
    uow, depot, clock
):
    _, _, s = _tendered_to_a_carrier(uow, depot)
    clock.advance(timedelta(hours=5))
    report = CarrierEvent(s.tracking_number, "failed", clock.now(), reason="nobody in")
    carrier_reports.record_carrier_event(uow(), s.id, report)
    van(uow, depot)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    planned = shipments.get_shipment(uow(), s.id)
    assert (planned.status, planned.route_id) == (ShipmentStatus.PLANNED, route.id)
    assert (planned.carrier_id, planned.expected_cost, planned.co2_kg) == (None, None, None)
    with pytest.raises(InvalidTransition):  # a late report of the carrier changes nothing
        carrier_reports.record_carrier_event(uow(), s.id, report)
    assert tracking.customer_view(uow(), s.tracking_number).carrier_name is None


def test_a_closure_reroutes_the_vehicle_around_it_and_publishes_etas(
    uow, depot, runtime, tenant, clock
):
    # Four customers on a square around the depot (45.72, 4.95): the van drives round it.
    corners = [(45.74, 4.92), (45.74, 4.98), (45.70, 4.98), (45.70, 4.92)]
    for lat, lon in corners:
        handed_over(uow, depot, lat=lat, lon=lon)
    van(uow, depot)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    clock.set(at(DAY, 7, 30))
    dispatch.dispatch_route(uow(), route.id)
    dispatch.record_delivery(uow(), route.stops[0].shipment_id, "Mme Petit")
    before = service.get_route(uow(), route.id).remaining
    points = {s.id: s.ship_to for s in shipments.list_shipments(uow())}
    here, depot_point = points[route.stops[0].shipment_id], depot.warehouse.point
    # The road to the next corner closes half-way: a short closed stretch (about 300 m each
    # side) across the middle of that side of the square; the van can still go round the other
    # way. (The closure must not touch the corners: an end within its radius of a point closes
    # every leg to that point.)
    nxt = points[before[0].shipment_id]
    mid = GeoPoint((here.lat + nxt.lat) / 2, (here.lon + nxt.lon) / 2)
    d_lat, d_lon = nxt.lat - here.lat, nxt.lon - here.lon
    a, b = (GeoPoint(mid.lat + k * d_lon, mid.lon - k * d_lat) for k in (0.05, -0.05))
    closure = Incident(
        "", "segment", a, b, 30.0, None, clock.now(), clock.now() + timedelta(hours=4), "bridge"
    )

    def crossings(stops: list) -> int:
        path = [here, *(points[s.shipment_id] for s in stops), depot_point]
        hit = affected(path, closure)
        return sum(bool(hit[k, k + 1]) for k in range(len(path) - 1))

    assert crossings(list(before)) == 1  # the planned way goes through the closure
    (replan,) = rerouting.report_incident(uow(), closure)
    assert replan.route_id == route.id and replan.late == []
    after = service.get_route(uow(), route.id).remaining
    assert sorted(s.shipment_id for s in after) == sorted(s.shipment_id for s in before)
    assert crossings(list(after)) == 0  # ... and the re-planned one goes round it
    assert [s.shipment_id for s in after] == [s.shipment_id for s in reversed(before)]
    (replanned,) = events(runtime, tenant, RouteReplanned)
    assert (replanned.route_id, replanned.stops) == (route.id, 3)
    changed = events(runtime, tenant, EtaChanged)
    assert replan.etas_published == len(changed) >= 2  # the first and last swapped
    moved = {e.shipment_id: e for e in changed}
    assert set(moved) >= {before[0].shipment_id, before[-1].shipment_id}
    assert all(e.route_id == route.id and e.reason == "closure: bridge" for e in changed)
    first_now = moved[before[0].shipment_id]
    assert first_now.eta > first_now.previous_eta  # what was next is now last
    new_eta = {s.shipment_id: s.eta for s in after}
    assert all(new_eta[e.shipment_id] == e.eta for e in changed)


def test_breakdown_rescue_and_backhaul(uow, depot, runtime, clock):
    for k in range(4):
        handed_over(uow, depot, lat=45.74 + 0.01 * k)
    van(uow, depot, "VAN-1")
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    van(uow, depot, "VAN-2")
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    b = rerouting.report_breakdown(uow(), route.vehicle_id, GeoPoint(45.73, 4.93))
    assert len(b.rescues) == 1 and b.failed == []
    rescue = service.get_route(uow(), b.rescues[0])
    assert len(rescue.stops) == 4
    broken = service.get_route(uow(), route.id)
    assert all(s.status is StopStatus.CANCELLED for s in broken.stops)
    for s in rescue.stops:
        assert shipments.get_shipment(uow(), s.shipment_id).route_id == rescue.id


def test_backhaul_puts_a_nearby_pickup_on_the_way_home(uow, depot):
    handed_over(uow, depot, lat=45.80)
    van(uow, depot)
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, LIMIT).routes
    customer = shipments.list_shipments(uow())[0].customer_id
    pickup = shipments.request_pickup(
        uow(),
        shipments.NewPickup(
            customer, depot.warehouse.id, "Returns", "1 quai", GeoPoint(45.78, 4.93), 30.0, 0.2
        ),
    )
    far = shipments.request_pickup(
        uow(),
        shipments.NewPickup(
            customer, depot.warehouse.id, "Far", "far", GeoPoint(46.5, 5.5), 30.0, 0.2
        ),
    )
    (m,) = backhaul.match_backhaul(uow(), depot.warehouse.id, DAY, 10.0)
    assert m.shipment_id == pickup.id and m.route_id == route.id and m.empty_km_saved > 0
    assert shipments.get_shipment(uow(), far.id).status is ShipmentStatus.READY
    assert len(service.get_route(uow(), route.id).stops) == 2


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/vrp is not here")
def test_cli_solve_file_prints_json():
    result = CliRunner().invoke(
        cli_app, ["route", "solve-file", str(DATA / "C101.vrp"), "--time-limit", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    import json

    body = json.loads(result.output)
    assert set(body) >= {"cost", "vehicles", "feasible", "routes"} and body["feasible"] is True
