"""Invoicing on SQLite and PostgreSQL: billing runs that draft, issue numbering without gaps,
pay / void / re-bill, credit notes, currencies at stored rates, and the database's guards."""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import suppress
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from otwb.billing import (
    billable_repo,
    credit_notes,
    currency,
    exchange_rates,
    invoicing,
    service,
)
from otwb.billing.billable_repo import Assignment
from otwb.billing.credit_note import CreditRequest
from otwb.billing.events import CreditNoteIssued, InvoiceIssued, InvoicePaid, InvoiceVoided
from otwb.billing.invoice import (
    DocumentType,
    InvoiceStatus,
    MissingExchangeRate,
    Period,
    invoice_lines,
    service_totals,
)
from otwb.billing.invoice_tables import invoice_counters, invoices
from otwb.billing.invoice_tables import invoice_lines as lines_table
from otwb.billing.model import Basis
from otwb.billing.tables import charges, tariffs
from otwb.platform import auth
from otwb.platform.auth import Tenant
from otwb.platform.clock import SimulatedClock
from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from otwb.platform.ids import CustomerId, InvoiceId, OrderId
from otwb.platform.runtime import Runtime
from otwb.platform.tables import outbox
from otwb.platform.uow import UnitOfWork
from tests import factories
from tests.factories import UowFactory
from tests.integration.test_billing import _november_activity, money, set_tariff

NOVEMBER = (date(2026, 11, 1), date(2026, 12, 1))
NOV_10 = datetime(2026, 11, 10, 9, tzinfo=UTC)
CENT = Decimal("0.01")


def november_activity(uow: UowFactory) -> tuple[CustomerId, CustomerId]:
    """Customers A (20 % tax) and B (5.5 %), their November charges, and one of A's in December."""
    a, b = _november_activity(uow)
    return CustomerId(a), CustomerId(b)


def events(runtime: Runtime, name: str) -> list[str]:
    with runtime.db.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.payload).where(outbox.c.event_type == name)).all()
    return [r.payload for r in rows]


# -- runs and issuing --------------------------------------------------------------------
def test_a_run_drafts_without_numbers_and_issuing_numbers_them(uow, runtime) -> None:
    a, b = november_activity(uow)
    drafts = invoicing.run_billing(uow(), *NOVEMBER)
    assert [(d.customer_id, d.status, d.number) for d in drafts] == [
        (a, InvoiceStatus.DRAFT, None),
        (b, InvoiceStatus.DRAFT, None),
    ]
    assert invoicing.run_billing(uow(), *NOVEMBER) == []  # their charges are on the drafts
    assert events(runtime, "InvoiceIssued") == []

    second = invoicing.issue_invoice(uow(), drafts[1].id)  # numbered in the order of issue
    first = invoicing.issue_invoice(uow(), drafts[0].id)
    assert (second.number, first.number) == ("INV-2026-000001", "INV-2026-000002")
    assert first.status is InvoiceStatus.ISSUED
    with pytest.raises(InvalidTransition, match="it is issued"):
        invoicing.issue_invoice(uow(), first.id)
    with pytest.raises(InvalidTransition, match="it is issued"):
        invoicing.discard_draft(uow(), first.id)
    [event] = [InvoiceIssued.model_validate_json(p) for p in events(runtime, "InvoiceIssued")][:1]
    assert (event.number, event.total, event.customer_id) == ("INV-2026-000001", second.total, b)


def test_issue_invoices_runs_and_issues_every_customer_and_adds_up(uow, runtime) -> None:
    a, b = november_activity(uow)
    issued = invoicing.issue_invoices(uow(), *NOVEMBER)
    assert [(i.number, i.customer_id) for i in issued] == [
        ("INV-2026-000001", a),
        ("INV-2026-000002", b),
    ]
    inv_a, inv_b = (invoicing.get_invoice(uow(), i.id) for i in issued)
    assert [(x.basis, x.quantity, x.amount, x.tax) for x in inv_a.lines] == [
        (Basis.LINE, Decimal(10), Decimal("4.50"), Decimal("0.90")),
        (Basis.KG_KM, Decimal("561.741"), Decimal("0.67"), Decimal("0.13")),
        (Basis.DROP, Decimal(1), Decimal("3.50"), Decimal("0.70")),
    ]
    assert (inv_a.subtotal, inv_a.tax, inv_a.total) == (
        Decimal("8.67"),
        Decimal("1.73"),
        Decimal("10.40"),
    )
    assert (inv_b.subtotal, inv_b.tax, inv_b.total) == (
        Decimal("31.90"),  # 4.40 + 24.00 + 3.50
        Decimal("1.75"),  # 0.242 -> 0.24, 1.32, 0.1925 -> 0.19
        Decimal("33.65"),
    )
    tax_rates = {t.id: t.tax_rate for t in service.list_tariffs(uow())}
    for inv in (inv_a, inv_b):
        covered = invoicing.invoice_charges(uow(), inv.id)
        assert money(covered) == inv.subtotal
        assert {c.invoice_id for c in covered} == {inv.id}
        # the SQL GROUP BY and the Python grouping of the same charges agree, line for line
        assert invoice_lines(service_totals(covered, tax_rates), "EUR", {}) == inv.lines
    [december] = service.list_charges(uow(), invoiced=False)
    assert december.source_id == "ord_a3"
    published = [InvoiceIssued.model_validate_json(p) for p in events(runtime, "InvoiceIssued")]
    assert sorted((e.number, e.total) for e in published) == [
        ("INV-2026-000001", Decimal("10.40")),
        ("INV-2026-000002", Decimal("33.65")),
    ]


def test_a_second_run_bills_only_what_is_new(uow) -> None:
    a, _ = november_activity(uow)
    assert len(invoicing.issue_invoices(uow(), *NOVEMBER)) == 2
    assert invoicing.issue_invoices(uow(), *NOVEMBER) == []
    late = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)  # a late report for November
    service.charge_handling(uow(), OrderId("ord_late"), a, 2, late)
    [extra] = invoicing.issue_invoices(uow(), *NOVEMBER)
    assert (extra.number, extra.customer_id, extra.subtotal, extra.total) == (
        "INV-2026-000003",
        a,
        Decimal("0.90"),
        Decimal("1.08"),
    )
    assert [i.number for i in invoicing.list_invoices(uow(), a)] == [
        "INV-2026-000001",
        "INV-2026-000003",
    ]


def test_a_run_for_one_customer_leaves_the_others(uow) -> None:
    a, b = november_activity(uow)
    [only] = invoicing.run_billing(uow(), *NOVEMBER, customer_id=b)
    assert only.customer_id == b
    assert {c.customer_id for c in service.list_charges(uow(), invoiced=False)} == {a}


def test_each_charge_is_taxed_at_its_tariffs_rate(uow) -> None:
    customer = CustomerId(factories.customer(uow).id)
    set_tariff(uow, customer, valid_from=date(2026, 1, 1), handling="1", tax="0.20")
    set_tariff(uow, customer, valid_from=date(2026, 11, 15), handling="1", tax="0.10")
    service.charge_handling(uow(), OrderId("o1"), customer, 10, datetime(2026, 11, 2, tzinfo=UTC))
    service.charge_handling(uow(), OrderId("o2"), customer, 5, datetime(2026, 11, 20, tzinfo=UTC))
    [invoice] = invoicing.issue_invoices(uow(), *NOVEMBER)
    assert [(x.tax_rate, x.amount, x.tax) for x in invoice.lines] == [
        (Decimal("0.1"), Decimal("5.00"), Decimal("0.50")),
        (Decimal("0.2"), Decimal("10.00"), Decimal("2.00")),
    ]
    assert invoice.total == Decimal("17.50")


def test_numbers_restart_each_year_of_issue(uow, clock: SimulatedClock) -> None:
    set_tariff(uow)
    service.charge_handling(
        uow(), OrderId("o1"), CustomerId("c1"), 1, datetime(2026, 12, 5, tzinfo=UTC)
    )
    [old] = invoicing.issue_invoices(uow(), date(2026, 12, 1), date(2026, 12, 10))
    clock.set(datetime(2027, 1, 2, 8, tzinfo=UTC))
    service.charge_handling(
        uow(), OrderId("o2"), CustomerId("c2"), 1, datetime(2026, 12, 6, tzinfo=UTC)
    )
    service.charge_handling(
        uow(), OrderId("o3"), CustomerId("c3"), 1, datetime(2026, 12, 7, tzinfo=UTC)
    )
    first, second = invoicing.issue_invoices(uow(), date(2026, 12, 1), date(2027, 1, 1))
    assert (old.number, first.number, second.number) == (
        "INV-2026-000001",
        "INV-2027-000001",
        "INV-2027-000002",
    )


# -- drafts, payment, void, re-bill -------------------------------------------------------
def test_a_draft_is_discarded_or_rerun_and_its_charges_released(uow) -> None:
    a, _ = november_activity(uow)
    draft_a, draft_b = invoicing.run_billing(uow(), *NOVEMBER)
    assert invoicing.discard_draft(uow(), draft_b.id) == 3
    with pytest.raises(NotFound):
        invoicing.get_invoice(uow(), draft_b.id)
    late = datetime(2026, 11, 29, tzinfo=UTC)
    service.charge_handling(uow(), OrderId("ord_late"), a, 2, late)  # 0.90
    [again] = invoicing.rerun_draft(uow(), draft_a.id)
    assert again.id != draft_a.id
    assert (again.subtotal, again.status) == (Decimal("9.57"), InvoiceStatus.DRAFT)
    with pytest.raises(NotFound):
        invoicing.get_invoice(uow(), draft_a.id)
    assert len(invoicing.invoice_charges(uow(), again.id)) == 5
    assert [i.id for i in invoicing.list_invoices(uow())] == [again.id]


def test_pay_void_and_rebill(uow, runtime) -> None:
    a, b = november_activity(uow)
    inv_a, inv_b = invoicing.issue_invoices(uow(), *NOVEMBER)
    paid = invoicing.pay_invoice(uow(), inv_a.id)
    assert (paid.status, paid.paid_amount, paid.balance) == (
        InvoiceStatus.PAID,
        Decimal("10.40"),
        Decimal("0.00"),
    )
    with pytest.raises(InvalidTransition, match="it is paid"):
        invoicing.pay_invoice(uow(), inv_a.id)
    with pytest.raises(InvalidTransition, match="it is paid"):
        invoicing.void_invoice(uow(), inv_a.id, "typo")
    with pytest.raises(InvalidInput, match="reason"):
        invoicing.void_invoice(uow(), inv_b.id, " ")

    void = invoicing.void_invoice(uow(), inv_b.id, "wrong tariff")
    assert (void.status, void.number, void.balance) == (
        InvoiceStatus.VOID,
        "INV-2026-000002",
        Decimal("0.00"),
    )
    # its charges stay on it: a run does not bill them again by itself
    assert len(invoicing.invoice_charges(uow(), void.id)) == 3
    assert invoicing.run_billing(uow(), *NOVEMBER) == []
    with pytest.raises(InvalidTransition, match="it is void"):
        invoicing.pay_invoice(uow(), void.id)

    [rebilled] = invoicing.rebill_invoice(uow(), void.id)
    assert (rebilled.customer_id, rebilled.total, rebilled.status) == (
        b,
        Decimal("33.65"),
        InvoiceStatus.DRAFT,
    )
    assert invoicing.invoice_charges(uow(), void.id) == []
    assert invoicing.get_invoice(uow(), void.id).number == "INV-2026-000002"  # kept
    with pytest.raises(InvalidTransition, match="already re-billed"):
        invoicing.rebill_invoice(uow(), void.id)
    assert invoicing.issue_invoice(uow(), rebilled.id).number == "INV-2026-000003"
    assert len(events(runtime, "InvoicePaid")) == 1
    [voided] = [InvoiceVoided.model_validate_json(p) for p in events(runtime, "InvoiceVoided")]
    assert (voided.number, voided.reason) == ("INV-2026-000002", "wrong tariff")
    [paid_event] = [InvoicePaid.model_validate_json(p) for p in events(runtime, "InvoicePaid")]
    assert paid_event.amount == Decimal("10.40")
    assert a


# -- credit notes --------------------------------------------------------------------------
def test_credit_notes_reduce_the_balance_in_their_own_series(uow, runtime) -> None:
    november_activity(uow)
    inv_a, inv_b = invoicing.issue_invoices(uow(), *NOVEMBER)
    [december] = invoicing.run_billing(uow(), date(2026, 12, 1), date(2027, 1, 1))
    with pytest.raises(InvalidTransition, match="draft"):
        credit_notes.credit_invoice(uow(), december.id, "x")

    partial = credit_notes.credit_invoice(
        uow(), inv_b.id, "late delivery", [CreditRequest(3, Decimal("1.50"))]
    )  # drop line 3.50 at 5.5 %
    assert (partial.number, partial.doc_type, partial.credited_invoice_id) == (
        "CN-2026-000001",
        DocumentType.CREDIT_NOTE,
        inv_b.id,
    )
    assert (partial.subtotal, partial.tax, partial.total) == (
        Decimal("-1.50"),
        Decimal("-0.08"),  # 0.0825
        Decimal("-1.58"),
    )
    b_now = invoicing.get_invoice(uow(), inv_b.id)
    assert (b_now.credited, b_now.balance) == (Decimal("-1.58"), Decimal("32.07"))
    with pytest.raises(InvalidTransition, match="credit notes"):
        invoicing.void_invoice(uow(), inv_b.id, "mistake")
    with pytest.raises(InvalidInput, match=r"between 0 and 2\.00"):
        credit_notes.credit_invoice(uow(), inv_b.id, "again", [CreditRequest(3, Decimal("2.01"))])

    rest = credit_notes.credit_invoice(uow(), inv_b.id, "contract ended")  # all that is left
    assert rest.number == "CN-2026-000002"
    assert rest.total == Decimal("-32.07")
    assert invoicing.get_invoice(uow(), inv_b.id).balance == Decimal("0.00")
    with pytest.raises(InvalidInput, match="nothing left"):
        credit_notes.credit_invoice(uow(), inv_b.id, "more")
    with pytest.raises(InvalidTransition, match="nothing is owed"):
        invoicing.pay_invoice(uow(), inv_b.id)
    assert [n.number for n in credit_notes.credit_notes_of(uow(), inv_b.id)] == [
        "CN-2026-000001",
        "CN-2026-000002",
    ]
    # paid, then credited: the balance goes negative (owed to the customer)
    invoicing.pay_invoice(uow(), inv_a.id)
    refund = credit_notes.credit_invoice(uow(), inv_a.id, "refund", [CreditRequest(1)])
    assert invoicing.get_invoice(uow(), inv_a.id).balance == refund.total == Decimal("-5.40")
    with pytest.raises(InvalidTransition, match="credit note"):
        invoicing.pay_invoice(uow(), refund.id)
    # invoice numbers are untouched by the credit notes' series
    assert [i.number for i in invoicing.list_invoices(uow(), doc_type=DocumentType.INVOICE)][
        :2
    ] == ["INV-2026-000001", "INV-2026-000002"]
    issued_notes = [
        CreditNoteIssued.model_validate_json(p) for p in events(runtime, "CreditNoteIssued")
    ]
    assert [(e.number, e.invoice_number, e.total) for e in issued_notes] == [
        ("CN-2026-000001", "INV-2026-000002", Decimal("-1.58")),
        ("CN-2026-000002", "INV-2026-000002", Decimal("-32.07")),
        ("CN-2026-000003", "INV-2026-000001", Decimal("-5.40")),
    ]


# -- currencies ----------------------------------------------------------------------------
def test_a_customer_billed_in_another_currency_at_the_stored_rate(uow) -> None:
    _, b = november_activity(uow)
    exchange_rates.set_billing_currency(uow(), currency.BillingCurrency(b, "USD"))
    with pytest.raises(MissingExchangeRate, match="EUR -> USD") as missing:
        invoicing.issue_invoices(uow(), *NOVEMBER)
    assert missing.value.status == 422
    assert invoicing.list_invoices(uow()) == []  # nothing written, not even A's
    assert all(c.invoice_id is None for c in service.list_charges(uow()))

    def rate(day: date, value: str) -> None:
        exchange_rates.set_exchange_rate(
            uow(), currency.ExchangeRate("EUR", "USD", day, Decimal(value))
        )

    rate(date(2026, 12, 1), "1.2000")  # after the period: not in force on Nov 30
    with pytest.raises(MissingExchangeRate):
        invoicing.issue_invoices(uow(), *NOVEMBER)
    rate(date(2026, 11, 27), "1.0500")
    rate(date(2026, 11, 28), "1.0842")  # the latest on or before Nov 30
    inv_a, inv_b = invoicing.issue_invoices(uow(), *NOVEMBER)
    assert (inv_a.currency, inv_a.total) == ("EUR", Decimal("10.40"))
    assert (inv_b.currency, inv_b.rate_date) == ("USD", date(2026, 11, 30))
    assert [(x.charge_amount, x.exchange_rate, x.amount, x.tax) for x in inv_b.lines] == [
        (Decimal("4.40"), Decimal("1.0842"), Decimal("4.77"), Decimal("0.26")),  # 4.77048
        (Decimal("24.00"), Decimal("1.0842"), Decimal("26.02"), Decimal("1.43")),  # 26.0208
        (Decimal("3.50"), Decimal("1.0842"), Decimal("3.79"), Decimal("0.21")),  # 3.7947
    ]
    assert (inv_b.subtotal, inv_b.tax, inv_b.total) == (
        Decimal("34.58"),
        Decimal("1.90"),
        Decimal("36.48"),
    )
    assert [r.rate for r in exchange_rates.list_exchange_rates(uow(), "EUR")] == [
        Decimal("1.05"),
        Decimal("1.0842"),
        Decimal("1.2"),
    ]
    with pytest.raises(InvalidInput, match="two different currencies"):
        currency.ExchangeRate("EUR", "eur", date(2026, 11, 1), Decimal(1))
    with pytest.raises(InvalidInput, match="> 0"):
        currency.ExchangeRate("EUR", "USD", date(2026, 11, 1), Decimal(0))


# -- concurrency: numbers without gaps or duplicates, charges billed once ------------------
def test_threads_issuing_drafts_at_once_get_gapless_unique_numbers(
    runtime: Runtime, tenant: Tenant, uow
) -> None:
    set_tariff(uow)
    for n in range(12):
        service.charge_handling(uow(), OrderId(f"o{n}"), CustomerId(f"cus_{n:02d}"), 1, NOV_10)
    drafts = invoicing.run_billing(uow(), *NOVEMBER)
    assert len(drafts) == 12
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def issue(ids: list[InvoiceId]) -> None:
        try:
            barrier.wait()
            for invoice_id in ids:
                with suppress(InvalidTransition):  # another thread issued it first
                    invoicing.issue_invoice(runtime.uow(tenant.id), invoice_id)
        except BaseException as exc:  # collected and failed below
            errors.append(exc)

    ids = [d.id for d in drafts]
    # every draft is raced by two threads (each id is in two threads' lists)
    workers = [
        threading.Thread(target=issue, args=(ids[k * 4 : k * 4 + 4] + ids[(k * 4 + 4) % 12 :][:4],))
        for k in range(3)
    ] + [threading.Thread(target=issue, args=(list(reversed(ids[k::3])),)) for k in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert errors == []
    issued = invoicing.list_invoices(uow())
    assert {i.status for i in issued} == {InvoiceStatus.ISSUED}
    numbers = sorted(int(str(i.number).rsplit("-", 1)[1]) for i in issued)
    assert numbers == list(range(1, 13))
    with runtime.db.engine.connect() as conn:
        last = conn.execute(select(invoice_counters.c.last_number)).scalar_one()
    assert last == 12


def test_concurrent_runs_never_bill_a_charge_twice_nor_skip_a_number(
    runtime: Runtime, tenant: Tenant, uow
) -> None:
    set_tariff(uow)
    customers = [CustomerId(f"cus_{n}") for n in range(4)]
    rounds, threads = 3, 3
    errors: list[BaseException] = []
    for r in range(rounds):
        at = datetime(2026, 11, 2 + r, 8, tzinfo=UTC)
        for n, customer in enumerate(customers):
            service.charge_handling(uow(), OrderId(f"ord_{r}_{n}"), customer, n + 1, at)
        barrier = threading.Barrier(threads)

        def run(barrier: threading.Barrier) -> None:
            try:
                barrier.wait()
                invoicing.issue_invoices(runtime.uow(tenant.id), *NOVEMBER)
            except BaseException as exc:  # collected and failed below
                errors.append(exc)

        workers = [threading.Thread(target=run, args=(barrier,)) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
    assert errors == []
    issued = invoicing.list_invoices(uow())
    numbers = sorted(int(str(i.number).rsplit("-", 1)[1]) for i in issued)
    assert numbers == list(range(1, rounds * len(customers) + 1))
    all_charges = service.list_charges(uow())
    assert all(c.invoice_id is not None for c in all_charges)
    assert set(Counter(c.invoice_id for c in all_charges).values()) == {1}
    assert sum(i.subtotal for i in issued) == money(all_charges)


def test_runs_reruns_and_issues_racing_neither_deadlock_nor_double_bill(
    runtime: Runtime, tenant: Tenant, uow
) -> None:
    set_tariff(uow)
    customers = [CustomerId(f"cus_{n}") for n in range(4)]
    for n, customer in enumerate(customers):
        service.charge_handling(uow(), OrderId(f"o{n}"), customer, n + 1, NOV_10)
    drafts = invoicing.run_billing(uow(), *NOVEMBER)
    for n, customer in enumerate(customers):  # late charges for a re-run or a new run to take
        service.charge_handling(uow(), OrderId(f"late{n}"), customer, 1, NOV_10)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def race(action) -> None:
        try:
            barrier.wait()
            with suppress(InvalidTransition, NotFound):  # lost the race for that draft
                action(runtime.uow(tenant.id))
        except BaseException as exc:  # collected and failed below
            errors.append(exc)

    actions = [
        lambda u: invoicing.run_billing(u, *NOVEMBER, issue=True),
        lambda u: invoicing.rerun_draft(u, drafts[0].id),
        lambda u: invoicing.issue_invoice(u, drafts[1].id),
        lambda u: invoicing.rerun_draft(u, drafts[1].id),
    ]
    workers = [threading.Thread(target=race, args=(a,)) for a in actions]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert errors == []
    documents = invoicing.list_invoices(uow())
    all_charges = service.list_charges(uow())
    assert all(c.invoice_id in {d.id for d in documents} for c in all_charges)
    billed = sum((d.subtotal for d in documents), Decimal(0))
    assert billed == money(all_charges) == Decimal("0.45") * (1 + 2 + 3 + 4 + 4)
    numbers = sorted(int(str(d.number).rsplit("-", 1)[1]) for d in documents if d.number)
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_stale_run_gets_conflict_not_a_double_charge(uow) -> None:
    """The conditional UPDATE itself: sums taken, then the charges changed -> Conflict."""
    a, _ = november_activity(uow)
    [inv_a, _] = invoicing.issue_invoices(uow(), *NOVEMBER)
    u = uow()
    with pytest.raises(Conflict, match="changed while invoicing"), u:
        billable_repo.assign_charges(
            u, Period(*NOVEMBER), [Assignment(a, "EUR", InvoiceId("inv_stale"))], expected=4
        )
    assert len(invoicing.invoice_charges(uow(), inv_a.id)) == 4


# -- tenants and the database's guards -------------------------------------------------------
def test_another_tenant_sees_and_bills_nothing_of_ours(runtime: Runtime, uow) -> None:
    november_activity(uow)
    other = auth.create_tenant(runtime.uow(), "Other 3PL")

    def theirs() -> UnitOfWork:
        return runtime.uow(other.id)

    assert invoicing.issue_invoices(theirs(), *NOVEMBER) == []
    [inv, _] = invoicing.issue_invoices(uow(), *NOVEMBER)
    assert invoicing.list_invoices(theirs()) == []
    for attempt in (
        invoicing.get_invoice,
        invoicing.invoice_charges,
        invoicing.issue_invoice,
        invoicing.pay_invoice,
        invoicing.invoice_pdf,
    ):
        with pytest.raises(NotFound):
            attempt(theirs(), inv.id)
    with pytest.raises(NotFound):
        credit_notes.credit_invoice(theirs(), inv.id, "x")
    set_tariff(theirs)
    service.charge_handling(theirs(), OrderId("o"), CustomerId("c"), 1, NOV_10)
    [own] = invoicing.issue_invoices(theirs(), *NOVEMBER)
    assert own.number == "INV-2026-000001"  # their own series


def test_the_database_guards_numbers_signs_and_totals(runtime: Runtime, uow) -> None:
    november_activity(uow)
    inv_a, _ = invoicing.issue_invoices(uow(), *NOVEMBER)
    note = credit_notes.credit_invoice(uow(), inv_a.id, "x", [CreditRequest(1)])
    with runtime.db.engine.connect() as conn:
        row = conn.execute(select(invoices).where(invoices.c.id == inv_a.id)).one()._asdict()
        note_row = conn.execute(select(invoices).where(invoices.c.id == note.id)).one()._asdict()
    new = {**row, "id": "inv_x", "number": "INV-2026-000099"}
    cases = [
        {**new, "number": inv_a.number},  # a duplicate number in the series
        {**new, "status": "draft"},  # a draft with a number
        {**new, "number": None},  # issued without a number
        {**new, "status": "billed"},
        {**new, "total": Decimal("10.41")},  # total != subtotal + tax
        {**new, "subtotal": Decimal("-1.00"), "tax": Decimal(0), "total": Decimal("-1.00")},
        {**new, "status": "paid"},  # paid without a payment
        {
            **note_row,
            "id": "crn_x",
            "number": "CN-2026-000099",
            "total": Decimal("5.40"),
            "subtotal": Decimal("4.50"),
            "tax": Decimal("0.90"),
        },  # a credit note with a positive total
        {**note_row, "id": "crn_y", "number": "CN-2026-000098", "credited_invoice_id": None},
        {**new, "series": "CN"},  # an invoice in the credit notes' series
    ]
    for values in cases:
        with pytest.raises(IntegrityError), runtime.db.engine.begin() as conn:
            conn.execute(invoices.insert().values(**values))
    # large totals that do add up are accepted (the check is not fooled by float rounding)
    for n, (subtotal, tax) in enumerate([("558431.10", "111686.22"), ("9876543210.99", "0.01")]):
        big = {**new, "subtotal": Decimal(subtotal), "tax": Decimal(tax)}
        total = Decimal(subtotal) + Decimal(tax)
        with runtime.db.engine.begin() as conn:
            conn.execute(
                invoices.insert().values(
                    {**big, "id": f"inv_big{n}", "number": f"INV-2026-00009{n}", "total": total}
                )
            )
        off_by_a_cent = {"id": "inv_bad", "number": "INV-2026-000080", "total": total + CENT}
        with pytest.raises(IntegrityError), runtime.db.engine.begin() as conn:
            conn.execute(invoices.insert().values({**big, **off_by_a_cent}))
    with pytest.raises(IntegrityError), runtime.db.engine.begin() as conn:
        conn.execute(
            update(lines_table)
            .where(lines_table.c.invoice_id == inv_a.id)
            .values(exchange_rate=Decimal(0))
        )
    with runtime.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(invoices)).scalar_one() == 5
        assert conn.execute(select(func.count()).select_from(tariffs)).scalar_one() == 2
        assert conn.execute(select(func.count()).select_from(charges)).scalar_one() == 8
