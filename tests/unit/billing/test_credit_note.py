"""Credit notes: whole or partial, negative, tax reversed, never more than was invoiced."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otwb.billing.credit_note import Credited, CreditRequest, credit_lines, credit_note
from otwb.billing.invoice import DocumentType, Invoice, InvoiceStatus
from otwb.billing.model import Basis, Rating
from otwb.platform.errors import InvalidInput, InvalidTransition
from otwb.platform.ids import InvoiceId, TariffId
from tests.unit.billing.test_invoice import AT, build, charge

NOTE = InvoiceId("crn_1")


def issued() -> Invoice:
    invoice = build(
        [
            charge(1, Basis.LINE, "10", "1.00"),  # 10.00, tax 2.00
            charge(2, Basis.DROP, "3", "3.55"),  # 10.65, tax 2.13
        ]
    )
    return replace(invoice, status=InvoiceStatus.ISSUED, number="INV-2026-000001", issued_at=AT)


def credited_by(lines: tuple) -> dict[int, Credited]:
    return {x.credited_line_no: Credited(-x.amount, -x.tax) for x in lines}


def test_a_full_credit_note_reverses_every_line_and_its_tax() -> None:
    invoice = issued()
    lines = credit_lines(invoice, None, {})
    note = credit_note(NOTE, invoice, lines, "damaged goods", AT)
    assert [(x.credited_line_no, x.quantity, x.amount, x.tax) for x in note.lines] == [
        (1, Decimal(-10), Decimal("-10.00"), Decimal("-2.00")),
        (2, Decimal(-3), Decimal("-10.65"), Decimal("-2.13")),
    ]
    assert (note.subtotal, note.tax, note.total) == (
        Decimal("-20.65"),
        Decimal("-4.13"),
        Decimal("-24.78"),
    )
    assert note.total == -invoice.total
    assert (note.doc_type, note.status, note.credited_invoice_id) == (
        DocumentType.CREDIT_NOTE,
        InvoiceStatus.ISSUED,
        invoice.id,
    )
    assert replace(invoice, credited=note.total).balance == 0
    with pytest.raises(InvalidInput, match="nothing left"):
        credit_lines(invoice, None, credited_by(lines))


def test_a_partial_credit_by_line_and_by_amount() -> None:
    invoice = issued()
    lines = credit_lines(invoice, [CreditRequest(2, Decimal("5.05"))], {})
    [x] = lines
    assert (x.credited_line_no, x.quantity, x.amount, x.tax) == (
        2,
        Decimal(0),  # an amount, not quantities
        Decimal("-5.05"),
        Decimal("-1.01"),  # 1.01
    )
    done = credited_by(lines)
    # the rest of line 2 takes exactly the tax left on it: 2.13 - 1.01
    [rest] = credit_lines(invoice, [CreditRequest(2)], done)
    assert (rest.amount, rest.tax) == (Decimal("-5.60"), Decimal("-1.12"))
    with pytest.raises(InvalidInput, match=r"between 0 and 5\.60"):
        credit_lines(invoice, [CreditRequest(2, Decimal("5.61"))], done)
    # the whole invoice afterwards: what is left of it
    full = credit_lines(invoice, None, done)
    assert [(x.credited_line_no, x.amount, x.tax) for x in full] == [
        (1, Decimal("-10.00"), Decimal("-2.00")),
        (2, Decimal("-5.60"), Decimal("-1.12")),
    ]


def test_credits_that_break_a_rule_are_refused() -> None:
    invoice = issued()
    with pytest.raises(InvalidInput, match="no line 9"):
        credit_lines(invoice, [CreditRequest(9)], {})
    with pytest.raises(InvalidInput, match="once per credit note"):
        credit_lines(invoice, [CreditRequest(1), CreditRequest(1)], {})
    with pytest.raises(InvalidInput, match="unit"):
        credit_lines(invoice, [CreditRequest(1, Decimal("1.005"))], {})
    with pytest.raises(InvalidInput, match="at least one line"):
        credit_lines(invoice, [], {})
    with pytest.raises(InvalidTransition, match="draft"):
        credit_lines(replace(invoice, status=InvoiceStatus.DRAFT), None, {})
    with pytest.raises(InvalidTransition, match="void"):
        credit_lines(replace(invoice, status=InvoiceStatus.VOID), None, {})
    with pytest.raises(InvalidInput, match="reason"):
        credit_note(NOTE, invoice, credit_lines(invoice, None, {}), "  ", AT)
    discount = replace(
        charge(3, Basis.UNIT_DAY, "1", "0"),
        rating=Rating(TariffId("trf_1"), Decimal("-1.00"), Decimal("-1.00"), "EUR"),
    )
    with_discount = replace(
        build([charge(1, Basis.LINE, "10", "1.00"), discount]),
        status=InvoiceStatus.ISSUED,
        number="INV-2026-000002",
    )
    with pytest.raises(InvalidInput, match="not positive"):
        credit_lines(with_discount, [CreditRequest(2)], {})
    # a full credit reverses the discount too: the note is the invoice's total, negated
    full = credit_lines(with_discount, None, {})
    assert sum((x.total for x in full), Decimal(0)) == -with_discount.total


@given(
    cuts=st.lists(
        st.tuples(st.sampled_from([1, 2]), st.integers(min_value=1, max_value=1065)),
        min_size=1,
        max_size=12,
    )
)
def test_however_a_line_is_split_its_credited_tax_never_exceeds_its_tax(cuts) -> None:
    invoice = issued()
    done: dict[int, Credited] = {}
    for line_no, cents in cuts:
        line = invoice.lines[line_no - 1]
        left = line.amount - done.get(line_no, Credited()).amount
        amount = min(Decimal(cents) / 100, left)
        if amount <= 0:
            continue
        [x] = credit_lines(invoice, [CreditRequest(line_no, amount)], done)
        before = done.get(line_no, Credited())
        done[line_no] = Credited(before.amount - x.amount, before.tax - x.tax)
    for line in invoice.lines:
        got = done.get(line.line_no, Credited())
        assert Decimal(0) <= got.amount <= line.amount
        assert Decimal(0) <= got.tax <= line.tax
        if got.amount == line.amount:
            assert got.tax == line.tax  # fully credited: exactly its tax
