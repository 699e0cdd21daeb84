"""T's HTTP response schemas shared by both routers (``api.py``, ``api_tms.py``): shipments,
routes and their stops, plans; and the TMS's own (fleet resources, carriers and their rate cards,
rate shopping, ETAs, re-plans, backhaul, load plans, CO2). Amounts are decimal strings."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from otwb.platform.values import TemperatureClass
from otwb.transport.fleet_model import Fuel
from otwb.transport.model import (
    Route,
    RouteStatus,
    Shipment,
    ShipmentKind,
    ShipmentStatus,
    StopStatus,
)
from otwb.transport.rateshop import Option
from otwb.transport.service import PlanResult


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ShipmentOut(BaseModel):
    id: str
    kind: ShipmentKind
    order_id: str | None = Field(description="None for a pickup")
    customer_id: str
    depot_id: str
    tracking_number: str
    status: ShipmentStatus
    ship_to_name: str
    ship_to_address: str
    lat: float
    lon: float
    window_start: datetime | None
    window_end: datetime | None
    weight_kg: float
    volume_m3: float
    parcel_count: int
    temperature_class: TemperatureClass
    route_id: str | None
    attempts: int
    delivered_at: datetime | None
    recipient: str | None
    failure_reason: str | None
    carrier_id: str | None = Field(description="The carrier it was tendered to, if any")
    service_level: str | None
    carrier_reference: str | None = Field(description="The carrier's own tracking number")
    expected_cost: Decimal | None = Field(description="The tender's price from the rate card")
    signature_name: str | None
    photo_ref: str | None

    @classmethod
    def of(cls, s: Shipment) -> ShipmentOut:
        return cls(
            id=s.id,
            kind=s.kind,
            order_id=s.order_id,
            customer_id=s.customer_id,
            depot_id=s.depot_id,
            tracking_number=s.tracking_number,
            status=s.status,
            ship_to_name=s.ship_to_name,
            ship_to_address=s.ship_to_address,
            lat=s.ship_to.lat,
            lon=s.ship_to.lon,
            window_start=s.window.start if s.window else None,
            window_end=s.window.end if s.window else None,
            weight_kg=s.weight_kg,
            volume_m3=s.volume_m3,
            parcel_count=s.parcel_count,
            temperature_class=s.temperature_class,
            route_id=s.route_id,
            attempts=s.attempts,
            delivered_at=s.delivered_at,
            recipient=s.recipient,
            failure_reason=s.failure_reason,
            carrier_id=s.carrier_id,
            service_level=s.service_level,
            carrier_reference=s.carrier_reference,
            expected_cost=s.expected_cost.amount if s.expected_cost else None,
            signature_name=s.signature_name,
            photo_ref=s.photo_ref,
        )


class StopOut(BaseModel):
    seq: int
    shipment_id: str
    status: StopStatus
    planned_arrival: datetime
    eta: datetime
    resolved_at: datetime | None


class RouteOut(BaseModel):
    id: str
    depot_id: str
    vehicle_id: str
    service_date: date
    status: RouteStatus
    distance_km: Decimal
    duration_s: int
    planned_start: datetime
    planned_end: datetime
    currency: str
    planned_cost: Decimal
    dispatched_at: datetime | None
    completed_at: datetime | None
    actual_duration_s: int | None
    actual_cost: Decimal | None
    stops: list[StopOut]

    @classmethod
    def of(cls, r: Route) -> RouteOut:
        return cls(
            id=r.id,
            depot_id=r.depot_id,
            vehicle_id=r.vehicle_id,
            service_date=r.service_date,
            status=r.status,
            distance_km=r.distance_km,
            duration_s=r.duration_s,
            planned_start=r.planned_start,
            planned_end=r.planned_end,
            currency=r.planned_cost.currency,
            planned_cost=r.planned_cost.amount,
            dispatched_at=r.dispatched_at,
            completed_at=r.completed_at,
            actual_duration_s=r.actual_duration_s,
            actual_cost=r.actual_cost.amount if r.actual_cost else None,
            stops=[
                StopOut(
                    seq=s.seq,
                    shipment_id=s.shipment_id,
                    status=s.status,
                    planned_arrival=s.planned_arrival,
                    eta=s.eta,
                    resolved_at=s.resolved_at,
                )
                for s in r.stops
            ],
        )


class UnplannedOut(BaseModel):
    shipment_id: str
    reason: str


class PlanOut(BaseModel):
    routes: list[RouteOut]
    unplanned: list[UnplannedOut]

    @classmethod
    def of(cls, result: PlanResult) -> PlanOut:
        return cls(
            routes=[RouteOut.of(r) for r in result.routes],
            unplanned=[
                UnplannedOut(shipment_id=u.shipment_id, reason=u.reason) for u in result.unplanned
            ],
        )


class Out(BaseModel):
    """A response read straight off a domain object's attributes."""

    model_config = ConfigDict(from_attributes=True)


class VehicleTypeOut(Out):
    id: str
    code: str
    label: str
    capacity_kg: float
    capacity_m3: float
    capacity_pallets: int | None
    refrigerated: bool
    fuel: Fuel
    range_km: float | None
    co2_kg_per_km: Decimal | None = Field(
        description="kg CO2e per km when full; None: the default of its fuel and size"
    )


class DriverOut(Out):
    id: str
    code: str
    name: str
    depot_id: str
    shift_start: time = Field(description="UTC time of day")
    shift_end: time = Field(description="UTC time of day")
    break_after_s: int = Field(description="Most work before a break, seconds")
    break_s: int = Field(description="The break's length, seconds")
    active: bool


class CarrierOut(Out):
    id: str
    code: str
    name: str
    connector: str = Field(description="The registered connector that speaks its API")
    endpoint: str | None = Field(description="Its API's base URL; None: tenders out of band")
    active: bool


class ZoneDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=40)
    max_km: Decimal = Field(gt=0, description="Road km from the depot, up to this one")
    transit_days: int = Field(ge=0, le=30, description="Business days of transit")


class WeightBreakDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_kg: Decimal = Field(gt=0, description="Chargeable kg, up to this one")
    per_kg: dict[str, Decimal] = Field(description="Price per chargeable kg in each zone")


class SurchargeDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=40)
    basis: str = Field(pattern="^(percent|flat|per_parcel|per_kg)$")
    amount: Decimal = Field(ge=0)
    applies_to: str = Field(default="all", pattern="^(all|refrigerated)$")


class RateCardDoc(BaseModel):
    """A carrier service's rate card (see ``rating.py``): zones by road km, weight breaks, a
    minimum, surcharges; volumetric factor, cold chain, pickup cut-off, CO2e intensity."""

    model_config = ConfigDict(extra="forbid")
    zones: list[ZoneDoc] = Field(min_length=1, max_length=50)
    breaks: list[WeightBreakDoc] = Field(min_length=1, max_length=50)
    minimum: Decimal = Field(default=Decimal(0), ge=0)
    surcharges: list[SurchargeDoc] = Field(default=[], max_length=50)
    volumetric_kg_per_m3: Decimal = Field(default=Decimal(250), ge=0)
    cold_chain: bool = False
    cutoff: time = Field(default=time(16), description="UTC; tendered later: collected next day")
    co2_g_per_tkm: Decimal = Field(default=Decimal(110), ge=0, description="g CO2e per tonne-km")


class RateCardOut(RateCardDoc):
    carrier_id: str
    service_level: str
    valid_from: date
    currency: str


class OptionOut(BaseModel):
    carrier_id: str | None = Field(description="None: the own fleet")
    name: str
    service_level: str
    cost: Decimal | None = Field(description="None: this option cannot take the shipment")
    currency: str | None
    delivered_by: datetime | None
    meets_deadline: bool
    feasible: bool
    note: str

    @classmethod
    def of(cls, o: Option) -> OptionOut:
        return cls(
            carrier_id=o.carrier_id,
            name=o.name,
            service_level=o.service_level,
            cost=o.cost.amount if o.cost else None,
            currency=o.cost.currency if o.cost else None,
            delivered_by=o.delivered_by,
            meets_deadline=o.meets_deadline,
            feasible=o.feasible,
            note=o.note,
        )


class DecisionOut(BaseModel):
    shipment_id: str
    chosen: OptionOut | None = Field(description="None: no option meets the promise")
    options: list[OptionOut]


class PollOut(BaseModel):
    applied: int = Field(description="How many new reports of the carrier were applied")


class EtaOut(Out):
    seq: int
    shipment_id: str
    eta: datetime


class ReplanOut(Out):
    route_id: str
    order: list[str] = Field(description="The remaining stops' shipments, in their new order")
    late: list[str] = Field(description="Stops that can no longer be served in their window")
    etas_published: int


class IncidentOut(BaseModel):
    replanned: list[ReplanOut]


class BreakdownOut(Out):
    route_id: str | None = Field(description="The route it was on; None: it was not on the road")
    rescues: list[str] = Field(description="The rescue routes now on the road")
    failed: list[str] = Field(description="Shipments no rescue vehicle could take over in time")


class BackhaulOut(Out):
    route_id: str
    shipment_id: str
    detour_km: float
    empty_km_saved: float


class LoadOut(BaseModel):
    vehicle_id: str
    vehicle: str = Field(description="The vehicle's code")
    shipments: list[str]
    kg_pct: float = Field(description="Utilisation of the weight capacity, %")
    m3_pct: float = Field(description="Utilisation of the volume, %")
    pallets_pct: float | None = Field(description="Of the pallet places; None: not counted")


class LoadPlanOut(BaseModel):
    loads: list[LoadOut]
    left: list[str] = Field(description="Shipments no vehicle can take")


class CustomerCo2Out(BaseModel):
    customer_id: str
    co2_kg: Decimal = Field(description="kg CO2e, well-to-wheel, of their delivered shipments")


class CustomerViewOut(BaseModel):
    """What a customer sees by tracking number: never the vehicle nor the driver."""

    tracking_number: str
    status: ShipmentStatus
    eta: datetime | None
    stops_before: int | None = Field(description="Stops the vehicle serves before this one")
    carrier: str | None = Field(description="The carrier's name, when a carrier has it")
    delivered_at: datetime | None
