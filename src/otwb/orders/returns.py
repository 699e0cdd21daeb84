"""Returns (RMA): the pure rules, no I/O.

* A return is requested for lines of a **delivered** order, within the customer's return window
  (30 days from delivery unless the customer's policy says otherwise), for at most what was
  delivered less what earlier returns already took (the database guards it too).
* Its life: requested -> authorised -> pickup scheduled -> in transit -> received -> inspected
  -> closed; a request may be refused, and a return cancelled until its goods are collected.
* Inspection gives each returned unit a disposition: **restock** (sellable again, same lot),
  **quarantine** (held apart, never promised) or **scrap** (written off). Goods of a lot that is
  no longer released, or has expired, are never restocked: they go to quarantine.
* The credit is the line's unit price x the units accepted; a restocking fee (a percentage, per
  customer policy) is taken only from returns the customer chose (changed mind), never from
  the seller's faults (defective, damaged in transit, wrong item, not as described, a recall).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from otwb.platform.errors import DomainError, InvalidInput, InvalidTransition
from otwb.platform.ids import CustomerId, OrderId, OrderLineId, ShipmentId, WarehouseId
from otwb.platform.money import Money

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 365
MAX_UNIT_PRICE = Decimal("1000000")


class ReturnWindowClosed(DomainError):
    status = 422
    code = "return_window_closed"
    title = "The return window is closed"


class NotReturnable(DomainError):
    status = 409
    code = "not_returnable"
    title = "More than what was delivered and not yet returned"


class ReturnReason(StrEnum):
    DEFECTIVE = "defective"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    RECALL = "recall"

    @property
    def customer_choice(self) -> bool:
        """The customer's own choice (the only kind a restocking fee applies to)."""
        return self is ReturnReason.CHANGED_MIND


class RmaStatus(StrEnum):
    REQUESTED = "requested"
    AUTHORISED = "authorised"
    PICKUP_SCHEDULED = "pickup_scheduled"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    CLOSED = "closed"
    REFUSED = "refused"
    CANCELLED = "cancelled"

    @property
    def holds_quantity(self) -> bool:
        """Whether the return still counts against what the lines may return."""
        return self not in (RmaStatus.REFUSED, RmaStatus.CANCELLED)


_S = RmaStatus
RMA_TRANSITIONS: dict[RmaStatus, frozenset[RmaStatus]] = {
    _S.REQUESTED: frozenset({_S.AUTHORISED, _S.REFUSED, _S.CANCELLED}),
    _S.AUTHORISED: frozenset({_S.PICKUP_SCHEDULED, _S.RECEIVED, _S.CANCELLED}),
    _S.PICKUP_SCHEDULED: frozenset({_S.IN_TRANSIT, _S.RECEIVED, _S.CANCELLED}),
    _S.IN_TRANSIT: frozenset({_S.RECEIVED}),
    _S.RECEIVED: frozenset({_S.INSPECTED}),
    _S.INSPECTED: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
    _S.REFUSED: frozenset(),
    _S.CANCELLED: frozenset(),
}


def check_rma_transition(rma_id: str, current: RmaStatus, to: RmaStatus) -> None:
    if to not in RMA_TRANSITIONS[current]:
        raise InvalidTransition(
            f"return {rma_id} is {current.value}; it cannot become {to.value}",
            current=current.value,
            requested=to.value,
        )


class Disposition(StrEnum):
    RESTOCK = "restock"
    QUARANTINE = "quarantine"
    SCRAP = "scrap"


@dataclass(frozen=True, slots=True)
class ReturnPolicy:
    window_days: int = DEFAULT_WINDOW_DAYS
    restocking_fee_pct: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if not 1 <= self.window_days <= MAX_WINDOW_DAYS:
            raise InvalidInput(f"window_days must be within 1..{MAX_WINDOW_DAYS}")
        if not Decimal(0) <= self.restocking_fee_pct <= Decimal(100):
            raise InvalidInput("restocking_fee_pct must be within 0..100")


@dataclass(frozen=True, slots=True)
class RmaLine:
    id: str
    order_line_id: OrderLineId
    line_no: int
    sku: str
    quantity: int
    reason: ReturnReason
    unit_price: Decimal

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidInput(f"line {self.line_no}: a return quantity must be positive")
        if not Decimal(0) <= self.unit_price <= MAX_UNIT_PRICE:
            raise InvalidInput(
                f"line {self.line_no}: unit_price must be within 0..{MAX_UNIT_PRICE}"
            )


@dataclass(frozen=True, slots=True)
class Inspection:
    """Units of one returned line, of one lot, inspected alike."""

    line_no: int
    quantity: int
    disposition: Disposition
    lot: str | None = None
    accepted: bool = True
    """Whether these units are credited (goods as sold, or the seller's fault)."""
    requested: Disposition | None = None
    """What the inspector asked for, when a rule changed it (restock of a recalled lot)."""

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidInput(f"line {self.line_no}: an inspected quantity must be positive")


@dataclass(frozen=True, slots=True)
class Credit:
    gross: Money
    restocking_fee: Money

    @property
    def net(self) -> Money:
        return self.gross - self.restocking_fee


@dataclass(frozen=True, slots=True)
class Rma:
    id: str
    order_id: OrderId
    customer_id: CustomerId
    warehouse_id: WarehouseId
    status: RmaStatus
    currency: str
    lines: tuple[RmaLine, ...]
    requested_at: datetime
    note: str = ""
    pickup_shipment_id: ShipmentId | None = None
    pickup_tracking: str | None = None
    refused_reason: str | None = None
    inspections: tuple[Inspection, ...] = ()
    credit: Credit | None = None

    def line(self, line_no: int) -> RmaLine:
        for line in self.lines:
            if line.line_no == line_no:
                return line
        raise InvalidInput(f"return {self.id} has no line {line_no}", field="line_no")


# -- requesting -----------------------------------------------------------------------------
def check_window(delivered_at: datetime, now: datetime, policy: ReturnPolicy) -> None:
    """``ReturnWindowClosed`` once ``policy.window_days`` have passed since delivery."""
    closes = delivered_at + timedelta(days=policy.window_days)
    if now > closes:
        raise ReturnWindowClosed(
            f"delivered on {delivered_at.date().isoformat()}: returns closed on "
            f"{closes.date().isoformat()} ({policy.window_days} days)",
            closed_at=closes.isoformat(),
        )


def check_returnable(
    requested: Mapping[OrderLineId, int],
    delivered: Mapping[OrderLineId, int],
    returned: Mapping[OrderLineId, int],
    line_numbers: Mapping[OrderLineId, int],
) -> None:
    """Each line asks for at most what was delivered less what earlier returns hold."""
    for line_id, quantity in requested.items():
        left = delivered.get(line_id, 0) - returned.get(line_id, 0)
        if quantity > left:
            raise NotReturnable(
                f"line {line_numbers[line_id]}: {quantity} to return, {left} returnable "
                f"({delivered.get(line_id, 0)} delivered, {returned.get(line_id, 0)} returned)",
                line_no=line_numbers[line_id],
                returnable=left,
            )


# -- inspecting -----------------------------------------------------------------------------
def final_disposition(
    wanted: Disposition,
    lot_status: str | None,
    expires_on: date | None,
    today: date,
    serial_tracked: bool = False,
) -> Disposition:
    """Restock only goods of a released lot that has not expired; otherwise quarantine. Serial-
    tracked goods are quarantined too: their serials are captured again at a putaway."""
    if wanted is not Disposition.RESTOCK:
        return wanted
    if serial_tracked:
        return Disposition.QUARANTINE
    if lot_status is not None and lot_status != "released":
        return Disposition.QUARANTINE
    if expires_on is not None and expires_on <= today:
        return Disposition.QUARANTINE
    return Disposition.RESTOCK


def check_inspection(rma: Rma, inspections: Sequence[Inspection]) -> None:
    """Every inspected line is on the return, with no more units than it announced."""
    if not inspections:
        raise InvalidInput("an inspection gives at least one line")
    units: dict[int, int] = defaultdict(int)
    for item in inspections:
        units[item.line_no] += item.quantity
    for line_no, quantity in units.items():
        line = rma.line(line_no)
        if quantity > line.quantity:
            raise InvalidInput(
                f"line {line_no}: {quantity} inspected, {line.quantity} returned", field="lines"
            )


def credit_of(rma: Rma, inspections: Sequence[Inspection], policy: ReturnPolicy) -> Credit:
    """Unit price x accepted units; the restocking fee is taken from customer-choice lines only,
    and both are rounded to the currency's minor unit."""
    gross = Money.zero(rma.currency)
    fee_base = Money.zero(rma.currency)
    for item in inspections:
        if not item.accepted:
            continue
        line = rma.line(item.line_no)
        value = Money(line.unit_price, rma.currency) * item.quantity
        gross = gross + value
        if line.reason.customer_choice:
            fee_base = fee_base + value
    fee = (fee_base * policy.restocking_fee_pct * Decimal("0.01")).rounded()
    return Credit(gross.rounded(), fee)


def not_received(rma: Rma, inspections: Sequence[Inspection]) -> dict[OrderLineId, int]:
    """Units announced but not received: they may be returned again later."""
    units: dict[int, int] = defaultdict(int)
    for item in inspections:
        units[item.line_no] += item.quantity
    return {
        line.order_line_id: line.quantity - units[line.line_no]
        for line in rma.lines
        if line.quantity > units[line.line_no]
    }
