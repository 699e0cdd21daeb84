"""T's HTTP routes of the TMS: fleet resources, carriers and rate shopping, pickups, tracking,
re-routing, backhaul, load planning, CO2. Thin: schemas in, service call, schemas out
(``api_schemas.py``)."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Annotated, Self

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, Field, model_validator

from otwb.platform.geo import GeoPoint
from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CarrierId, CustomerId, RouteId, ShipmentId, VehicleId, WarehouseId
from otwb.platform.values import DeliveryWindow, TemperatureClass
from otwb.transport import (
    backhaul,
    carrier_reports,
    carriers,
    emissions_report,
    fleet,
    loadplan,
    rerouting,
    service,
    shipments,
    tracking,
)
from otwb.transport.api_schemas import (
    BackhaulOut,
    BreakdownOut,
    CarrierOut,
    CustomerCo2Out,
    CustomerViewOut,
    DecisionOut,
    DriverOut,
    EtaOut,
    IncidentOut,
    LoadOut,
    LoadPlanOut,
    OptionOut,
    PlanOut,
    PollOut,
    RateCardDoc,
    RateCardOut,
    ReplanOut,
    ShipmentOut,
    Strict,
    VehicleTypeOut,
)
from otwb.transport.connectors.base import CarrierEvent
from otwb.transport.fleet_model import Fuel
from otwb.transport.traffic import Incident

router = APIRouter(tags=["transport"])


class VehicleTypeIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    label: str = Field(default="", max_length=100)
    capacity_kg: float = Field(gt=0, le=60_000)
    capacity_m3: float = Field(gt=0, le=200)
    capacity_pallets: int | None = Field(default=None, gt=0, le=66)
    refrigerated: bool = False
    fuel: Fuel = Fuel.DIESEL
    range_km: float | None = Field(default=None, gt=0, le=2000)
    co2_kg_per_km: Decimal | None = Field(default=None, ge=0, le=5)


class DriverIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    depot_id: str = Field(min_length=1, max_length=40)
    shift_start: time = time(7)
    shift_end: time = time(17)
    break_after_s: int = Field(default=16_200, ge=3600, le=43_200)
    break_s: int = Field(default=2_700, ge=0, le=10_800)


class CarrierIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    connector: str = "generic"
    endpoint: str | None = Field(default=None, max_length=500)


class RateCardIn(Strict):
    valid_from: date
    card: RateCardDoc


class CarrierEventIn(Strict):
    status: str = Field(pattern="^(picked_up|delivered|failed)$")
    at: AwareDatetime
    signature_name: str | None = Field(default=None, max_length=200)
    photo_ref: str | None = Field(default=None, max_length=500)
    reason: str | None = Field(default=None, max_length=500)


class PickupIn(Strict):
    customer_id: str = Field(min_length=1, max_length=40)
    depot_id: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=400)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    weight_kg: float = Field(gt=0, le=60_000)
    volume_m3: float = Field(gt=0, le=200)
    parcel_count: int = Field(default=1, ge=1, le=10_000)
    pallets: int = Field(default=0, ge=0, le=66)
    temperature_class: TemperatureClass = TemperatureClass.AMBIENT
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None

    @model_validator(mode="after")
    def _window_has_both_ends(self) -> Self:
        if (self.window_start is None) != (self.window_end is None):
            raise ValueError("a window has a start and an end, or neither")
        return self


class PositionIn(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: AwareDatetime | None = None


class IncidentIn(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    to_lat: float | None = Field(default=None, ge=-90, le=90, description="A segment's other end")
    to_lon: float | None = Field(default=None, ge=-180, le=180)
    radius_m: float = Field(gt=0, le=100_000)
    factor: float | None = Field(default=None, ge=1, le=20, description="null: closed")
    minutes: int = Field(default=120, gt=0, le=7 * 24 * 60)
    note: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _segment_has_both_coordinates(self) -> Self:
        if (self.to_lat is None) != (self.to_lon is None):
            raise ValueError("a segment's end needs to_lat and to_lon")
        return self


class PlanDepotsIn(Strict):
    depot_ids: list[str] = Field(min_length=1, max_length=20)
    service_date: date
    time_limit_seconds: float = Field(default=5.0, gt=0, le=60)


# -- fleet ----------------------------------------------------------------------------------
@router.post("/vehicle-types", status_code=201, response_model=VehicleTypeOut)
def add_vehicle_type(body: VehicleTypeIn, caller: Admin) -> VehicleTypeOut:
    created = fleet.add_vehicle_type(caller.uow(), fleet.NewVehicleType(**body.model_dump()))
    return VehicleTypeOut.model_validate(created)


@router.get("/vehicle-types", response_model=list[VehicleTypeOut])
def list_vehicle_types(caller: Reader) -> list[VehicleTypeOut]:
    return [VehicleTypeOut.model_validate(t) for t in fleet.list_vehicle_types(caller.reader())]


@router.post("/drivers", status_code=201, response_model=DriverOut)
def add_driver(body: DriverIn, caller: Admin) -> DriverOut:
    new = fleet.NewDriver(**{**body.model_dump(), "depot_id": WarehouseId(body.depot_id)})
    return DriverOut.model_validate(fleet.add_driver(caller.uow(), new))


@router.get("/drivers", response_model=list[DriverOut])
def list_drivers(caller: Reader, depot_id: str | None = None) -> list[DriverOut]:
    depot = WarehouseId(depot_id) if depot_id else None
    return [DriverOut.model_validate(d) for d in fleet.list_drivers(caller.reader(), depot)]


# -- carriers, rate shopping, what carriers report ------------------------------------------
@router.post("/carriers", status_code=201, response_model=CarrierOut)
def add_carrier(body: CarrierIn, caller: Admin) -> CarrierOut:
    created = carriers.add_carrier(
        caller.uow(), body.code, body.name, body.connector, body.endpoint
    )
    return CarrierOut.model_validate(created)


@router.get("/carriers", response_model=list[CarrierOut])
def list_carriers(caller: Reader) -> list[CarrierOut]:
    return [CarrierOut.model_validate(c) for c in carriers.list_carriers(caller.reader())]


@router.put("/carriers/{carrier_id}/rate-cards/{service_level}", response_model=RateCardOut)
def set_rate_card(
    carrier_id: str, service_level: str, body: RateCardIn, caller: Admin
) -> RateCardOut:
    document = body.card.model_dump(mode="json")
    card = carriers.set_rate_card(
        caller.uow(), CarrierId(carrier_id), service_level, body.valid_from, document
    )
    return RateCardOut(
        carrier_id=carrier_id,
        service_level=service_level.strip(),
        valid_from=body.valid_from,
        currency=card.currency,
        **RateCardDoc.model_validate(card.document()).model_dump(),
    )


@router.post("/carriers/{carrier_id}/poll", response_model=PollOut)
def poll_carrier(carrier_id: str, caller: Operator) -> PollOut:
    return PollOut(applied=carrier_reports.poll_carrier(caller.uow(), CarrierId(carrier_id)))


@router.get("/shipments/{shipment_id}/rates", response_model=list[OptionOut])
def rates(shipment_id: str, caller: Reader) -> list[OptionOut]:
    options = carriers.shipment_options(caller.reader(), ShipmentId(shipment_id))
    return [OptionOut.of(o) for o in options]


@router.post("/shipments/{shipment_id}/shop", response_model=DecisionOut)
def shop(shipment_id: str, caller: Operator) -> DecisionOut:
    d = carriers.shop(caller.uow(), ShipmentId(shipment_id))
    return DecisionOut(
        shipment_id=d.shipment_id,
        chosen=OptionOut.of(d.chosen) if d.chosen else None,
        options=[OptionOut.of(o) for o in d.options],
    )


@router.post("/shipments/{shipment_id}/carrier-events", response_model=ShipmentOut)
def carrier_event(shipment_id: str, body: CarrierEventIn, caller: Operator) -> ShipmentOut:
    event = CarrierEvent(shipment_id, **body.model_dump())
    shipment = carrier_reports.record_carrier_event(caller.uow(), ShipmentId(shipment_id), event)
    return ShipmentOut.of(shipment)


# -- pickups, the road, re-routing ----------------------------------------------------------
@router.post("/pickups", status_code=201, response_model=ShipmentOut)
def request_pickup(body: PickupIn, caller: Operator) -> ShipmentOut:
    window = None
    if body.window_start is not None and body.window_end is not None:
        window = DeliveryWindow(body.window_start, body.window_end)
    new = shipments.NewPickup(
        customer_id=CustomerId(body.customer_id),
        depot_id=WarehouseId(body.depot_id),
        name=body.name,
        address=body.address,
        point=GeoPoint(body.lat, body.lon),
        weight_kg=body.weight_kg,
        volume_m3=body.volume_m3,
        parcel_count=body.parcel_count,
        temperature_class=body.temperature_class,
        window=window,
        pallets=body.pallets,
    )
    return ShipmentOut.of(shipments.request_pickup(caller.uow(), new))


@router.post("/shipments/{shipment_id}/arrival", response_model=ShipmentOut)
def arrival(shipment_id: str, caller: Operator) -> ShipmentOut:
    return ShipmentOut.of(tracking.record_arrival(caller.uow(), ShipmentId(shipment_id)))


@router.post("/vehicles/{vehicle_id}/positions", response_model=list[EtaOut])
def position(vehicle_id: str, body: PositionIn, caller: Operator) -> list[EtaOut]:
    point = GeoPoint(body.lat, body.lon)
    etas = tracking.record_position(caller.uow(), VehicleId(vehicle_id), point, body.at)
    return [EtaOut.model_validate(e) for e in etas]


@router.post("/vehicles/{vehicle_id}/breakdown", response_model=BreakdownOut)
def breakdown(vehicle_id: str, caller: Operator) -> BreakdownOut:
    found = rerouting.report_breakdown(caller.uow(), VehicleId(vehicle_id))
    return BreakdownOut.model_validate(found)


@router.post("/traffic-incidents", status_code=201, response_model=IncidentOut)
def incident(body: IncidentIn, caller: Operator) -> IncidentOut:
    now = caller.runtime.clock.now()
    to = None
    if body.to_lat is not None and body.to_lon is not None:
        to = GeoPoint(body.to_lat, body.to_lon)
    found = Incident(
        "",
        "segment" if to else "area",
        GeoPoint(body.lat, body.lon),
        to,
        body.radius_m,
        body.factor,
        now,
        now + timedelta(minutes=body.minutes),
        body.note,
    )
    replans = rerouting.report_incident(caller.uow(), found)
    return IncidentOut(replanned=[ReplanOut.model_validate(r) for r in replans])


@router.post("/routes/{route_id}/reroute", response_model=ReplanOut)
def reroute(route_id: str, caller: Operator) -> ReplanOut:
    return ReplanOut.model_validate(rerouting.reroute(caller.uow(), RouteId(route_id), "requested"))


@router.get("/tracking/{tracking_number}/view", response_model=CustomerViewOut)
def customer_view(tracking_number: str, caller: Reader) -> CustomerViewOut:
    v = tracking.customer_view(caller.reader(), tracking_number)
    return CustomerViewOut(
        tracking_number=v.shipment.tracking_number,
        status=v.shipment.status,
        eta=v.eta,
        stops_before=v.stops_before,
        carrier=v.carrier_name,
        delivered_at=v.shipment.delivered_at,
    )


# -- planning: several depots, backhaul, load plan; CO2 --------------------------------------
@router.post("/routes/plan-depots", status_code=201, response_model=PlanOut)
def plan_depots(body: PlanDepotsIn, caller: Operator) -> PlanOut:
    result = service.plan_depots(
        caller.uow(),
        [WarehouseId(d) for d in body.depot_ids],
        body.service_date,
        body.time_limit_seconds,
    )
    return PlanOut.of(result)


@router.post("/backhaul", response_model=list[BackhaulOut])
def match_backhaul(
    caller: Operator,
    depot_id: str,
    service_date: date,
    max_detour_km: Annotated[float, Query(gt=0, le=100)] = 10.0,
) -> list[BackhaulOut]:
    matches = backhaul.match_backhaul(
        caller.uow(), WarehouseId(depot_id), service_date, max_detour_km
    )
    return [BackhaulOut.model_validate(m) for m in matches]


@router.get("/load-plan", response_model=LoadPlanOut)
def load_plan(caller: Reader, depot_id: str) -> LoadPlanOut:
    plan = loadplan.load_plan(caller.reader(), WarehouseId(depot_id))
    loads = []
    for lo in plan.loads:
        used = lo.utilisation()
        loads.append(
            LoadOut(
                vehicle_id=lo.vehicle.id,
                vehicle=lo.vehicle.code,
                shipments=[s.id for s in lo.shipments],
                kg_pct=used["kg"],
                m3_pct=used["m3"],
                pallets_pct=used.get("pallets"),
            )
        )
    return LoadPlanOut(loads=loads, left=[s.id for s in plan.left])


@router.get("/co2/customers", response_model=list[CustomerCo2Out])
def co2_by_customer(caller: Reader, start: date, end: date) -> list[CustomerCo2Out]:
    per = emissions_report.co2_by_customer(caller.reader(), start, end)
    return [CustomerCo2Out(customer_id=c, co2_kg=kg) for c, kg in per.items()]
