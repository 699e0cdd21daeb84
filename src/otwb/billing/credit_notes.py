"""Credit notes (use cases): credit an issued or paid invoice, whole or in part.

The invoice's row is locked first, so two credit notes against one invoice queue and the second
sees what the first credited (it can never credit a line beyond its amount). The note is
numbered in the ``CN`` series from its locked counter, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from otwb.billing import invoice_repo
from otwb.billing.credit_note import CreditRequest, credit_lines, credit_note
from otwb.billing.events import CreditNoteIssued
from otwb.billing.invoice import SERIES, DocumentType, Invoice, document_number
from otwb.platform.ids import InvoiceId
from otwb.platform.uow import UnitOfWork


def credit_invoice(
    uow: UnitOfWork,
    invoice_id: InvoiceId,
    reason: str,
    lines: Sequence[CreditRequest] | None = None,
) -> Invoice:
    """Issue a credit note against the invoice (``lines`` None: everything still uncredited)."""
    with uow:
        invoice = invoice_repo.get_invoice(uow, invoice_id, lock=True)
        reversed_lines = credit_lines(invoice, lines, invoice_repo.credited_lines(uow, invoice_id))
        now = uow.clock.now()
        note = credit_note(InvoiceId(uow.ids.new("crn")), invoice, reversed_lines, reason, now)
        series = SERIES[DocumentType.CREDIT_NOTE]
        sequence = invoice_repo.next_number(uow, series, now.year)
        number = document_number(series, now.year, sequence)
        note = replace(note, number=number)
        invoice_repo.insert_invoice(uow, note)
        uow.record(
            CreditNoteIssued(
                credit_note_id=note.id,
                invoice_id=invoice.id,
                customer_id=note.customer_id,
                number=number,
                invoice_number=str(invoice.number),
                total=note.total,
                currency=note.currency,
            )
        )
        uow.commit()
    return note


def credit_notes_of(uow: UnitOfWork, invoice_id: InvoiceId) -> list[Invoice]:
    """The credit notes issued against an invoice, oldest first."""
    with uow:
        invoice_repo.get_invoice(uow, invoice_id)
        return invoice_repo.list_invoices(uow, credited_invoice_id=invoice_id)
