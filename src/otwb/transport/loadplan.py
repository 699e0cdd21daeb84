"""Load planning: consolidate shipments onto vehicles by weight, volume and pallet places
before routing, and report how full each vehicle is. Pure, plus one read-only use case.

First-fit decreasing on each shipment's largest share of a vehicle (the dimension that binds):
the biggest shipments go first, each into the first open vehicle with room in every dimension
(cold goods only into refrigerated ones); a new vehicle is opened, largest first, when none has
room. Few vehicles, well filled: the router then plans with those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from otwb.platform.ids import WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.transport import repo
from otwb.transport.model import PLANNABLE, Shipment, Vehicle


@dataclass
class Load:
    vehicle: Vehicle
    shipments: list[Shipment] = field(default_factory=list)

    @property
    def kg(self) -> float:
        return sum(s.weight_kg for s in self.shipments)

    @property
    def m3(self) -> float:
        return sum(s.volume_m3 for s in self.shipments)

    @property
    def pallets(self) -> int:
        return sum(s.pallets for s in self.shipments)

    def fits(self, s: Shipment) -> bool:
        v = self.vehicle
        return (
            v.can_carry(s.temperature_class)
            and self.kg + s.weight_kg <= v.capacity_kg + 1e-9
            and self.m3 + s.volume_m3 <= v.capacity_m3 + 1e-9
            and (v.capacity_pallets is None or self.pallets + s.pallets <= v.capacity_pallets)
        )

    def utilisation(self) -> dict[str, float]:
        v = self.vehicle
        out = {"kg": self.kg / v.capacity_kg, "m3": self.m3 / v.capacity_m3}
        if v.capacity_pallets:
            out["pallets"] = self.pallets / v.capacity_pallets
        return {k: round(100 * x, 1) for k, x in out.items()}


@dataclass(frozen=True)
class LoadPlan:
    loads: list[Load]
    left: list[Shipment]
    """What no vehicle can take."""


def _size(s: Shipment, fleet: Sequence[Vehicle]) -> float:
    biggest = max(fleet, key=lambda v: v.capacity_kg)
    return max(s.weight_kg / biggest.capacity_kg, s.volume_m3 / biggest.capacity_m3)


def consolidate(vehicles: Sequence[Vehicle], shipments: Sequence[Shipment]) -> LoadPlan:
    fleet = sorted((v for v in vehicles if v.active), key=lambda v: (-v.capacity_kg, v.code))
    if not fleet:
        return LoadPlan([], list(shipments))
    # Cold goods first (fewer vehicles take them), then the largest.
    ordered = sorted(
        shipments,
        key=lambda s: (not s.temperature_class.needs_refrigeration, -_size(s, fleet), s.id),
    )
    loads: list[Load] = []
    spare = list(fleet)
    left: list[Shipment] = []
    for s in ordered:
        load = next((lo for lo in loads if lo.fits(s)), None)
        if load is None:
            fresh = next((v for v in spare if Load(v).fits(s)), None)
            if fresh is None:
                left.append(s)
                continue
            spare.remove(fresh)
            load = Load(fresh)
            loads.append(load)
        load.shipments.append(s)
    return LoadPlan(loads, left)


def load_plan(uow: UnitOfWork, depot_id: WarehouseId) -> LoadPlan:
    """How the shipments waiting at a depot consolidate onto its vehicles."""
    with uow:
        repo.get_depot(uow, depot_id)  # NotFound: no such depot in this tenant
        vehicles = repo.list_vehicles(uow, depot_id)
        waiting = repo.list_shipments(uow, PLANNABLE, depot_id)
    return consolidate(vehicles, waiting)
