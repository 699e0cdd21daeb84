"""How far a picker walks, and in which order to visit the bins of a pick list. Pure.

**The metric.** A picker walks along aisles and cross aisles only (racks in between). Within one
aisle the distance is the difference in depth. Between two aisles the picker leaves by one end,
walks along the cross aisles (rectilinear: across, then along) and enters the other by one of
its ends: the distance is the shortest of the four end combinations. A floor spot (the dock, a
floor location) is a point reached rectilinearly. This is the usual single-block model
(Ratliff & Rosenthal), generalised to aisles of different lengths.

**The S-shape baseline** (the "traversal" policy every warehouse knows): visit the aisles that
hold picks from left to right, walking each one end to end, entering by the nearer end; the last
aisle, when entered from the front, is walked only as far as its deepest pick and back.

**The optimised order**: a tour on the metric, improved by 2-opt and Or-opt (segments of one to
three stops moved, either way round) until no move shortens it, started from the S-shape's own
visiting order. The tour's length on the metric is at most the S-shape's walk (each S-shape leg
is a walk the metric measures at least as short) and local search only accepts improvements:
the optimised path is never longer than the S-shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from otwb.warehouse.model import Location

Matrix = NDArray[np.float64]
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Spot:
    """Where the picker stops: at depth ``y`` of the aisle ``aisle`` (which runs at ``x`` from
    ``lo`` to ``hi``), or a floor spot (``aisle`` None, ``lo == hi == y``)."""

    x: float
    y: float
    lo: float
    hi: float
    aisle: str | None = None

    @classmethod
    def floor(cls, x: float, y: float) -> Spot:
        return cls(x, y, y, y)

    @classmethod
    def of(cls, location: Location) -> Spot:
        if location.aisle is None or location.aisle_front_m is None:
            return cls.floor(location.x_m, location.y_m)
        assert location.aisle_back_m is not None
        return cls(
            location.x_m,
            location.y_m,
            location.aisle_front_m,
            location.aisle_back_m,
            location.aisle,
        )


def walk_m(a: Spot, b: Spot) -> float:
    """Walking distance between two spots (see the module's docstring)."""
    if a.aisle is not None and a.aisle == b.aisle:
        return abs(a.y - b.y)
    return abs(a.x - b.x) + min(
        abs(a.y - ea) + abs(ea - eb) + abs(eb - b.y) for ea in (a.lo, a.hi) for eb in (b.lo, b.hi)
    )


def distance_matrix(spots: Sequence[Spot]) -> Matrix:
    """``walk_m`` between every pair of spots, at once."""
    x = np.array([s.x for s in spots], dtype=np.float64)
    y = np.array([s.y for s in spots], dtype=np.float64)
    ends = (
        np.array([s.lo for s in spots], dtype=np.float64),
        np.array([s.hi for s in spots], dtype=np.float64),
    )
    names = {name: i for i, name in enumerate({s.aisle for s in spots if s.aisle is not None})}
    aisle = np.array(
        [names[s.aisle] if s.aisle is not None else -1 - i for i, s in enumerate(spots)]
    )
    best = np.full((len(spots), len(spots)), np.inf)
    for ea in ends:
        for eb in ends:
            via = (
                np.abs(y - ea)[:, None]
                + np.abs(ea[:, None] - eb[None, :])
                + np.abs(eb - y)[None, :]
            )
            np.minimum(best, via, out=best)
    result: Matrix = np.abs(x[:, None] - x[None, :]) + best
    same = aisle[:, None] == aisle[None, :]
    result[same] = np.abs(y[:, None] - y[None, :])[same]
    return result


def s_shape(dock: Spot, stops: Sequence[Spot]) -> tuple[list[int], float]:
    """The S-shape visiting order (indices into ``stops``) and the distance it walks, from the
    dock and back."""
    groups: dict[object, list[int]] = {}
    for i, s in enumerate(stops):
        groups.setdefault(s.aisle if s.aisle is not None else (s.x, s.y), []).append(i)
    aisles = sorted(groups.values(), key=lambda idx: (stops[idx[0]].x, stops[idx[0]].lo))
    px, py = dock.x, dock.y
    walked = 0.0
    order: list[int] = []
    for n, idx in enumerate(aisles):
        first = stops[idx[0]]
        x, lo, hi = first.x, first.lo, first.hi
        from_front = abs(py - lo) <= abs(py - hi)
        entry = lo if from_front else hi
        walked += abs(px - x) + abs(py - entry)
        deepest = sorted(idx, key=lambda i: stops[i].y, reverse=not from_front)
        order.extend(deepest)
        if n == len(aisles) - 1 and from_front:  # the last aisle: in to the deepest pick, out
            walked += 2 * (max(stops[i].y for i in idx) - lo)
            px, py = x, lo
        else:
            walked += hi - lo
            px, py = x, (hi if from_front else lo)
    walked += abs(px - dock.x) + abs(py - dock.y)
    return order, walked


def tour_length(matrix: Matrix, tour: Sequence[int]) -> float:
    """Length of the closed tour through ``tour`` (node 0, the dock, first)."""
    t = np.asarray(tour)
    return float(matrix[t, np.roll(t, -1)].sum())


def _two_opt(matrix: Matrix, tour: list[int]) -> bool:
    """Apply the best improving 2-opt move of each start; True if any improved the tour."""
    improved = False
    n = len(tour)
    for i in range(n - 2):
        t = np.asarray(tour)
        a, b = t[i], t[i + 1]
        j = np.arange(i + 2, n)
        c, d = t[j], t[(j + 1) % n]
        delta = matrix[a, c] + matrix[b, d] - matrix[a, b] - matrix[c, d]
        k = int(np.argmin(delta))
        if delta[k] < -_EPS:
            jj = int(j[k])
            tour[i + 1 : jj + 1] = reversed(tour[i + 1 : jj + 1])
            improved = True
    return improved


def _or_opt(matrix: Matrix, tour: list[int]) -> bool:
    """Move segments of 1 to 3 stops elsewhere in the tour (either way round) when shorter."""
    improved = False
    for length in (1, 2, 3):
        i = 1
        while i + length <= len(tour):
            n = len(tour)
            seg = tour[i : i + length]
            prev, nxt = tour[i - 1], tour[(i + length) % n]
            removed = matrix[prev, seg[0]] + matrix[seg[-1], nxt] - matrix[prev, nxt]
            rest = np.asarray(tour[:i] + tour[i + length :])
            a, b = rest, np.roll(rest, -1)
            ahead = matrix[a, seg[0]] + matrix[seg[-1], b] - matrix[a, b]
            backwards = matrix[a, seg[-1]] + matrix[seg[0], b] - matrix[a, b]
            k_ahead, k_back = int(np.argmin(ahead)), int(np.argmin(backwards))
            best, k, flip = (
                (ahead[k_ahead], k_ahead, False)
                if ahead[k_ahead] <= backwards[k_back]
                else (backwards[k_back], k_back, True)
            )
            if best - removed < -_EPS:
                moved = list(reversed(seg)) if flip else seg
                rebuilt = [int(v) for v in rest]
                tour[:] = rebuilt[: k + 1] + moved + rebuilt[k + 1 :]
                improved = True
            else:
                i += 1
    return improved


def improve(matrix: Matrix, tour: list[int], max_rounds: int = 50) -> list[int]:
    """2-opt and Or-opt until neither shortens the tour (node 0 stays first)."""
    tour = list(tour)
    for _ in range(max_rounds):
        if not (_two_opt(matrix, tour) | _or_opt(matrix, tour)):
            break
        start = tour.index(0)
        tour = tour[start:] + tour[:start]
    return tour


@dataclass(frozen=True, slots=True)
class PickPath:
    order: tuple[int, ...]
    """The optimised visiting order: indices into the stops."""
    s_shape_order: tuple[int, ...]
    s_shape_m: float
    optimised_m: float


def plan_path(dock: Spot, stops: Sequence[Spot]) -> PickPath:
    """The S-shape baseline and the optimised order of a pick list's stops, with both
    distances."""
    if not stops:
        return PickPath((), (), 0.0, 0.0)
    baseline, s_shape_m = s_shape(dock, stops)
    matrix = distance_matrix([dock, *stops])
    start = [0, *(i + 1 for i in baseline)]
    tour = improve(matrix, start) if len(stops) > 2 else start
    length = tour_length(matrix, tour)
    if length > s_shape_m:  # cannot happen (see above); never report a longer path
        tour, length = start, tour_length(matrix, start)
    return PickPath(
        tuple(i - 1 for i in tour[1:]), tuple(baseline), round(s_shape_m, 3), round(length, 3)
    )
