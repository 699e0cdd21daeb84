"""Where goods are put away, and which SKUs deserve better bins. Pure.

**Putaway** (``choose_bins``) places a quantity of one SKU-lot in storage bins, by these rules:

1. the bin's zone keeps the SKU's temperature (ambient, chilled, frozen), and is hazardous if
   and only if the goods are dangerous; it is a storage zone (pick or reserve), not the dock;
2. capacity: what the bin already holds plus what is put there stays within its volume and
   weight (a bin without a capacity is a floor area: not limited);
3. a bin holds one SKU: it is either empty or already holds this SKU (consolidation) -- bins of
   the same lot first, then of the same SKU, then empty ones;
4. among empty bins, ABC velocity: fast movers (A) go to the bins nearest the dock, slow ones
   (C) to the farthest. Bins are ranked by walking distance from the dock; class A aims at the
   nearest 20 %, B at the next 30 %, C at the rest;
5. a preferred role (pick faces for goods to be picked, reserve for pallets of stock) comes
   before the other; a quantity that fits no single bin is split over several.

**ABC classes** come from pick velocity: SKUs sorted by pick lines over a period, A up to 80 %
of the lines, B the next 15 %, C the rest (and everything that was not picked).

**Re-slotting suggestions**: a SKU whose pick bin lies outside its class's band (an A mover far
from the dock, say) is worth moving to the best free bin of its band; the suggestion says how
many metres of walking that saves over the period (two legs per pick line).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from otwb.platform.errors import Conflict
from otwb.platform.ids import SkuId
from otwb.warehouse.model import Location, LotId, Sku, ZoneRole, check_storable

BANDS = {"A": (0.0, 0.2), "B": (0.2, 0.5), "C": (0.5, 1.0)}
"""Where each velocity class belongs, as a share of bins ranked by distance from the dock."""
A_SHARE, B_SHARE = 0.80, 0.95


class NoStorageCapacity(Conflict):
    code = "no_storage_capacity"
    title = "No bin can take the goods"


@dataclass(frozen=True, slots=True)
class BinState:
    """A bin as putaway sees it: where it is, how far from the dock, what it holds."""

    location: Location
    distance_m: float
    used_m3: float = 0.0
    used_kg: float = 0.0
    skus: frozenset[SkuId] = frozenset()
    lots: frozenset[LotId | None] = field(default_factory=frozenset)

    def with_goods(self, sku: Sku, lot_id: LotId | None, quantity: int) -> BinState:
        """The bin once ``quantity`` more of ``sku`` is in it."""
        return replace(
            self,
            used_m3=self.used_m3 + quantity * sku.volume_m3,
            used_kg=self.used_kg + quantity * sku.weight_kg,
            skus=self.skus | {sku.id},
            lots=self.lots | {lot_id},
        )

    def room_for(self, sku: Sku) -> int | float:
        """How many more units of ``sku`` fit (``inf`` for a bin without limits)."""
        loc = self.location
        fits: list[float] = [math.inf]
        if loc.capacity_m3 is not None:
            fits.append((loc.capacity_m3 - self.used_m3) / sku.volume_m3)
        if loc.capacity_kg is not None:
            fits.append((loc.capacity_kg - self.used_kg) / sku.weight_kg)
        room = min(fits)
        return room if math.isinf(room) else max(0, math.floor(room + 1e-9))


def fits(sku: Sku, state: BinState, quantity: int) -> bool:
    """The putaway rules 1-3 for one bin: temperature, hazard, role, capacity, one SKU."""
    loc = state.location
    if not loc.role.stores or loc.temperature_class != sku.temperature_class:
        return False
    if loc.hazardous != sku.hazardous or (state.skus and state.skus != {sku.id}):
        return False
    return state.room_for(sku) >= quantity


def check_capacity(sku: Sku, state: BinState, quantity: int) -> None:
    """Refuse putting ``quantity`` of ``sku`` in this bin when it breaks a putaway rule."""
    check_storable(sku, state.location)
    room = state.room_for(sku)
    if room < quantity:
        raise NoStorageCapacity(
            f"bin {state.location.code} has room for {room} more of {sku.code}, not {quantity}",
            room=room,
        )
    if state.skus and state.skus != {sku.id}:
        raise NoStorageCapacity(f"bin {state.location.code} already holds another SKU")


def band_of(rank: float) -> str:
    return next(c for c, (lo, hi) in BANDS.items() if lo <= rank < hi or hi == 1.0)


def _misfit(rank: float, abc: str) -> float:
    lo, hi = BANDS[abc]
    return (
        0.0
        if lo <= rank < hi or (hi == 1.0 and rank >= lo)
        else min(abs(rank - lo), abs(rank - hi))
    )


def ranks(bins: Sequence[BinState]) -> dict[str, float]:
    """Each bin's place in the distance order from the dock, from 0 (nearest) to < 1."""
    ordered = sorted(bins, key=lambda b: (b.distance_m, b.location.code))
    return {b.location.id: i / len(ordered) for i, b in enumerate(ordered)}


def choose_bins(
    sku: Sku,
    lot_id: LotId | None,
    quantity: int,
    bins: Sequence[BinState],
    abc: str = "C",
    prefer: ZoneRole = ZoneRole.PICK,
    strict: bool = True,
) -> list[tuple[Location, int]]:
    """Where to put ``quantity`` units of ``sku`` (lot ``lot_id``): bins and how many in each.
    When the storage bins cannot take it all: ``NoStorageCapacity`` -- or, not ``strict``,
    what they can take."""
    eligible = [b for b in bins if fits(sku, b, 1)]
    rank = ranks([b for b in bins if b.location.role.stores])

    def preference(b: BinState) -> tuple[int, int, int, float, float, str]:
        holds = bool(b.skus)
        return (
            0 if b.location.role is prefer else 1,
            0 if holds and lot_id in b.lots else 1,
            0 if holds else 1,
            _misfit(rank[b.location.id], abc),
            b.distance_m,
            b.location.code,
        )

    placed: list[tuple[Location, int]] = []
    left = quantity
    for b in sorted(eligible, key=preference):
        if left == 0:
            break
        take = int(min(left, b.room_for(sku)))
        if take > 0:
            placed.append((b.location, take))
            left -= take
    if left and strict:
        raise NoStorageCapacity(
            f"the storage bins of this warehouse can take {quantity - left} of the {quantity} "
            f"{sku.code}",
            placeable=quantity - left,
        )
    return placed


def classify(lines: Mapping[SkuId, int], skus: Sequence[SkuId] = ()) -> dict[SkuId, str]:
    """ABC classes from pick lines per SKU over a period (Pareto: 80 % / 15 % / 5 %)."""
    total = sum(lines.values())
    classes = dict.fromkeys(skus, "C")
    running = 0
    for sku, count in sorted(lines.items(), key=lambda kv: (-kv[1], kv[0])):
        share_before = running / total if total else 1.0
        running += count
        if count <= 0:
            classes[sku] = "C"
        elif share_before < A_SHARE:
            classes[sku] = "A"
        elif share_before < B_SHARE:
            classes[sku] = "B"
        else:
            classes[sku] = "C"
    return classes


@dataclass(frozen=True, slots=True)
class Suggestion:
    sku_id: SkuId
    abc: str
    from_bin: Location
    to_bin: Location
    pick_lines: int
    metres_saved: float
    """Walking saved over the period had the SKU been there: two legs per pick line."""


def reslotting(
    pick_bins: Mapping[SkuId, BinState],
    velocity: Mapping[SkuId, int],
    classes: Mapping[SkuId, str],
    skus: Mapping[SkuId, Sku],
    bins: Sequence[BinState],
    limit: int = 50,
) -> list[Suggestion]:
    """Moves worth making: SKUs whose pick bin is outside their class's band, each to the best
    empty bin of its band (each free bin suggested once), biggest saving first."""
    rank = ranks([b for b in bins if b.location.role.stores])
    free = sorted(
        (b for b in bins if not b.skus and b.location.role is ZoneRole.PICK),
        key=lambda b: (b.distance_m, b.location.code),
    )
    taken: set[str] = set()
    out: list[Suggestion] = []
    candidates = sorted(pick_bins.items(), key=lambda kv: (-velocity.get(kv[0], 0), kv[0]))
    for sku_id, current in candidates:
        abc = classes.get(sku_id, "C")
        if _misfit(rank[current.location.id], abc) == 0.0:
            continue
        sku = skus[sku_id]
        target = next(
            (
                b
                for b in free
                if b.location.id not in taken
                and _misfit(rank[b.location.id], abc) == 0.0
                and fits(sku, b, 1)
                and b.room_for(sku) * sku.volume_m3 >= current.used_m3 - 1e-9
            ),
            None,
        )
        if target is None:
            continue
        saved = 2 * velocity.get(sku_id, 0) * (current.distance_m - target.distance_m)
        if abc != "A" and saved > 0:
            continue  # slow movers go *out* of the good bins; never suggest the reverse
        taken.add(target.location.id)
        out.append(
            Suggestion(
                sku_id, abc, current.location, target.location, velocity.get(sku_id, 0), saved
            )
        )
    out.sort(key=lambda s: (-abs(s.metres_saved), s.from_bin.code))
    return out[:limit]
