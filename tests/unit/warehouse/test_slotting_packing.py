"""Putaway rules, ABC classes, re-slotting, cartonisation limits and SSCC check digits. Pure."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import LocationId, SkuId, WarehouseId
from otwb.platform.values import TemperatureClass
from otwb.warehouse import sscc
from otwb.warehouse.cartonisation import Box, Unit, cartonise
from otwb.warehouse.model import (
    HazardMismatch,
    Location,
    LotId,
    Sku,
    TemperatureMismatch,
    ZoneRole,
    check_storable,
)
from otwb.warehouse.slotting import (
    BinState,
    NoStorageCapacity,
    check_capacity,
    choose_bins,
    classify,
    reslotting,
)

W = WarehouseId("w")
TEA = Sku(SkuId("tea"), "TEA", "Tea", 2.0, 0.01, TemperatureClass.AMBIENT)
MILK = Sku(SkuId("milk"), "MILK", "Milk", 1.0, 0.002, TemperatureClass.CHILLED, shelf_life_days=9)
ACID = Sku(SkuId("acid"), "ACID", "Acid", 5.0, 0.01, TemperatureClass.AMBIENT, hazardous=True)


def bin_(
    code: str,
    distance: float,
    *,
    temp: TemperatureClass = TemperatureClass.AMBIENT,
    role: ZoneRole = ZoneRole.PICK,
    m3: float | None = 0.1,
    kg: float | None = 100.0,
    hazardous: bool = False,
    holds: tuple[Sku, int, str | None] | None = None,
) -> BinState:
    loc = Location(
        LocationId(code),
        W,
        code,
        temp,
        role=role,
        hazardous=hazardous,
        capacity_m3=m3,
        capacity_kg=kg,
    )
    if holds is None:
        return BinState(loc, distance)
    sku, units, lot = holds
    return BinState(
        loc,
        distance,
        units * sku.volume_m3,
        units * sku.weight_kg,
        frozenset({sku.id}),
        frozenset({LotId(lot) if lot else None}),
    )


def test_temperature_and_hazard_must_fit_the_zone():
    with pytest.raises(TemperatureMismatch):
        check_storable(MILK, bin_("A", 1.0).location)
    check_storable(MILK, bin_("C", 1.0, temp=TemperatureClass.CHILLED).location)
    with pytest.raises(HazardMismatch):
        check_storable(ACID, bin_("A", 1.0).location)
    with pytest.raises(HazardMismatch):
        check_storable(TEA, bin_("H", 1.0, hazardous=True).location)
    placed = choose_bins(ACID, None, 3, [bin_("A", 1.0), bin_("H", 9.0, hazardous=True)])
    assert [(loc.code, q) for loc, q in placed] == [("H", 3)]


def test_capacity_by_volume_and_weight_is_respected_and_splits_the_rest():
    # 0.1 m³ holds 10 teas; 100 kg holds 50: volume decides. (A fast mover: nearest first.)
    placed = choose_bins(TEA, None, 25, [bin_("A1", 5.0), bin_("A2", 6.0), bin_("A3", 7.0)], "A")
    assert [(loc.code, q) for loc, q in placed] == [("A1", 10), ("A2", 10), ("A3", 5)]
    with pytest.raises(NoStorageCapacity) as err:
        choose_bins(TEA, None, 31, [bin_("A1", 5.0), bin_("A2", 6.0), bin_("A3", 7.0)])
    assert err.value.extra["placeable"] == 30
    with pytest.raises(NoStorageCapacity):
        check_capacity(TEA, bin_("A1", 5.0, holds=(TEA, 8, None)), 3)
    check_capacity(TEA, bin_("A1", 5.0, holds=(TEA, 8, None)), 2)
    check_capacity(TEA, bin_("FLOOR", 5.0, m3=None, kg=None), 10_000)


def test_same_sku_consolidation_first_same_lot_before_that_and_never_mixing_skus():
    bins = [
        bin_("EMPTY", 1.0),
        bin_("OTHER", 1.5, holds=(TEA, 1, None), temp=TemperatureClass.CHILLED),
        bin_("SAME_SKU", 8.0, temp=TemperatureClass.CHILLED, holds=(MILK, 5, "L1")),
        bin_("SAME_LOT", 9.0, temp=TemperatureClass.CHILLED, holds=(MILK, 5, "L2")),
        bin_("COLD_EMPTY", 0.5, temp=TemperatureClass.CHILLED),
    ]
    placed = choose_bins(MILK, LotId("L2"), 10, bins)
    assert [(loc.code, q) for loc, q in placed] == [("SAME_LOT", 10)]
    placed = choose_bins(MILK, LotId("L9"), 100, bins)  # 45 + 45 more fit where MILK is
    assert [(loc.code, q) for loc, q in placed] == [
        ("SAME_SKU", 45),
        ("SAME_LOT", 45),
        ("COLD_EMPTY", 10),
    ]


def test_fast_movers_near_the_dock_slow_ones_far():
    bins = [bin_(f"B{i:02d}", float(i)) for i in range(10)]
    assert choose_bins(TEA, None, 1, bins, abc="A")[0][0].code == "B00"
    assert choose_bins(TEA, None, 1, bins, abc="B")[0][0].code == "B02"
    assert choose_bins(TEA, None, 1, bins, abc="C")[0][0].code == "B05"
    reserve = [bin_("R", 1.0, role=ZoneRole.RESERVE), bin_("P", 9.0)]
    assert choose_bins(TEA, None, 1, reserve, prefer=ZoneRole.RESERVE)[0][0].code == "R"
    dock = [bin_("DOCK", 0.0, role=ZoneRole.STAGING)]
    with pytest.raises(NoStorageCapacity):
        choose_bins(TEA, None, 1, dock)


def test_abc_classes_follow_the_pareto_of_pick_lines():
    lines = {SkuId("a"): 80, SkuId("b"): 10, SkuId("c"): 6, SkuId("d"): 4}
    assert classify(lines, [SkuId("e")]) == {"a": "A", "b": "B", "c": "B", "d": "C", "e": "C"}


def test_reslotting_moves_a_fast_mover_from_a_far_bin_to_a_near_free_one():
    bins = [bin_(f"B{i:02d}", float(i)) for i in range(10)]
    bins[9] = bin_("B09", 9.0, holds=(TEA, 3, None))
    found = reslotting({TEA.id: bins[9]}, {TEA.id: 50}, {TEA.id: "A"}, {TEA.id: TEA}, bins)
    assert [(s.from_bin.code, s.to_bin.code) for s in found] == [("B09", "B00")]
    assert found[0].metres_saved == pytest.approx(2 * 50 * 9.0)


BOXES = [
    Box("S", 0.01, 10.0, 0.2),
    Box("M", 0.03, 20.0, 0.4),
    Box("L", 0.06, 25.0, 0.7, outer_m3=0.07),
]


def test_cartonisation_picks_the_smallest_box_that_holds_an_order():
    units = [Unit("TEA", 1.0, 0.004)] * 2
    [carton] = cartonise(units, BOXES)
    assert carton.box is not None
    assert carton.box.code == "S"
    parcel = carton.parcel()
    assert parcel.box == "S"
    assert parcel.weight_kg == pytest.approx(2.2)  # two teas and the box
    assert parcel.volume_m3 == 0.01


def test_cartonisation_keeps_temperatures_apart_and_big_units_in_their_own_case():
    units = [
        Unit("TEA", 1.0, 0.004),
        Unit("MILK", 1.0, 0.002, TemperatureClass.CHILLED),
        Unit("SOFA", 40.0, 0.5),
    ]
    cartons = cartonise(units, BOXES)
    assert sorted((c.box.code if c.box else "own", [u.sku for u in c.units]) for c in cartons) == [
        ("S", ["MILK"]),
        ("S", ["TEA"]),
        ("own", ["SOFA"]),
    ]
    with pytest.raises(InvalidInput):
        cartonise(units, [])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0.05, 30.0), st.floats(0.0005, 0.08), st.sampled_from(list(TemperatureClass))
        ),
        min_size=1,
        max_size=60,
    )
)
def test_cartonisation_never_exceeds_a_box_and_packs_every_unit(raw):
    units = [Unit(f"U{i}", w, v, t) for i, (w, v, t) in enumerate(raw)]
    cartons = cartonise(units, BOXES)
    assert sorted(u.sku for c in cartons for u in c.units) == sorted(u.sku for u in units)
    for c in cartons:
        assert len({u.temperature_class for u in c.units}) == 1
        if c.box is None:
            assert len(c.units) == 1
            assert not any(b.holds(c.units[0].volume_m3, c.units[0].weight_kg) for b in BOXES)
        else:
            assert c.content_m3 <= c.box.usable_m3 + 1e-9
            assert c.content_kg + c.box.tare_kg <= c.box.max_weight_kg + 1e-9


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("09528765432101234", 6),  # a published SSCC-18 example: (00)095287654321012346
        ("37610425002123456", 9),  # GS1's Swiss example: (00)376104250021234569
        ("400638133393", 1),  # GTIN-13 4006381333931: the same modulo-10 algorithm
    ],
)
def test_gs1_check_digits_of_known_codes(body, check):
    assert sscc.check_digit(body) == check


def test_sscc_is_18_digits_with_its_check_digit():
    code = sscc.make(3, "7610425", 2123456)
    assert code == "376104250021234569"
    assert sscc.is_valid(code)
    assert not sscc.is_valid("376104250021234568")
    assert len(sscc.make(0, sscc.EXAMPLE_PREFIX, 1)) == 18
    with pytest.raises(InvalidInput):
        sscc.make(0, "12345", 1)  # a prefix has 7 to 10 digits
    with pytest.raises(InvalidInput):
        sscc.make(0, "0614141", 10**9)  # nine digits of serial after a seven-digit prefix
