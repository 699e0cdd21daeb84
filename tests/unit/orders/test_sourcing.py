from decimal import Decimal

import pytest

from otwb.orders.sourcing import (
    Availability,
    LineToSource,
    Site,
    SourcingOutcome,
    SourcingPolicy,
    SourcingRequest,
    cost_of,
    source_batch,
    source_order,
)
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import OrderId, OrderLineId, WarehouseId
from otwb.platform.values import TemperatureClass as T

LYON = GeoPoint(45.7578, 4.8320)
AMBIENT = frozenset({T.AMBIENT})
ALL = frozenset(T)


def site(code: str, lat: float, lon: float, *, front: bool = True, temps=AMBIENT, **kw) -> Site:
    return Site(WarehouseId(f"wh-{code}"), code, front, GeoPoint(lat, lon), temps, **kw)


def line(n: int, sku: str, qty: int, temp: T = T.AMBIENT) -> LineToSource:
    return LineToSource(OrderLineId(f"oli-{n}"), sku, qty, temp)


def request(*lines: LineToSource, policy=SourcingPolicy.SHIP_COMPLETE, n: int = 1):
    return SourcingRequest(OrderId(f"ord-{n}"), LYON, tuple(lines), policy)


def stock(**units: int) -> Availability:
    """stock(CEN_TEA=5): 5 TEA in wh-CEN."""
    out = {}
    for key, qty in units.items():
        code, sku = key.split("_", 1)
        out[WarehouseId(f"wh-{code}"), sku] = qty
    return Availability(out)


CEN = site("CEN", 45.72, 4.95, front=False, temps=ALL)  # ~10 km
NOR = site("NOR", 45.79, 4.84)  # ~3.6 km
SUD = site("SUD", 45.70, 4.80)  # ~6.9 km


def test_the_nearest_able_front_warehouse_is_chosen():
    plan = source_order(
        request(line(1, "TEA", 3)), [CEN, NOR, SUD], stock(CEN_TEA=9, NOR_TEA=3, SUD_TEA=9)
    )
    assert plan.outcome is SourcingOutcome.SINGLE
    assert plan.warehouses == [NOR.warehouse_id]
    assert plan.parts[0].distance_km == pytest.approx(3.634, abs=0.001)
    assert plan.parts[0].cost == Decimal("3.63")


def test_a_front_warehouse_beats_the_central_one_at_equal_cost():
    twin = site("CEN", 45.79, 4.84, front=False, temps=ALL)  # same place as NOR
    plan = source_order(request(line(1, "TEA", 3)), [twin, NOR], stock(CEN_TEA=9, NOR_TEA=9))
    assert plan.warehouses == [NOR.warehouse_id]


def test_cost_decides_between_warehouses_at_the_same_distance():
    cheap = site("AAA", 45.79, 4.84, handling_cost=Decimal("1.00"))
    dear = site("BBB", 45.79, 4.84, handling_cost=Decimal("4.00"))
    plan = source_order(request(line(1, "TEA", 1)), [dear, cheap], stock(AAA_TEA=5, BBB_TEA=5))
    assert plan.warehouses == [cheap.warehouse_id]
    assert plan.parts[0].cost == cost_of(cheap, plan.parts[0].distance_km)
    # A handling cost high enough makes the farther warehouse the cheaper one.
    far_cheap = site("FAR", 45.72, 4.95, cost_per_km=Decimal("0.10"))
    plan = source_order(request(line(1, "TEA", 1)), [dear, far_cheap], stock(BBB_TEA=5, FAR_TEA=5))
    assert plan.warehouses == [far_cheap.warehouse_id]


def test_temperature_capability_is_respected():
    # NOR is nearest and has the yoghurt on its books, but keeps no chilled zone.
    plan = source_order(
        request(line(1, "YOG", 2, T.CHILLED)), [CEN, NOR], stock(NOR_YOG=9, CEN_YOG=9)
    )
    assert plan.warehouses == [CEN.warehouse_id]
    none = source_order(request(line(1, "YOG", 2, T.CHILLED)), [NOR], stock(NOR_YOG=9))
    assert none.outcome is SourcingOutcome.UNSOURCED


def test_ship_complete_never_splits():
    order = request(line(1, "TEA", 3), line(2, "COFFEE", 2))
    available = stock(NOR_TEA=9, SUD_COFFEE=9)
    plan = source_order(order, [CEN, NOR, SUD], available)
    assert plan.outcome is SourcingOutcome.UNSOURCED
    assert plan.parts == ()
    assert "no single warehouse" in plan.reason
    assert available.of(NOR.warehouse_id, "TEA") == 9  # nothing taken


def test_allow_split_splits_only_when_no_single_warehouse_can_serve():
    order = request(line(1, "TEA", 3), line(2, "COFFEE", 2), policy=SourcingPolicy.ALLOW_SPLIT)
    whole = source_order(order, [CEN, NOR, SUD], stock(CEN_TEA=9, CEN_COFFEE=9, NOR_TEA=9))
    assert whole.outcome is SourcingOutcome.SINGLE
    assert whole.warehouses == [CEN.warehouse_id]

    available = stock(NOR_TEA=9, SUD_COFFEE=9, CEN_COFFEE=9)
    split = source_order(order, [CEN, NOR, SUD], available)
    assert split.outcome is SourcingOutcome.SPLIT
    by_site = {p.warehouse_id: [x.sku for x in p.lines] for p in split.parts}
    # Two warehouses; the coffee from SUD (nearer, cheaper) rather than the central one.
    assert by_site == {NOR.warehouse_id: ["TEA"], SUD.warehouse_id: ["COFFEE"]}
    assert available.of(NOR.warehouse_id, "TEA") == 6
    assert available.of(SUD.warehouse_id, "COFFEE") == 7


def test_a_split_uses_as_few_warehouses_as_it_can():
    far = site("FAR", 46.5, 5.5, temps=AMBIENT)
    order = request(
        line(1, "A", 1), line(2, "B", 1), line(3, "C", 1), policy=SourcingPolicy.ALLOW_SPLIT
    )
    # NOR+SUD+CEN are near but need three; FAR has B and C, so NOR + FAR is two warehouses.
    plan = source_order(
        order, [CEN, NOR, SUD, far], stock(NOR_A=1, SUD_B=1, CEN_C=1, FAR_B=1, FAR_C=1)
    )
    assert sorted(plan.warehouses) == sorted([NOR.warehouse_id, far.warehouse_id])


def test_split_with_too_little_stock_network_wide_waits():
    order = request(line(1, "TEA", 10), policy=SourcingPolicy.ALLOW_SPLIT)
    plan = source_order(order, [NOR, SUD], stock(NOR_TEA=6, SUD_TEA=6))
    assert plan.outcome is SourcingOutcome.UNSOURCED  # a line is never cut in two


def test_a_batch_sees_what_earlier_orders_took():
    orders = [request(line(1, "TEA", 3), n=1), request(line(1, "TEA", 3), n=2)]
    plans = source_batch(orders, [CEN, NOR], stock(NOR_TEA=4, CEN_TEA=4))
    assert [p.warehouses for p in plans] == [[NOR.warehouse_id], [CEN.warehouse_id]]


def test_lines_of_one_sku_are_counted_together():
    order = request(line(1, "TEA", 3), line(2, "TEA", 3))
    plan = source_order(order, [CEN, NOR], stock(NOR_TEA=4, CEN_TEA=6))
    assert plan.warehouses == [CEN.warehouse_id]


def test_an_order_stands_where_its_slowest_part_is():
    from otwb.orders.sourcing import PartStage as S
    from otwb.orders.sourcing import order_stage

    assert order_stage([S.PICKED, S.ALLOCATED, S.PACKED]) is S.ALLOCATED
    assert order_stage([S.HANDED_OVER]) is S.HANDED_OVER
    assert order_stage([]) is None
