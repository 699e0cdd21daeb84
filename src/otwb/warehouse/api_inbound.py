"""W's HTTP routes for the building and inbound: zones, racking layouts, the dock, ASNs and
their receipts, move tasks (putaway, replenishment)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import LocationId, WarehouseId
from otwb.platform.values import TemperatureClass
from otwb.warehouse import inbound, moves, sites
from otwb.warehouse.api_common import MoveTaskOut, Strict
from otwb.warehouse.inbound_repo import Asn
from otwb.warehouse.layout import LayoutSpec
from otwb.warehouse.model import Zone, ZoneRole

router = APIRouter(tags=["warehouse: building and inbound"])

Code = Annotated[str, Field(min_length=1, max_length=64)]


class ZoneIn(Strict):
    code: str = Field(min_length=1, max_length=32)
    temperature_class: TemperatureClass
    role: ZoneRole = ZoneRole.PICK
    hazardous: bool = False


class ZoneOut(ZoneIn):
    id: str
    warehouse_id: str

    @classmethod
    def of(cls, z: Zone) -> ZoneOut:
        return cls(
            id=z.id,
            warehouse_id=z.warehouse_id,
            code=z.code,
            temperature_class=z.temperature_class,
            role=z.role,
            hazardous=z.hazardous,
        )


class LayoutIn(Strict):
    zone: str = Field(min_length=1, max_length=32)
    spec: str = Field(min_length=5, max_length=200, examples=["A-F x 20 x 4"])
    bay_width_m: float = Field(default=1.2, gt=0, le=20)
    aisle_pitch_m: float = Field(default=3.2, gt=0, le=50)
    front_m: float = Field(default=3.0, ge=0, le=500)
    first_x_m: float | None = Field(default=None, ge=0, le=5000)
    bin_capacity_m3: float | None = Field(default=None, gt=0, le=100)
    bin_capacity_kg: float | None = Field(default=None, gt=0, le=100_000)


class LayoutOut(BaseModel):
    zone: str
    aisles: list[str]
    bins: int
    first_bin: str
    last_bin: str


class DockIn(Strict):
    x_m: float = Field(ge=0, le=5000)
    y_m: float = Field(ge=0, le=5000)


class AsnLineIn(Strict):
    sku: Code
    quantity: int = Field(gt=0, le=10_000_000)
    lot: str | None = Field(default=None, max_length=64)
    expires_on: date | None = None

    def line(self) -> inbound.NewAsnLine:
        return inbound.NewAsnLine(self.sku, self.quantity, self.lot, self.expires_on)


class AsnIn(Strict):
    warehouse_id: str = Field(min_length=1)
    reference: Code
    supplier: str = Field(min_length=1, max_length=200)
    expected_at: datetime | None = None
    lines: list[AsnLineIn] = Field(min_length=1, max_length=2000)


class AsnLineOut(BaseModel):
    line_no: int
    sku_id: str
    lot: str | None
    expires_on: date | None
    expected: int
    received: int
    damaged: int
    over: int
    short: int


class AsnOut(BaseModel):
    id: str
    warehouse_id: str
    reference: str
    supplier: str
    status: str
    lines: list[AsnLineOut]

    @classmethod
    def of(cls, a: Asn) -> AsnOut:
        return cls(
            id=a.id,
            warehouse_id=a.warehouse_id,
            reference=a.reference,
            supplier=a.supplier,
            status=a.status,
            lines=[
                AsnLineOut(
                    line_no=x.line_no,
                    sku_id=x.sku_id,
                    lot=x.lot,
                    expires_on=x.expires_on,
                    expected=x.expected,
                    received=x.received,
                    damaged=x.damaged,
                    over=x.over,
                    short=x.short,
                )
                for x in a.lines
            ],
        )


class ReceiptLineIn(Strict):
    line_no: int = Field(ge=1)
    received: int = Field(ge=0, le=10_000_000)
    damaged: int = Field(default=0, ge=0, le=10_000_000)
    lot: str | None = Field(default=None, max_length=64)
    expires_on: date | None = None
    serials: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=10_000
    )

    def receipt(self) -> inbound.Receipt:
        return inbound.Receipt(
            self.line_no, self.received, self.damaged, self.lot, self.expires_on, self.serials
        )


class ReceiptIn(Strict):
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=2000)


class ReceiptOut(BaseModel):
    asn: AsnOut
    putaway: list[MoveTaskOut]
    waiting_at_dock: int


class ConfirmMoveIn(Strict):
    to_location_id: str | None = Field(default=None, description="Another bin than planned")


@router.post("/warehouses/{warehouse_id}/zones", status_code=201, response_model=ZoneOut)
def create_zone(warehouse_id: str, body: ZoneIn, caller: Admin) -> ZoneOut:
    zone = sites.create_zone(
        caller.uow(),
        WarehouseId(warehouse_id),
        body.code,
        body.temperature_class,
        body.role,
        body.hazardous,
    )
    return ZoneOut.of(zone)


@router.get("/warehouses/{warehouse_id}/zones", response_model=list[ZoneOut])
def list_zones(warehouse_id: str, caller: Reader) -> list[ZoneOut]:
    return [ZoneOut.of(z) for z in sites.list_zones(caller.reader(), WarehouseId(warehouse_id))]


@router.post("/warehouses/{warehouse_id}/layout", status_code=201, response_model=LayoutOut)
def build_layout(warehouse_id: str, body: LayoutIn, caller: Admin) -> LayoutOut:
    """Rack a zone from a compact spec: ``A-F x 20 x 4`` is aisles A to F of 20 bays of 4
    levels (bins ``A-01-1`` ...), with coordinates for walking distances."""
    spec = LayoutSpec.parse(body.spec, **body.model_dump(exclude={"zone", "spec"}))
    built = sites.build_layout(caller.uow(), WarehouseId(warehouse_id), body.zone, spec)
    return LayoutOut(
        zone=built.zone.code,
        aisles=built.aisles,
        bins=len(built.bins),
        first_bin=built.bins[0].code,
        last_bin=built.bins[-1].code,
    )


@router.put("/warehouses/{warehouse_id}/dock", response_model=DockIn)
def set_dock(warehouse_id: str, body: DockIn, caller: Admin) -> DockIn:
    w = sites.set_dock(caller.uow(), WarehouseId(warehouse_id), body.x_m, body.y_m)
    return DockIn(x_m=w.dock_x_m, y_m=w.dock_y_m)


@router.post("/asns", status_code=201, response_model=AsnOut)
def create_asn(body: AsnIn, caller: Operator) -> AsnOut:
    asn = inbound.create_asn(
        caller.uow(),
        WarehouseId(body.warehouse_id),
        body.reference,
        body.supplier,
        [x.line() for x in body.lines],
        body.expected_at,
    )
    return AsnOut.of(asn)


@router.get("/asns", response_model=list[AsnOut])
def list_asns(
    caller: Reader,
    warehouse_id: str | None = None,
    status: Literal["expected", "receiving", "closed"] | None = None,
) -> list[AsnOut]:
    found = inbound.list_asns(
        caller.reader(), WarehouseId(warehouse_id) if warehouse_id else None, status
    )
    return [AsnOut.of(a) for a in found]


@router.get("/asns/{asn_id}", response_model=AsnOut)
def get_asn(asn_id: str, caller: Reader) -> AsnOut:
    return AsnOut.of(inbound.get_asn(caller.reader(), asn_id))


@router.post("/asns/{asn_id}/receipts", status_code=201, response_model=ReceiptOut)
def receive_asn(asn_id: str, body: ReceiptIn, caller: Operator) -> ReceiptOut:
    """Goods arrived at the dock: good units into stock with putaway tasks, damaged recorded."""
    received = inbound.receive_asn(caller.uow(), asn_id, [x.receipt() for x in body.lines])
    return ReceiptOut(
        asn=AsnOut.of(received.asn),
        putaway=[MoveTaskOut.of(t) for t in received.putaway],
        waiting_at_dock=received.waiting_at_dock,
    )


@router.post("/asns/{asn_id}/close", response_model=AsnOut)
def close_asn(asn_id: str, caller: Operator) -> AsnOut:
    return AsnOut.of(inbound.close_asn(caller.uow(), asn_id))


@router.get("/move-tasks", response_model=list[MoveTaskOut])
def list_move_tasks(
    caller: Reader,
    warehouse_id: str | None = None,
    kind: Literal["putaway", "replenishment"] | None = None,
    status: Literal["open", "done", "cancelled"] | None = "open",
) -> list[MoveTaskOut]:
    found = moves.list_moves(
        caller.reader(), WarehouseId(warehouse_id) if warehouse_id else None, kind, status
    )
    return [MoveTaskOut.of(t) for t in found]


@router.post("/move-tasks/{task_id}/confirm", response_model=MoveTaskOut)
def confirm_move_task(
    task_id: str, caller: Operator, body: ConfirmMoveIn | None = None
) -> MoveTaskOut:
    """The goods are in their bin (confirming again answers the same and changes nothing)."""
    to = LocationId(body.to_location_id) if body and body.to_location_id else None
    return MoveTaskOut.of(moves.confirm_move(caller.uow(), task_id, to))


@router.post("/move-tasks/{task_id}/cancel", response_model=MoveTaskOut)
def cancel_move_task(task_id: str, caller: Operator) -> MoveTaskOut:
    return MoveTaskOut.of(moves.cancel_move(caller.uow(), task_id))
