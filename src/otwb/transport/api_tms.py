"""T's HTTP routes of the TMS: fleet resources, carriers and rate shopping, pickups, tracking,
re-routing, backhaul, load planning, CO2. Thin: schemas in, service call, plain JSON out."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from otwb.platform.geo import GeoPoint
from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CarrierId, CustomerId, RouteId, ShipmentId, VehicleId, WarehouseId
from otwb.platform.terminal import _plain
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
from otwb.transport.connectors.base import CarrierEvent
from otwb.transport.fleet_model import Fuel
from otwb.transport.traffic import Incident

router = APIRouter(tags=["transport"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
    card: dict[str, Any]


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


class PositionIn(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: AwareDatetime | None = None


class IncidentIn(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    to_lat: float | None = Field(default=None, ge=-90, le=90)
    to_lon: float | None = Field(default=None, ge=-180, le=180)
    radius_m: float = Field(gt=0, le=100_000)
    factor: float | None = Field(default=None, ge=1, le=20, description="null: closed")
    minutes: int = Field(default=120, gt=0, le=7 * 24 * 60)
    note: str = Field(default="", max_length=200)


class PlanDepotsIn(Strict):
    depot_ids: list[str] = Field(min_length=1, max_length=20)
    service_date: date
    time_limit_seconds: float = Field(default=5.0, gt=0, le=60)


def plain(value: Any) -> Any:
    return _plain(value)


@router.post("/vehicle-types", status_code=201)
def add_vehicle_type(body: VehicleTypeIn, caller: Admin) -> Any:
    return plain(fleet.add_vehicle_type(caller.uow(), fleet.NewVehicleType(**body.model_dump())))


@router.get("/vehicle-types")
def list_vehicle_types(caller: Reader) -> Any:
    return plain(fleet.list_vehicle_types(caller.reader()))


@router.post("/drivers", status_code=201)
def add_driver(body: DriverIn, caller: Admin) -> Any:
    data = body.model_dump()
    data["depot_id"] = WarehouseId(data["depot_id"])
    return plain(fleet.add_driver(caller.uow(), fleet.NewDriver(**data)))


@router.get("/drivers")
def list_drivers(caller: Reader, depot_id: str | None = None) -> Any:
    return plain(fleet.list_drivers(caller.reader(), WarehouseId(depot_id) if depot_id else None))


@router.post("/carriers", status_code=201)
def add_carrier(body: CarrierIn, caller: Admin) -> Any:
    return plain(
        carriers.add_carrier(caller.uow(), body.code, body.name, body.connector, body.endpoint)
    )


@router.get("/carriers")
def list_carriers(caller: Reader) -> Any:
    return plain(carriers.list_carriers(caller.reader()))


@router.put("/carriers/{carrier_id}/rate-cards/{service_level}")
def set_rate_card(carrier_id: str, service_level: str, body: RateCardIn, caller: Admin) -> Any:
    card = carriers.set_rate_card(
        caller.uow(), CarrierId(carrier_id), service_level, body.valid_from, body.card
    )
    return {"currency": card.currency, **card.document()}


@router.post("/carriers/{carrier_id}/poll")
def poll_carrier(carrier_id: str, caller: Operator) -> Any:
    return {"applied": carrier_reports.poll_carrier(caller.uow(), CarrierId(carrier_id))}


@router.get("/shipments/{shipment_id}/rates")
def rates(shipment_id: str, caller: Reader) -> Any:
    return plain(carriers.shipment_options(caller.reader(), ShipmentId(shipment_id)))


@router.post("/shipments/{shipment_id}/shop")
def shop(shipment_id: str, caller: Operator) -> Any:
    return plain(carriers.shop(caller.uow(), ShipmentId(shipment_id)))


@router.post("/shipments/{shipment_id}/carrier-events")
def carrier_event(shipment_id: str, body: CarrierEventIn, caller: Operator) -> Any:
    shipment = ShipmentId(shipment_id)
    event = CarrierEvent(shipment_id, **body.model_dump())
    return plain(carrier_reports.record_carrier_event(caller.uow(), shipment, event))


@router.post("/shipments/{shipment_id}/arrival")
def arrival(shipment_id: str, caller: Operator) -> Any:
    return plain(tracking.record_arrival(caller.uow(), ShipmentId(shipment_id)))


@router.post("/pickups", status_code=201)
def request_pickup(body: PickupIn, caller: Operator) -> Any:
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
    return plain(shipments.request_pickup(caller.uow(), new))


@router.post("/vehicles/{vehicle_id}/positions")
def position(vehicle_id: str, body: PositionIn, caller: Operator) -> Any:
    point = GeoPoint(body.lat, body.lon)
    return plain(tracking.record_position(caller.uow(), VehicleId(vehicle_id), point, body.at))


@router.post("/vehicles/{vehicle_id}/breakdown")
def breakdown(vehicle_id: str, caller: Operator) -> Any:
    return plain(rerouting.report_breakdown(caller.uow(), VehicleId(vehicle_id)))


@router.post("/traffic-incidents", status_code=201)
def incident(body: IncidentIn, caller: Operator) -> Any:
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
    return {"replanned": [asdict(r) for r in rerouting.report_incident(caller.uow(), found)]}


@router.post("/routes/{route_id}/reroute")
def reroute(route_id: str, caller: Operator) -> Any:
    return asdict(rerouting.reroute(caller.uow(), RouteId(route_id), "requested"))


@router.post("/routes/plan-depots", status_code=201)
def plan_depots(body: PlanDepotsIn, caller: Operator) -> Any:
    result = service.plan_depots(
        caller.uow(),
        [WarehouseId(d) for d in body.depot_ids],
        body.service_date,
        body.time_limit_seconds,
    )
    return {
        "routes": [r.id for r in result.routes],
        "unplanned": [asdict(u) for u in result.unplanned],
    }


@router.post("/backhaul")
def match_backhaul(
    caller: Operator, depot_id: str, service_date: date, max_detour_km: float = 10.0
) -> Any:
    uow = caller.uow()
    return [
        asdict(m)
        for m in backhaul.match_backhaul(uow, WarehouseId(depot_id), service_date, max_detour_km)
    ]


@router.get("/load-plan")
def load_plan(caller: Reader, depot_id: str) -> Any:
    plan = loadplan.load_plan(caller.reader(), WarehouseId(depot_id))
    return {
        "loads": [
            {
                "vehicle": lo.vehicle.code,
                "shipments": [s.id for s in lo.shipments],
                **lo.utilisation(),
            }
            for lo in plan.loads
        ],
        "left": [s.id for s in plan.left],
    }


@router.get("/co2/customers")
def co2_by_customer(caller: Reader, start: date, end: date) -> Any:
    return plain(emissions_report.co2_by_customer(caller.reader(), start, end))


@router.get("/tracking/{tracking_number}/view")
def customer_view(tracking_number: str, caller: Reader) -> Any:
    v = tracking.customer_view(caller.reader(), tracking_number)
    s = v.shipment
    delivered: datetime | None = s.delivered_at
    return {
        "tracking_number": s.tracking_number,
        "status": s.status.value,
        "eta": v.eta.isoformat() if v.eta else None,
        "stops_before": v.stops_before,
        "carrier": v.carrier_name,
        "delivered_at": delivered.isoformat() if delivered else None,
    }
