"""The customer's tracking page, the whole way through W and T, on SQLite and PostgreSQL: it shows
one order in customer words and reveals nothing to a wrong verifier or another tenant."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from otwb.orders import checkout, delivery_service, promise_service
from otwb.orders.delivery_options import DeliveryChoice, DeliveryMethod, PickupKind
from otwb.orders.promise import OnTimeRate, PromiseLevel, PromiseProfile
from otwb.orders.tracking_page import tracking_page
from otwb.platform import auth
from otwb.platform.errors import NotFound
from otwb.platform.geo import GeoPoint
from otwb.transport import dispatch, service, shipments
from otwb.transport.model import service_seconds
from otwb.warehouse import fulfilment
from otwb.warehouse import service as warehouse
from tests import factories as f
from tests.integration.test_orders_promise import FRI, THU, WED, command, paris


def van(uow, site) -> None:
    service.add_vehicle(
        uow(),
        service.NewVehicle(
            code="VAN-1",
            depot_id=site.warehouse.id,
            capacity_kg=900.0,
            capacity_m3=8.0,
            cost_per_km=Decimal("0.45"),
            cost_per_hour=Decimal("32.50"),
            fixed_cost=Decimal("40"),
            speed_kmh=45.0,
            shift_start=time(7),
            shift_end=time(17),
        ),
    )


@pytest.fixture
def shop(uow):
    site = f.site(uow)
    f.skus(uow, "LAMP")
    warehouse.receive_stock(uow(), site.locations[0].id, "LAMP", 50)
    profile = PromiseProfile(
        time_zone="Europe/Paris", country="FR", working_days=frozenset(range(1, 6))
    )
    promise_service.set_profile(uow(), site.warehouse.id, profile)
    return site, f.customer(uow)


def test_the_page_follows_the_order_to_its_proof_of_delivery(uow, shop, clock):
    site, customer = shop
    plan = delivery_service.SlotPlan(site.warehouse.id, THU, THU, [(time(10), time(12))], 5)
    [slot] = delivery_service.open_slots(uow(), plan)
    placed = checkout.place_with_options(
        uow(),
        checkout.Checkout(
            command(customer.id),
            PromiseLevel.NEXT_DAY,
            DeliveryChoice(slot_id=slot.id, installation=True),
        ),
    )
    order_id, token = placed.order.id, placed.options.tracking_token

    page = tracking_page(uow(), order_id, "69 002")  # the postcode, however typed
    assert page.status == "preparing"
    assert [s.label for s in page.steps] == ["Order received", "Being prepared"]
    assert (page.service_level, page.promised_day) == ("next_day", THU)
    assert page.promised_by == paris(THU, 12)
    assert page.window is not None
    assert page.window.start == paris(THU, 10)
    assert (page.tracking_number, page.eta, page.delivered_at) == (None, None, None)
    assert page.installation

    fulfilment.confirm_pick(uow(), order_id)
    fulfilment.pack_order(uow(), order_id)
    fulfilment.hand_over(uow(), order_id)
    van(uow, site)
    [route] = service.plan_routes(uow(), site.warehouse.id, THU, time_limit_s=0.3).routes
    clock.set(paris(THU, 8))
    dispatch.dispatch_route(uow(), route.id)

    page = tracking_page(uow(), order_id, token)
    assert page.status == "on_its_way"
    assert page.steps[-2:][-1].label == "On its way"
    assert [s.label for s in page.steps] == [
        "Order received",
        "Being prepared",
        "Packed",
        "Ready to leave",
        "On its way",
    ]
    assert page.tracking_number is not None
    assert page.eta is not None
    assert paris(THU, 10) <= page.eta <= paris(THU, 12)
    assert page.stops_before == 0
    by_tracking = tracking_page(uow(), page.tracking_number.lower(), "69002")
    assert by_tracking == page

    shipment = shipments.get_shipment_by_tracking(uow(), page.tracking_number)
    # installation on delivery: T plans 45 minutes more at the stop
    assert shipment.extra_service_s == 2700
    assert shipment.service_s == service_seconds(shipment.parcel_count) + 2700
    # T knows the promise: a carrier, if one is chosen, must deliver by the slot's end
    assert shipment.deadline == paris(THU, 12)
    clock.set(paris(THU, 10, 40))
    dispatch.record_delivery(uow(), shipment.id, "M. Durand")
    page = tracking_page(uow(), order_id, token)
    assert (page.status, page.received_by, page.delivered_at) == (
        "delivered",
        "M. Durand",
        paris(THU, 10, 40),
    )
    assert page.steps[-1].label == "Delivered"
    kept = promise_service.get_promise(uow(), order_id)
    assert kept.on_time is True
    assert promise_service.on_time_report(uow(), paris(WED, 0), paris(FRI, 0)) == [
        OnTimeRate(PromiseLevel.NEXT_DAY, 1, 1, 0.0)
    ]
    text = repr(page)
    for internal in (site.warehouse.id, route.id, shipment.id, "VAN-1", customer.id):
        assert internal not in text


def test_a_wrong_verifier_or_another_tenants_number_reveals_nothing(runtime, uow, shop):
    _, customer = shop
    placed = checkout.place_with_options(uow(), checkout.Checkout(command(customer.id)))
    order_id = placed.order.id

    def refusal(number: str, verifier: str, of=uow) -> str:
        with pytest.raises(NotFound) as err:
            tracking_page(of(), number, verifier)
        return err.value.detail

    expected = "no order matches this number and verifier"
    assert refusal(order_id, "69003") == expected
    token = placed.options.tracking_token
    assert refusal(order_id, token[:-1] + ("1" if token[-1] == "0" else "0")) == expected
    assert refusal(order_id, "") == expected
    assert refusal("ord_01NOSUCHORDER000000000000", "69002") == expected
    assert refusal("OT-AAAA-BBBB-CCCC-D", "69002") == expected
    assert refusal("x" * 500, "69002") == expected

    other = auth.create_tenant(runtime.uow(), "Other Shop")
    assert refusal(order_id, "69002", of=lambda: runtime.uow(other.id)) == expected
    assert (
        refusal(order_id, placed.options.tracking_token, of=lambda: runtime.uow(other.id))
        == expected
    )
    assert tracking_page(uow(), order_id, "69002").order_number == order_id


def test_a_pickup_order_needs_the_token_and_shows_the_code_with_it(uow, shop):
    _, customer = shop
    delivery_service.add_pickup_point(
        uow(),
        delivery_service.NewPickupPoint(
            "FW-VAISE", "Front warehouse Vaise", PickupKind.FRONT_WAREHOUSE, "8 rue de Saint-Cyr",
            "Lyon", "69009", "FR", GeoPoint(45.7790, 4.8050),
        ),
    )  # fmt: skip
    placed = checkout.place_with_options(
        uow(),
        checkout.Checkout(
            command(customer.id),
            PromiseLevel.NEXT_DAY,
            DeliveryChoice(DeliveryMethod.PICKUP, pickup_point="FW-VAISE"),
        ),
    )
    with pytest.raises(NotFound):  # the point's postcode is public: not a verifier
        tracking_page(uow(), placed.order.id, "69009")
    page = tracking_page(uow(), placed.order.id, placed.options.tracking_token.upper())
    assert page.pickup is not None
    assert page.pickup.name == "Front warehouse Vaise"
    assert page.pickup.address == "8 rue de Saint-Cyr, 69009 Lyon"
    assert page.pickup.code == placed.options.pickup_code
