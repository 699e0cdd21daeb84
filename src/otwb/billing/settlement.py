"""Carrier settlement, pure: what B expects to pay a carrier per shipment, and when it is due.

* Every shipment tendered to a carrier gets one **expected payable** at the cost of the carrier's
  rate card (from T's ``ShipmentTendered``). Its life: ``expected`` -> ``due`` -> ``paid``.
* It becomes **due** either when its line on the carrier's invoice is approved by the freight
  audit (due at the approved amount), or -- for a carrier whose rule is *pay on accepted
  delivery* -- when T accepts the proof of delivery (due at the expected amount).
* It is **paid** when a carrier payable document takes it (one document per audited invoice, or
  one self-billing run of the due lines of a pay-on-delivery carrier). A line joins one document
  only: the database refuses a second (conditional UPDATE on ``payable_id IS NULL``).

The audit's tolerance is per carrier: an invoiced amount above the expected one is accepted when
the excess is at most the larger of ``tolerance_abs`` and ``tolerance_pct`` % of the expected
amount; beyond that it is an over-charge, approved at the expected amount unless overridden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import overload

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CarrierId, CustomerId, OrderId, ShipmentId, WarehouseId
from otwb.platform.money import minor_unit

DEFAULT_TOLERANCE_ABS = Decimal("1.00")
DEFAULT_TOLERANCE_PCT = Decimal("2")
MAX_TOLERANCE_PCT = Decimal(100)
MAX_AMOUNT = Decimal(10) ** 9


class PayableStatus(StrEnum):
    EXPECTED = "expected"
    DUE = "due"
    PAID = "paid"


class DueReason(StrEnum):
    DELIVERY_ACCEPTED = "delivery_accepted"  # the carrier's pay-on-accepted-delivery rule
    AUDIT_APPROVED = "audit_approved"  # its invoice line was approved


def money_amount(value: Decimal, currency: str) -> Decimal:
    """An amount rounded half-up to the currency's minor unit (cents)."""
    return value.quantize(minor_unit(currency), ROUND_HALF_UP) + 0


@overload
def stored_money(value: Decimal, currency: str) -> Decimal: ...
@overload
def stored_money(value: None, currency: str) -> None: ...
def stored_money(value: Decimal | None, currency: str) -> Decimal | None:
    """A stored amount (columns keep 4 places) back at the currency's minor unit."""
    return None if value is None else money_amount(value, currency)


def check_amount(value: Decimal, what: str) -> Decimal:
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise InvalidInput(f"{what} must be an amount from 0 to {MAX_AMOUNT}", field=what)
    return value


@dataclass(frozen=True, slots=True)
class SettlementRule:
    """How a carrier is settled: its audit tolerance, and whether an accepted delivery makes
    its payable line due without waiting for the invoice."""

    carrier_id: CarrierId
    pay_on_delivery: bool = False
    tolerance_abs: Decimal = DEFAULT_TOLERANCE_ABS
    tolerance_pct: Decimal = DEFAULT_TOLERANCE_PCT

    def __post_init__(self) -> None:
        check_amount(self.tolerance_abs, "tolerance_abs")
        if not self.tolerance_pct.is_finite() or not 0 <= self.tolerance_pct <= MAX_TOLERANCE_PCT:
            raise InvalidInput("tolerance_pct is between 0 and 100", field="tolerance_pct")

    def allowed_excess(self, expected: Decimal) -> Decimal:
        """The most an invoice may exceed ``expected`` and still be accepted as billed."""
        return max(self.tolerance_abs, expected * self.tolerance_pct / 100)


@dataclass(frozen=True, slots=True)
class ExpectedPayable:
    """What B expects to pay a carrier for one tendered shipment."""

    id: str
    shipment_id: ShipmentId
    order_id: OrderId
    customer_id: CustomerId
    depot_id: WarehouseId
    carrier_id: CarrierId
    tracking_number: str
    service_level: str
    weight_kg: Decimal
    expected_amount: Decimal
    currency: str
    tendered_at: datetime
    status: PayableStatus = PayableStatus.EXPECTED
    due_amount: Decimal | None = None
    due_at: datetime | None = None
    due_reason: DueReason | None = None
    payable_id: str | None = None
    paid_amount: Decimal | None = None

    @property
    def cost(self) -> Decimal:
        """The best known cost: paid, else due, else expected."""
        if self.paid_amount is not None:
            return self.paid_amount
        return self.due_amount if self.due_amount is not None else self.expected_amount


@dataclass(frozen=True, slots=True)
class CarrierPayable:
    """A carrier payable document: what B owes a carrier, built from approved invoice lines
    (``invoice_id``) or from the due lines of a pay-on-delivery carrier (no invoice)."""

    id: str
    carrier_id: CarrierId
    invoice_id: str | None
    currency: str
    total: Decimal
    lines: int
    created_at: datetime
