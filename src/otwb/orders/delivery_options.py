"""Delivery options a customer chooses at checkout. Pure.

* **home** delivery, optionally in a booked **time slot** (a slot per warehouse and time span, with
  a capacity; booking takes one place and the slot becomes the order's delivery window);
* **pickup** at a store or a front warehouse: the order's ship-to becomes the point's address and
  the customer collects it with a pickup code;
* **installation** on delivery: extra service time at the stop;
* **cash on delivery**: an amount and a currency, collected at the door and carried to billing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from otwb.platform.errors import Conflict, InvalidInput
from otwb.platform.geo import GeoPoint
from otwb.platform.money import Money
from otwb.platform.values import DeliveryWindow

INSTALLATION_SERVICE_S = 45 * 60
"""Extra time at the stop when the goods are installed on delivery."""
MAX_COD = Decimal("10000")
"""Cash drivers may collect for one order (in the order's currency)."""
_CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes


class DeliveryMethod(StrEnum):
    HOME = "home"
    PICKUP = "pickup"


class PickupKind(StrEnum):
    STORE = "store"
    FRONT_WAREHOUSE = "front_warehouse"


class SlotFull(Conflict):
    code = "slot_full"
    title = "The delivery slot is fully booked"


@dataclass(frozen=True, slots=True)
class DeliverySlot:
    id: str
    warehouse_id: str
    window: DeliveryWindow
    capacity: int
    booked: int

    def __post_init__(self) -> None:
        if self.capacity <= 0:
            raise InvalidInput("a slot's capacity must be positive", field="capacity")
        if not 0 <= self.booked <= self.capacity:
            raise InvalidInput("a slot cannot be booked beyond its capacity")

    @property
    def free(self) -> int:
        return self.capacity - self.booked


@dataclass(frozen=True, slots=True)
class PickupPoint:
    id: str
    code: str
    name: str
    kind: PickupKind
    street: str
    city: str
    postcode: str
    country: str
    point: GeoPoint
    active: bool = True

    def __post_init__(self) -> None:
        for label in ("code", "name", "street", "city", "postcode"):
            if not getattr(self, label).strip():
                raise InvalidInput(f"a pickup point needs a {label}", field=label)
        if len(self.country) != 2 or not self.country.isalpha():
            raise InvalidInput("country must be an ISO 3166 alpha-2 code", field="country")


@dataclass(frozen=True, slots=True)
class DeliveryChoice:
    """What the customer asked for; checked before anything is booked."""

    method: DeliveryMethod = DeliveryMethod.HOME
    slot_id: str | None = None
    pickup_point: str | None = None
    """The pickup point's code."""
    installation: bool = False
    cash_on_delivery: Money | None = None

    def __post_init__(self) -> None:
        if self.method is DeliveryMethod.PICKUP:
            if not self.pickup_point:
                raise InvalidInput("a pickup needs the pickup point", field="pickup_point")
            if self.slot_id is not None:
                raise InvalidInput("time slots are for home delivery", field="slot_id")
            if self.installation:
                raise InvalidInput("installation is for home delivery", field="installation")
        elif self.pickup_point is not None:
            raise InvalidInput("a pickup point is for pickup deliveries", field="pickup_point")
        cod = self.cash_on_delivery
        if cod is not None:
            if cod.amount <= 0 or cod.amount > MAX_COD:
                raise InvalidInput(
                    f"cash on delivery must be within 0 and {MAX_COD} {cod.currency}",
                    field="cash_on_delivery",
                )
            if cod.rounded() != cod:
                raise InvalidInput(
                    f"cash on delivery {cod} has more decimals than {cod.currency} allows",
                    field="cash_on_delivery",
                )


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    """The options an order was placed with."""

    order_id: str
    method: DeliveryMethod
    slot: DeliveryWindow | None
    slot_id: str | None
    pickup_point: PickupPoint | None
    pickup_code: str | None
    installation: bool
    cash_on_delivery: Money | None
    tracking_token: str
    chosen_at: datetime

    @classmethod
    def home(cls, order_id: str, at: datetime) -> DeliveryOptions:
        """Plain home delivery, as an order placed without a checkout gets (with its tracking
        token)."""
        return cls(order_id, DeliveryMethod.HOME, None, None, None, None, False, None,
                   tracking_token(), at)  # fmt: skip

    @property
    def extra_service_s(self) -> int:
        return INSTALLATION_SERVICE_S if self.installation else 0


def pickup_code() -> str:
    """Six characters the customer shows at the counter (26^6 ≈ 3·10^8; unguessable enough for
    a parcel that also needs the customer's name)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


def tracking_token() -> str:
    """The opaque token printed on the order confirmation: proves the customer's right to see
    the order's tracking page (128 bits from the system's CSPRNG)."""
    return secrets.token_hex(16)
