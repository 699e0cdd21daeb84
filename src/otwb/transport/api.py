"""T's HTTP routes: vehicles, shipments and tracking, route planning, dispatch and delivery.
Thin: schemas in, service call, schemas out."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import RouteId, ShipmentId, WarehouseId
from otwb.platform.values import DeliveryWindow
from otwb.transport import api_tms, dispatch, service, shipments
from otwb.transport.api_schemas import (
    PlanOut,
    RouteOut,
    ShipmentOut,
    Strict,
)
from otwb.transport.model import ShipmentStatus, Vehicle

router = APIRouter(tags=["transport"])
router.include_router(api_tms.router)

Amount = Annotated[Decimal, Field(ge=0, le=1_000_000, max_digits=14, decimal_places=4)]


class VehicleIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    depot_id: str = Field(min_length=1, max_length=40)
    label: str = Field(default="van", min_length=1, max_length=100)
    capacity_kg: float = Field(gt=0, le=60_000)
    capacity_m3: float = Field(gt=0, le=200)
    refrigerated: bool = False
    cost_per_km: Amount
    cost_per_hour: Amount
    fixed_cost: Amount = Decimal(0)
    speed_kmh: float = Field(default=50.0, gt=0, le=200)
    shift_start: time = Field(default=time(7, 0), description="UTC time of day, HH:MM")
    shift_end: time = Field(default=time(17, 0), description="UTC time of day, HH:MM")
    active: bool = True


class VehicleOut(BaseModel):
    id: str
    code: str
    depot_id: str
    label: str
    capacity_kg: float
    capacity_m3: float
    refrigerated: bool
    currency: str
    cost_per_km: Decimal
    cost_per_hour: Decimal
    fixed_cost: Decimal
    speed_kmh: float
    shift_start: time
    shift_end: time
    active: bool

    @classmethod
    def of(cls, v: Vehicle) -> VehicleOut:
        return cls(
            id=v.id,
            code=v.code,
            depot_id=v.depot_id,
            label=v.label,
            capacity_kg=v.capacity_kg,
            capacity_m3=v.capacity_m3,
            refrigerated=v.refrigerated,
            currency=v.currency,
            cost_per_km=v.cost_per_km.amount,
            cost_per_hour=v.cost_per_hour.amount,
            fixed_cost=v.fixed_cost.amount,
            speed_kmh=v.speed_kmh,
            shift_start=v.shift_start,
            shift_end=v.shift_end,
            active=v.active,
        )


class TrackingOut(BaseModel):
    tracking_number: str
    status: ShipmentStatus
    eta: datetime | None = Field(description="Expected arrival while in transit")
    window_start: datetime | None
    window_end: datetime | None
    delivered_at: datetime | None
    recipient: str | None
    failure_reason: str | None


class PlanIn(Strict):
    depot_id: str = Field(min_length=1, max_length=40)
    service_date: date
    time_limit_seconds: float = Field(default=5.0, gt=0, le=60)


class DeliveryIn(Strict):
    recipient: str = Field(min_length=1, max_length=200)
    delivered_at: AwareDatetime | None = None


class FailureIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


class WindowIn(Strict):
    start: AwareDatetime
    end: AwareDatetime


class RescheduleIn(Strict):
    window: WindowIn | None = Field(description="The new delivery window; null for none")


class FleetSummaryOut(BaseModel):
    service_date: date
    routes: int
    vehicles_used: int
    stops: int
    delivered: int
    failed: int
    distance_km: Decimal
    currency: str
    cost: Decimal


@router.post("/vehicles", status_code=201, response_model=VehicleOut)
def add_vehicle(body: VehicleIn, caller: Admin) -> VehicleOut:
    new = service.NewVehicle(
        code=body.code,
        depot_id=WarehouseId(body.depot_id),
        capacity_kg=body.capacity_kg,
        capacity_m3=body.capacity_m3,
        cost_per_km=body.cost_per_km,
        cost_per_hour=body.cost_per_hour,
        fixed_cost=body.fixed_cost,
        speed_kmh=body.speed_kmh,
        shift_start=body.shift_start,
        shift_end=body.shift_end,
        refrigerated=body.refrigerated,
        label=body.label,
        active=body.active,
    )
    return VehicleOut.of(service.add_vehicle(caller.uow(), new))


@router.get("/vehicles", response_model=list[VehicleOut])
def list_vehicles(caller: Reader, depot_id: str | None = None) -> list[VehicleOut]:
    depot = WarehouseId(depot_id) if depot_id else None
    return [VehicleOut.of(v) for v in service.list_vehicles(caller.reader(), depot)]


@router.get("/shipments", response_model=list[ShipmentOut])
def list_shipments(
    caller: Reader,
    status: ShipmentStatus | None = None,
    depot_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ShipmentOut]:
    depot = WarehouseId(depot_id) if depot_id else None
    items = shipments.list_shipments(caller.reader(), status, depot, limit, offset)
    return [ShipmentOut.of(s) for s in items]


@router.get("/shipments/{shipment_id}", response_model=ShipmentOut)
def get_shipment(shipment_id: str, caller: Reader) -> ShipmentOut:
    return ShipmentOut.of(shipments.get_shipment(caller.reader(), ShipmentId(shipment_id)))


@router.get("/tracking/{tracking_number}", response_model=TrackingOut)
def track(tracking_number: str, caller: Reader) -> TrackingOut:
    t = shipments.track(caller.reader(), tracking_number)
    s = t.shipment
    return TrackingOut(
        tracking_number=s.tracking_number,
        status=s.status,
        eta=t.eta,
        window_start=s.window.start if s.window else None,
        window_end=s.window.end if s.window else None,
        delivered_at=s.delivered_at,
        recipient=s.recipient,
        failure_reason=s.failure_reason,
    )


@router.post("/routes/plan", status_code=201, response_model=PlanOut)
def plan_routes(body: PlanIn, caller: Operator) -> PlanOut:
    result = service.plan_routes(
        caller.uow(), WarehouseId(body.depot_id), body.service_date, body.time_limit_seconds
    )
    return PlanOut.of(result)


@router.get("/routes", response_model=list[RouteOut])
def list_routes(
    caller: Reader, service_date: date | None = None, depot_id: str | None = None
) -> list[RouteOut]:
    depot = WarehouseId(depot_id) if depot_id else None
    return [RouteOut.of(r) for r in service.list_routes(caller.reader(), service_date, depot)]


@router.get("/routes/{route_id}", response_model=RouteOut)
def get_route(route_id: str, caller: Reader) -> RouteOut:
    return RouteOut.of(service.get_route(caller.reader(), RouteId(route_id)))


@router.post("/routes/{route_id}/dispatch", response_model=RouteOut)
def dispatch_route(route_id: str, caller: Operator) -> RouteOut:
    dispatch.dispatch_route(caller.uow(), RouteId(route_id))
    return RouteOut.of(service.get_route(caller.reader(), RouteId(route_id)))


@router.post("/routes/{route_id}/cancel", response_model=RouteOut)
def cancel_route(route_id: str, caller: Operator) -> RouteOut:
    service.cancel_route(caller.uow(), RouteId(route_id))
    return RouteOut.of(service.get_route(caller.reader(), RouteId(route_id)))


@router.put("/shipments/{shipment_id}/window", response_model=ShipmentOut)
def reschedule(shipment_id: str, body: RescheduleIn, caller: Operator) -> ShipmentOut:
    window = DeliveryWindow(body.window.start, body.window.end) if body.window else None
    return ShipmentOut.of(
        shipments.reschedule_shipment(caller.uow(), ShipmentId(shipment_id), window)
    )


@router.post("/shipments/{shipment_id}/delivery", response_model=ShipmentOut)
def record_delivery(shipment_id: str, body: DeliveryIn, caller: Operator) -> ShipmentOut:
    shipment = dispatch.record_delivery(
        caller.uow(), ShipmentId(shipment_id), body.recipient, body.delivered_at
    )
    return ShipmentOut.of(shipment)


@router.post("/shipments/{shipment_id}/failure", response_model=ShipmentOut)
def record_failure(shipment_id: str, body: FailureIn, caller: Operator) -> ShipmentOut:
    shipment = dispatch.record_delivery_failure(caller.uow(), ShipmentId(shipment_id), body.reason)
    return ShipmentOut.of(shipment)


@router.get("/fleet/summary", response_model=FleetSummaryOut)
def fleet_summary(caller: Reader, service_date: date) -> FleetSummaryOut:
    f = service.fleet_summary(caller.reader(), service_date)
    return FleetSummaryOut(
        service_date=f.service_date,
        routes=f.routes,
        vehicles_used=f.vehicles_used,
        stops=f.stops,
        delivered=f.delivered,
        failed=f.failed,
        distance_km=f.distance_km,
        currency=f.cost.currency,
        cost=f.cost.amount,
    )
