"""Invoice and credit-note documents: CSV (one row per line) and PDF (fpdf2). Pure rendering:
no I/O, the caller writes the bytes where they belong.

The CSV's ``line_total`` column (amount + tax) adds up to the document's total, and its
``amount`` and ``tax`` columns to its subtotal and tax -- every figure is the stored one.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from fpdf import FPDF

from otwb.billing.invoice import DocumentType, Invoice
from otwb.billing.model import plain

CSV_COLUMNS = [
    "document",
    "number",
    "customer_id",
    "period_start",
    "period_end",
    "line_no",
    "credited_line_no",
    "kind",
    "basis",
    "service",
    "description",
    "quantity",
    "charges",
    "charge_currency",
    "charge_amount",
    "exchange_rate",
    "currency",
    "amount",
    "tax_rate",
    "tax",
    "line_total",
]


def title(invoice: Invoice) -> str:
    kind = "Credit note" if invoice.doc_type is DocumentType.CREDIT_NOTE else "Invoice"
    return f"{kind} {invoice.number or '(draft)'}"


def filename(invoice: Invoice, extension: str) -> str:
    return f"{invoice.number or invoice.id}.{extension}"


def invoice_csv(invoice: Invoice) -> str:
    """One CSV row per line of the document, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for x in invoice.lines:
        writer.writerow(
            [
                invoice.doc_type.value,
                invoice.number or "",
                invoice.customer_id,
                invoice.period.start.isoformat(),
                invoice.period.last_day.isoformat(),
                x.line_no,
                "" if x.credited_line_no is None else x.credited_line_no,
                x.kind.value,
                x.basis.value,
                x.service,
                x.description,
                x.quantity,
                x.charges,
                x.charge_currency,
                x.charge_amount,
                x.exchange_rate,
                invoice.currency,
                x.amount,
                x.tax_rate,
                x.tax,
                x.total,
            ]
        )
    return out.getvalue()


def _latin1(text: str) -> str:
    """The PDF's core fonts are Latin-1: anything else becomes '?' rather than failing."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _percent(rate: Decimal) -> str:
    return f"{plain(rate * 100)} %"


def invoice_pdf(invoice: Invoice, issuer: str) -> bytes:
    """The document as a one-table A4 PDF: header, lines, subtotal, tax, total."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title(invoice))
    pdf.set_author(_latin1(issuer))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(title(invoice)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    facts = [
        f"From: {issuer}",
        f"Customer: {invoice.customer_id}",
        f"Period: {invoice.period.start} to {invoice.period.last_day}",
        f"Status: {invoice.status.value}",
        f"Issued: {invoice.issued_at:%Y-%m-%d}" if invoice.issued_at else "Not issued (draft)",
    ]
    if invoice.credited_invoice_id:
        facts.append(f"Credits invoice: {invoice.credited_invoice_id} ({invoice.reason})")
    if any(x.charge_currency != invoice.currency for x in invoice.lines):
        facts.append(f"Exchange rates of {invoice.rate_date}")
    for fact in facts:
        pdf.cell(0, 6, _latin1(fact), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (10, 70, 30, 20, 30, 30)
    pdf.set_font("Helvetica", "B", 9)
    for w, head in zip(
        widths, ("#", "Service", "Quantity", "Tax", "Amount", "Tax amount"), strict=True
    ):
        pdf.cell(w, 7, head, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for x in invoice.lines:
        description = x.description
        if x.charge_currency != invoice.currency:
            description += f" ({x.charge_amount} {x.charge_currency} at {x.exchange_rate})"
        cells = (
            str(x.line_no),
            description,
            str(x.quantity),
            _percent(x.tax_rate),
            str(x.amount),
            str(x.tax),
        )
        for w, text in zip(widths, cells, strict=True):
            pdf.cell(w, 7, _latin1(text)[:60], border=1)
        pdf.ln()
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10)
    for label, value in (
        ("Subtotal", invoice.subtotal),
        ("Tax", invoice.tax),
        ("Total", invoice.total),
    ):
        pdf.cell(150, 7, label, align="R")
        pdf.cell(40, 7, f"{value} {invoice.currency}", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
