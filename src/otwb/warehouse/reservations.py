"""Soft reservations: units of a SKU in a warehouse kept for a customer until a time (a quote,
a basket, a promise made on the phone).

While it is in force, nobody else's order may take those units; the customer's own orders take
them first (their allocation consumes the reservation). It lapses by itself: every read filters
on ``expires_at > now``, so nothing has to sweep reservations that ran out. A reservation never
exceeds what is free -- available stock (released, unexpired lots, outside the dock) less the
reservations already in force -- checked with the SKU's stock rows locked, like an allocation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from otwb.platform.errors import InvalidInput, NotFound, OutOfStock
from otwb.platform.ids import CustomerId, SkuId, WarehouseId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import promises, repo, service, work_repo
from otwb.warehouse.events import StockReserved

MAX_HOLD = timedelta(days=30)


@dataclass(frozen=True)
class Reservation:
    id: str
    warehouse_id: WarehouseId
    sku: str
    customer_id: CustomerId
    quantity: int
    consumed: int
    expires_at: datetime
    released_at: datetime | None
    reference: str | None

    def status(self, now: datetime) -> str:
        if self.released_at is not None:
            return "released"
        if self.consumed >= self.quantity:
            return "consumed"
        return "active" if self.expires_at > now else "lapsed"


def _reservation(r: Any, codes: dict[SkuId, str]) -> Reservation:
    return Reservation(
        r.id,
        WarehouseId(r.warehouse_id),
        codes[SkuId(r.sku_id)],
        CustomerId(r.customer_id),
        r.quantity,
        r.consumed,
        r.expires_at,
        r.released_at,
        r.reference,
    )


def reserve(
    uow: UnitOfWork,
    warehouse_id: WarehouseId,
    sku_code: str,
    quantity: int,
    customer_id: CustomerId,
    hold_for: timedelta,
    reference: str | None = None,
) -> Reservation:
    """Keep ``quantity`` units for ``customer_id`` for ``hold_for``, or ``OutOfStock``."""
    if quantity <= 0:
        raise InvalidInput("a reservation's quantity must be positive", field="quantity")
    if not timedelta(0) < hold_for <= MAX_HOLD:
        raise InvalidInput("a reservation holds for up to 30 days", field="hold_minutes")
    with uow:
        repo.get_warehouse(uow, warehouse_id)
        sku = service.sku_by_code(uow, sku_code)
        book, _ = promises.book_for(uow, [sku.id], promises.lock_skus(uow, [sku.id]))
        free = book.free(warehouse_id, sku.id)
        if quantity > free:
            raise OutOfStock(
                f"{sku.code}: {quantity} asked, {max(free, 0)} free to reserve here",
                short=[{"sku": sku.code, "requested": quantity, "available": max(free, 0)}],
            )
        now = uow.clock.now()
        reservation_id = uow.ids.new("rsv")
        work_repo.insert_reservation(
            uow,
            {
                "id": reservation_id,
                "warehouse_id": warehouse_id,
                "sku_id": sku.id,
                "customer_id": customer_id,
                "quantity": quantity,
                "consumed": 0,
                "expires_at": now + hold_for,
                "reference": reference,
                "created_at": now,
            },
        )
        uow.record(
            StockReserved(
                reservation_id=reservation_id,
                warehouse_id=warehouse_id,
                customer_id=customer_id,
                sku=sku.code,
                quantity=quantity,
                expires_at=now + hold_for,
            )
        )
        made = _reservation(work_repo.get_reservation(uow, reservation_id), {sku.id: sku.code})
        uow.commit()
    return made


def release(uow: UnitOfWork, reservation_id: str) -> Reservation:
    """Give the units back before the reservation lapses (releasing twice changes nothing)."""
    with uow:
        row = work_repo.get_reservation(uow, reservation_id)
        if row is None:
            raise NotFound(f"no reservation {reservation_id}")
        work_repo.release_reservation(uow, reservation_id, uow.clock.now())
        row = work_repo.get_reservation(uow, reservation_id)
        skus = repo.skus_by_id(uow, [row.sku_id])
        uow.commit()
    return _reservation(row, {s.id: s.code for s in skus.values()})


def list_reservations(
    uow: UnitOfWork, active_only: bool = True, limit: int = 500
) -> list[Reservation]:
    with uow:
        rows = work_repo.list_reservations(uow, uow.clock.now() if active_only else None, limit)
        skus = repo.skus_by_id(uow, {r.sku_id for r in rows})
    codes = {s.id: s.code for s in skus.values()}
    return [_reservation(r, codes) for r in rows]
