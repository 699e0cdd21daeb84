"""Charge lines: what each activity is measured in and what it costs (pure data, no I/O).

A charge line counts one **basis** (its unit: order lines picked, kg·km, pallet·days, ...) of
one activity (its **source**: an order, a shipment, a receipt, a storage day, a period). Each
basis belongs to one kind of service (handling, transport, storage, value-added service,
surcharge, discount, minimum). A rated line is reproducible: amount = quantity x unit price,
rounded half-up to the currency's minor unit at the line. An unrated line (no applicable tariff
or rule) has no price and is never invoiced until it is rated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import ChargeId, CustomerId, InvoiceId, TariffId


class UnsupportedCurrency(InvalidInput):
    code = "unsupported_currency"
    title = "The currency is not the tenant's currency"


class ChargeKind(StrEnum):
    HANDLING = "handling"
    TRANSPORT = "transport"
    STORAGE = "storage"
    VAS = "vas"  # value-added services: installation, labelling, COD collection
    SURCHARGE = "surcharge"  # fuel, cold chain: a percentage of transport
    DISCOUNT = "discount"  # volume tiers: negative lines
    MINIMUM = "minimum"  # the top-up to a minimum charge


class Basis(StrEnum):
    """What a charge line's quantity counts (its unit)."""

    LINE = "line"  # handling: order lines picked (per pick)
    INBOUND_LINE = "inbound_line"  # handling: receipt lines received
    PARCEL = "parcel"  # handling: parcels packed
    KG = "kg"  # transport: weight
    KG_KM = "kg_km"  # transport: weight (kg) x road distance (km)
    ZONE_WEIGHT = "zone_weight"  # transport: one shipment priced from a zone x weight table
    DROP = "drop"  # transport: deliveries
    PALLET = "pallet"  # transport: pallets carried
    UNIT_DAY = "unit_day"  # storage: units on hand x days
    PALLET_DAY = "pallet_day"  # storage: pallet-equivalents x days
    M3_DAY = "m3_day"  # storage: cubic metres x days
    SERVICE = "service"  # vas: units of a named service (installation, labelling)
    COD = "cod"  # vas: cash-on-delivery collection, fixed + % of the amount collected
    FUEL = "fuel"  # surcharge: the fuel index % of a shipment's transport amount
    COLD_CHAIN = "cold_chain"  # surcharge: % of transport of chilled / frozen goods
    TIER = "tier"  # discount: % of a period's amount of a basis, by volume tier
    MINIMUM = "minimum"  # minimum: minimum charge less what was charged


KIND_OF: dict[Basis, ChargeKind] = {
    Basis.LINE: ChargeKind.HANDLING,
    Basis.INBOUND_LINE: ChargeKind.HANDLING,
    Basis.PARCEL: ChargeKind.HANDLING,
    Basis.KG: ChargeKind.TRANSPORT,
    Basis.KG_KM: ChargeKind.TRANSPORT,
    Basis.ZONE_WEIGHT: ChargeKind.TRANSPORT,
    Basis.DROP: ChargeKind.TRANSPORT,
    Basis.PALLET: ChargeKind.TRANSPORT,
    Basis.UNIT_DAY: ChargeKind.STORAGE,
    Basis.PALLET_DAY: ChargeKind.STORAGE,
    Basis.M3_DAY: ChargeKind.STORAGE,
    Basis.SERVICE: ChargeKind.VAS,
    Basis.COD: ChargeKind.VAS,
    Basis.FUEL: ChargeKind.SURCHARGE,
    Basis.COLD_CHAIN: ChargeKind.SURCHARGE,
    Basis.TIER: ChargeKind.DISCOUNT,
    Basis.MINIMUM: ChargeKind.MINIMUM,
}

DESCRIPTIONS: dict[Basis, str] = {
    Basis.LINE: "Handling (order lines picked)",
    Basis.INBOUND_LINE: "Handling (receipt lines)",
    Basis.PARCEL: "Handling (parcels packed)",
    Basis.KG: "Transport (kg)",
    Basis.KG_KM: "Transport (kg·km)",
    Basis.ZONE_WEIGHT: "Transport (zone x weight)",
    Basis.DROP: "Transport (drops)",
    Basis.PALLET: "Transport (pallets)",
    Basis.UNIT_DAY: "Storage (unit·days)",
    Basis.PALLET_DAY: "Storage (pallet·days)",
    Basis.M3_DAY: "Storage (m³·days)",
    Basis.SERVICE: "Value-added services",
    Basis.COD: "Cash on delivery collection",
    Basis.FUEL: "Fuel surcharge",
    Basis.COLD_CHAIN: "Cold-chain surcharge",
    Basis.TIER: "Volume discount",
    Basis.MINIMUM: "Minimum charge",
}

TRANSPORT_BASES = frozenset(b for b, k in KIND_OF.items() if k is ChargeKind.TRANSPORT)


class SourceType(StrEnum):
    ORDER = "order"
    SHIPMENT = "shipment"
    STORAGE = "storage"  # a stock snapshot: one owner, warehouse and temperature class, one day
    RECEIPT = "receipt"
    ROUTE = "route"
    PERIOD = "period"  # period adjustments: minimums and volume discounts


class ChargeStatus(StrEnum):
    RATED = "rated"
    UNRATED = "unrated"  # no tariff or rule applied on the activity's date: never invoiced


@dataclass(frozen=True, slots=True)
class Rating:
    """The price a tariff rule puts on one charge line."""

    tariff_id: TariffId
    unit_price: Decimal
    amount: Decimal
    currency: str
    rule_id: str | None = None


@dataclass(frozen=True, slots=True)
class Charge:
    id: ChargeId
    customer_id: CustomerId
    kind: ChargeKind
    basis: Basis
    source_type: SourceType
    source_id: str
    quantity: Decimal
    status: ChargeStatus
    occurred_at: datetime
    rating: Rating | None = None
    invoice_id: InvoiceId | None = None
    service: str = ""
    """The named service (``installation``) of a VAS line; '' for the others."""
    temperature_class: str | None = None
    """Storage and cold-chain lines: the goods' temperature class (what rules may select on)."""
    weight_kg: Decimal | None = None
    distance_km: Decimal | None = None
    """Transport lines: the shipment's weight and distance (zone x weight lines re-rate on them)."""

    @property
    def amount(self) -> Decimal | None:
        return None if self.rating is None else self.rating.amount

    @property
    def currency(self) -> str | None:
        return None if self.rating is None else self.rating.currency

    @property
    def tariff_id(self) -> TariffId | None:
        return None if self.rating is None else self.rating.tariff_id

    @property
    def rule_id(self) -> str | None:
        return None if self.rating is None else self.rating.rule_id


def storage_source(day: date, warehouse_id: str = "", temperature_class: str = "") -> str:
    """The source id of a storage snapshot line: ``storage:<day>[:<warehouse>:<class>]``."""
    if not warehouse_id:
        return f"storage:{day.isoformat()}"
    return f"storage:{day.isoformat()}:{warehouse_id}:{temperature_class}"
