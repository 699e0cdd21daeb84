import pytest

from otwb.platform.errors import InvalidInput, InvalidTransition, OutOfStock
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import LocationId, OrderLineId, SkuId, StockId, WarehouseId
from otwb.platform.values import TemperatureClass
from otwb.warehouse.allocation import choose_warehouse, plan_picks, shortages
from otwb.warehouse.cartonisation import MAX_PARCEL_KG, MAX_PARCEL_M3, default_parcels
from otwb.warehouse.model import (
    Demand,
    FulfilmentStatus,
    Location,
    Sku,
    StockRow,
    TemperatureMismatch,
    Warehouse,
    WarehouseKind,
    check_fulfilment_transition,
    check_storable,
)

CITY = GeoPoint(45.76, 4.83)
CENTRAL = Warehouse(
    WarehouseId("w_central"), "CEN", "Central", WarehouseKind.CENTRAL, GeoPoint(45.70, 4.95)
)
NORTH = Warehouse(
    WarehouseId("w_north"), "NOR", "North", WarehouseKind.FRONT, GeoPoint(45.78, 4.84)
)


def row(sid: str, wh: Warehouse, sku: str, on_hand: int, allocated: int = 0) -> StockRow:
    return StockRow(StockId(sid), wh.id, LocationId(f"loc_{sid}"), SkuId(sku), on_hand, allocated)


def demand(*lines: tuple[str, int]) -> list[Demand]:
    return [Demand(OrderLineId(f"l{i}"), SkuId(sku), qty) for i, (sku, qty) in enumerate(lines)]


def test_nearest_warehouse_that_can_serve_everything_is_chosen():
    stock = [row("1", CENTRAL, "A", 10), row("2", CENTRAL, "B", 10), row("3", NORTH, "A", 10)]
    # North is nearer but lacks B: the order is not split, central serves it all.
    assert choose_warehouse(demand(("A", 2), ("B", 1)), [CENTRAL, NORTH], stock, CITY) is CENTRAL
    # Only A: the nearer front warehouse wins.
    assert choose_warehouse(demand(("A", 2)), [CENTRAL, NORTH], stock, CITY) is NORTH


def test_allocated_stock_is_not_available():
    stock = [row("1", NORTH, "A", 10, allocated=9), row("2", CENTRAL, "A", 5)]
    assert choose_warehouse(demand(("A", 2)), [CENTRAL, NORTH], stock, CITY) is CENTRAL
    assert choose_warehouse(demand(("A", 7)), [CENTRAL, NORTH], stock, CITY) is None


def test_two_lines_of_one_sku_count_together():
    stock = [row("1", NORTH, "A", 5)]
    assert choose_warehouse(demand(("A", 3), ("A", 3)), [NORTH], stock, CITY) is None
    assert shortages(demand(("A", 3), ("A", 3)), stock)[0].requested == 6


def test_plan_picks_takes_fullest_location_first_and_splits_only_when_needed():
    stock = [row("1", CENTRAL, "A", 4), row("2", CENTRAL, "A", 9), row("3", CENTRAL, "A", 2)]
    picks = plan_picks(demand(("A", 8)), stock)
    assert [(p.stock_id, p.quantity) for p in picks] == [("2", 8)]
    picks = plan_picks(demand(("A", 12)), stock)
    assert [(p.stock_id, p.quantity) for p in picks] == [("2", 9), ("1", 3)]
    assert sum(p.quantity for p in picks) == 12


def test_plan_picks_never_promises_more_than_available():
    stock = [row("1", CENTRAL, "A", 5, allocated=2)]
    with pytest.raises(OutOfStock):
        plan_picks(demand(("A", 4)), stock)
    picks = plan_picks(demand(("A", 2), ("A", 1)), stock)
    assert sum(p.quantity for p in picks) == 3


def test_shortages_report_what_is_missing():
    stock = [row("1", CENTRAL, "A", 5), row("2", NORTH, "B", 1)]
    short = shortages(demand(("A", 7), ("B", 1)), stock)
    assert [(s.sku_id, s.requested, s.available) for s in short] == [("A", 7, 5)]
    assert shortages(demand(("B", 1)), stock, CENTRAL.id)[0].available == 0


def test_default_parcels_respect_the_parcel_limits():
    parcels = default_parcels(weight_kg=60.0, volume_m3=0.05)
    assert len(parcels) == 3
    assert all(p.weight_kg <= MAX_PARCEL_KG and p.volume_m3 <= MAX_PARCEL_M3 for p in parcels)
    assert sum(p.weight_kg for p in parcels) == pytest.approx(60.0)
    assert len(default_parcels(1.0, 0.5)) == 5  # bulky, light: volume decides
    with pytest.raises(InvalidInput):
        default_parcels(0, 0.1)


def test_goods_are_stored_only_where_the_temperature_fits():
    chilled = Sku(SkuId("s"), "MILK", "Milk", 1.0, 0.001, TemperatureClass.CHILLED)
    ambient_bin = Location(LocationId("l1"), CENTRAL.id, "A-01", TemperatureClass.AMBIENT)
    cold_bin = Location(LocationId("l2"), CENTRAL.id, "C-01", TemperatureClass.CHILLED)
    with pytest.raises(TemperatureMismatch):
        check_storable(chilled, ambient_bin)
    check_storable(chilled, cold_bin)
    assert (
        TemperatureClass.strictest(
            [TemperatureClass.CHILLED, TemperatureClass.FROZEN, TemperatureClass.AMBIENT]
        )
        is TemperatureClass.FROZEN
    )
    assert TemperatureClass.strictest([]) is TemperatureClass.AMBIENT


def test_sku_dimensions_must_be_positive():
    with pytest.raises(InvalidInput, match="weight"):
        Sku(SkuId("s"), "X", "X", 0.0, 0.1, TemperatureClass.AMBIENT)
    with pytest.raises(InvalidInput, match="volume"):
        Sku(SkuId("s"), "X", "X", 1.0, float("nan"), TemperatureClass.AMBIENT)


def test_fulfilment_moves_forward_only():
    check_fulfilment_transition(FulfilmentStatus.ALLOCATED, FulfilmentStatus.PICKED)
    check_fulfilment_transition(FulfilmentStatus.PACKED, FulfilmentStatus.RELEASED)
    with pytest.raises(InvalidTransition):
        check_fulfilment_transition(FulfilmentStatus.ALLOCATED, FulfilmentStatus.PACKED)
    with pytest.raises(InvalidTransition):
        check_fulfilment_transition(FulfilmentStatus.RELEASED, FulfilmentStatus.PICKED)
