"""Receipt and inspection of returns: each returned unit's disposition (restock only a released,
unexpired lot; else quarantine), the credit, and the close once B holds it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from otwb.orders import returns_repo as repo
from otwb.orders.events import InspectedUnits, ReturnClosed, ReturnInspected
from otwb.orders.returns import (
    Disposition,
    Inspection,
    Rma,
    RmaStatus,
    check_inspection,
    check_rma_transition,
    credit_of,
    final_disposition,
    not_received,
)
from otwb.orders.returns_service import move, timeline_note
from otwb.platform.errors import InvalidInput
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import returns as warehouse_returns
from otwb.warehouse import service as warehouse
from otwb.warehouse.returns_repo import ShippedUnits


@dataclass(frozen=True)
class InspectLine:
    line_no: int
    quantity: int
    disposition: Disposition
    lot: str | None = None
    accepted: bool = True


def inspect_return(uow: UnitOfWork, rma_id: str, lines: Sequence[InspectLine]) -> Rma:
    """Each returned unit's disposition and whether it is credited; W and B act on it."""
    with uow:
        rma = repo.get_rma(uow, rma_id)
        check_rma_transition(rma.id, rma.status, RmaStatus.INSPECTED)
        shipped = warehouse_returns.shipped_units(uow, rma.order_id)
        today = uow.clock.now().date()
        serials = {
            line.sku for line in rma.lines if warehouse.sku_by_code(uow, line.sku).serial_tracked
        }
        inspections = [
            _inspection(rma, x, shipped, today, rma.line(x.line_no).sku in serials) for x in lines
        ]
        check_inspection(rma, inspections)
        credit = credit_of(rma, inspections, repo.get_policy(uow, rma.customer_id))
        move(
            uow,
            rma,
            RmaStatus.INSPECTED,
            credit_gross=credit.gross.amount,
            restocking_fee=credit.restocking_fee.amount,
        )
        repo.insert_inspections(uow, rma.id, inspections)
        repo.give_back_returnable(uow, not_received(rma, inspections))
        timeline_note(uow, rma, "return_inspected", _summary(inspections, credit.net))
        uow.record(
            ReturnInspected(
                rma_id=rma.id,
                order_id=rma.order_id,
                customer_id=rma.customer_id,
                warehouse_id=rma.warehouse_id,
                units=tuple(
                    InspectedUnits(
                        order_line_id=rma.line(x.line_no).order_line_id,
                        sku=rma.line(x.line_no).sku,
                        lot=x.lot,
                        quantity=x.quantity,
                        disposition=x.disposition.value,
                        accepted=x.accepted,
                    )
                    for x in inspections
                ),
                currency=rma.currency,
                gross=credit.gross.amount,
                restocking_fee=credit.restocking_fee.amount,
                credit=credit.net.amount,
                inspected_at=uow.clock.now(),
            )
        )
        rma = repo.get_rma(uow, rma_id)
        uow.commit()
    return rma


def _inspection(
    rma: Rma,
    x: InspectLine,
    shipped: Sequence[ShippedUnits],
    today: date,
    serial_tracked: bool,
) -> Inspection:
    line = rma.line(x.line_no)
    sent = [s for s in shipped if s.order_line_id == line.order_line_id]
    lots = sorted({s.lot for s in sent if s.lot is not None})
    lot = x.lot.strip() if x.lot else None
    if lot is None and len(lots) == 1:
        lot = lots[0]
    if lots and lot not in lots:
        raise InvalidInput(
            f"line {x.line_no} shipped lot(s) {', '.join(lots)}: say which came back", field="lot"
        )
    if not lots and lot is not None:
        raise InvalidInput(f"line {x.line_no} shipped no lot", field="lot")
    of_lot = next((s for s in sent if s.lot == lot), None)
    final = final_disposition(
        x.disposition,
        of_lot.lot_status if of_lot else None,
        of_lot.expires_on if of_lot else None,
        today,
        serial_tracked,
    )
    requested = x.disposition if final is not x.disposition else None
    return Inspection(x.line_no, x.quantity, final, lot, x.accepted, requested)


def _summary(inspections: Sequence[Inspection], credit: Any) -> str:
    units: dict[str, int] = defaultdict(int)
    for x in inspections:
        units[x.disposition.value] += x.quantity
    parts = ", ".join(f"{n} {d}" for d, n in sorted(units.items()))
    return f"{parts}; credit {credit}"


def close_return(uow: UnitOfWork, rma_id: str, detail: str) -> Rma:
    with uow:
        rma = repo.get_rma(uow, rma_id)
        move(uow, rma, RmaStatus.CLOSED)
        timeline_note(uow, rma, "return_closed", detail)
        rma = repo.get_rma(uow, rma_id)
        assert rma.credit is not None  # guaranteed by the credit_known CHECK
        uow.record(
            ReturnClosed(
                rma_id=rma.id,
                order_id=rma.order_id,
                credit=rma.credit.net.amount,
                currency=rma.currency,
            )
        )
        uow.commit()
    return rma
