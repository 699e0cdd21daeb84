"""Packing an order's goods into parcels. Pure.

**With a box catalogue** (``cartonise``): goods are packed by temperature class (chilled goods
never share a box with ambient ones). A unit that fits no box (too big or too heavy) ships in
its own case. The rest goes first-fit decreasing (largest units first) into boxes: when all that
is left fits one box, the smallest such box closes the order; otherwise the box that takes the
most of it is filled and the rest continues; each box is the smallest that holds what it got.
Limits are never exceeded: the units' volume stays within the box's usable volume
(``fill`` of its inner volume, for the air a real box keeps between cases) and the gross weight
(units plus the box's tare) within its maximum weight.

This is volume-and-weight cartonisation, not 3D packing: the fill factor stands for geometry.

**Without a catalogue** (``default_parcels``): a load split into equal standard parcels within
25 kg and 0.12 m³.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from otwb.platform.errors import InvalidInput
from otwb.platform.values import TemperatureClass
from otwb.warehouse.model import Parcel

MAX_PARCEL_KG = 25.0
MAX_PARCEL_M3 = 0.12
FILL = 0.85
"""Share of a box's inner volume that cases really use."""


def default_parcels(weight_kg: float, volume_m3: float) -> list[Parcel]:
    """Split a load into equal parcels within the standard parcel limits (25 kg, 0.12 m³)."""
    if weight_kg <= 0 or volume_m3 <= 0:
        raise InvalidInput("nothing to pack")
    count = max(1, math.ceil(weight_kg / MAX_PARCEL_KG), math.ceil(volume_m3 / MAX_PARCEL_M3))
    return [Parcel(weight_kg / count, volume_m3 / count) for _ in range(count)]


@dataclass(frozen=True, slots=True)
class Box:
    code: str
    inner_m3: float
    max_weight_kg: float
    """Gross: the goods plus the box itself."""
    tare_kg: float = 0.0
    outer_m3: float | None = None
    """What the parcel takes in a vehicle (inner volume when not given)."""

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidInput("a box needs a code")
        if not (self.inner_m3 > 0 and self.max_weight_kg > 0 and self.tare_kg >= 0):
            raise InvalidInput(f"box {self.code}: volume and weight must be positive")
        if self.tare_kg >= self.max_weight_kg:
            raise InvalidInput(f"box {self.code}: the tare reaches the maximum weight")
        if self.outer_m3 is not None and self.outer_m3 < self.inner_m3:
            raise InvalidInput(f"box {self.code}: outer volume below the inner one")

    @property
    def usable_m3(self) -> float:
        return self.inner_m3 * FILL

    @property
    def payload_kg(self) -> float:
        return self.max_weight_kg - self.tare_kg

    def holds(self, volume_m3: float, weight_kg: float) -> bool:
        return volume_m3 <= self.usable_m3 + 1e-12 and weight_kg <= self.payload_kg + 1e-12


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit (a case, an each) of a SKU to pack."""

    sku: str
    weight_kg: float
    volume_m3: float
    temperature_class: TemperatureClass = TemperatureClass.AMBIENT


@dataclass(frozen=True, slots=True)
class Carton:
    box: Box | None
    """None: the unit travels in its own case."""
    units: tuple[Unit, ...]

    @property
    def content_kg(self) -> float:
        return sum(u.weight_kg for u in self.units)

    @property
    def content_m3(self) -> float:
        return sum(u.volume_m3 for u in self.units)

    def parcel(self) -> Parcel:
        if self.box is None:
            return Parcel(self.content_kg, self.content_m3)
        box = self.box
        return Parcel(self.content_kg + box.tare_kg, box.outer_m3 or box.inner_m3, box.code)


def _fill(box: Box, units: list[Unit]) -> tuple[list[Unit], list[Unit]]:
    """First fit (largest first): what goes in ``box``, and what is left."""
    volume = weight = 0.0
    inside: list[Unit] = []
    rest: list[Unit] = []
    for unit in units:
        if box.holds(volume + unit.volume_m3, weight + unit.weight_kg):
            inside.append(unit)
            volume += unit.volume_m3
            weight += unit.weight_kg
        else:
            rest.append(unit)
    return inside, rest


def _smallest(boxes: Sequence[Box], units: Sequence[Unit]) -> Box | None:
    volume = sum(u.volume_m3 for u in units)
    weight = sum(u.weight_kg for u in units)
    return next((b for b in boxes if b.holds(volume, weight)), None)


def cartonise(units: Sequence[Unit], boxes: Sequence[Box]) -> list[Carton]:
    """The cartons for ``units`` from the catalogue ``boxes`` (see the module's docstring)."""
    if not boxes:
        raise InvalidInput("the box catalogue is empty")
    by_size = sorted(boxes, key=lambda b: (b.usable_m3, b.payload_kg, b.code))
    cartons: list[Carton] = []
    for temperature in TemperatureClass:
        group = sorted(
            (u for u in units if u.temperature_class is temperature),
            key=lambda u: (-u.volume_m3, -u.weight_kg, u.sku),
        )
        packable: list[Unit] = []
        for unit in group:
            if any(b.holds(unit.volume_m3, unit.weight_kg) for b in boxes):
                packable.append(unit)
            else:
                cartons.append(Carton(None, (unit,)))
        while packable:
            whole = _smallest(by_size, packable)
            if whole is not None:
                cartons.append(Carton(whole, tuple(packable)))
                break
            # The box that takes the most of what is left (every unit fits some box, so the
            # best one takes at least one), then the smallest box that holds what it took.
            fills = [(_fill(b, packable), b) for b in by_size]
            (inside, packable), box = max(
                fills, key=lambda f: (sum(u.volume_m3 for u in f[0][0]), -f[1].usable_m3)
            )
            cartons.append(Carton(_smallest(by_size, inside) or box, tuple(inside)))
    return cartons
