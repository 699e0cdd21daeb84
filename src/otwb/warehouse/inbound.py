"""W's inbound use cases: advance shipping notices (ASN), receiving against them, putaway.

A supplier announces a delivery (an ASN: lines of SKU, quantity, lot and expiry). At the dock,
each receipt says, per line, how many units arrived in good order and how many damaged: the
good ones enter stock in the dock bin of their temperature (``DOCK-CHILLED``...), with their
lot, and putaway tasks take them to storage bins chosen by the slotting rules; damaged units are
recorded on the line (for the claim), never put into stock. Receiving may take several receipts;
closing the ASN reports, line by line, what was over, short and damaged (``AsnClosed``).

A receipt is an increment: a scanner resending the same receipt is recognised by the API's
``Idempotency-Key``, not by its content (two identical pallets are two receipts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition, UnknownSku
from otwb.platform.ids import SkuId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import inbound_repo, moves, promises, repo, service, sites
from otwb.warehouse.events import AsnClosed, GoodsReceived, ReceiptLine
from otwb.warehouse.inbound_repo import Asn, AsnLine, MoveTask
from otwb.warehouse.model import Sku


@dataclass(frozen=True)
class NewAsnLine:
    sku: str
    quantity: int
    lot: str | None = None
    expires_on: date | None = None


@dataclass(frozen=True)
class Receipt:
    """What arrived for one line of the notice."""

    line_no: int
    received: int
    damaged: int = 0
    lot: str | None = None
    """When the lot on the goods differs from the notice's (or the notice gave none)."""
    expires_on: date | None = None
    serials: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Received:
    asn: Asn
    putaway: list[MoveTask]
    waiting_at_dock: int
    """Units no storage bin could take: they wait in the dock bin."""


def create_asn(
    uow: UnitOfWork,
    warehouse_id: WarehouseId,
    reference: str,
    supplier: str,
    lines: Sequence[NewAsnLine],
    expected_at: datetime | None = None,
) -> Asn:
    reference, supplier = reference.strip(), supplier.strip()
    if not reference or not supplier:
        raise InvalidInput("an ASN needs the supplier's reference and name")
    if not lines:
        raise InvalidInput("an ASN needs at least one line")
    if any(x.quantity <= 0 for x in lines):
        raise InvalidInput("expected quantities must be positive")
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        skus = repo.skus_by_code(uow, sorted({x.sku for x in lines}))
        unknown = sorted({x.sku for x in lines} - set(skus))
        if unknown:
            raise UnknownSku(f"unknown SKU(s) {', '.join(unknown)}", skus=unknown)
        for x in lines:
            _check_lot_fields(skus[x.sku], x.lot, x.expires_on)
        asn = Asn(
            uow.ids.new("asn"),
            warehouse_id,
            reference,
            supplier,
            expected_at,
            "expected",
            tuple(
                AsnLine(
                    uow.ids.new("asl"),
                    n,
                    SkuId(skus[x.sku].id),
                    x.lot.strip() if x.lot else None,
                    x.expires_on,
                    x.quantity,
                    0,
                    0,
                )
                for n, x in enumerate(lines, start=1)
            ),
        )
        try:
            inbound_repo.insert_asn(uow, asn)
        except IntegrityError:
            raise Conflict(f"ASN reference {reference!r} is already used") from None
        uow.commit()
    return asn


def _check_lot_fields(sku: Sku, lot: str | None, expires_on: date | None) -> None:
    if lot and not sku.tracks_lots:
        raise InvalidInput(f"SKU {sku.code} is not tracked by lot; it takes no lot", field="lot")
    if expires_on is not None and not sku.expires:
        raise InvalidInput(f"SKU {sku.code} does not expire", field="expires_on")


def receive_asn(uow: UnitOfWork, asn_id: str, receipts: Sequence[Receipt]) -> Received:
    """Goods of a notice arrived: the good ones into the dock bin and onto putaway tasks, the
    damaged ones on the record. All lines of the receipt, or none."""
    if not receipts:
        raise InvalidInput("a receipt needs at least one line")
    if any(r.received < 0 or r.damaged < 0 or r.received + r.damaged == 0 for r in receipts):
        raise InvalidInput("each receipt line needs a positive quantity (received or damaged)")
    with uow:
        asn = inbound_repo.get_asn(uow, asn_id, lock=True)
        if asn.status == "closed":
            raise InvalidTransition("the ASN is closed", current="closed", requested="receiving")
        warehouse = repo.get_warehouse(uow, asn.warehouse_id)
        lines = {x.line_no: x for x in asn.lines}
        unknown = sorted({r.line_no for r in receipts} - set(lines))
        if unknown:
            raise InvalidInput(f"the ASN has no line {unknown[0]}", field="line_no")
        skus = repo.skus_by_id(uow, {x.sku_id for x in asn.lines})
        promises.lock_skus(uow, skus)  # stock rows first, in key order, as every use case does
        tasks: list[MoveTask] = []
        waiting = 0
        for r in receipts:
            line = lines[r.line_no]
            sku = skus[line.sku_id]
            if r.received:
                dock = sites.staging_bin(uow, warehouse, sku.temperature_class)
                stock_id, lot_id, _, _ = service.receive_lot(
                    uow,
                    dock,
                    sku,
                    r.received,
                    r.lot or line.lot,
                    r.expires_on or line.expires_on,
                    r.serials,
                    "receipt",
                    asn.id,
                )
                planned, left = moves.plan_putaway(
                    uow, warehouse, sku, lot_id, stock_id, r.received, asn.id
                )
                tasks.extend(planned)
                waiting += left
            inbound_repo.record_receipt(uow, line.id, r.received, r.damaged)
        inbound_repo.set_asn_status(uow, asn.id, "receiving")
        uow.record(
            GoodsReceived(
                asn_id=asn.id,
                warehouse_id=asn.warehouse_id,
                lines=tuple(
                    ReceiptLine(
                        line_no=r.line_no,
                        sku=skus[lines[r.line_no].sku_id].code,
                        lot=r.lot or lines[r.line_no].lot,
                        expected=lines[r.line_no].expected,
                        received=r.received,
                        damaged=r.damaged,
                    )
                    for r in receipts
                ),
                putaway_tasks=len(tasks),
            )
        )
        received = inbound_repo.get_asn(uow, asn.id)
        uow.commit()
    return Received(received, tasks, waiting)


def close_asn(uow: UnitOfWork, asn_id: str) -> Asn:
    """Receiving is over: the notice is closed with its over, short and damaged lines."""
    with uow:
        asn = inbound_repo.get_asn(uow, asn_id, lock=True)
        if asn.status == "closed":
            return asn  # closing twice changes nothing
        inbound_repo.set_asn_status(uow, asn.id, "closed")
        skus = repo.skus_by_id(uow, {x.sku_id for x in asn.lines})
        uow.record(
            AsnClosed(
                asn_id=asn.id,
                warehouse_id=asn.warehouse_id,
                supplier=asn.supplier,
                lines=tuple(
                    ReceiptLine(
                        line_no=x.line_no,
                        sku=skus[x.sku_id].code,
                        lot=x.lot,
                        expected=x.expected,
                        received=x.received,
                        damaged=x.damaged,
                    )
                    for x in asn.lines
                ),
            )
        )
        closed = inbound_repo.get_asn(uow, asn.id)
        uow.commit()
    return closed


def get_asn(uow: UnitOfWork, asn_id: str) -> Asn:
    with uow:
        return inbound_repo.get_asn(uow, asn_id)


def list_asns(
    uow: UnitOfWork, warehouse_id: WarehouseId | None = None, status: str | None = None
) -> list[Asn]:
    with uow:
        return inbound_repo.list_asns(uow, warehouse_id, status)
