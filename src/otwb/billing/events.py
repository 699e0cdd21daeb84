"""The events B publishes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from otwb.platform.events import Event
from otwb.platform.ids import CustomerId, InvoiceId


class InvoiceIssued(Event):
    invoice_id: InvoiceId
    customer_id: CustomerId
    number: str
    period_start: date
    period_end: date
    total: Decimal
    currency: str


class ReturnCreditRecorded(Event):
    """B holds a credit for an inspected return, for the invoicing run to apply."""

    credit_id: str
    rma_id: str
    customer_id: CustomerId
    amount: Decimal
    currency: str


class InvoicePaid(Event):
    invoice_id: InvoiceId
    customer_id: CustomerId
    number: str
    amount: Decimal
    currency: str


class InvoiceVoided(Event):
    invoice_id: InvoiceId
    customer_id: CustomerId
    number: str
    reason: str


class CreditNoteIssued(Event):
    credit_note_id: InvoiceId
    invoice_id: InvoiceId
    customer_id: CustomerId
    number: str
    invoice_number: str
    total: Decimal
    currency: str
