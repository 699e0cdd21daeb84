"""Delivery promises and options on SQLite and PostgreSQL: quotes, holidays, the promise of each
order placed, checkout with a slot or a pickup point, and the outcome against T's delivery."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from otwb.orders import checkout, delivery_service, promise_handlers, promise_service
from otwb.orders import service as orders
from otwb.orders.calendar import Holiday, HolidayScope
from otwb.orders.delivery_options import DeliveryChoice, DeliveryMethod, PickupKind, SlotFull
from otwb.orders.events import (
    DeliveryOptionsChosen,
    DeliveryPromised,
    PickupCodeIssued,
    ReadyForPickup,
)
from otwb.orders.model import ServiceLevel
from otwb.orders.promise import OnTimeRate, PromiseLevel, PromiseProfile, ServiceLevelUnavailable
from otwb.orders.promise_tables import delivery_slots, order_promises
from otwb.orders.tables import orders as orders_table
from otwb.platform.errors import InvalidInput, NotFound
from otwb.platform.events import Event
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId, ShipmentId, WarehouseId
from otwb.platform.money import Money
from otwb.platform.tables import outbox
from otwb.transport.events import ShipmentDelivered
from otwb.warehouse import service as warehouse
from tests import factories as f

PARIS = "Europe/Paris"
NEAR = GeoPoint(45.7578, 4.8320)  # Lyon centre, ~10 km from the CEN warehouse
FAR = GeoPoint(48.8566, 2.3522)  # Paris, ~390 km away
WED, THU, FRI, MON = date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30)


def paris(day: date, hh: int, mm: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo(PARIS)).astimezone(UTC)


@pytest.fixture
def shop(uow):
    site = f.site(uow)
    f.skus(uow, "LAMP", "SOFA")
    warehouse.receive_stock(uow(), site.locations[0].id, "LAMP", 50)
    warehouse.receive_stock(uow(), site.locations[1].id, "SOFA", 50)
    profile = PromiseProfile(time_zone=PARIS, country="FR", working_days=frozenset({1, 2, 3, 4, 5}))
    promise_service.set_profile(uow(), site.warehouse.id, profile)
    return site, f.customer(uow)


def events(runtime, tenant, kind: type[Event]) -> list[Any]:
    with runtime.db.engine.connect() as conn:
        rows = conn.execute(
            select(outbox)
            .where(outbox.c.tenant_id == tenant.id, outbox.c.event_type == kind.event_type())
            .order_by(outbox.c.id)
        ).all()
    return [Event.load(r.event_type, r.payload) for r in rows]


def count(runtime, table) -> int:
    with runtime.db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def command(customer_id: str, point: GeoPoint = NEAR, sku: str = "LAMP") -> orders.PlaceOrder:
    return orders.PlaceOrder(
        customer_id=CustomerId(customer_id),
        ship_to=f.address(point.lat, point.lon, name="Mme Durand"),
        lines=[orders.NewLine(sku, 1)],
    )


# -- quotes and calendars ---------------------------------------------------------------------
def test_quote_gives_every_level_offered_at_the_address(uow, shop):
    site, _ = shop  # the clock: Wednesday 25 November 2026, 08:00 in Paris
    quotes = promise_service.quote(uow(), NEAR)
    assert [(q.promise.level, q.promise.delivery_day) for q in quotes] == [
        (PromiseLevel.SAME_DAY, WED),
        (PromiseLevel.TWO_ELEVEN, WED),
        (PromiseLevel.NEXT_DAY, THU),
        (PromiseLevel.STANDARD, FRI),
    ]
    assert quotes[0].promise.promised_by == paris(WED, 20)
    assert quotes[0].warehouse.id == site.warehouse.id
    assert 5 < quotes[0].distance_km < 15
    late = promise_service.quote(uow(), NEAR, PromiseLevel.TWO_ELEVEN, at=paris(WED, 22))
    assert late[0].promise.promised_by == paris(THU, 12)
    far = promise_service.quote(uow(), FAR)
    # 2 standard days + 2 for the national zone: Thu, Fri, Mon, Tue
    assert [(q.promise.level, q.promise.delivery_day) for q in far] == [
        (PromiseLevel.STANDARD, date(2026, 12, 1))
    ]
    with pytest.raises(ServiceLevelUnavailable):
        promise_service.quote(uow(), FAR, PromiseLevel.SAME_DAY)


def test_holidays_of_the_country_and_the_warehouse_move_the_promise(uow, shop):
    site, _ = shop
    added = promise_service.load_holidays(
        uow(),
        [
            Holiday(HolidayScope.COUNTRY, "FR", THU, "Fête locale"),
            Holiday(HolidayScope.WAREHOUSE, site.warehouse.code, FRI, "Inventaire"),
            Holiday(HolidayScope.COUNTRY, "DE", MON, "Not ours"),
        ],
    )
    assert added == (3, 0)
    again = promise_service.load_holidays(
        uow(), [Holiday(HolidayScope.COUNTRY, "FR", THU, "Fête de la lumière")]
    )
    assert again == (0, 1)
    assert [h.name for h in promise_service.list_holidays(uow(), since=THU, until=MON)] == [
        "Fête de la lumière",
        "Inventaire",
    ]
    [q] = promise_service.quote(uow(), NEAR, PromiseLevel.NEXT_DAY)
    assert q.promise.delivery_day == MON  # Thursday and Friday closed; Monday is DE's only


def test_without_a_profile_there_is_no_quote(uow):
    f.site(uow)
    with pytest.raises(NotFound) as err:
        promise_service.quote(uow(), NEAR)
    assert err.value.code == "no_promise_profile"


# -- the promise of each order placed ----------------------------------------------------------
def test_an_order_placed_gets_its_promise_and_a_tracking_token(runtime, tenant, uow, shop):
    _, customer = shop
    order = orders.place_order(uow(), command(customer.id))
    recorded = promise_service.get_promise(uow(), order.id)
    assert (recorded.level, recorded.delivery_day) == (PromiseLevel.STANDARD, FRI)
    assert recorded.promised_by == paris(FRI, 20)
    assert recorded.delivered_at is None
    options = checkout.options_of(uow(), order.id)
    assert options.method is DeliveryMethod.HOME
    assert len(options.tracking_token) == 32
    (promised,) = events(runtime, tenant, DeliveryPromised)
    assert (promised.order_id, promised.level, promised.zone) == (order.id, "standard", "local")

    far = orders.place_order(
        uow(),
        orders.PlaceOrder(
            customer_id=customer.id,
            ship_to=f.address(FAR.lat, FAR.lon),
            lines=[orders.NewLine("LAMP", 1)],
            service_level=ServiceLevel.SAME_DAY,
        ),
    )
    with pytest.raises(NotFound):
        promise_service.get_promise(uow(), far.id)
    note = [t for t in orders.get_order(uow(), far.id).timeline if t.kind == "no_promise"]
    assert "same_day is not offered in the national zone" in note[0].detail


# -- checkout: slots, pickup, installation, cash on delivery ----------------------------------
def open_thursday(uow, site, capacity: int = 2):
    plan = delivery_service.SlotPlan(
        site.warehouse.id, WED, FRI, [(time(8), time(10)), (time(10), time(12))], capacity
    )
    return delivery_service.open_slots(uow(), plan)


def test_slots_open_on_working_days_in_local_time(uow, shop):
    site, _ = shop
    promise_service.load_holidays(uow(), [Holiday(HolidayScope.COUNTRY, "FR", FRI, "Off")])
    slots = open_thursday(uow, site)
    assert [s.window.start for s in slots] == [
        paris(WED, 8),
        paris(WED, 10),
        paris(THU, 8),
        paris(THU, 10),
    ]
    assert open_thursday(uow, site) == []  # opening again adds nothing
    listed = delivery_service.list_slots(uow(), paris(THU, 0), paris(FRI, 0))
    assert [(s.capacity, s.free) for s in listed] == [(2, 2), (2, 2)]


def test_checkout_books_a_slot_that_becomes_the_window(runtime, tenant, uow, shop):
    site, customer = shop
    slot = open_thursday(uow, site)[2]  # Thursday 08:00-10:00
    placed = checkout.place_with_options(
        uow(),
        checkout.Checkout(
            command(customer.id, sku="SOFA"),
            PromiseLevel.NEXT_DAY,
            DeliveryChoice(
                slot_id=slot.id,
                installation=True,
                cash_on_delivery=Money(Decimal("149.90"), "EUR"),
            ),
        ),
    )
    order = orders.get_order(uow(), placed.order.id)
    assert order.window is not None
    assert (order.window.start, order.window.end) == (paris(THU, 8), paris(THU, 10))
    assert order.service_level is ServiceLevel.NEXT_DAY
    assert placed.promise.promised_by == paris(THU, 10)
    assert delivery_service.get_slot(uow(), slot.id).booked == 1
    (chosen,) = events(runtime, tenant, DeliveryOptionsChosen)
    assert chosen.cod_amount == Decimal("149.90")
    assert (chosen.cod_currency, chosen.installation, chosen.installation_service_s) == (
        "EUR",
        True,
        2700,
    )
    assert chosen.window_start == paris(THU, 8)
    options = checkout.options_of(uow(), order.id)
    assert options.cash_on_delivery == Money(Decimal("149.90"), "EUR")
    assert options.slot_id == slot.id
    assert len(events(runtime, tenant, DeliveryPromised)) == 1  # the handler adds none


def test_a_refused_checkout_writes_nothing(runtime, uow, shop):
    site, customer = shop
    slots = open_thursday(uow, site, capacity=1)
    wednesday, thursday = slots[1], slots[2]  # Wednesday 10:00 (08:00 has begun)
    with pytest.raises(checkout.SlotUnavailable, match="before the earliest delivery"):
        checkout.place_with_options(
            uow(),
            checkout.Checkout(
                command(customer.id), PromiseLevel.STANDARD, DeliveryChoice(slot_id=thursday.id)
            ),
        )
    with pytest.raises(InvalidInput, match="unknown SKU"):
        checkout.place_with_options(
            uow(),
            checkout.Checkout(
                command(customer.id, sku="NOPE"),
                PromiseLevel.SAME_DAY,
                DeliveryChoice(slot_id=wednesday.id),
            ),
        )
    assert delivery_service.get_slot(uow(), wednesday.id).booked == 0
    assert count(runtime, orders_table) == 0
    assert count(runtime, order_promises) == 0
    checkout.place_with_options(
        uow(),
        checkout.Checkout(
            command(customer.id), PromiseLevel.SAME_DAY, DeliveryChoice(slot_id=wednesday.id)
        ),
    )
    with pytest.raises(SlotFull):
        checkout.place_with_options(
            uow(),
            checkout.Checkout(
                command(customer.id), PromiseLevel.SAME_DAY, DeliveryChoice(slot_id=wednesday.id)
            ),
        )
    assert delivery_service.get_slot(uow(), wednesday.id).booked == 1
    assert count(runtime, orders_table) == 1


def test_the_database_refuses_an_overbooked_slot(runtime, uow, shop):
    site, _ = shop
    slot = open_thursday(uow, site, capacity=1)[0]
    with pytest.raises(IntegrityError), runtime.db.engine.begin() as conn:
        conn.execute(update(delivery_slots).where(delivery_slots.c.id == slot.id).values(booked=2))


def test_pickup_at_a_store_with_a_code(runtime, tenant, uow, shop):
    _, customer = shop
    store = delivery_service.add_pickup_point(
        uow(),
        delivery_service.NewPickupPoint(
            "ST-BELLECOUR", "Boutique Bellecour", PickupKind.STORE, "3 place Bellecour", "Lyon",
            "69002", "fr", GeoPoint(45.7578, 4.8320),
        ),
    )  # fmt: skip
    placed = checkout.place_with_options(
        uow(),
        checkout.Checkout(
            command(customer.id, point=FAR),  # the customer lives far; the store is near
            PromiseLevel.NEXT_DAY,
            DeliveryChoice(DeliveryMethod.PICKUP, pickup_point="ST-BELLECOUR"),
        ),
    )
    ship_to = orders.get_order(uow(), placed.order.id).ship_to
    assert (ship_to.name, ship_to.street, ship_to.postcode) == (
        "Mme Durand",
        "Boutique Bellecour, 3 place Bellecour",
        "69002",
    )
    assert ship_to.point == store.point
    code = placed.options.pickup_code
    assert code is not None
    assert len(code) == 6
    (issued,) = events(runtime, tenant, PickupCodeIssued)
    assert (issued.pickup_point, issued.pickup_code) == ("ST-BELLECOUR", code)

    delivery_service.set_pickup_point_active(uow(), "ST-BELLECOUR", False)
    assert delivery_service.list_pickup_points(uow()) == []
    with pytest.raises(InvalidInput, match="no open pickup point"):
        checkout.place_with_options(
            uow(),
            checkout.Checkout(
                command(customer.id),
                PromiseLevel.NEXT_DAY,
                DeliveryChoice(DeliveryMethod.PICKUP, pickup_point="ST-BELLECOUR"),
            ),
        )

    delivered(uow, placed.order.id, customer.id, paris(THU, 15))
    (ready,) = events(runtime, tenant, ReadyForPickup)
    assert (ready.order_id, ready.pickup_code) == (placed.order.id, code)


# -- the promise against the actual delivery --------------------------------------------------
def delivered(uow, order_id: str, customer_id: str, at: datetime) -> None:
    event = ShipmentDelivered(
        shipment_id=ShipmentId("shp_x"),
        order_id=OrderId(order_id),
        customer_id=CustomerId(customer_id),
        depot_id=WarehouseId("wh_x"),
        delivered_at=at,
        recipient="Mme Durand",
        on_time=True,
        weight_kg=2.0,
        distance_km=10.0,
    )
    promise_handlers.on_shipments_delivered(uow(), [event])


def test_on_time_rate_per_service_level(uow, shop, clock):
    _, customer = shop
    placed = []
    for level in (PromiseLevel.NEXT_DAY, PromiseLevel.NEXT_DAY, PromiseLevel.SAME_DAY):
        c = checkout.Checkout(command(customer.id), level)
        placed.append(checkout.place_with_options(uow(), c).order.id)
    delivered(uow, placed[0], customer.id, paris(THU, 19, 59))  # on time
    delivered(uow, placed[1], customer.id, paris(FRI, 11))  # 16 hours late
    delivered(uow, placed[2], customer.id, paris(WED, 17))
    delivered(uow, placed[2], customer.id, paris(FRI, 17))  # a repeat report changes nothing
    kept = promise_service.get_promise(uow(), OrderId(placed[1]))
    assert (kept.delivered_at, kept.on_time) == (paris(FRI, 11), False)
    assert promise_service.on_time_report(uow()) == [
        OnTimeRate(PromiseLevel.SAME_DAY, 1, 1, 0.0),
        OnTimeRate(PromiseLevel.NEXT_DAY, 2, 1, 15.0),
    ]
    thursday_only = promise_service.on_time_report(uow(), paris(THU, 0), paris(FRI, 0))
    assert thursday_only == [OnTimeRate(PromiseLevel.NEXT_DAY, 1, 1, 0.0)]
    with pytest.raises(InvalidInput):
        promise_service.on_time_report(uow(), paris(FRI, 0), paris(THU, 0))
