"""W's side of returns and recalls.

* **Put back** inspected returned goods at the order's warehouse, each through the movement
  ledger (kind ``return``, the RMA as reference): **restock** into the bin they were picked
  from, same lot -- only while the lot is released and unexpired, the goods are not
  serial-tracked and the bin still takes them (putaway rules), else they go to quarantine;
  **quarantine** into the warehouse's ``RETQ-<temperature>`` bin (a staging zone: never
  allocated); **scrap**: received into quarantine, then written off at once by an adjustment
  with reason ``scrap``. The SKUs' stock rows are locked first, in key order, as every W use
  case does.
* **Recall**: a recalled lot's status is set through ``quality.set_lot_status`` (its open
  promises move to other lots).
* Read functions O uses: what an order's lines took from which lot and bin, who received a lot,
  and what of a lot is still in stock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from otwb.orders.events import RecallIssued, ReturnInspected
from otwb.platform.bus import MessageBus
from otwb.platform.errors import DomainError, InvalidTransition, NotFound
from otwb.platform.ids import LocationId, OrderId, StockId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import lot_repo, promises, quality, repo, returns_repo, sites, stock_repo
from otwb.warehouse.events import ReturnStocked, StockedReturn
from otwb.warehouse.lots import LotStatus, is_expired
from otwb.warehouse.model import Location, LotId, Sku
from otwb.warehouse.returns_repo import ShippedUnits
from otwb.warehouse.slotting import check_capacity

log = logging.getLogger("otwb.warehouse.returns")

QUARANTINE_PREFIX = "RETQ"


# -- read functions O uses --------------------------------------------------------------------
def shipped_units(uow: UnitOfWork, order_id: OrderId) -> list[ShippedUnits]:
    """The units each line of the order took, per bin and lot."""
    with uow:
        return returns_repo.shipped_units(uow, order_id)


def units_of_lot(uow: UnitOfWork, sku_code: str, lot_code: str) -> list[ShippedUnits]:
    """Every order line that took units of this lot (picked), with its order and customer."""
    with uow:
        return returns_repo.units_of_lot(uow, sku_code, lot_code)


@dataclass(frozen=True, slots=True)
class LotInStock:
    warehouse_id: str
    location: str
    on_hand: int
    allocated: int


def lot_in_stock(uow: UnitOfWork, sku_code: str, lot_code: str) -> list[LotInStock]:
    """Where units of the lot still are, bin by bin (rows with goods on hand)."""
    with uow:
        found = repo.skus_by_code(uow, [sku_code]).get(sku_code)
        if found is None:
            raise NotFound(f"no SKU {sku_code!r}")
        rows = stock_repo.stock_levels(uow, found.id, None)
    return [
        LotInStock(row.warehouse_id, location, row.on_hand, row.allocated)
        for row, _, location, lot, _ in rows
        if lot == lot_code and row.on_hand > 0
    ]


def find_lot_id(uow: UnitOfWork, sku_code: str, lot_code: str) -> LotId:
    with uow:
        sku = repo.skus_by_code(uow, [sku_code]).get(sku_code)
        lot = lot_repo.find_lot(uow, sku.id, lot_code) if sku is not None else None
    if lot is None:
        raise NotFound(f"no lot {lot_code!r} of {sku_code}")
    return lot.id


# -- putting returned goods back --------------------------------------------------------------
def put_back(uow: UnitOfWork, e: ReturnInspected) -> list[StockedReturn]:
    """Restock, quarantine or scrap each inspected unit of a return (one transaction)."""
    with uow:
        codes = sorted({u.sku for u in e.units})
        skus = repo.skus_by_code(uow, codes)
        promises.lock_skus(uow, [s.id for s in skus.values()])
        shipped = returns_repo.shipped_units(uow, e.order_id)
        warehouse = repo.get_warehouse(uow, WarehouseId(e.warehouse_id))
        bins = repo.locations_by_id(uow, {s.location_id for s in shipped})
        today = uow.clock.now().date()
        done: list[StockedReturn] = []
        for units in e.units:
            sku = skus[units.sku]
            lot = lot_repo.find_lot(uow, sku.id, units.lot) if units.lot else None
            lot_id = lot.id if lot else None
            disposition = units.disposition
            sellable = lot is None or (
                lot.status is LotStatus.RELEASED and not is_expired(lot.expires_on, today)
            )
            home = _picked_from(shipped, bins, units.order_line_id, units.lot)
            if disposition == "restock" and not _fits(uow, sku, home, units.quantity, sellable):
                disposition = "quarantine"
            if disposition == "restock":
                assert home is not None
                where = home
            else:
                where = sites.staging_bin(
                    uow, warehouse, sku.temperature_class, prefix=QUARANTINE_PREFIX
                )
            stock_id = _receive(uow, e.rma_id, where, sku, lot_id, units.quantity, disposition)
            if disposition == "scrap":
                stock_repo.change_on_hand(
                    uow, [(stock_id, -units.quantity)], "adjustment", e.rma_id, "scrap"
                )
            done.append(
                StockedReturn(
                    sku=sku.code,
                    lot=units.lot,
                    quantity=units.quantity,
                    disposition=disposition,
                    location_id=where.id,
                )
            )
        uow.record(
            ReturnStocked(
                rma_id=e.rma_id, order_id=e.order_id, warehouse_id=warehouse.id, lines=tuple(done)
            )
        )
        uow.commit()
    return done


def _picked_from(
    shipped: list[ShippedUnits],
    bins: dict[LocationId, Location],
    line_id: str,
    lot: str | None,
) -> Location | None:
    for s in shipped:
        if s.order_line_id == line_id and s.lot == lot and s.location_id in bins:
            return bins[s.location_id]
    return None


def _fits(uow: UnitOfWork, sku: Sku, home: Location | None, quantity: int, sellable: bool) -> bool:
    """May the units go back to sellable stock in the bin they came from? Only a released,
    unexpired lot, not serial-tracked (serials are captured again at a putaway), into a bin that
    still takes them (putaway rules: one SKU a bin, capacity)."""
    if not sellable or home is None or sku.serial_tracked:
        return False
    try:
        check_capacity(sku, sites.bin_state(uow, home), quantity)
    except DomainError:
        return False
    return True


def _receive(
    uow: UnitOfWork,
    rma_id: str,
    where: Location,
    sku: Sku,
    lot_id: LotId | None,
    quantity: int,
    disposition: str,
) -> StockId:
    return stock_repo.receive_into(
        uow,
        StockId(uow.ids.new("stk")),
        where,
        sku.id,
        lot_id,
        quantity,
        "return",
        rma_id,
        f"return_{disposition}",
    )


def on_return_inspected(uow: UnitOfWork, e: ReturnInspected) -> None:
    put_back(uow, e)


def on_recall_issued(uow: UnitOfWork, e: RecallIssued) -> None:
    """Mark the lot recalled; a lot already written off as expired stays so (final)."""
    with uow:
        lot_id = find_lot_id(uow, e.sku, e.lot)
        try:
            quality.set_lot_status(uow, lot_id, LotStatus.RECALLED, f"recall {e.recall_id}")
        except InvalidTransition as exc:
            log.warning("recall %s: lot %s not marked recalled: %s", e.recall_id, e.lot, exc)
        uow.commit()


def register(bus: MessageBus) -> None:
    bus.subscribe(ReturnInspected, "warehouse.put_back_return", on_return_inspected)
    bus.subscribe(RecallIssued, "warehouse.recall_lot", on_recall_issued)
