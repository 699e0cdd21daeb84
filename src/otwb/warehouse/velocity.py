"""W's use cases on pick velocity: ABC classes per SKU and site (putaway and cycle counts read
them) and re-slotting suggestions (``slotting.py`` holds the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import SkuId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import ledger_repo, repo, sites, work_repo
from otwb.warehouse.model import ZoneRole
from otwb.warehouse.slotting import BinState, Suggestion, classify, reslotting


@dataclass(frozen=True)
class Velocity:
    sku: str
    pick_lines: int
    abc: str


def classify_skus(uow: UnitOfWork, warehouse_id: WarehouseId, days: int = 30) -> list[Velocity]:
    """ABC classes of the SKUs held or picked in a warehouse, from the pick lines of the last
    ``days`` days (A: 80 % of the lines, B: the next 15 %, C: the rest), kept for putaway and
    cycle counts."""
    if not 1 <= days <= 365:
        raise InvalidInput("days must be within 1..365", field="days")
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        lines = ledger_repo.pick_lines_since(
            uow, warehouse_id, uow.clock.now() - timedelta(days=days)
        )
        held = ledger_repo.on_hand_by_sku(uow, warehouse_id)
        classes = classify(lines, sorted(held))
        work_repo.save_velocity(
            uow, warehouse_id, {s: (lines.get(s, 0), c) for s, c in classes.items()}
        )
        skus = repo.skus_by_id(uow, classes)
        uow.commit()
    return sorted(
        (Velocity(skus[s].code, lines.get(s, 0), c) for s, c in classes.items()),
        key=lambda v: (v.abc, -v.pick_lines, v.sku),
    )


@dataclass(frozen=True)
class Reslot:
    sku: str
    abc: str
    from_bin: str
    to_bin: str
    pick_lines: int
    metres_saved: float


def reslotting_suggestions(
    uow: UnitOfWork, warehouse_id: WarehouseId, days: int = 30, limit: int = 50
) -> list[Reslot]:
    """Moves of pick-face SKUs to bins that fit their recent velocity better."""
    if not 1 <= days <= 365:
        raise InvalidInput("days must be within 1..365", field="days")
    with uow:
        warehouse = repo.get_warehouse(uow, warehouse_id)
        velocity = ledger_repo.pick_lines_since(
            uow, warehouse_id, uow.clock.now() - timedelta(days=days)
        )
        states = sites.bin_states(uow, warehouse)
        classes = classify(velocity, sorted({s for b in states for s in b.skus}))
        pick_bins: dict[SkuId, BinState] = {}
        for b in states:
            if b.location.role is ZoneRole.PICK and len(b.skus) == 1:
                (sku,) = b.skus
                if sku not in pick_bins or b.distance_m < pick_bins[sku].distance_m:
                    pick_bins[sku] = b
        skus = repo.skus_by_id(uow, pick_bins)
    found: list[Suggestion] = reslotting(pick_bins, velocity, classes, skus, states, limit)
    return [
        Reslot(
            skus[s.sku_id].code,
            s.abc,
            s.from_bin.code,
            s.to_bin.code,
            s.pick_lines,
            round(s.metres_saved, 1),
        )
        for s in found
    ]
