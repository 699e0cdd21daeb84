"""Lots and expiry: which stock may be promised, and in which order it leaves.

* A lot is **released** (may be allocated), **quarantined** (on hold, e.g. awaiting QA; may be
  released again), **recalled** (the supplier or the authority called it back: final) or
  **expired** (written off: final). Only released lots are allocated.
* Expiry is a date: a lot is usable *before* its expiry date, so on that day it no longer is.
  Nobody has to sweep expired lots: every allocation filters by today's date.
* A customer may require a minimum remaining shelf life (days from today to expiry); a lot that
  does not leave them that long is not promised to them, though it may serve someone else.
* Rotation: stock that expires leaves first-expired-first-out (FEFO); stock that does not,
  first-in-first-out (FIFO) by the day it was received. One key does both: goods without an
  expiry date sort after every dated lot, then by receipt day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import SkuId
from otwb.warehouse.model import LotId, Sku, StockRow, ZoneRole, check_move


class LotStatus(StrEnum):
    RELEASED = "released"
    QUARANTINED = "quarantined"
    RECALLED = "recalled"
    EXPIRED = "expired"

    @property
    def allocatable(self) -> bool:
        return self is LotStatus.RELEASED


LOT_TRANSITIONS: dict[LotStatus, frozenset[LotStatus]] = {
    LotStatus.RELEASED: frozenset({LotStatus.QUARANTINED, LotStatus.RECALLED, LotStatus.EXPIRED}),
    LotStatus.QUARANTINED: frozenset({LotStatus.RELEASED, LotStatus.RECALLED, LotStatus.EXPIRED}),
    LotStatus.RECALLED: frozenset(),
    LotStatus.EXPIRED: frozenset(),
}


def check_lot_transition(current: LotStatus, to: LotStatus) -> None:
    check_move("lot", LOT_TRANSITIONS, current, to)


@dataclass(frozen=True, slots=True)
class Lot:
    id: LotId
    sku_id: SkuId
    code: str
    expires_on: date | None
    status: LotStatus
    received_at: datetime


def remaining_days(expires_on: date | None, today: date) -> int | None:
    """Days of shelf life left; None for goods that do not expire."""
    return None if expires_on is None else (expires_on - today).days


def is_expired(expires_on: date | None, today: date) -> bool:
    left = remaining_days(expires_on, today)
    return left is not None and left <= 0


def usable_for(row: StockRow, today: date, min_shelf_life_days: int = 0) -> bool:
    """May this stock be promised to a customer who needs ``min_shelf_life_days`` left?"""
    left = remaining_days(row.expires_on, today)
    return left is None or left >= max(1, min_shelf_life_days)


def rotation_key(row: StockRow) -> tuple[date, date, int]:
    """FEFO for goods that expire, FIFO by receipt day otherwise; then pick faces before
    reserve (the picker need not fetch from high racking when both are as old)."""
    received = row.received_at.date() if row.received_at is not None else date.min
    return (
        row.expires_on or date.max,
        received,
        0 if row.role is ZoneRole.PICK else 1,
    )


def lot_for_receipt(
    sku: Sku, lot_code: str | None, expires_on: date | None, today: date
) -> tuple[str | None, date | None]:
    """The lot code and expiry of goods received today.

    Goods that expire carry a date: as printed on them, or today plus the SKU's shelf life when
    the supplier gave none; without a lot number their lot is named after that date
    (``BB20261130``). Lot- and serial-tracked goods need their lot number. Other goods take
    neither (they rotate FIFO by the day they were received).
    """
    code = (lot_code or "").strip() or None
    if not sku.expires and expires_on is not None:
        raise InvalidInput(f"SKU {sku.code} does not expire; it takes no expiry date")
    if not sku.tracks_lots:
        if code is not None:
            raise InvalidInput(
                f"SKU {sku.code} is not tracked by lot; it takes no lot", field="lot"
            )
        return None, None
    expiry = None
    if sku.expires:
        assert sku.shelf_life_days is not None
        expiry = expires_on or today + timedelta(days=sku.shelf_life_days)
        if expiry <= today:
            raise InvalidInput(
                f"SKU {sku.code}: goods expiring on {expiry.isoformat()} are already expired",
                field="expires_on",
            )
    if code is None:
        if expiry is None or sku.lot_tracked or sku.serial_tracked:
            raise InvalidInput(
                f"SKU {sku.code} is tracked by lot: give the lot number", field="lot"
            )
        code = f"BB{expiry:%Y%m%d}"
    return code, expiry
