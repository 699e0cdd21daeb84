"""What every carrier connector speaks: our tender and tracking requests in, HTTP out, and back.

A connector is pure: ``build_*`` turns our request into an ``HttpRequest`` (no I/O);
``parse_*`` turns the carrier's ``HttpResponse`` into our answer, or raises ``CarrierRefused``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from otwb.platform.errors import DomainError


class CarrierRefused(DomainError):
    status = 502
    code = "carrier_refused"
    title = "The carrier refused or could not be reached"


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Address:
    name: str
    street: str
    lat: float
    lon: float


@dataclass(frozen=True)
class TenderRequest:
    reference: str
    """Our tracking number: the carrier quotes it back."""
    service_level: str
    ship_from: Address
    ship_to: Address
    weight_kg: float
    volume_m3: float
    parcels: int
    temperature_class: str
    deliver_by: datetime | None
    expected_cost: Decimal
    currency: str


@dataclass(frozen=True)
class TenderConfirmation:
    carrier_reference: str
    """The carrier's own tracking number."""
    accepted: bool
    message: str = ""


@dataclass(frozen=True)
class CarrierEvent:
    """A status the carrier reports for one of our shipments."""

    reference: str
    status: str
    """``picked_up``, ``delivered`` or ``failed``."""
    at: datetime
    signature_name: str | None = None
    photo_ref: str | None = None
    reason: str | None = None


class Connector(Protocol):
    name: str

    def build_tender(self, endpoint: str, request: TenderRequest) -> HttpRequest: ...

    def parse_tender(self, response: HttpResponse) -> TenderConfirmation: ...

    def build_tracking(self, endpoint: str, carrier_reference: str) -> HttpRequest: ...

    def parse_tracking(self, response: HttpResponse) -> list[CarrierEvent]: ...
