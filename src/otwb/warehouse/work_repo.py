"""Reading and writing W's small records, within the caller's tenant: soft reservations,
customers' shelf-life rules, the box catalogue, the SSCC series and SKU velocity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from otwb.platform.db import upsert
from otwb.platform.ids import CustomerId, SkuId, WarehouseId
from otwb.platform.sqllist import any_of
from otwb.platform.uow import UnitOfWork
from otwb.warehouse.allocation import Hold
from otwb.warehouse.cartonisation import Box
from otwb.warehouse.sscc import EXAMPLE_PREFIX
from otwb.warehouse.work_tables import (
    boxes,
    customer_rules,
    reservations,
    sku_velocity,
    sscc_series,
)

_ACTIVE_HOLDS = (
    select(reservations)
    .where(
        reservations.c.tenant_id == bindparam("b_tenant"),
        any_of(reservations.c.sku_id, "b_skus"),
        reservations.c.released_at.is_(None),
        reservations.c.expires_at > bindparam("b_now"),
        reservations.c.consumed < reservations.c.quantity,
    )
    .order_by(reservations.c.expires_at, reservations.c.id)
)
_SHELF_LIFE_RULES = select(
    customer_rules.c.customer_id, customer_rules.c.min_shelf_life_days
).where(
    customer_rules.c.tenant_id == bindparam("b_tenant"),
    any_of(customer_rules.c.customer_id, "b_customers"),
)
_CONSUME = (
    update(reservations)
    .where(
        reservations.c.tenant_id == bindparam("b_tenant"), reservations.c.id == bindparam("b_id")
    )
    .values(consumed=reservations.c.consumed + bindparam("b_qty"))
)


# -- soft reservations (they lapse by the time filter: nobody sweeps them) -----------------
def active_holds(uow: UnitOfWork, sku_ids: Sequence[SkuId], now: datetime) -> list[Hold]:
    rows = uow.conn.execute(
        _ACTIVE_HOLDS, {"b_tenant": uow.tenant_id, "b_skus": list(sku_ids), "b_now": now}
    )
    return [
        Hold(
            r.id,
            WarehouseId(r.warehouse_id),
            SkuId(r.sku_id),
            CustomerId(r.customer_id),
            r.quantity - r.consumed,
        )
        for r in rows
    ]


def insert_reservation(uow: UnitOfWork, values: dict[str, Any]) -> None:
    uow.conn.execute(insert(reservations).values(tenant_id=uow.tenant_id, **values))


def consume_holds(uow: UnitOfWork, consumed: dict[str, int]) -> None:
    items = [
        {"b_tenant": uow.tenant_id, "b_id": i, "b_qty": q} for i, q in sorted(consumed.items()) if q
    ]
    if items:
        uow.conn.execute(_CONSUME, items)


def get_reservation(uow: UnitOfWork, reservation_id: str) -> Any:
    return uow.conn.execute(
        select(reservations).where(
            reservations.c.tenant_id == uow.tenant_id, reservations.c.id == reservation_id
        )
    ).one_or_none()


def list_reservations(uow: UnitOfWork, active_at: datetime | None, limit: int) -> list[Any]:
    query = select(reservations).where(reservations.c.tenant_id == uow.tenant_id)
    if active_at is not None:
        query = query.where(
            reservations.c.released_at.is_(None),
            reservations.c.expires_at > active_at,
            reservations.c.consumed < reservations.c.quantity,
        )
    return list(uow.conn.execute(query.order_by(reservations.c.id).limit(limit)).all())


def release_reservation(uow: UnitOfWork, reservation_id: str, at: datetime) -> bool:
    result = uow.conn.execute(
        update(reservations)
        .where(
            reservations.c.tenant_id == uow.tenant_id,
            reservations.c.id == reservation_id,
            reservations.c.released_at.is_(None),
        )
        .values(released_at=at)
    )
    return result.rowcount == 1


# -- customers' shelf-life rules -------------------------------------------------------------
def shelf_life_rules(uow: UnitOfWork, customer_ids: Iterable[CustomerId]) -> dict[CustomerId, int]:
    wanted = sorted(set(customer_ids))
    if not wanted:
        return {}
    rows = uow.conn.execute(_SHELF_LIFE_RULES, {"b_tenant": uow.tenant_id, "b_customers": wanted})
    return {CustomerId(c): int(d) for c, d in rows}


def set_shelf_life_rule(uow: UnitOfWork, customer_id: CustomerId, days: int) -> None:
    upsert(
        uow.conn,
        customer_rules,
        {"tenant_id": uow.tenant_id, "customer_id": customer_id, "min_shelf_life_days": days},
        [customer_rules.c.tenant_id, customer_rules.c.customer_id],
        lambda excluded: {"min_shelf_life_days": excluded.min_shelf_life_days},
    )


def list_shelf_life_rules(uow: UnitOfWork) -> dict[CustomerId, int]:
    rows = uow.conn.execute(
        select(customer_rules.c.customer_id, customer_rules.c.min_shelf_life_days)
        .where(customer_rules.c.tenant_id == uow.tenant_id)
        .order_by(customer_rules.c.customer_id)
    ).all()
    return {CustomerId(c): int(d) for c, d in rows}


# -- box catalogue and SSCC series -----------------------------------------------------------
def upsert_box(uow: UnitOfWork, box_id: str, box: Box) -> None:
    upsert(
        uow.conn,
        boxes,
        {
            "id": box_id,
            "tenant_id": uow.tenant_id,
            "code": box.code,
            "inner_m3": box.inner_m3,
            "outer_m3": box.outer_m3,
            "max_weight_kg": box.max_weight_kg,
            "tare_kg": box.tare_kg,
        },
        [boxes.c.tenant_id, boxes.c.code],
        lambda x: {
            "inner_m3": x.inner_m3,
            "outer_m3": x.outer_m3,
            "max_weight_kg": x.max_weight_kg,
            "tare_kg": x.tare_kg,
        },
    )


def list_boxes(uow: UnitOfWork) -> list[Box]:
    rows = uow.conn.execute(
        select(boxes).where(boxes.c.tenant_id == uow.tenant_id).order_by(boxes.c.inner_m3)
    ).all()
    return [Box(r.code, r.inner_m3, r.max_weight_kg, r.tare_kg, r.outer_m3) for r in rows]


def set_sscc_series(uow: UnitOfWork, company_prefix: str, extension_digit: int) -> None:
    """A new prefix starts its serials at zero; the same prefix keeps counting."""
    upsert(
        uow.conn,
        sscc_series,
        {
            "tenant_id": uow.tenant_id,
            "company_prefix": company_prefix,
            "extension_digit": extension_digit,
            "last_serial": 0,
        },
        [sscc_series.c.tenant_id],
        lambda x: {
            "last_serial": _keep_if_same_prefix(x),
            "company_prefix": x.company_prefix,
            "extension_digit": x.extension_digit,
        },
    )


def _keep_if_same_prefix(excluded: Any) -> Any:
    from sqlalchemy import case

    return case(
        (sscc_series.c.company_prefix == excluded.company_prefix, sscc_series.c.last_serial),
        else_=0,
    )


def take_sscc_serials(uow: UnitOfWork, count: int) -> tuple[str, int, int]:
    """Reserve ``count`` serial references atomically: (prefix, extension digit, first)."""
    last = upsert(
        uow.conn,
        sscc_series,
        {
            "tenant_id": uow.tenant_id,
            "company_prefix": EXAMPLE_PREFIX,
            "extension_digit": 0,
            "last_serial": count,
        },
        [sscc_series.c.tenant_id],
        lambda x: {"last_serial": sscc_series.c.last_serial + x.last_serial},
        returning=sscc_series.c.last_serial,
    )
    row = uow.conn.execute(
        select(sscc_series).where(sscc_series.c.tenant_id == uow.tenant_id)
    ).one()
    return row.company_prefix, row.extension_digit, int(last) - count + 1


# -- SKU velocity ----------------------------------------------------------------------------
def save_velocity(
    uow: UnitOfWork, warehouse_id: WarehouseId, classes: dict[SkuId, tuple[int, str]]
) -> None:
    now = uow.clock.now()
    for sku_id, (lines, abc) in sorted(classes.items()):
        upsert(
            uow.conn,
            sku_velocity,
            {
                "tenant_id": uow.tenant_id,
                "warehouse_id": warehouse_id,
                "sku_id": sku_id,
                "pick_lines": lines,
                "abc_class": abc,
                "computed_at": now,
            },
            [sku_velocity.c.tenant_id, sku_velocity.c.warehouse_id, sku_velocity.c.sku_id],
            lambda x: {
                "pick_lines": x.pick_lines,
                "abc_class": x.abc_class,
                "computed_at": x.computed_at,
            },
        )


def abc_classes(uow: UnitOfWork, warehouse_id: WarehouseId) -> dict[SkuId, str]:
    rows = uow.conn.execute(
        select(sku_velocity.c.sku_id, sku_velocity.c.abc_class).where(
            sku_velocity.c.tenant_id == uow.tenant_id,
            sku_velocity.c.warehouse_id == warehouse_id,
        )
    ).all()
    return {SkuId(s): c for s, c in rows}
