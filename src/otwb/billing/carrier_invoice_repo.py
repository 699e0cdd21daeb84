"""Reading and writing audited carrier invoices and their lines, within the caller's tenant."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, exists, insert, select, update

from otwb.billing.freight_audit import CarrierInvoice, Finding, InvoiceLine, LineStatus
from otwb.billing.settlement import stored_money
from otwb.billing.settlement_repo import CHUNK
from otwb.billing.settlement_tables import carrier_invoice_lines, carrier_invoices
from otwb.platform.errors import NotFound
from otwb.platform.ids import CarrierId
from otwb.platform.uow import UnitOfWork


def billed_shipments(uow: UnitOfWork, shipment_ids: Sequence[str]) -> set[str]:
    """Those of the shipments that are on a stored invoice line not rejected."""
    billed: set[str] = set()
    unique = sorted(set(shipment_ids))
    for start in range(0, len(unique), CHUNK):
        rows = uow.conn.execute(
            select(carrier_invoice_lines.c.shipment_id).where(
                carrier_invoice_lines.c.tenant_id == uow.tenant_id,
                carrier_invoice_lines.c.shipment_id.in_(unique[start : start + CHUNK]),
                carrier_invoice_lines.c.status != LineStatus.REJECTED.value,
            )
        )
        billed.update(r.shipment_id for r in rows)
    return billed


def insert_invoice(uow: UnitOfWork, invoice: CarrierInvoice) -> None:
    uow.conn.execute(
        insert(carrier_invoices).values(
            id=invoice.id,
            tenant_id=uow.tenant_id,
            carrier_id=invoice.carrier_id,
            number=invoice.number,
            invoice_date=invoice.invoice_date,
            billed_total=invoice.billed_total,
            imported_at=invoice.imported_at,
        )
    )
    if invoice.lines:
        uow.conn.execute(
            insert(carrier_invoice_lines),
            [
                {
                    "invoice_id": invoice.id,
                    "line_no": line.line_no,
                    "tenant_id": uow.tenant_id,
                    "reference": line.reference,
                    "shipment_id": line.shipment_id,
                    "amount": line.amount,
                    "currency": line.currency,
                    "surcharges": json.dumps({k: str(v) for k, v in line.surcharges.items()}),
                    "expected_amount": line.expected_amount,
                    "finding": line.finding.value,
                    "status": line.status.value,
                }
                for line in invoice.lines
            ],
        )


def invoice_exists(uow: UnitOfWork, carrier_id: CarrierId, number: str) -> bool:
    query = select(
        exists().where(
            carrier_invoices.c.tenant_id == uow.tenant_id,
            carrier_invoices.c.carrier_id == carrier_id,
            carrier_invoices.c.number == number,
        )
    )
    return bool(uow.conn.execute(query).scalar())


def _line(r: Any) -> InvoiceLine:
    return InvoiceLine(
        line_no=r.line_no,
        reference=r.reference,
        shipment_id=r.shipment_id,
        amount=stored_money(r.amount, r.currency),
        currency=r.currency,
        expected_amount=stored_money(r.expected_amount, r.currency),
        finding=Finding(r.finding),
        status=LineStatus(r.status),
        approved_amount=stored_money(r.approved_amount, r.currency),
        override_reason=r.override_reason,
        surcharges={k: Decimal(v) for k, v in json.loads(r.surcharges).items()},
    )


def _invoices(
    uow: UnitOfWork, rows: Sequence[Any], line_nos: Sequence[int] | None = None
) -> list[CarrierInvoice]:
    ids = [r.id for r in rows]
    lines: dict[str, list[InvoiceLine]] = {i: [] for i in ids}
    query = select(carrier_invoice_lines).where(
        carrier_invoice_lines.c.tenant_id == uow.tenant_id,
        carrier_invoice_lines.c.invoice_id.in_(ids),
    )
    if line_nos is not None:
        query = query.where(carrier_invoice_lines.c.line_no.in_(list(line_nos)))
    if ids:
        for r in uow.conn.execute(
            query.order_by(carrier_invoice_lines.c.invoice_id, carrier_invoice_lines.c.line_no)
        ):
            lines[r.invoice_id].append(_line(r))
    return [
        CarrierInvoice(
            id=r.id,
            carrier_id=r.carrier_id,
            number=r.number,
            invoice_date=r.invoice_date,
            billed_total=stored_money(
                r.billed_total, lines[r.id][0].currency if lines[r.id] else "EUR"
            ),
            imported_at=r.imported_at,
            lines=tuple(lines[r.id]),
            payable_id=r.payable_id,
        )
        for r in rows
    ]


def get_invoice(
    uow: UnitOfWork, invoice_id: str, *, lock: bool = False, line_nos: Sequence[int] | None = None
) -> CarrierInvoice:
    """The invoice with its lines (only ``line_nos`` when given). ``lock``: hold its row until
    the transaction ends, so decisions on one invoice are taken one after the other."""
    query = select(carrier_invoices).where(
        carrier_invoices.c.tenant_id == uow.tenant_id, carrier_invoices.c.id == invoice_id
    )
    rows = uow.conn.execute(query.with_for_update() if lock else query).all()
    if not rows:
        raise NotFound(f"no carrier invoice {invoice_id}")
    return _invoices(uow, rows, line_nos)[0]


def list_invoices(uow: UnitOfWork, carrier_id: CarrierId | None = None) -> list[CarrierInvoice]:
    query = select(carrier_invoices).where(carrier_invoices.c.tenant_id == uow.tenant_id)
    if carrier_id is not None:
        query = query.where(carrier_invoices.c.carrier_id == carrier_id)
    rows = uow.conn.execute(query.order_by(carrier_invoices.c.imported_at)).all()
    return _invoices(uow, rows)


_DECIDE = (
    update(carrier_invoice_lines)
    .where(
        carrier_invoice_lines.c.tenant_id == bindparam("b_tenant"),
        carrier_invoice_lines.c.invoice_id == bindparam("b_invoice"),
        carrier_invoice_lines.c.line_no == bindparam("b_line"),
        carrier_invoice_lines.c.status == LineStatus.PENDING.value,
    )
    .values(
        status=bindparam("b_status"),
        approved_amount=bindparam("b_amount", type_=carrier_invoice_lines.c.approved_amount.type),
        override_reason=bindparam("b_reason"),
    )
)


def save_decisions(uow: UnitOfWork, invoice_id: str, decided: Sequence[InvoiceLine]) -> None:
    """Store the decisions on lines still pending (the caller holds the invoice's lock)."""
    if decided:
        uow.conn.execute(
            _DECIDE,
            [
                {
                    "b_tenant": uow.tenant_id,
                    "b_invoice": invoice_id,
                    "b_line": line.line_no,
                    "b_status": line.status.value,
                    "b_amount": line.approved_amount,
                    "b_reason": line.override_reason,
                }
                for line in decided
            ],
        )
