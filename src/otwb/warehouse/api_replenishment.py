"""W's HTTP routes for slotting and replenishment: ABC velocity and re-slotting suggestions,
replenishment rules, transfer orders between sites and pick-face replenishment."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from otwb.platform.http import Admin, Operator, Reader
from otwb.platform.ids import WarehouseId
from otwb.warehouse import replenishment, velocity
from otwb.warehouse.api_common import MoveTaskOut, Strict
from otwb.warehouse.replenishment_repo import Rule, TransferOrder

router = APIRouter(tags=["warehouse: slotting and replenishment"])

Days = Annotated[int, Query(ge=1, le=365)]


class VelocityOut(BaseModel):
    sku: str
    pick_lines: int
    abc: str


class ReslotOut(BaseModel):
    sku: str
    abc: str
    from_bin: str
    to_bin: str
    pick_lines: int
    metres_saved: float


class RuleIn(Strict):
    warehouse_id: str = Field(min_length=1)
    sku: str = Field(min_length=1, max_length=64)
    min_qty: int | None = Field(default=None, ge=0)
    max_qty: int | None = Field(default=None, gt=0)
    pick_min: int | None = Field(default=None, ge=0)
    pick_max: int | None = Field(default=None, gt=0)


class RuleOut(BaseModel):
    warehouse_id: str
    sku: str
    min_qty: int | None
    max_qty: int | None
    pick_min: int | None
    pick_max: int | None

    @classmethod
    def of(cls, r: Rule) -> RuleOut:
        return cls(
            warehouse_id=r.warehouse_id,
            sku=r.sku,
            min_qty=r.min_qty,
            max_qty=r.max_qty,
            pick_min=r.pick_min,
            pick_max=r.pick_max,
        )


class TransferIn(Strict):
    from_warehouse_id: str | None = Field(default=None, description="Default: the central one")


class TransferLineOut(BaseModel):
    sku: str
    requested: int
    shipped: int


class TransferOut(BaseModel):
    id: str
    from_warehouse_id: str
    to_warehouse_id: str
    status: str
    lines: list[TransferLineOut]
    putaway: list[MoveTaskOut] = []

    @classmethod
    def of(cls, t: TransferOrder, putaway: list[MoveTaskOut] | None = None) -> TransferOut:
        return cls(
            id=t.id,
            from_warehouse_id=t.from_warehouse_id,
            to_warehouse_id=t.to_warehouse_id,
            status=t.status,
            lines=[
                TransferLineOut(sku=x.sku, requested=x.requested, shipped=x.shipped)
                for x in t.lines
            ],
            putaway=putaway or [],
        )


@router.post("/warehouses/{warehouse_id}/velocity", response_model=list[VelocityOut])
def classify_skus(warehouse_id: str, caller: Operator, days: Days = 30) -> list[VelocityOut]:
    """ABC classes from the last ``days`` days of picks (kept for putaway and counts)."""
    found = velocity.classify_skus(caller.uow(), WarehouseId(warehouse_id), days)
    return [VelocityOut(sku=v.sku, pick_lines=v.pick_lines, abc=v.abc) for v in found]


@router.get("/warehouses/{warehouse_id}/reslotting", response_model=list[ReslotOut])
def reslotting(
    warehouse_id: str,
    caller: Reader,
    days: Days = 30,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ReslotOut]:
    found = velocity.reslotting_suggestions(caller.reader(), WarehouseId(warehouse_id), days, limit)
    return [
        ReslotOut(
            sku=r.sku,
            abc=r.abc,
            from_bin=r.from_bin,
            to_bin=r.to_bin,
            pick_lines=r.pick_lines,
            metres_saved=r.metres_saved,
        )
        for r in found
    ]


@router.put("/replenishment-rules", response_model=RuleOut)
def set_rule(body: RuleIn, caller: Admin) -> RuleOut:
    rule = replenishment.set_rule(
        caller.uow(),
        WarehouseId(body.warehouse_id),
        body.sku,
        min_qty=body.min_qty,
        max_qty=body.max_qty,
        pick_min=body.pick_min,
        pick_max=body.pick_max,
    )
    return RuleOut.of(rule)


@router.get("/replenishment-rules", response_model=list[RuleOut])
def list_rules(caller: Reader, warehouse_id: str | None = None) -> list[RuleOut]:
    found = replenishment.list_rules(
        caller.reader(), WarehouseId(warehouse_id) if warehouse_id else None
    )
    return [RuleOut.of(r) for r in found]


@router.post(
    "/warehouses/{warehouse_id}/transfers", status_code=201, response_model=list[TransferOut]
)
def plan_transfer(
    warehouse_id: str, caller: Operator, body: TransferIn | None = None
) -> list[TransferOut]:
    """A transfer order from the central warehouse for the SKUs at or below their min
    (none when nothing is low)."""
    source = WarehouseId(body.from_warehouse_id) if body and body.from_warehouse_id else None
    order = replenishment.plan_transfer(caller.uow(), WarehouseId(warehouse_id), source)
    return [TransferOut.of(order)] if order else []


@router.get("/transfers", response_model=list[TransferOut])
def list_transfers(
    caller: Reader,
    warehouse_id: str | None = None,
    status: Literal["planned", "shipped", "received", "cancelled"] | None = None,
) -> list[TransferOut]:
    found = replenishment.list_transfers(
        caller.reader(), WarehouseId(warehouse_id) if warehouse_id else None, status
    )
    return [TransferOut.of(t) for t in found]


@router.post("/transfers/{transfer_id}/ship", response_model=TransferOut)
def ship_transfer(transfer_id: str, caller: Operator) -> TransferOut:
    return TransferOut.of(replenishment.ship_transfer(caller.uow(), transfer_id))


@router.post("/transfers/{transfer_id}/receive", response_model=TransferOut)
def receive_transfer(transfer_id: str, caller: Operator) -> TransferOut:
    order, tasks = replenishment.receive_transfer(caller.uow(), transfer_id)
    return TransferOut.of(order, [MoveTaskOut.of(t) for t in tasks])


@router.post(
    "/warehouses/{warehouse_id}/pick-face-replenishment",
    status_code=201,
    response_model=list[MoveTaskOut],
)
def replenish_pick_faces(warehouse_id: str, caller: Operator) -> list[MoveTaskOut]:
    """Replenishment tasks from reserve for the pick faces at or below their min."""
    return [
        MoveTaskOut.of(t)
        for t in replenishment.plan_pick_faces(caller.uow(), WarehouseId(warehouse_id))
    ]
