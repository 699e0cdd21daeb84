"""The demo's day: orders arrive, the warehouses plan their pick waves, pick, pack and hand
over, transport plans and drives the routes (simulated with a seeded generator, a few deliveries
fail), billing accrues and invoices. Every step is a service call; each reacts to the previous
one's events as in production.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from otwb.billing import invoicing
from otwb.billing import service as billing
from otwb.demo.scenario import Scenario
from otwb.orders import service as orders
from otwb.orders.model import ServiceLevel
from otwb.platform.clock import SimulatedClock
from otwb.platform.ids import ShipmentId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow
from otwb.transport import dispatch, shipments
from otwb.transport import service as transport
from otwb.transport.model import ShipmentStatus
from otwb.warehouse import fulfilment, picking
from otwb.warehouse.model import FulfilmentStatus

UowFactory = Callable[[], UnitOfWork]
Step = Callable[[str, int], None]  # progress: (what, how many done)

SLOTS = [(11, 13), (13, 15), (15, 17), (17, 19)]  # UTC delivery slots
LINES = ([1, 2, 3, 4, 5], [0.25, 0.30, 0.25, 0.12, 0.08])
CASES = ([1, 2, 3, 4, 6, 8], [0.25, 0.25, 0.2, 0.14, 0.1, 0.06])
FAILURE_RATE = 0.03
FAILURES = [
    "recipient absent",
    "premises closed",
    "refused: damaged packaging",
    "access blocked by roadworks",
]
RECIPIENTS = [
    "M. Durand",
    "Mme Lefèvre",
    "M. Bernard",
    "Mme Moreau",
    "M. Petit",
    "Mme Garnier",
    "M. Roux",
    "Mme Fontaine",
    "accueil",
    "réception",
]


PICKERS = ["Amina", "Bruno", "Chloé", "Dylan"]
CART_SIZE = 6  # orders (totes) per cart


@dataclass
class Walking:
    """The pick waves of the day and how far their pickers walk (S-shape vs optimised)."""

    waves: int = 0
    pick_lists: int = 0
    s_shape_m: float = 0.0
    optimised_m: float = 0.0


@dataclass
class DayResult:
    placed: int
    routes: int
    unplanned: int
    deliveries: int
    failures: int
    walking: Walking


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def run_day(
    uow: UowFactory,
    clock: SimulatedClock,
    scenario: Scenario,
    day: date,
    n_orders: int,
    rng: random.Random,
    route_seconds: float,
    step: Step,
) -> DayResult:
    placed = _take_orders(uow, clock, scenario, day, n_orders, rng, step)
    walking = _work_warehouses(uow, clock, scenario, day, step)
    routes, unplanned = _plan_and_dispatch(uow, clock, scenario, day, route_seconds, rng, step)
    deliveries, failures = _drive(uow, clock, day, rng, step)
    clock.set(at(day, 19, 30))
    billing.accrue_storage(uow(), day)
    invoicing.issue_invoices(uow(), day, day + timedelta(days=1))
    step("invoiced", 1)
    return DayResult(placed, routes, unplanned, deliveries, failures, walking)


def _take_orders(
    uow: UowFactory,
    clock: SimulatedClock,
    scenario: Scenario,
    day: date,
    n: int,
    rng: random.Random,
    step: Step,
) -> int:
    """Orders arrive from 05:30 to 09:30 (UTC), from customers who do not all order alike."""
    weights = [rng.paretovariate(1.6) for _ in scenario.customers]
    popularity = [p.popularity for p in scenario.products]
    times = sorted(at(day, 5, 30) + timedelta(seconds=rng.uniform(0, 4 * 3600)) for _ in range(n))
    for i, placed_at in enumerate(times):
        clock.set(placed_at)
        customer = rng.choices(scenario.customers, weights=weights)[0]
        count = rng.choices(*LINES)[0]
        skus: list[str] = []
        while len(skus) < count:
            code = rng.choices(scenario.products, weights=popularity)[0].code
            if code not in skus:
                skus.append(code)
        slot = rng.choice(SLOTS) if rng.random() < 0.7 else None
        orders.place_order(
            uow(),
            orders.PlaceOrder(
                customer_id=customer.id,
                ship_to=scenario.addresses[customer.id],
                lines=[orders.NewLine(code, rng.choices(*CASES)[0]) for code in skus],
                service_level=ServiceLevel.SAME_DAY if slot else ServiceLevel.STANDARD,
                window=DeliveryWindow(at(day, slot[0]), at(day, slot[1])) if slot else None,
                reference=f"PO-{day:%y%m%d}-{i + 1:05d}",
            ),
        )
        step("orders placed", i + 1)
    return n


def _work_warehouses(
    uow: UowFactory, clock: SimulatedClock, scenario: Scenario, day: date, step: Step
) -> Walking:
    """At 09:30 every site plans its pick waves (by cut-off, per zone, carts of six orders,
    four pickers) and releases them; from 09:40 it picks, packs (catalogue boxes, SSCCs) and
    hands over what it was allocated."""
    done = 0
    walking = Walking()
    for site in scenario.sites:
        clock.set(at(day, 9, 30))
        for planned in picking.plan_waves(
            uow(), WarehouseId(site.warehouse.id), cart_size=CART_SIZE, pickers=PICKERS
        ):
            picking.release_wave(uow(), planned.wave.id)
            walking.waves += 1
            walking.pick_lists += len(planned.pick_lists)
            walking.s_shape_m += planned.s_shape_m
            walking.optimised_m += planned.optimised_m
        clock.set(at(day, 9, 40))
        queue = fulfilment.list_fulfilments(
            uow(), WarehouseId(site.warehouse.id), FulfilmentStatus.ALLOCATED, limit=100_000
        )
        for order_id in queue:
            clock.advance(timedelta(seconds=20))
            fulfilment.confirm_pick(uow(), order_id)
            fulfilment.pack_order(uow(), order_id)
            fulfilment.hand_over(uow(), order_id)
            done += 1
            step("orders picked, packed, handed over", done)
    return walking


def _plan_and_dispatch(
    uow: UowFactory,
    clock: SimulatedClock,
    scenario: Scenario,
    day: date,
    route_seconds: float,
    rng: random.Random,
    step: Step,
) -> tuple[int, int]:
    """At 10:45 each depot plans its routes with PyVRP; at 11:00 they leave."""
    clock.set(at(day, 10, 45))
    routes, unplanned = [], 0
    for site in scenario.sites:
        plan = transport.plan_routes(
            uow(),
            WarehouseId(site.warehouse.id),
            day,
            time_limit_s=route_seconds,
            seed=rng.randrange(1 << 30),
        )
        routes.extend(plan.routes)
        unplanned += len(plan.unplanned)
        step("depots planned", len(routes))
    clock.set(at(day, 11, 0))
    for route in routes:
        dispatch.dispatch_route(uow(), route.id)
    return len(routes), unplanned


def _drive(
    uow: UowFactory, clock: SimulatedClock, day: date, rng: random.Random, step: Step
) -> tuple[int, int]:
    """Drive every route: real travel varies around the plan (lognormal, now and then a jam),
    drivers wait for the window to open, and a few deliveries fail."""
    visits: list[tuple[datetime, ShipmentId, str | None]] = []
    on_board = shipments.list_shipments(uow(), status=ShipmentStatus.IN_TRANSIT, limit=1_000_000)
    windows = {s.id: s.window for s in on_board}
    for route in transport.list_routes(uow(), service_date=day):
        assert route.dispatched_at is not None
        actual, planned = route.dispatched_at, route.planned_start
        for stop in route.stops:
            gap = (stop.planned_arrival - planned).total_seconds()
            jam = rng.uniform(600, 1500) if rng.random() < 0.05 else 0.0
            actual += timedelta(seconds=gap * math.exp(rng.gauss(0, 0.12)) + jam)
            window = windows[stop.shipment_id]
            if window is not None and actual < window.start:
                actual = window.start
            failure = rng.choice(FAILURES) if rng.random() < FAILURE_RATE else None
            visits.append((actual, stop.shipment_id, failure))
            planned = stop.planned_arrival
    failures = 0
    for n, (when, shipment_id, failure) in enumerate(sorted(visits), start=1):
        clock.set(when)
        if failure is None:
            dispatch.record_delivery(uow(), shipment_id, rng.choice(RECIPIENTS))
        else:
            failures += 1
            dispatch.record_delivery_failure(uow(), shipment_id, failure)
        step("stops visited", n)
    return len(visits), failures
