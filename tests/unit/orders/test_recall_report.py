"""The recall report, pure: one entry per order that took the lot, its units summed over bins and
lines, its delivery; the CSV lists orders then bins."""

from __future__ import annotations

from datetime import UTC, datetime

from otwb.orders.recalls import LotUnits, RecallReport, StillInStock, recalled_orders, to_csv
from otwb.platform.ids import CustomerId, OrderId, OrderLineId

AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
A, B = OrderId("ord_A"), OrderId("ord_B")
C1, C2 = CustomerId("cus_1"), CustomerId("cus_2")


def test_orders_customers_units_and_deliveries():
    units = [
        LotUnits(B, OrderLineId("oli_B1"), C2, "whs_1", 2),
        LotUnits(A, OrderLineId("oli_A1"), C1, "whs_1", 3),
        LotUnits(A, OrderLineId("oli_A1"), C1, "whs_1", 1),  # the same line from another bin
        LotUnits(A, OrderLineId("oli_A2"), C1, "whs_1", 5),
    ]
    orders = recalled_orders(units, {C1: "C001 Pharmacie"}, {A: ("delivered", AT)})
    assert [o.order_id for o in orders] == [A, B]
    a, b = orders
    assert (a.quantity, a.lines, a.customer) == (
        9,
        ((OrderLineId("oli_A1"), 4), (OrderLineId("oli_A2"), 5)),
        "C001 Pharmacie",
    )
    assert (a.delivered, a.delivered_at, a.shipment_status) == (True, AT, "delivered")
    assert (b.delivered, b.shipment_status, b.customer) == (False, None, C2)  # not shipped yet
    report = RecallReport("PILL", "L1", orders, (StillInStock("whs_1", "A-01", 7, 2),))
    assert report.customers == [C1, C2]
    assert (report.units_delivered, report.units_on_the_way, report.units_in_stock) == (9, 2, 7)
    assert to_csv(report).splitlines() == [
        "kind,order_id,customer_id,customer,warehouse_id,location,quantity,shipment_status,delivered_at",
        "order,ord_A,cus_1,C001 Pharmacie,whs_1,,9,delivered,2026-11-26T12:00:00+00:00",
        "order,ord_B,cus_2,cus_2,whs_1,,2,,",
        "stock,,,,whs_1,A-01,7,,",
    ]
