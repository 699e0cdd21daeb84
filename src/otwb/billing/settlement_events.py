"""The events B publishes about what it owes carriers."""

from __future__ import annotations

from decimal import Decimal

from otwb.platform.events import Event
from otwb.platform.ids import CarrierId, ShipmentId


class CarrierInvoiceAudited(Event):
    """A carrier's invoice was imported and each line checked against the expected cost."""

    invoice_id: str
    carrier_id: CarrierId
    number: str
    lines: int
    findings: dict[str, int]
    billed_total: Decimal
    rejected_rows: int


class CarrierPaymentDue(Event):
    """A shipment's carrier cost became due (its delivery was accepted under the carrier's
    pay-on-delivery rule, or its invoice line was approved)."""

    shipment_id: ShipmentId
    carrier_id: CarrierId
    amount: Decimal
    currency: str
    reason: str


class CarrierPayableCreated(Event):
    payable_id: str
    carrier_id: CarrierId
    invoice_id: str | None
    total: Decimal
    currency: str
    lines: int
