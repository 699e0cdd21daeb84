"""Layout specs, the walking metric, S-shape and optimised pick paths, wave batching. Pure."""

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otwb.platform.errors import InvalidInput
from otwb.warehouse.layout import LayoutSpec, parse_aisles, parse_spec, plan_layout
from otwb.warehouse.pickpath import Spot, distance_matrix, plan_path, s_shape, tour_length, walk_m
from otwb.warehouse.waves import (
    Released,
    assign_pickers,
    cluster,
    consolidation_key,
    consolidations,
    group_waves,
)

DOCK = Spot.floor(0.0, 0.0)


def aisle_spot(x: float, y: float, name: str, lo: float = 3.0, hi: float = 15.0) -> Spot:
    return Spot(x, y, lo, hi, name)


def test_a_compact_spec_becomes_aisles_bays_levels_and_bins():
    assert parse_aisles("A-F") == ["A", "B", "C", "D", "E", "F"]
    assert parse_aisles("08-11,X") == ["08", "09", "10", "11", "X"]
    aisles, bays, levels = parse_spec("A-F x 20 x 4")
    assert (len(aisles), bays, levels) == (6, 20, 4)
    spec = LayoutSpec(tuple(aisles), bays, levels, bay_width_m=1.5, aisle_pitch_m=3.0)
    planned_aisles, bins = plan_layout(spec, last_x_m=None)
    assert len(bins) == 480
    assert len({b.code for b in bins}) == 480
    assert bins[0].code == "A-01-1"
    assert [a.x_m for a in planned_aisles[:3]] == [1.5, 4.5, 7.5]
    # Bays 1 and 2 face each other; the aisle is ten pairs deep.
    first = {b.bay: b.y_m for b in bins if b.aisle == "A" and b.level == 1}
    assert first[1] == first[2] == pytest.approx(3.0 + 0.75)
    assert planned_aisles[0].back_m - planned_aisles[0].front_m == pytest.approx(15.0)
    # A second layout goes to the right of the first.
    more, _ = plan_layout(LayoutSpec(("G",), 2, 1, aisle_pitch_m=3.0), last_x_m=16.5)
    assert more[0].x_m == pytest.approx(19.5)


def spec_of(text: str) -> LayoutSpec:
    aisles, bays, levels = parse_spec(text)
    return LayoutSpec(tuple(aisles), bays, levels)


@pytest.mark.parametrize("bad", ["A-F x 20", "F-A x 2 x 2", "A-F x 0 x 4", "AA-BB x 2 x 2"])
def test_bad_specs_are_refused(bad):
    with pytest.raises(InvalidInput):
        spec_of(bad)


def test_walking_within_an_aisle_and_across_by_the_nearer_cross_aisle():
    a = aisle_spot(0.0, 5.0, "A")
    assert walk_m(a, aisle_spot(0.0, 12.0, "A")) == pytest.approx(7.0)
    # To aisle B, 3 m to the right: by the front (2 + 3 + 2) rather than the back.
    assert walk_m(a, aisle_spot(3.0, 5.0, "B")) == pytest.approx(7.0)
    # Deep in both aisles: by the back (3 + 3 + 3).
    assert walk_m(aisle_spot(0.0, 12.0, "A"), aisle_spot(3.0, 12.0, "B")) == pytest.approx(9.0)
    # From the dock (a floor spot) to the front of aisle A, then in.
    assert walk_m(DOCK, a) == pytest.approx(5.0)


def test_the_distance_matrix_is_the_metric():
    rng = random.Random(3)
    spots = [DOCK] + [
        aisle_spot(3.0 * rng.randint(0, 6), rng.uniform(3, 15), f"A{i % 7}") for i in range(25)
    ]
    spots = [
        s if s.aisle is None else Spot(3.0 * int(s.aisle[1:]), s.y, 3, 15, s.aisle) for s in spots
    ]
    matrix = distance_matrix(spots)
    for i, a in enumerate(spots):
        for j, b in enumerate(spots):
            assert matrix[i, j] == pytest.approx(walk_m(a, b))


def test_s_shape_walks_whole_aisles_and_returns_in_the_last_one():
    stops = [aisle_spot(0.0, 5.0, "A"), aisle_spot(3.0, 14.0, "B"), aisle_spot(6.0, 4.0, "C")]
    order, walked = s_shape(DOCK, stops)
    assert order == [0, 1, 2]
    # dock->A front 3, A through 12, A back->B back 3, B through 12, B front->C front 3,
    # C in to 4 and out (2 x 1), back to the dock 6 + 3.
    assert walked == pytest.approx(3 + 12 + 3 + 12 + 3 + 2 + 9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.floats(3.0, 33.0)), min_size=1, max_size=40))
def test_the_optimised_path_is_never_longer_than_the_s_shape(picks):
    stops = [Spot(3.2 * a, y, 3.0, 33.0, f"A{a}") for a, y in picks]
    path = plan_path(Spot.floor(17.6, 0.0), stops)
    assert sorted(path.order) == list(range(len(stops)))
    assert path.optimised_m <= path.s_shape_m + 1e-6
    matrix = distance_matrix([Spot.floor(17.6, 0.0), *stops])
    assert tour_length(matrix, [0, *(i + 1 for i in path.order)]) == pytest.approx(
        path.optimised_m, abs=1e-3
    )


def test_on_average_the_optimised_path_saves_walking():
    rng = random.Random(11)
    ratios = []
    for _ in range(30):
        stops = [
            Spot(3.2 * a, rng.uniform(3.0, 33.0), 3.0, 33.0, f"A{a}")
            for a in (rng.randrange(20) for _ in range(15))
        ]
        path = plan_path(Spot.floor(32.0, 0.0), stops)
        ratios.append(path.optimised_m / path.s_shape_m)
    assert sum(ratios) / len(ratios) < 0.85


def test_waves_group_by_carrier_route_and_cut_off():
    cut = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    orders = [
        Released("o1", None, None, cut),
        Released("o2", "DHL", None, cut),
        Released("o3", None, None, cut),
        Released("o4", None, None, None),
        Released("o5", None, None, cut.replace(hour=8)),
    ]
    waves = group_waves(orders, max_orders=1)
    assert [[o.order_id for o in w] for w in waves] == [["o5"], ["o1"], ["o3"], ["o2"], ["o4"]]
    assert [[o.order_id for o in w] for w in group_waves(orders, 10)][1] == ["o1", "o3"]


def test_carts_gather_orders_whose_picks_are_close_and_pickers_share_the_walking():
    stops = {
        "near1": [aisle_spot(0.0, 4.0, "A")],
        "near2": [aisle_spot(3.0, 4.0, "B")],
        "far1": [aisle_spot(30.0, 14.0, "K")],
        "far2": [aisle_spot(33.0, 14.0, "L")],
    }
    carts = cluster(stops, DOCK, cart_size=2)
    assert sorted(sorted(c) for c in carts) == [["far1", "far2"], ["near1", "near2"]]
    assert assign_pickers([10.0, 50.0, 30.0, 25.0], ["ann", "bob"]) == ["ann", "ann", "bob", "bob"]


def test_a_consolidation_group_is_never_split_across_waves():
    cut = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    same = consolidation_key("cus1", "1 Rue X,  Lyon", 45.75, 4.83)
    assert same == consolidation_key("cus1", "1 rue x, lyon", 45.750001, 4.83)
    assert same != consolidation_key("cus2", "1 rue x, lyon", 45.75, 4.83)
    orders = [
        Released("o1", None, None, cut, same),
        Released("o2", None, None, cut),
        Released("o3", None, None, cut, same),
        Released("o4", None, None, cut),
    ]
    waves = [[o.order_id for o in w] for w in group_waves(orders, max_orders=2)]
    assert waves == [["o1", "o3"], ["o2", "o4"]]
    assert consolidations(group_waves(orders, 10)[0]) == [["o1", "o3"]]
    # o1 + o3 stay together even if they overfill a wave of one.
    assert [o.order_id for o in group_waves(orders, 1)[0]] == ["o1", "o3"]
