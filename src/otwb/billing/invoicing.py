"""B's invoicing use cases: billing runs, the invoice lifecycle, reading and summarising.

A **billing run** (per period, for every customer or one) turns the rated, uninvoiced charges
of ``[period_start, period_end)`` into one draft per customer and billing currency, in one
transaction: the charges are summed in SQL, each draft is written with its lines, and its
charges are put on it by one conditional ``UPDATE`` that must change exactly the rows that were
summed -- otherwise (a concurrent run, a charge that arrived meanwhile) ``Conflict`` and nothing
is written. A customer whose charges add up to less than zero (discounts beyond the rest) gets
no draft; its charges wait for the next run.

**Issuing** numbers a draft from the tenant's locked counter row of its series and year, in the
same transaction (``INV-2026-000123``): no gap, no duplicate, whatever runs concurrently.

Locks are always taken in one order -- the tenant's ``INV`` counter row, then an invoice's row,
then charges -- so runs, issues, re-runs and re-bills queue and never deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from otwb.billing import billable_repo, currency_repo, documents, invoice_repo, repo
from otwb.billing.billable_repo import Assignment
from otwb.billing.events import InvoiceIssued, InvoicePaid, InvoiceVoided
from otwb.billing.exchange_rates import rates_for
from otwb.billing.invoice import (
    SERIES,
    BillingSummary,
    DocumentType,
    Invoice,
    InvoiceStatus,
    Period,
    ServiceTotal,
    document_number,
    draft,
    ensure_draft,
    ensure_payable,
    ensure_rebillable,
    ensure_voidable,
    invoice_lines,
    summarise,
    totals_of,
)
from otwb.billing.model import Charge, start_of
from otwb.platform import auth
from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.ids import CustomerId, InvoiceId
from otwb.platform.uow import UnitOfWork


# -- billing runs --------------------------------------------------------------------------
def _draft_period(
    uow: UnitOfWork, period: Period, customer_id: CustomerId | None = None
) -> list[Invoice]:
    """Draft (inside the caller's transaction) every invoice the period's charges make."""
    invoice_repo.lock_billing(uow, uow.clock.now().year)
    totals = billable_repo.billable_totals(uow, period, customer_id)
    by_customer: dict[CustomerId, list[ServiceTotal]] = defaultdict(list)
    for t in totals:
        by_customer[t.customer_id].append(t)
    billed_in = currency_repo.billing_currencies_of(uow, sorted(by_customer))
    now = uow.clock.now()
    planned: list[tuple[Invoice, list[str], int]] = []  # (draft, its charge currencies, count)
    for customer, items in sorted(by_customer.items()):
        groups: dict[str, list[ServiceTotal]] = defaultdict(list)
        for t in items:
            groups[billed_in.get(customer, t.currency)].append(t)
        for currency, group in sorted(groups.items()):
            sources = sorted({t.currency for t in group})
            lines = invoice_lines(
                group, currency, rates_for(uow, sources, currency, period.last_day)
            )
            if totals_of(lines, currency)[2] < 0:
                continue  # discounts beyond the charges: nothing to bill yet
            invoice = draft(
                InvoiceId(uow.ids.new("inv")),
                customer,
                period,
                currency,
                period.last_day,
                lines,
                now,
            )
            planned.append((invoice, sources, sum(t.charges for t in group)))
    for invoice, _, _ in planned:  # every rate was found: now write
        invoice_repo.insert_invoice(uow, invoice)
    assignments = [
        Assignment(invoice.customer_id, source, invoice.id)
        for invoice, sources, _ in planned
        for source in sources
    ]
    billable_repo.assign_charges(uow, period, assignments, sum(n for _, _, n in planned))
    return [invoice for invoice, _, _ in planned]


def run_billing(
    uow: UnitOfWork,
    period_start: date,
    period_end: date,
    customer_id: CustomerId | None = None,
    *,
    issue: bool = False,
) -> list[Invoice]:
    """Draft the period's invoices (every customer's, or one's); charges join their draft.
    ``issue``: issue them too, in the same transaction."""
    period = Period(period_start, period_end)
    with uow:
        made = _draft_period(uow, period, customer_id)
        if issue:
            made = [_issue(uow, d) for d in made]
        uow.commit()
    return made


def _issue(uow: UnitOfWork, invoice: Invoice) -> Invoice:
    ensure_draft(invoice, "issue")
    now = uow.clock.now()
    series = SERIES[DocumentType.INVOICE]
    number = document_number(series, now.year, invoice_repo.next_number(uow, series, now.year))
    invoice_repo.mark_issued(uow, invoice.id, number, now)
    uow.record(
        InvoiceIssued(
            invoice_id=invoice.id,
            customer_id=invoice.customer_id,
            number=number,
            period_start=invoice.period.start,
            period_end=invoice.period.end,
            total=invoice.total,
            currency=invoice.currency,
        )
    )
    return replace(invoice, number=number, status=InvoiceStatus.ISSUED, issued_at=now)


def issue_invoices(uow: UnitOfWork, period_start: date, period_end: date) -> list[Invoice]:
    """Run billing for every customer of ``[period_start, period_end)`` and issue the drafts,
    in one transaction. A second run for the same period bills only what arrived since."""
    return run_billing(uow, period_start, period_end, issue=True)


def issue_invoice(uow: UnitOfWork, invoice_id: InvoiceId) -> Invoice:
    """Issue a draft: it gets the next ``INV`` number and never changes again."""
    with uow:
        invoice_repo.lock_billing(uow, uow.clock.now().year)
        issued = _issue(uow, invoice_repo.get_invoice(uow, invoice_id, lock=True))
        uow.commit()
    return issued


def discard_draft(uow: UnitOfWork, invoice_id: InvoiceId) -> int:
    """Delete a draft; its charges become billable again. How many were released."""
    with uow:
        ensure_draft(invoice_repo.get_invoice(uow, invoice_id, lock=True), "discard")
        released = billable_repo.release_charges(uow, invoice_id)
        invoice_repo.delete_draft(uow, invoice_id)
        uow.commit()
    return released


def rerun_draft(uow: UnitOfWork, invoice_id: InvoiceId) -> list[Invoice]:
    """Discard a draft and run billing again for its customer and period (a tariff or a rate
    was corrected, charges arrived late): the new draft(s), in one transaction."""
    with uow:
        invoice_repo.lock_billing(uow, uow.clock.now().year)
        old = invoice_repo.get_invoice(uow, invoice_id, lock=True)
        ensure_draft(old, "re-run")
        billable_repo.release_charges(uow, invoice_id)
        invoice_repo.delete_draft(uow, invoice_id)
        drafts = _draft_period(uow, old.period, old.customer_id)
        uow.commit()
    return drafts


def pay_invoice(uow: UnitOfWork, invoice_id: InvoiceId) -> Invoice:
    """Record the payment of an issued invoice's balance (its total less its credit notes)."""
    with uow:
        invoice = invoice_repo.get_invoice(uow, invoice_id, lock=True)
        ensure_payable(invoice)
        now, amount = uow.clock.now(), invoice.balance
        invoice_repo.mark_paid(uow, invoice_id, amount, now)
        assert invoice.number is not None
        uow.record(
            InvoicePaid(
                invoice_id=invoice.id,
                customer_id=invoice.customer_id,
                number=invoice.number,
                amount=amount,
                currency=invoice.currency,
            )
        )
        uow.commit()
    return replace(invoice, status=InvoiceStatus.PAID, paid_at=now, paid_amount=amount)


def void_invoice(uow: UnitOfWork, invoice_id: InvoiceId, reason: str) -> Invoice:
    """Void an issued, unpaid invoice without credit notes. It keeps its number and its
    charges: they are billed again only by ``rebill_invoice``."""
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise InvalidInput("voiding needs a reason (1 to 200 characters)", field="reason")
    with uow:
        invoice = invoice_repo.get_invoice(uow, invoice_id, lock=True)
        ensure_voidable(invoice)
        now = uow.clock.now()
        invoice_repo.mark_void(uow, invoice_id, reason, now)
        assert invoice.number is not None
        uow.record(
            InvoiceVoided(
                invoice_id=invoice.id,
                customer_id=invoice.customer_id,
                number=invoice.number,
                reason=reason,
            )
        )
        uow.commit()
    return replace(invoice, status=InvoiceStatus.VOID, voided_at=now, reason=reason)


def rebill_invoice(uow: UnitOfWork, invoice_id: InvoiceId) -> list[Invoice]:
    """Release a void invoice's charges and draft them again (with whatever else of the
    customer's period is billable). Once only: afterwards the void invoice has no charges."""
    with uow:
        invoice_repo.lock_billing(uow, uow.clock.now().year)
        void = invoice_repo.get_invoice(uow, invoice_id, lock=True)
        ensure_rebillable(void)
        if billable_repo.release_charges(uow, invoice_id) == 0:
            raise InvalidTransition(f"invoice {void.number} was already re-billed")
        drafts = _draft_period(uow, void.period, void.customer_id)
        uow.commit()
    return drafts


# -- reading -------------------------------------------------------------------------------
def get_invoice(uow: UnitOfWork, invoice_id: InvoiceId) -> Invoice:
    """An invoice or credit note with its lines."""
    with uow:
        return invoice_repo.get_invoice(uow, invoice_id)


def list_invoices(
    uow: UnitOfWork,
    customer_id: CustomerId | None = None,
    limit: int | None = None,
    offset: int = 0,
    *,
    status: InvoiceStatus | None = None,
    doc_type: DocumentType | None = None,
) -> list[Invoice]:
    """Invoices and credit notes in the order they were created, with their lines."""
    with uow:
        return invoice_repo.list_invoices(
            uow,
            customer_id=customer_id,
            status=status,
            doc_type=doc_type,
            limit=limit,
            offset=offset,
        )


def invoice_charges(uow: UnitOfWork, invoice_id: InvoiceId) -> list[Charge]:
    """The charges an invoice covers (what its lines add up)."""
    with uow:
        invoice_repo.get_invoice(uow, invoice_id)
        return repo.list_charges(uow, invoice_id=invoice_id)


def billing_summary(uow: UnitOfWork, period_start: date, period_end: date) -> BillingSummary:
    """For ``[period_start, period_end)``: the issued and paid invoices whose period lies within
    it (count and totals per currency), and the charges that occurred in it (revenue by kind,
    how much of it is invoiced, how many are still unrated)."""
    period = Period(period_start, period_end)
    with uow:
        invoices = invoice_repo.list_invoices(uow, within=period, doc_type=DocumentType.INVOICE)
        charges = repo.charges_between(uow, start_of(period.start), start_of(period.end))
    return summarise(period, invoices, charges)


# -- documents -----------------------------------------------------------------------------
def invoice_csv(uow: UnitOfWork, invoice_id: InvoiceId) -> tuple[Invoice, str]:
    """The invoice (or credit note) and its CSV."""
    invoice = get_invoice(uow, invoice_id)
    return invoice, documents.invoice_csv(invoice)


def invoice_pdf(uow: UnitOfWork, invoice_id: InvoiceId) -> tuple[Invoice, bytes]:
    """The invoice (or credit note) and its PDF, issued in the tenant's name."""
    invoice = get_invoice(uow, invoice_id)
    issuer = auth.get_tenant(uow, uow.tenant_id).name
    return invoice, documents.invoice_pdf(invoice, issuer)
