"""A warehouse's racking from a compact spec: zone -> aisles -> bays -> levels -> bins. Pure.

``"A-F x 20 x 4"`` is six aisles (A to F) of 20 bays of 4 levels: 480 bins coded ``A-01-1``
(aisle, bay, level). The geometry is the usual one of a single block of parallel aisles:

* aisles run along *y*, side by side along *x*, ``aisle_pitch_m`` apart (centre to centre);
* racks stand on both sides of an aisle and face each other: odd bays on the left, even bays on
  the right, so bays 1 and 2 are at the same depth; each pair of bays is ``bay_width_m`` deep;
* every aisle starts at the front cross aisle (``front_m`` from the dock wall, y = front) and
  ends at the back cross aisle; the picker walks in the aisles and the cross aisles only.

Levels are stacked: they change what a bin holds, not how far the picker walks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from otwb.platform.errors import InvalidInput

MAX_BINS = 50_000

_SPEC = re.compile(r"^\s*(\S+)\s*[x\u00d7]\s*(\d+)\s*[x\u00d7]\s*(\d+)\s*$", re.IGNORECASE)


def parse_aisles(text: str) -> list[str]:
    """``A-F`` -> A..F; ``01-12`` -> 01..12; ``A,C,E`` -> A, C, E (and mixes of those)."""
    codes: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            raise InvalidInput(f"empty aisle in {text!r}")
        if "-" not in part:
            codes.append(part.upper())
            continue
        first, _, last = (x.strip().upper() for x in part.partition("-"))
        if first.isdigit() and last.isdigit():
            if int(last) < int(first):
                raise InvalidInput(f"aisle range {part!r} runs backwards")
            width = max(len(first), len(last))
            codes.extend(f"{n:0{width}d}" for n in range(int(first), int(last) + 1))
        elif len(first) == len(last) == 1 and first.isalpha() and last.isalpha():
            if last < first:
                raise InvalidInput(f"aisle range {part!r} runs backwards")
            codes.extend(chr(c) for c in range(ord(first), ord(last) + 1))
        else:
            raise InvalidInput(f"cannot read the aisle range {part!r} (try A-F or 01-12)")
    if len(set(codes)) != len(codes):
        raise InvalidInput(f"aisles repeat in {text!r}")
    if any(not re.fullmatch(r"[A-Z0-9]{1,8}", c) for c in codes):
        raise InvalidInput("aisle codes are 1 to 8 letters or digits")
    return codes


def parse_spec(text: str) -> tuple[list[str], int, int]:
    """``"A-F x 20 x 4"`` -> (aisles, bays per aisle, levels per bay)."""
    match = _SPEC.match(text)
    if match is None:
        raise InvalidInput(f"a layout spec reads like 'A-F x 20 x 4', not {text!r}")
    return parse_aisles(match[1]), int(match[2]), int(match[3])


@dataclass(frozen=True, slots=True)
class LayoutSpec:
    aisles: tuple[str, ...]
    bays: int
    levels: int
    bay_width_m: float = 1.2
    aisle_pitch_m: float = 3.2
    front_m: float = 3.0
    first_x_m: float | None = None
    """x of the first aisle; None: one pitch to the right of the warehouse's last aisle."""
    bin_capacity_m3: float | None = None
    bin_capacity_kg: float | None = None

    def __post_init__(self) -> None:
        if not self.aisles:
            raise InvalidInput("a layout needs at least one aisle")
        if not (1 <= self.bays <= 999 and 1 <= self.levels <= 99):
            raise InvalidInput("bays must be within 1..999 and levels within 1..99")
        if len(self.aisles) * self.bays * self.levels > MAX_BINS:
            raise InvalidInput(f"at most {MAX_BINS:,} bins per layout")
        for name in ("bay_width_m", "aisle_pitch_m"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidInput(f"{name} must be positive")
        if not (math.isfinite(self.front_m) and self.front_m >= 0):
            raise InvalidInput("front_m must not be negative")
        for name in ("bin_capacity_m3", "bin_capacity_kg"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise InvalidInput(f"{name} must be positive")

    @classmethod
    def parse(cls, text: str, **options: Any) -> LayoutSpec:
        """``LayoutSpec.parse("A-F x 20 x 4", bin_capacity_m3=0.8)``."""
        aisles, bays, levels = parse_spec(text)
        return cls(tuple(aisles), bays, levels, **options)

    @property
    def depth_m(self) -> float:
        """Length of an aisle: a pair of facing bays per ``bay_width_m``."""
        return math.ceil(self.bays / 2) * self.bay_width_m


@dataclass(frozen=True, slots=True)
class PlannedAisle:
    code: str
    x_m: float
    front_m: float
    back_m: float


@dataclass(frozen=True, slots=True)
class PlannedBin:
    code: str
    aisle: str
    bay: int
    level: int
    y_m: float


def plan_layout(
    spec: LayoutSpec, last_x_m: float | None
) -> tuple[list[PlannedAisle], list[PlannedBin]]:
    """The aisles and bins of ``spec``, placed after ``last_x_m`` (the warehouse's rightmost
    aisle so far, if any)."""
    if spec.first_x_m is not None:
        first = spec.first_x_m
    else:
        first = spec.aisle_pitch_m / 2 if last_x_m is None else last_x_m + spec.aisle_pitch_m
    width = max(2, len(str(spec.bays)))
    aisles: list[PlannedAisle] = []
    bins: list[PlannedBin] = []
    for i, code in enumerate(spec.aisles):
        aisle = PlannedAisle(
            code, first + i * spec.aisle_pitch_m, spec.front_m, spec.front_m + spec.depth_m
        )
        aisles.append(aisle)
        for bay in range(1, spec.bays + 1):
            y = spec.front_m + (math.ceil(bay / 2) - 0.5) * spec.bay_width_m
            bins.extend(
                PlannedBin(f"{code}-{bay:0{width}d}-{level}", code, bay, level, y)
                for level in range(1, spec.levels + 1)
            )
    return aisles, bins
