"""Freight audit, pure: read a carrier's invoice (CSV) and check each line against what B expects.

The CSV has a header row. Columns (case-insensitive; extra columns are ignored):

* ``invoice_number`` and ``date`` (or ``invoice_date``, ISO ``YYYY-MM-DD``): the same on every row;
* ``tracking_number`` (or ``reference`` / ``shipment_id``): which shipment the line bills;
* ``amount``: the line's total, a decimal; ``currency``: ISO 4217;
* optional ``surcharge_<name>`` columns (``surcharge_fuel``...): the breakdown, included in
  ``amount`` (their sum may not exceed it).

A bad row (missing reference, an amount that is not a decimal, another invoice number...) becomes
a per-row error; the good rows are kept. Each kept line gets one **finding**, checked in order:

1. ``unknown_shipment``: no shipment of this carrier has that tracking number or id;
2. ``duplicate``: the shipment is billed twice (earlier on this invoice, on another invoice line
   not rejected, or already paid);
3. ``currency_mismatch``: billed in another currency than the tender's;
4. ``overcharge``: billed above the expected amount by more than the carrier's tolerance;
5. ``ok``: within tolerance (an amount below the expected one is ``ok`` and paid as billed).

Only ``ok`` and ``overcharge`` lines can be approved: ``ok`` at the billed amount, ``overcharge``
at the expected amount unless an override amount (at most the billed one) comes with a reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from otwb.billing.settlement import (
    MAX_AMOUNT,
    ExpectedPayable,
    SettlementRule,
    check_amount,
    money_amount,
)
from otwb.platform.errors import Conflict, InvalidInput, NotFound

MAX_ROWS = 20_000
MAX_REFERENCE = 64
MAX_REASON = 200
REFERENCE_COLUMNS = ("tracking_number", "reference", "shipment_id")
DATE_COLUMNS = ("date", "invoice_date")
SURCHARGE_PREFIX = "surcharge_"


class Finding(StrEnum):
    OK = "ok"
    OVERCHARGE = "overcharge"
    UNKNOWN_SHIPMENT = "unknown_shipment"
    DUPLICATE = "duplicate"
    CURRENCY_MISMATCH = "currency_mismatch"


class LineStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


APPROVABLE = (Finding.OK, Finding.OVERCHARGE)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    """The CSV row number (the header is row 1)."""
    message: str


@dataclass(frozen=True, slots=True)
class BilledLine:
    """One good row of a carrier invoice."""

    row: int
    reference: str
    amount: Decimal
    currency: str
    surcharges: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParsedInvoice:
    number: str | None
    invoice_date: date | None
    lines: list[BilledLine]
    errors: list[RowError]


def _column(row: dict[str, str], names: Iterable[str]) -> str:
    for name in names:
        value = (row.get(name) or "").strip()
        if value:
            return value
    return ""


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what} {text!r} is not a decimal number") from None
    if not value.is_finite() or not 0 <= value <= MAX_AMOUNT:
        raise ValueError(f"{what} must be an amount from 0 to {MAX_AMOUNT}, got {text!r}")
    return value


def _currency(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"currency {text!r} is not an ISO 4217 code")
    return code


def _header(reader: csv.DictReader[str]) -> None:
    names = [(n or "").strip().lower() for n in reader.fieldnames or []]
    reader.fieldnames = names
    missing = [
        label
        for label, options in (
            ("invoice_number", ("invoice_number",)),
            ("date", DATE_COLUMNS),
            ("tracking_number", REFERENCE_COLUMNS),
            ("amount", ("amount",)),
            ("currency", ("currency",)),
        )
        if not set(options) & set(names)
    ]
    if missing:
        raise InvalidInput(f"the invoice CSV lacks the column(s) {', '.join(missing)}")


def parse_invoice_csv(text: str) -> ParsedInvoice:
    """The invoice's number, date and good lines, and an error per bad row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    _header(reader)
    number: str | None = None
    day: date | None = None
    lines: list[BilledLine] = []
    errors: list[RowError] = []
    for index, row in enumerate(reader, start=2):
        if index - 1 > MAX_ROWS:
            raise InvalidInput(f"an invoice has at most {MAX_ROWS} lines")
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # a blank line
        try:
            row_number = _column(row, ("invoice_number",))
            row_day = date.fromisoformat(_column(row, DATE_COLUMNS))
            if not row_number or len(row_number) > 32:
                raise ValueError("invoice_number is 1 to 32 characters")
            if number is None:
                number, day = row_number, row_day
            elif (row_number, row_day) != (number, day):
                raise ValueError(f"another invoice ({row_number} of {row_day}) than {number}")
            reference = _column(row, REFERENCE_COLUMNS)
            if not reference or len(reference) > MAX_REFERENCE:
                raise ValueError(f"the tracking number is 1 to {MAX_REFERENCE} characters")
            currency = _currency(_column(row, ("currency",)))
            amount = _decimal(_column(row, ("amount",)), "amount")
            surcharges = {
                name[len(SURCHARGE_PREFIX) :]: _decimal(value.strip(), name)
                for name, value in row.items()
                if name and name.startswith(SURCHARGE_PREFIX) and value and value.strip()
            }
            if sum(surcharges.values(), Decimal(0)) > amount:
                raise ValueError("the surcharges add up to more than the line's amount")
            lines.append(
                BilledLine(index, reference, money_amount(amount, currency), currency, surcharges)
            )
        except ValueError as exc:  # date.fromisoformat, _decimal, our own checks
            errors.append(RowError(index, str(exc) or "unreadable row"))
    return ParsedInvoice(number, day, lines, errors)


@dataclass(frozen=True, slots=True)
class AuditedLine:
    line_no: int
    row: int
    reference: str
    amount: Decimal
    currency: str
    surcharges: dict[str, Decimal]
    finding: Finding
    payable: ExpectedPayable | None
    """The expected payable it matched (None: unknown shipment)."""

    @property
    def expected_amount(self) -> Decimal | None:
        return None if self.payable is None else self.payable.expected_amount


def audit_lines(
    lines: list[BilledLine],
    rule: SettlementRule,
    find: Callable[[str], ExpectedPayable | None],
    billed_elsewhere: Callable[[str], bool],
) -> list[AuditedLine]:
    """Match each line to this carrier's expected payable (``find`` by tracking number or
    shipment id) and give it its finding. ``billed_elsewhere(shipment_id)``: the shipment is on
    another invoice line that was not rejected."""
    seen: set[str] = set()
    audited: list[AuditedLine] = []
    for line_no, line in enumerate(lines, start=1):
        payable = find(line.reference)
        if payable is None or payable.carrier_id != rule.carrier_id:
            finding, payable = Finding.UNKNOWN_SHIPMENT, None
        elif (
            payable.shipment_id in seen
            or payable.payable_id is not None
            or billed_elsewhere(payable.shipment_id)
        ):
            finding = Finding.DUPLICATE
        elif line.currency != payable.currency:
            finding = Finding.CURRENCY_MISMATCH
        elif line.amount - payable.expected_amount > rule.allowed_excess(payable.expected_amount):
            finding = Finding.OVERCHARGE
        else:
            finding = Finding.OK
        if payable is not None:
            seen.add(payable.shipment_id)
        audited.append(
            AuditedLine(
                line_no,
                line.row,
                line.reference,
                line.amount,
                line.currency,
                line.surcharges,
                finding,
                payable,
            )
        )
    return audited


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """A stored line of an audited carrier invoice and the decision on it."""

    line_no: int
    reference: str
    shipment_id: str | None
    amount: Decimal
    currency: str
    expected_amount: Decimal | None
    finding: Finding
    status: LineStatus = LineStatus.PENDING
    approved_amount: Decimal | None = None
    override_reason: str | None = None
    surcharges: dict[str, Decimal] = field(default_factory=dict)

    def approved(self, amount: Decimal | None = None, reason: str | None = None) -> InvoiceLine:
        """Approve the line: ``ok`` as billed, ``overcharge`` at the expected amount, or at
        ``amount`` (up to the billed amount) when a ``reason`` says why."""
        if self.status is not LineStatus.PENDING:
            raise Conflict(f"line {self.line_no} is already {self.status.value}")
        if self.finding not in APPROVABLE:
            raise Conflict(
                f"line {self.line_no} ({self.reference}) cannot be approved: {self.finding.value}"
            )
        note = (reason or "").strip() or None
        if note is not None and len(note) > MAX_REASON:
            raise InvalidInput(f"a reason is at most {MAX_REASON} characters", field="reason")
        if amount is not None:
            check_amount(amount, "amount")
            if note is None:
                raise InvalidInput("an override amount needs a reason", field="reason")
            if amount > self.amount:
                raise InvalidInput("cannot approve more than the carrier billed", field="amount")
            chosen = money_amount(amount, self.currency)
        elif self.finding is Finding.OVERCHARGE:
            assert self.expected_amount is not None
            chosen = self.expected_amount
        else:
            chosen = self.amount
        return replace(
            self, status=LineStatus.APPROVED, approved_amount=chosen, override_reason=note
        )

    def rejected(self, reason: str | None = None) -> InvoiceLine:
        if self.status is not LineStatus.PENDING:
            raise Conflict(f"line {self.line_no} is already {self.status.value}")
        note = (reason or "").strip() or None
        if note is not None and len(note) > MAX_REASON:
            raise InvalidInput(f"a reason is at most {MAX_REASON} characters", field="reason")
        return replace(self, status=LineStatus.REJECTED, override_reason=note)


@dataclass(frozen=True, slots=True)
class CarrierInvoice:
    """A carrier's invoice as imported and audited; ``payable_id`` once its payable is made."""

    id: str
    carrier_id: str
    number: str
    invoice_date: date
    billed_total: Decimal
    imported_at: datetime
    lines: tuple[InvoiceLine, ...]
    payable_id: str | None = None

    def counts(self) -> dict[str, int]:
        """How many lines have each finding (for the audit report)."""
        result = {f.value: 0 for f in Finding}
        for line in self.lines:
            result[line.finding.value] += 1
        return result

    def pending(self) -> list[InvoiceLine]:
        return [line for line in self.lines if line.status is LineStatus.PENDING]

    def line(self, line_no: int) -> InvoiceLine:
        for candidate in self.lines:
            if candidate.line_no == line_no:
                return candidate
        raise NotFound(f"invoice {self.number} has no line {line_no}")
