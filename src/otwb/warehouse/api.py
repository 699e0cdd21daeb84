"""W's HTTP routes: warehouses, locations, SKUs, receipts and stock, and the outbound steps of
an order. The building and inbound (``api_inbound``), the outbound floor (``api_outbound``),
inventory control (``api_stock``), slotting and replenishment (``api_replenishment``) are
included from their own modules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from otwb.platform.geo import GeoPoint
from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CustomerId, LocationId, OrderId, WarehouseId
from otwb.platform.values import TemperatureClass
from otwb.warehouse import (
    api_inbound,
    api_outbound,
    api_replenishment,
    api_stock,
    fulfilment,
    service,
)
from otwb.warehouse.api_common import StockOut, Strict
from otwb.warehouse.model import (
    Fulfilment,
    FulfilmentStatus,
    Location,
    Parcel,
    Sku,
    Warehouse,
    WarehouseKind,
    ZoneRole,
)

router = APIRouter(tags=["warehouse"])
for _sub in (api_inbound.router, api_outbound.router, api_stock.router, api_replenishment.router):
    router.include_router(_sub)


class WarehouseIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    kind: WarehouseKind = WarehouseKind.CENTRAL
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    dock_x_m: float = Field(default=0.0, ge=0, le=5000, description="Where pick tours start")
    dock_y_m: float = Field(default=0.0, ge=0, le=5000)


class WarehouseOut(WarehouseIn):
    id: str

    @classmethod
    def of(cls, w: Warehouse) -> WarehouseOut:
        return cls(
            id=w.id,
            code=w.code,
            name=w.name,
            kind=w.kind,
            lat=w.point.lat,
            lon=w.point.lon,
            dock_x_m=w.dock_x_m,
            dock_y_m=w.dock_y_m,
        )


class LocationsIn(Strict):
    codes: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=10_000
    )
    temperature_class: TemperatureClass = TemperatureClass.AMBIENT


class LocationOut(BaseModel):
    id: str
    warehouse_id: str
    code: str
    temperature_class: TemperatureClass
    zone_id: str | None = None
    role: ZoneRole = ZoneRole.PICK
    hazardous: bool = False
    aisle: str | None = None
    bay: int | None = None
    level: int | None = None
    x_m: float = 0.0
    y_m: float = 0.0
    capacity_m3: float | None = None
    capacity_kg: float | None = None

    @classmethod
    def of(cls, x: Location) -> LocationOut:
        return cls(
            id=x.id,
            warehouse_id=x.warehouse_id,
            code=x.code,
            temperature_class=x.temperature_class,
            zone_id=x.zone_id,
            role=x.role,
            hazardous=x.hazardous,
            aisle=x.aisle,
            bay=x.bay,
            level=x.level,
            x_m=x.x_m,
            y_m=x.y_m,
            capacity_m3=x.capacity_m3,
            capacity_kg=x.capacity_kg,
        )


class SkuIn(Strict):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=200)
    weight_kg: float = Field(gt=0, le=100_000)
    volume_m3: float = Field(gt=0, le=1_000)
    temperature_class: TemperatureClass = TemperatureClass.AMBIENT
    owner_id: str | None = None
    shelf_life_days: int | None = Field(
        default=None, gt=0, le=3650, description="For goods that expire: allocated FEFO"
    )
    lot_tracked: bool = False
    serial_tracked: bool = False
    hazardous: bool = False


class SkuOut(SkuIn):
    id: str

    @classmethod
    def of(cls, s: Sku) -> SkuOut:
        return cls(
            id=s.id,
            code=s.code,
            name=s.name,
            weight_kg=s.weight_kg,
            volume_m3=s.volume_m3,
            temperature_class=s.temperature_class,
            owner_id=s.owner_id,
            shelf_life_days=s.shelf_life_days,
            lot_tracked=s.lot_tracked,
            serial_tracked=s.serial_tracked,
            hazardous=s.hazardous,
        )


class ReceiptIn(Strict):
    location_id: str = Field(min_length=1)
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=10_000_000)
    reference: str | None = Field(default=None, max_length=40)
    lot: str | None = Field(default=None, max_length=64)
    expires_on: date | None = None
    serials: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=10_000
    )


class ParcelIn(Strict):
    weight_kg: float = Field(gt=0, le=10_000)
    volume_m3: float = Field(gt=0, le=100)


class ParcelOut(ParcelIn):
    box: str | None
    sscc: str | None


class PackIn(Strict):
    parcels: list[ParcelIn] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Omit to split the order into standard parcels (25 kg / 0.12 m³ at most)",
    )


class PickOut(BaseModel):
    task_id: str | None
    order_line_id: str
    stock_id: str
    quantity: int
    status: str
    picked: int


class FulfilmentOut(BaseModel):
    order_id: str
    warehouse_id: str
    status: FulfilmentStatus
    ship_to_name: str
    ship_to_address: str
    window_start: datetime | None
    window_end: datetime | None
    picks: list[PickOut]
    parcels: list[ParcelOut]
    cut_off: datetime | None
    wave_id: str | None

    @classmethod
    def of(cls, f: Fulfilment) -> FulfilmentOut:
        return cls(
            order_id=f.order_id,
            warehouse_id=f.warehouse_id,
            status=f.status,
            ship_to_name=f.ship_to_name,
            ship_to_address=f.ship_to_address,
            window_start=f.window_start,
            window_end=f.window_end,
            picks=[
                PickOut(
                    task_id=p.task_id,
                    order_line_id=p.line_id,
                    stock_id=p.stock_id,
                    quantity=p.quantity,
                    status=p.status,
                    picked=p.picked,
                )
                for p in f.picks
            ],
            parcels=[
                ParcelOut(weight_kg=p.weight_kg, volume_m3=p.volume_m3, box=p.box, sscc=p.sscc)
                for p in f.parcels
            ],
            cut_off=f.cut_off,
            wave_id=f.wave_id,
        )


@router.post("/warehouses", status_code=201, response_model=WarehouseOut)
def create_warehouse(body: WarehouseIn, caller: Admin) -> WarehouseOut:
    w = service.create_warehouse(
        caller.uow(),
        body.code,
        body.name,
        body.kind,
        GeoPoint(body.lat, body.lon),
        body.dock_x_m,
        body.dock_y_m,
    )
    return WarehouseOut.of(w)


@router.get("/warehouses", response_model=list[WarehouseOut])
def list_warehouses(caller: Reader) -> list[WarehouseOut]:
    return [WarehouseOut.of(w) for w in service.list_warehouses(caller.reader())]


@router.post(
    "/warehouses/{warehouse_id}/locations", status_code=201, response_model=list[LocationOut]
)
def create_locations(warehouse_id: str, body: LocationsIn, caller: Admin) -> list[LocationOut]:
    items = service.create_locations(
        caller.uow(), WarehouseId(warehouse_id), body.codes, body.temperature_class
    )
    return [LocationOut.of(x) for x in items]


@router.get("/warehouses/{warehouse_id}/locations", response_model=list[LocationOut])
def list_locations(warehouse_id: str, caller: Reader) -> list[LocationOut]:
    return [
        LocationOut.of(x)
        for x in service.list_locations(caller.reader(), WarehouseId(warehouse_id))
    ]


@router.post("/skus", status_code=201, response_model=SkuOut)
def create_sku(body: SkuIn, caller: Admin) -> SkuOut:
    new = service.NewSku(
        body.code,
        body.name,
        body.weight_kg,
        body.volume_m3,
        body.temperature_class,
        CustomerId(body.owner_id) if body.owner_id else None,
        body.shelf_life_days,
        body.lot_tracked,
        body.serial_tracked,
        body.hazardous,
    )
    return SkuOut.of(service.create_skus(caller.uow(), [new])[0])


@router.get("/skus", response_model=list[SkuOut])
def list_skus(
    caller: Reader,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[SkuOut]:
    return [SkuOut.of(s) for s in service.list_skus(caller.reader(), limit, offset)]


@router.get("/skus/{code}", response_model=SkuOut)
def get_sku(code: str, caller: Reader) -> SkuOut:
    return SkuOut.of(service.get_sku(caller.reader(), code))


@router.post("/stock/receipts", status_code=201, response_model=StockOut)
def receive_stock(body: ReceiptIn, caller: Operator) -> StockOut:
    row = service.receive_stock(
        caller.uow(),
        LocationId(body.location_id),
        body.sku,
        body.quantity,
        body.reference,
        lot=body.lot,
        expires_on=body.expires_on,
        serials=body.serials,
    )
    line = next(
        x
        for x in service.stock_levels(caller.reader(), body.sku, row.warehouse_id)
        if x.row.id == row.id
    )
    return StockOut.of(line)


@router.get("/stock", response_model=list[StockOut])
def stock_levels(
    caller: Reader, sku: str | None = None, warehouse_id: str | None = None
) -> list[StockOut]:
    lines = service.stock_levels(
        caller.reader(), sku, WarehouseId(warehouse_id) if warehouse_id else None
    )
    return [StockOut.of(x) for x in lines]


@router.get("/fulfilments", response_model=list[str])
def list_fulfilments(
    caller: Reader, warehouse_id: str | None = None, status: FulfilmentStatus | None = None
) -> list[str]:
    """Order ids a warehouse is serving, by status (e.g. ``allocated``: today's pick list)."""
    return list(
        fulfilment.list_fulfilments(
            caller.reader(), WarehouseId(warehouse_id) if warehouse_id else None, status
        )
    )


# An order split across warehouses has one fulfilment per warehouse: name it (?warehouse_id=).
Part = Annotated[str | None, Query(description="The warehouse of the part, for a split order")]


def _part(warehouse_id: str | None) -> WarehouseId | None:
    return WarehouseId(warehouse_id) if warehouse_id else None


@router.get("/fulfilments/{order_id}", response_model=FulfilmentOut)
def get_fulfilment(order_id: str, caller: Reader, warehouse_id: Part = None) -> FulfilmentOut:
    return FulfilmentOut.of(
        fulfilment.get_fulfilment(caller.reader(), OrderId(order_id), _part(warehouse_id))
    )


@router.post("/fulfilments/{order_id}/pick", response_model=FulfilmentOut)
def confirm_pick(order_id: str, caller: Operator, warehouse_id: Part = None) -> FulfilmentOut:
    fulfilment.confirm_pick(caller.uow(), OrderId(order_id), _part(warehouse_id))
    return get_fulfilment(order_id, caller, warehouse_id)


@router.post("/fulfilments/{order_id}/pack", response_model=FulfilmentOut)
def pack_order(
    order_id: str, caller: Operator, body: PackIn | None = None, warehouse_id: Part = None
) -> FulfilmentOut:
    parcels = (
        [Parcel(p.weight_kg, p.volume_m3) for p in body.parcels] if body and body.parcels else None
    )
    fulfilment.pack_order(caller.uow(), OrderId(order_id), parcels, _part(warehouse_id))
    return get_fulfilment(order_id, caller, warehouse_id)


@router.post("/fulfilments/{order_id}/hand-over", response_model=FulfilmentOut)
def hand_over(order_id: str, caller: Operator, warehouse_id: Part = None) -> FulfilmentOut:
    fulfilment.hand_over(caller.uow(), OrderId(order_id), _part(warehouse_id))
    return get_fulfilment(order_id, caller, warehouse_id)
