"""B's invoicing: issue each customer's invoice for a period, read invoices, summarise.

An invoicing run is one transaction. It first takes the tenant's invoice counter for the year
(a row lock on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), so two runs
of one tenant queue rather than race: the second then sees what the first invoiced. Should two
runs still both read a charge as uninvoiced, the conditional UPDATE that puts charges on an
invoice (``WHERE invoice_id IS NULL``) changes fewer rows for the second, which then fails with
``Conflict`` and rolls back whole -- its invoice numbers with it, so no number is lost.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from otwb.billing import repo
from otwb.billing.events import InvoiceIssued
from otwb.billing.invoice import (
    BillingSummary,
    Invoice,
    Period,
    draft_invoice,
    invoice_number,
    issue,
    summarise,
)
from otwb.billing.model import Charge, applicable_tariff, start_of
from otwb.platform.errors import Conflict
from otwb.platform.ids import CustomerId, InvoiceId
from otwb.platform.uow import UnitOfWork


def issue_invoices(uow: UnitOfWork, period_start: date, period_end: date) -> list[Invoice]:
    """Invoice every customer's rated, uninvoiced charges of ``[period_start, period_end)``.

    One invoice per customer (and currency), numbered ``INV-<year of issue>-<sequence>``; its
    tax rate is that of the customer's tariff valid on the period's last day. A second run for
    the same period invoices only the charges that arrived since. Unrated charges wait.
    """
    period = Period(period_start, period_end)
    now = uow.clock.now()
    issued: list[Invoice] = []
    with uow:
        repo.lock_invoice_numbers(uow, now.year)
        pending = repo.charges_between(
            uow, start_of(period.start), start_of(period.end), to_invoice=True
        )
        groups: dict[tuple[CustomerId, str], list[Charge]] = defaultdict(list)
        for c in pending:
            assert c.rating is not None
            groups[c.customer_id, c.rating.currency].append(c)
        tariffs = repo.list_tariffs(uow, sorted({customer for customer, _ in groups}))
        for (customer_id, _currency), items in sorted(groups.items()):
            tax_tariff = applicable_tariff(tariffs, customer_id, period.last_day)
            if tax_tariff is None:  # cannot happen: the tariffs that rated the charges apply
                raise Conflict(f"no tariff gives customer {customer_id}'s tax rate")
            draft = draft_invoice(items, tax_tariff.tax_rate)
            sequence = repo.next_invoice_number(uow, now.year)
            invoice = issue(
                draft,
                InvoiceId(uow.ids.new("inv")),
                invoice_number(now.year, sequence),
                period,
                now,
            )
            repo.insert_invoice(uow, invoice, tax_tariff.id)
            repo.assign_invoice(uow, [c.id for c in items], invoice.id)
            uow.record(
                InvoiceIssued(
                    invoice_id=invoice.id,
                    customer_id=invoice.customer_id,
                    number=invoice.number,
                    period_start=period.start,
                    period_end=period.end,
                    total=invoice.total,
                    currency=invoice.currency,
                )
            )
            issued.append(invoice)
        uow.commit()
    return issued


def get_invoice(uow: UnitOfWork, invoice_id: InvoiceId) -> Invoice:
    """An invoice with its lines."""
    with uow:
        return repo.get_invoice(uow, invoice_id)


def list_invoices(
    uow: UnitOfWork,
    customer_id: CustomerId | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Invoice]:
    """Invoices in the order they were issued, with their lines."""
    with uow:
        return repo.list_invoices(uow, customer_id=customer_id, limit=limit, offset=offset)


def invoice_charges(uow: UnitOfWork, invoice_id: InvoiceId) -> list[Charge]:
    """The charges an invoice covers (what its lines add up)."""
    with uow:
        repo.get_invoice(uow, invoice_id)
        return repo.list_charges(uow, invoice_id=invoice_id)


def billing_summary(uow: UnitOfWork, period_start: date, period_end: date) -> BillingSummary:
    """For ``[period_start, period_end)``: the invoices whose period lies within it (count and
    totals per currency), and the charges that occurred in it (revenue by kind, how much of it
    is invoiced, how many are still unrated)."""
    period = Period(period_start, period_end)
    with uow:
        invoices = repo.list_invoices(uow, within=period)
        charges = repo.charges_between(uow, start_of(period.start), start_of(period.end))
    return summarise(period, invoices, charges)
