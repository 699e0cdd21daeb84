"""Recalls: who received a lot, and where the rest of it still is. Pure: the report is built from
what W picked (order lines x lots), what T delivered and what W still holds."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from otwb.platform.ids import CustomerId, OrderId, OrderLineId


@dataclass(frozen=True, slots=True)
class LotUnits:
    """Units of the lot one order line took (summed over bins)."""

    order_id: OrderId
    order_line_id: OrderLineId
    customer_id: CustomerId
    warehouse_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class RecalledOrder:
    order_id: OrderId
    customer_id: CustomerId
    customer: str
    warehouse_id: str
    quantity: int
    shipment_status: str | None
    delivered_at: datetime | None
    lines: tuple[tuple[OrderLineId, int], ...]

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None


@dataclass(frozen=True, slots=True)
class StillInStock:
    warehouse_id: str
    location: str
    on_hand: int
    allocated: int


@dataclass(frozen=True, slots=True)
class RecallReport:
    sku: str
    lot: str
    orders: tuple[RecalledOrder, ...]
    in_stock: tuple[StillInStock, ...]
    recall_id: str | None = None
    returns: tuple[str, ...] = ()

    @property
    def customers(self) -> list[CustomerId]:
        return sorted({o.customer_id for o in self.orders})

    @property
    def units_delivered(self) -> int:
        return sum(o.quantity for o in self.orders if o.delivered)

    @property
    def units_on_the_way(self) -> int:
        return sum(o.quantity for o in self.orders if not o.delivered)

    @property
    def units_in_stock(self) -> int:
        return sum(s.on_hand for s in self.in_stock)


def recalled_orders(
    units: Sequence[LotUnits],
    customers: Mapping[CustomerId, str],
    deliveries: Mapping[OrderId, tuple[str, datetime | None]],
) -> tuple[RecalledOrder, ...]:
    """One entry per order that took the lot: its customer, units and delivery."""
    by_order: dict[OrderId, list[LotUnits]] = {}
    for u in units:
        by_order.setdefault(u.order_id, []).append(u)
    out = []
    for order_id, items in sorted(by_order.items()):
        lines: dict[OrderLineId, int] = {}
        for u in items:
            lines[u.order_line_id] = lines.get(u.order_line_id, 0) + u.quantity
        status, delivered_at = deliveries.get(order_id, (None, None))
        first = items[0]
        out.append(
            RecalledOrder(
                order_id,
                first.customer_id,
                customers.get(first.customer_id, first.customer_id),
                first.warehouse_id,
                sum(lines.values()),
                status,
                delivered_at,
                tuple(sorted(lines.items())),
            )
        )
    return tuple(out)


CSV_HEADER = (
    "kind",
    "order_id",
    "customer_id",
    "customer",
    "warehouse_id",
    "location",
    "quantity",
    "shipment_status",
    "delivered_at",
)


def to_csv(report: RecallReport) -> str:
    """The report as CSV: one row per order that took the lot, one per bin that still holds it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for o in report.orders:
        writer.writerow(
            (
                "order",
                o.order_id,
                o.customer_id,
                o.customer,
                o.warehouse_id,
                "",
                o.quantity,
                o.shipment_status or "",
                o.delivered_at.isoformat() if o.delivered_at else "",
            )
        )
    for s in report.in_stock:
        writer.writerow(("stock", "", "", "", s.warehouse_id, s.location, s.on_hand, "", ""))
    return out.getvalue()
