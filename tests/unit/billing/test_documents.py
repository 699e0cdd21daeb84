"""Invoice documents: the CSV adds up to the invoice, the PDF is a real PDF with its figures."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal

from pypdf import PdfReader

from otwb.billing.credit_note import credit_lines, credit_note
from otwb.billing.documents import CSV_COLUMNS, filename, invoice_csv, invoice_pdf
from otwb.billing.invoice import InvoiceStatus
from otwb.billing.model import Basis
from otwb.platform.ids import InvoiceId
from tests.unit.billing.test_invoice import AT, build, charge


def issued_in_usd():
    invoice = build(
        [
            charge(1, Basis.LINE, "3", "0.45"),
            charge(2, Basis.KG_KM, "561.741", "0.0012"),
            charge(3, Basis.UNIT_DAY, "1250", "0.015"),
        ],
        currency="USD",
        rates={"EUR": Decimal("1.0842")},
    )
    return replace(invoice, status=InvoiceStatus.ISSUED, number="INV-2026-000042", issued_at=AT)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_a_row_per_line_that_adds_up_to_the_totals() -> None:
    invoice = issued_in_usd()
    text = invoice_csv(invoice)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    got = rows(text)
    assert [r["line_no"] for r in got] == ["1", "2", "3"]
    assert {r["number"] for r in got} == {"INV-2026-000042"}
    assert sum(Decimal(r["amount"]) for r in got) == invoice.subtotal
    assert sum(Decimal(r["tax"]) for r in got) == invoice.tax
    assert sum(Decimal(r["line_total"]) for r in got) == invoice.total == Decimal("27.03")
    assert got[2]["description"] == "Storage (unit·days)"
    assert (got[2]["charge_amount"], got[2]["exchange_rate"], got[2]["amount"]) == (
        "18.75",
        "1.0842",
        "20.33",  # 20.32875
    )
    note = credit_note(InvoiceId("crn_1"), invoice, credit_lines(invoice, None, {}), "x", AT)
    note_rows = rows(invoice_csv(replace(note, number="CN-2026-000001")))
    assert [r["credited_line_no"] for r in note_rows] == ["1", "2", "3"]
    assert {r["document"] for r in note_rows} == {"credit_note"}
    assert sum(Decimal(r["line_total"]) for r in note_rows) == -invoice.total


def test_the_pdf_is_a_pdf_with_the_number_lines_and_total() -> None:
    invoice = issued_in_usd()
    body = invoice_pdf(invoice, "Acme Logistique")
    assert body.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    for expected in (
        "Invoice INV-2026-000042",
        "Acme Logistique",
        "Storage (unit·days)",
        "18.75 EUR at 1.0842",
        "20.33",
        "27.03 USD",
    ):
        assert expected in text, expected
    draft = replace(invoice, status=InvoiceStatus.DRAFT, number=None, issued_at=None)
    draft_text = PdfReader(io.BytesIO(invoice_pdf(draft, "Acme"))).pages[0].extract_text()
    assert "Invoice (draft)" in draft_text
    assert filename(invoice, "pdf") == "INV-2026-000042.pdf"
    assert filename(draft, "csv") == f"{draft.id}.csv"
