"""W's HTTP routes for the outbound floor: waves, pick lists, pick tasks, back-orders, soft
reservations, the box catalogue and the SSCC series."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import CustomerId, OrderId, WarehouseId
from otwb.warehouse import fulfilment, packing, picking, reservations
from otwb.warehouse.api_common import Strict
from otwb.warehouse.cartonisation import Box
from otwb.warehouse.model import FulfilmentStatus, TaskId
from otwb.warehouse.picking_repo import PickList, Wave

router = APIRouter(tags=["warehouse: outbound"])

Picker = Annotated[str, Field(min_length=1, max_length=64)]


class PlanWavesIn(Strict):
    max_orders: int = Field(default=200, ge=1, le=5000)
    cart_size: int = Field(default=8, ge=1, le=50, description="Orders (totes) per cart")
    pickers: list[Picker] = Field(default_factory=lambda: ["P1"], min_length=1, max_length=500)
    cut_off_before: datetime | None = None


class PickListOut(BaseModel):
    id: str
    zone: str
    seq: int
    picker: str | None
    orders: int
    stops: int
    s_shape_m: float
    optimised_m: float

    @classmethod
    def of(cls, p: PickList) -> PickListOut:
        return cls(
            id=p.id,
            zone=p.zone,
            seq=p.seq,
            picker=p.picker,
            orders=p.orders,
            stops=p.stops,
            s_shape_m=p.s_shape_m,
            optimised_m=p.optimised_m,
        )


class WaveOut(BaseModel):
    id: str
    warehouse_id: str
    carrier: str | None
    route: str | None
    cut_off: datetime | None
    status: str
    pick_lists: list[PickListOut] = []
    s_shape_m: float = 0.0
    optimised_m: float = 0.0

    @classmethod
    def of(cls, w: Wave, lists: list[PickList] | None = None) -> WaveOut:
        lists = lists or []
        return cls(
            id=w.id,
            warehouse_id=w.warehouse_id,
            carrier=w.carrier,
            route=w.route,
            cut_off=w.cut_off,
            status=w.status,
            pick_lists=[PickListOut.of(p) for p in lists],
            s_shape_m=round(sum(p.s_shape_m for p in lists), 1),
            optimised_m=round(sum(p.optimised_m for p in lists), 1),
        )


class PickTaskOut(BaseModel):
    task_id: str
    seq: int | None
    location: str
    sku: str
    lot: str | None
    expires_on: date | None
    order_id: str
    tote: int
    quantity: int
    status: str
    picked: int


class StopTotalOut(BaseModel):
    location: str
    sku: str
    lot: str | None
    quantity: int


class PickListView(PickListOut):
    tasks: list[PickTaskOut]
    totals: list[StopTotalOut] = Field(
        description="Batch picking: units to take at each stop for all the cart's orders"
    )


class ConfirmPickIn(Strict):
    quantity: int = Field(ge=0, le=10_000_000, description="Units taken; fewer is a short pick")
    serials: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=10_000
    )
    reallocate_short: bool = Field(
        default=True, description="Find a short pick's rest in another bin (else back-order)"
    )


class PickConfirmedOut(BaseModel):
    task_id: str
    order_id: str
    quantity: int
    picked: int
    fulfilment_status: FulfilmentStatus


class BackorderOut(BaseModel):
    order_line_id: str
    sku: str
    quantity: int


class ReservationIn(Strict):
    warehouse_id: str = Field(min_length=1)
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=10_000_000)
    customer_id: str = Field(min_length=1, max_length=40)
    hold_minutes: int = Field(gt=0, le=30 * 24 * 60)
    reference: str | None = Field(default=None, max_length=64)


class ReservationOut(BaseModel):
    id: str
    warehouse_id: str
    sku: str
    customer_id: str
    quantity: int
    consumed: int
    expires_at: datetime
    status: str

    @classmethod
    def of(cls, r: reservations.Reservation, now: datetime) -> ReservationOut:
        return cls(
            id=r.id,
            warehouse_id=r.warehouse_id,
            sku=r.sku,
            customer_id=r.customer_id,
            quantity=r.quantity,
            consumed=r.consumed,
            expires_at=r.expires_at,
            status=r.status(now),
        )


class BoxIn(Strict):
    inner_m3: float = Field(gt=0, le=10)
    max_weight_kg: float = Field(gt=0, le=2000)
    tare_kg: float = Field(default=0.0, ge=0, le=500)
    outer_m3: float | None = Field(default=None, gt=0, le=12)


class BoxOut(BoxIn):
    code: str


class SsccSeriesIn(Strict):
    company_prefix: str = Field(pattern=r"^[0-9]{7,10}$")
    extension_digit: int = Field(default=0, ge=0, le=9)


@router.post("/warehouses/{warehouse_id}/waves", status_code=201, response_model=list[WaveOut])
def plan_waves(warehouse_id: str, body: PlanWavesIn, caller: Operator) -> list[WaveOut]:
    """Waves of the allocated orders not yet in one, with pick lists per zone and cart, each
    with its S-shape and optimised walking distance."""
    planned = picking.plan_waves(
        caller.uow(),
        WarehouseId(warehouse_id),
        max_orders=body.max_orders,
        cart_size=body.cart_size,
        pickers=body.pickers,
        cut_off_before=body.cut_off_before,
    )
    return [WaveOut.of(p.wave, p.pick_lists) for p in planned]


@router.get("/waves", response_model=list[WaveOut])
def list_waves(
    caller: Reader,
    warehouse_id: str | None = None,
    status: Literal["planned", "released", "cancelled"] | None = None,
) -> list[WaveOut]:
    found = picking.list_waves(
        caller.reader(), WarehouseId(warehouse_id) if warehouse_id else None, status
    )
    return [WaveOut.of(w) for w in found]


@router.get("/waves/{wave_id}", response_model=WaveOut)
def get_wave(wave_id: str, caller: Reader) -> WaveOut:
    return WaveOut.of(*picking.get_wave(caller.reader(), wave_id))


@router.post("/waves/{wave_id}/release", response_model=WaveOut)
def release_wave(wave_id: str, caller: Operator) -> WaveOut:
    picking.release_wave(caller.uow(), wave_id)
    return WaveOut.of(*picking.get_wave(caller.reader(), wave_id))


@router.post("/waves/{wave_id}/cancel", response_model=WaveOut)
def cancel_wave(wave_id: str, caller: Operator) -> WaveOut:
    picking.cancel_wave(caller.uow(), wave_id)
    return WaveOut.of(*picking.get_wave(caller.reader(), wave_id))


@router.get("/pick-lists/{pick_list_id}", response_model=PickListView)
def get_pick_list(pick_list_id: str, caller: Reader) -> PickListView:
    """The list in walking order: bin, SKU, lot, order and tote of every task."""
    view = picking.get_pick_list(caller.reader(), pick_list_id)
    return PickListView(
        **PickListOut.of(view.pick_list).model_dump(),
        tasks=[
            PickTaskOut(
                task_id=t.id,
                seq=t.seq,
                location=t.location,
                sku=t.sku,
                lot=t.lot,
                expires_on=t.expires_on,
                order_id=t.order_id,
                tote=view.totes[t.order_id],
                quantity=t.quantity,
                status=t.status,
                picked=t.picked,
            )
            for t in view.tasks
        ],
        totals=[
            StopTotalOut(location=loc, sku=sku, lot=lot, quantity=q)
            for loc, sku, lot, q in view.totals
        ],
    )


@router.post("/pick-tasks/{task_id}/confirm", response_model=PickConfirmedOut)
def confirm_pick_task(task_id: str, body: ConfirmPickIn, caller: Operator) -> PickConfirmedOut:
    """The picker took ``quantity`` units (confirming again with the same answers the same)."""
    done = picking.confirm_pick_task(
        caller.uow(),
        TaskId(task_id),
        body.quantity,
        body.serials,
        reallocate_short=body.reallocate_short,
    )
    return PickConfirmedOut(
        task_id=done.task_id,
        order_id=done.order_id,
        quantity=done.quantity,
        picked=done.picked,
        fulfilment_status=done.fulfilment_status,
    )


@router.get("/fulfilments/{order_id}/backorders", response_model=list[BackorderOut])
def backorders(order_id: str, caller: Reader) -> list[BackorderOut]:
    return [
        BackorderOut(order_line_id=line, sku=sku, quantity=qty)
        for line, sku, qty in fulfilment.backorders(caller.reader(), OrderId(order_id))
    ]


@router.post("/reservations", status_code=201, response_model=ReservationOut)
def reserve(body: ReservationIn, caller: Operator) -> ReservationOut:
    """Keep units of a SKU for a customer until the hold lapses (it lapses by itself)."""
    made = reservations.reserve(
        caller.uow(),
        WarehouseId(body.warehouse_id),
        body.sku,
        body.quantity,
        CustomerId(body.customer_id),
        timedelta(minutes=body.hold_minutes),
        body.reference,
    )
    return ReservationOut.of(made, caller.runtime.clock.now())


@router.get("/reservations", response_model=list[ReservationOut])
def list_reservations(
    caller: Reader, active: Annotated[bool, Query()] = True
) -> list[ReservationOut]:
    now = caller.runtime.clock.now()
    return [
        ReservationOut.of(r, now) for r in reservations.list_reservations(caller.reader(), active)
    ]


@router.post("/reservations/{reservation_id}/release", response_model=ReservationOut)
def release_reservation(reservation_id: str, caller: Operator) -> ReservationOut:
    released = reservations.release(caller.uow(), reservation_id)
    return ReservationOut.of(released, caller.runtime.clock.now())


@router.put("/boxes/{code}", response_model=BoxOut)
def set_box(code: str, body: BoxIn, caller: Admin) -> BoxOut:
    box = packing.set_box(
        caller.uow(),
        Box(code.strip(), body.inner_m3, body.max_weight_kg, body.tare_kg, body.outer_m3),
    )
    return BoxOut(code=box.code, **body.model_dump())


@router.get("/boxes", response_model=list[BoxOut])
def list_boxes(caller: Reader) -> list[BoxOut]:
    return [
        BoxOut(
            code=b.code,
            inner_m3=b.inner_m3,
            max_weight_kg=b.max_weight_kg,
            tare_kg=b.tare_kg,
            outer_m3=b.outer_m3,
        )
        for b in packing.list_boxes(caller.reader())
    ]


@router.put("/sscc-series", response_model=SsccSeriesIn)
def set_sscc_series(body: SsccSeriesIn, caller: Admin) -> SsccSeriesIn:
    """The GS1 company prefix and extension digit of the SSCCs on this tenant's parcels."""
    series = packing.set_sscc_series(caller.uow(), body.company_prefix, body.extension_digit)
    return SsccSeriesIn(
        company_prefix=series.company_prefix, extension_digit=series.extension_digit
    )
