"""Carrier settlement use cases: expected payables, rules, freight audit, payable documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from otwb.billing import carrier_invoice_repo as invoices
from otwb.billing import settlement_repo as repo
from otwb.billing.freight_audit import (
    APPROVABLE,
    CarrierInvoice,
    InvoiceLine,
    LineStatus,
    RowError,
    audit_lines,
    parse_invoice_csv,
)
from otwb.billing.model import measured
from otwb.billing.settlement import (
    CarrierPayable,
    DueReason,
    ExpectedPayable,
    PayableStatus,
    SettlementRule,
    check_amount,
    money_amount,
)
from otwb.billing.settlement_events import (
    CarrierInvoiceAudited,
    CarrierPayableCreated,
    CarrierPaymentDue,
)
from otwb.platform.errors import Conflict, InvalidInput, NotFound
from otwb.platform.ids import CarrierId, ShipmentId
from otwb.platform.uow import UnitOfWork
from otwb.transport import carriers as transport_carriers
from otwb.transport.events import ShipmentTendered

MAX_CSV_BYTES = 5_000_000


def _known_carrier(uow: UnitOfWork, carrier_id: CarrierId) -> None:
    if carrier_id not in {c.id for c in transport_carriers.list_carriers(uow)}:
        raise NotFound(f"no carrier {carrier_id}")


# -- expected payables and the pay-on-delivery rule -----------------------------------------
def record_tendered(uow: UnitOfWork, e: ShipmentTendered) -> bool:
    """Expect to pay the carrier its rate card's price for the tendered shipment (once)."""
    with uow:
        created = repo.insert_expected(
            uow,
            ExpectedPayable(
                id=uow.ids.new("pay"),
                shipment_id=e.shipment_id,
                order_id=e.order_id,
                customer_id=e.customer_id,
                depot_id=e.depot_id,
                carrier_id=e.carrier_id,
                tracking_number=e.tracking_number,
                service_level=e.service_level,
                weight_kg=measured(e.weight_kg, "weight_kg"),
                expected_amount=money_amount(
                    check_amount(e.expected_cost, "expected_cost"), e.currency
                ),
                currency=e.currency,
                tendered_at=e.tendered_at,
            ),
        )
        uow.commit()
    return created


def delivery_accepted(uow: UnitOfWork, shipment_id: ShipmentId) -> bool:
    """The proof of delivery was accepted: under its carrier's pay-on-delivery rule the
    shipment's payable line becomes due at the expected amount. True when it did."""
    with uow:
        payable = repo.find_expected(uow, shipment_id)
        if payable is None or payable.shipment_id != shipment_id:
            return False  # an own-fleet delivery, or a tender B never heard of
        if not repo.get_rule(uow, payable.carrier_id).pay_on_delivery:
            return False
        if not repo.make_due(
            uow, shipment_id, payable.expected_amount, DueReason.DELIVERY_ACCEPTED
        ):
            return False
        uow.record(
            CarrierPaymentDue(
                shipment_id=shipment_id,
                carrier_id=payable.carrier_id,
                amount=payable.expected_amount,
                currency=payable.currency,
                reason=DueReason.DELIVERY_ACCEPTED.value,
            )
        )
        uow.commit()
    return True


def set_rule(uow: UnitOfWork, rule: SettlementRule) -> SettlementRule:
    with uow:
        _known_carrier(uow, rule.carrier_id)
        repo.save_rule(uow, rule)
        saved = repo.get_rule(uow, rule.carrier_id)
        uow.commit()
    return saved


def get_rule(uow: UnitOfWork, carrier_id: CarrierId) -> SettlementRule:
    with uow:
        return repo.get_rule(uow, carrier_id)


def list_expected(
    uow: UnitOfWork,
    carrier_id: CarrierId | None = None,
    status: PayableStatus | None = None,
    between: tuple[datetime, datetime] | None = None,
) -> list[ExpectedPayable]:
    with uow:
        return repo.list_expected(uow, carrier_id, status, between)


# -- freight audit ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditResult:
    invoice: CarrierInvoice
    errors: list[RowError]


def import_carrier_invoice(uow: UnitOfWork, carrier_id: CarrierId, csv_text: str) -> AuditResult:
    """Import a carrier's invoice (CSV), audit every good row, keep the per-row errors."""
    if len(csv_text.encode()) > MAX_CSV_BYTES:
        raise InvalidInput(f"an invoice file is at most {MAX_CSV_BYTES} bytes")
    parsed = parse_invoice_csv(csv_text)
    if parsed.number is None or parsed.invoice_date is None or not parsed.lines:
        detail = "; ".join(f"row {e.row}: {e.message}" for e in parsed.errors[:10])
        raise InvalidInput(f"the invoice has no readable line{': ' + detail if detail else ''}")
    with uow:
        _known_carrier(uow, carrier_id)
        if invoices.invoice_exists(uow, carrier_id, parsed.number):
            raise Conflict(f"invoice {parsed.number} of {carrier_id} is already imported")
        known = repo.expected_by_reference(uow, [line.reference for line in parsed.lines])
        billed = invoices.billed_shipments(uow, [p.shipment_id for p in known.values()])
        audited = audit_lines(
            parsed.lines, repo.get_rule(uow, carrier_id), known.get, billed.__contains__
        )
        invoice = CarrierInvoice(
            id=uow.ids.new("cinv"),
            carrier_id=carrier_id,
            number=parsed.number,
            invoice_date=parsed.invoice_date,
            billed_total=sum((line.amount for line in parsed.lines), Decimal(0)),
            imported_at=uow.clock.now(),
            lines=tuple(
                InvoiceLine(
                    line_no=a.line_no,
                    reference=a.reference,
                    shipment_id=a.payable.shipment_id if a.payable else None,
                    amount=a.amount,
                    currency=a.currency,
                    expected_amount=a.expected_amount,
                    finding=a.finding,
                    surcharges=a.surcharges,
                )
                for a in audited
            ),
        )
        invoices.insert_invoice(uow, invoice)
        uow.record(
            CarrierInvoiceAudited(
                invoice_id=invoice.id,
                carrier_id=carrier_id,
                number=invoice.number,
                lines=len(invoice.lines),
                findings=invoice.counts(),
                billed_total=invoice.billed_total,
                rejected_rows=len(parsed.errors),
            )
        )
        uow.commit()
    return AuditResult(invoice, parsed.errors)


def _decide(uow: UnitOfWork, invoice: CarrierInvoice, decided: list[InvoiceLine]) -> None:
    """Store decisions taken on ``invoice`` (loaded under its lock); approved lines make their
    shipments' lines due at the approved amount."""
    if invoice.payable_id is not None:
        raise Conflict(f"invoice {invoice.number} is settled: its payable is made")
    invoices.save_decisions(uow, invoice.id, decided)
    approved = [line for line in decided if line.status is LineStatus.APPROVED]
    amounts = {
        ShipmentId(line.shipment_id or ""): line.approved_amount or Decimal(0) for line in approved
    }
    if not repo.make_due_approved(uow, amounts):
        raise Conflict("a shipment of these lines is already paid; nothing was approved")
    for line in approved:
        uow.record(
            CarrierPaymentDue(
                shipment_id=ShipmentId(line.shipment_id or ""),
                carrier_id=CarrierId(invoice.carrier_id),
                amount=line.approved_amount or Decimal(0),
                currency=line.currency,
                reason=DueReason.AUDIT_APPROVED.value,
            )
        )


def _decide_one(
    uow: UnitOfWork, invoice_id: str, line_no: int, decision: Callable[[InvoiceLine], InvoiceLine]
) -> CarrierInvoice:
    with uow:
        invoice = invoices.get_invoice(uow, invoice_id, lock=True, line_nos=[line_no])
        _decide(uow, invoice, [decision(invoice.line(line_no))])
        decided = invoices.get_invoice(uow, invoice_id)
        uow.commit()
    return decided


def approve_line(
    uow: UnitOfWork,
    invoice_id: str,
    line_no: int,
    amount: Decimal | None = None,
    reason: str | None = None,
) -> CarrierInvoice:
    """Approve one line (an over-charge at the expected amount unless ``amount`` + ``reason``)."""
    return _decide_one(uow, invoice_id, line_no, lambda line: line.approved(amount, reason))


def reject_line(
    uow: UnitOfWork, invoice_id: str, line_no: int, reason: str | None = None
) -> CarrierInvoice:
    return _decide_one(uow, invoice_id, line_no, lambda line: line.rejected(reason))


def approve_all(uow: UnitOfWork, invoice_id: str) -> CarrierInvoice:
    """Approve every pending line that can be (ok as billed, over-charges at the expected
    amount); unknown, duplicate and currency-mismatch lines stay pending for a decision."""
    with uow:
        invoice = invoices.get_invoice(uow, invoice_id, lock=True)
        decided = {
            line.line_no: line.approved()
            for line in invoice.pending()
            if line.finding in APPROVABLE
        }
        _decide(uow, invoice, list(decided.values()))
        uow.commit()
    return replace(invoice, lines=tuple(decided.get(ln.line_no, ln) for ln in invoice.lines))


def reject_remaining(uow: UnitOfWork, invoice_id: str, reason: str | None = None) -> CarrierInvoice:
    """Reject every line still pending (after approving what should be paid)."""
    with uow:
        invoice = invoices.get_invoice(uow, invoice_id, lock=True)
        decided = {line.line_no: line.rejected(reason) for line in invoice.pending()}
        _decide(uow, invoice, list(decided.values()))
        uow.commit()
    return replace(invoice, lines=tuple(decided.get(ln.line_no, ln) for ln in invoice.lines))


def get_invoice(uow: UnitOfWork, invoice_id: str) -> CarrierInvoice:
    with uow:
        return invoices.get_invoice(uow, invoice_id)


def list_invoices(uow: UnitOfWork, carrier_id: CarrierId | None = None) -> list[CarrierInvoice]:
    with uow:
        return invoices.list_invoices(uow, carrier_id)


# -- payable documents -------------------------------------------------------------------------
def _make_payable(
    uow: UnitOfWork,
    carrier_id: CarrierId,
    invoice_id: str | None,
    currency: str,
    amounts: dict[ShipmentId, Decimal],
) -> CarrierPayable:
    payable = CarrierPayable(
        id=uow.ids.new("cpay"),
        carrier_id=carrier_id,
        invoice_id=invoice_id,
        currency=currency,
        total=sum(amounts.values(), Decimal(0)),
        lines=len(amounts),
        created_at=uow.clock.now(),
    )
    repo.insert_payable(uow, payable)
    if repo.mark_paid(uow, payable.id, amounts) != len(amounts):
        raise Conflict("a line of this payable is already on another payable; nothing was paid")
    uow.record(
        CarrierPayableCreated(
            payable_id=payable.id,
            carrier_id=carrier_id,
            invoice_id=invoice_id,
            total=payable.total,
            currency=currency,
            lines=payable.lines,
        )
    )
    return payable


def produce_payable(uow: UnitOfWork, invoice_id: str) -> CarrierPayable:
    """The carrier payable of an audited invoice: its approved lines at their approved amounts.
    Every line must be decided first (approved or rejected)."""
    with uow:
        invoice = invoices.get_invoice(uow, invoice_id, lock=True)
        if invoice.payable_id is not None:
            raise Conflict(f"invoice {invoice.number} already has payable {invoice.payable_id}")
        if pending := invoice.pending():
            numbers = ", ".join(str(line.line_no) for line in pending[:20])
            raise Conflict(f"{len(pending)} line(s) await a decision: {numbers}")
        approved = [line for line in invoice.lines if line.status is LineStatus.APPROVED]
        if not approved:
            raise Conflict(f"invoice {invoice.number} has no approved line to pay")
        amounts = {
            ShipmentId(line.shipment_id or ""): line.approved_amount or Decimal(0)
            for line in approved
        }
        payable = _make_payable(
            uow, CarrierId(invoice.carrier_id), invoice.id, approved[0].currency, amounts
        )
        uow.commit()
    return payable


def settle_due(uow: UnitOfWork, carrier_id: CarrierId) -> CarrierPayable:
    """Self-billing under the pay-on-delivery rule: one payable of the carrier's lines made due
    by an accepted delivery and not yet paid, at the due amount. (Lines approved on an invoice
    are paid by that invoice's payable.)"""
    with uow:
        _known_carrier(uow, carrier_id)
        due = repo.list_expected(
            uow, carrier_id, PayableStatus.DUE, due_reason=DueReason.DELIVERY_ACCEPTED
        )
        if not due:
            raise Conflict(f"carrier {carrier_id} has no due line to settle")
        currencies = {p.currency for p in due}
        if len(currencies) > 1:
            raise Conflict(f"the due lines are in several currencies: {sorted(currencies)}")
        amounts = {p.shipment_id: p.due_amount or p.expected_amount for p in due}
        payable = _make_payable(uow, carrier_id, None, currencies.pop(), amounts)
        uow.commit()
    return payable


def get_payable(uow: UnitOfWork, payable_id: str) -> tuple[CarrierPayable, list[ExpectedPayable]]:
    """A carrier payable document and its lines (the shipments it pays)."""
    with uow:
        payable = repo.get_payable(uow, payable_id)
        return payable, repo.list_expected(uow, payable_id=payable_id)


def list_payables(uow: UnitOfWork, carrier_id: CarrierId | None = None) -> list[CarrierPayable]:
    with uow:
        return repo.list_payables(uow, carrier_id)
