"""Own-fleet cost on SQLite and PostgreSQL: a real route planned, dispatched and delivered; its
cost from ``RouteCompleted`` split into parts and shared among its shipments by weight."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from otwb.billing import cost_service
from otwb.billing.cost_repo import list_activities
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import ShipmentId
from otwb.transport import dispatch, service, shipments
from otwb.warehouse import service as warehouse
from tests import factories
from tests.factories import UowFactory
from tests.integration.test_transport import DAY, LIMIT, at, handed_over, van


@pytest.fixture
def depot(uow: UowFactory) -> factories.Site:
    s = factories.site(uow)
    factories.skus(uow, "WINE-6", weight=9.0, volume=0.012)
    warehouse.receive_stock(uow(), s.locations[0].id, "WINE-6", 500)
    return s


def test_a_completed_route_is_costed_and_shared_by_weight(uow, depot, clock) -> None:
    van(uow, depot)
    light = handed_over(uow, depot, n=2)  # 18 kg
    heavy = handed_over(uow, depot, n=3, lat=45.7800, lon=4.8700)  # 27 kg
    (route,) = service.plan_routes(uow(), depot.warehouse.id, DAY, time_limit_s=LIMIT).routes
    clock.set(at(DAY, 8))
    dispatch.dispatch_route(uow(), route.id)
    clock.set(at(DAY, 10))
    for stop in route.stops:
        dispatch.record_delivery(uow(), stop.shipment_id, "M. Durand")
    done = service.get_route(uow(), route.id)
    assert done.actual_cost is not None

    [(cost, shares)] = cost_service.list_route_costs(uow(), (DAY, DAY + timedelta(days=1)))
    assert (cost.route_id, cost.service_date, cost.currency) == (route.id, DAY, "EUR")
    assert cost.parts.total == done.actual_cost.amount
    km = Decimal(route.distance_m) / 1000
    assert cost.parts.distance == (km * Decimal("0.45")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    hours = Decimal(done.actual_duration_s or 0) / 3600
    assert abs(cost.parts.time - hours * Decimal("32.50")) <= Decimal("0.01")  # T's rounding
    assert cost.parts.fixed == Decimal(40)  # the vehicle's fixed cost

    by_order = {s.order_id: s for s in shares}
    assert set(by_order) == {light.id, heavy.id}
    assert by_order[light.id].weight_kg == Decimal(18)
    assert sum((s.amount for s in shares), Decimal(0)) == cost.parts.total
    exact_light = cost.parts.total * 18 / 45
    assert abs(by_order[light.id].amount - exact_light) < Decimal("0.01")
    shipment = shipments.get_shipment(uow(), ShipmentId(by_order[heavy.id].shipment_id))
    assert shipment.order_id == heavy.id

    # W's work was counted too: a picked line and a parcel per order.
    with uow() as u:
        counted = list_activities(u, (at(DAY, 0) - timedelta(days=3), at(DAY, 23)))
    assert sorted((a.activity, a.order_id, a.quantity) for a in counted) == sorted(
        [
            ("pick_line", light.id, Decimal(1)),
            ("pick_line", heavy.id, Decimal(1)),
            ("parcel", light.id, Decimal(1)),
            ("parcel", heavy.id, Decimal(2)),  # 3 cases of wine: two cartons
        ]
    )


def test_internal_cost_rates(uow) -> None:
    assert cost_service.set_cost_rate(uow(), "pick_line", "0.35") == Decimal("0.35")
    cost_service.set_cost_rate(uow(), "pick_line", Decimal("0.40"))
    rates = cost_service.cost_rates(uow())
    assert rates == {"pick_line": Decimal("0.40"), "parcel": Decimal(0), "unit_day": Decimal(0)}
    with pytest.raises(InvalidInput):
        cost_service.set_cost_rate(uow(), "forklift", "1")
    with pytest.raises(InvalidInput):
        cost_service.set_cost_rate(uow(), "parcel", "-1")
    with pytest.raises(InvalidInput):
        cost_service.set_cost_rate(uow(), "parcel", "0.0000001")
