"""Cost analytics on SQLite and PostgreSQL: a small month with hand-computed margins, and the
period report's files (CSV that parses to the same numbers, PNG and SVG charts).

The month (tariff: 0.45 per line, 0.0012 per kg·km, 3.50 per drop; internal rates: 0.40 per
line picked, 1.20 per parcel, 0.01 per unit·day):

=========  ===========================================  =======  ======================
customer   activity                                     revenue  cost
=========  ===========================================  =======  ======================
A          ord_a1: 10 lines picked, 3 parcels           4.50     4.00 + 3.60
A          shp_a1 (ord_a1): 100 kg x 50 km, carrier     9.50     5.00 (expected payable)
B          ord_b1: 4 lines picked                       1.80     1.60
B          shp_b1 (ord_b1): 50 kg x 20 km, own fleet    4.70     8.00 (its route share)
B          storage: 1,000 unit·days                     15.00    10.00
=========  ===========================================  =======  ======================

A: 14.00 - 12.60 = 1.40 (10.0 %); B: 21.50 - 19.60 = 1.90 (8.8 %); total 35.50 - 32.20 = 3.30.
Cost shares: transport 13.00 (40.37 %), storage 10.00 (31.06 %), handling 9.20 (28.57 %).
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert

from otwb.billing import cost_repo, cost_service
from otwb.billing import service as billing
from otwb.billing.analytics import CostCategory, ReportPeriod
from otwb.billing.analytics_service import cost_report
from otwb.billing.cost_repo import CostShare, RouteCost
from otwb.billing.fleet_cost import CostParts
from otwb.billing.period_report import write_period_report
from otwb.billing.tables import charges
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CarrierId, CustomerId, OrderId, ShipmentId, WarehouseId
from otwb.transport.events import ShipmentDelivered, ShipmentTendered
from otwb.warehouse.events import OrderHandedOver, OrderPicked
from tests.factories import UowFactory

AT = datetime(2026, 11, 25, 10, 15, tzinfo=UTC)
WHS = WarehouseId("whs_1")
NOVEMBER = ReportPeriod.month("2026-11")
D = Decimal


def picked(uow: UowFactory, customer: str, order: str, lines: int) -> None:
    with uow() as u:
        u.record(
            OrderPicked(
                order_id=OrderId(order),
                warehouse_id=WHS,
                customer_id=CustomerId(customer),
                lines=lines,
                units=lines * 2,
                picked_at=AT,
            )
        )
        u.commit()


def delivered(
    uow: UowFactory, customer: str, shipment: str, order: str, kg: float, km: float
) -> None:
    with uow() as u:
        u.record(
            ShipmentDelivered(
                shipment_id=ShipmentId(shipment),
                order_id=OrderId(order),
                customer_id=CustomerId(customer),
                depot_id=WHS,
                delivered_at=AT,
                recipient="M. Durand",
                on_time=True,
                weight_kg=kg,
                distance_km=km,
            )
        )
        u.commit()


def month(uow: UowFactory) -> None:
    billing.set_tariff(
        uow(),
        billing.FlatTariff(
            None, date(2026, 1, 1), "EUR", "0.45", "0.0012", "3.50", "0.015", "0.20"
        ),
    )
    for activity, rate in (("pick_line", "0.40"), ("parcel", "1.20"), ("unit_day", "0.01")):
        cost_service.set_cost_rate(uow(), activity, rate)
    picked(uow, "cus_A", "ord_a1", 10)
    cost_service.record_handed_over(  # what B's handler does with W's event
        uow(),
        OrderHandedOver(
            order_id=OrderId("ord_a1"),
            warehouse_id=WHS,
            customer_id=CustomerId("cus_A"),
            ship_to_name="Bistro",
            ship_to_address="1 rue X",
            lat=45.7,
            lon=4.8,
            service_level="standard",
            window_start=None,
            window_end=None,
            weight_kg=100.0,
            volume_m3=0.2,
            parcel_count=3,
            temperature_class="ambient",
        ),
    )
    with uow() as u:
        u.record(
            ShipmentTendered(
                shipment_id=ShipmentId("shp_a1"),
                order_id=OrderId("ord_a1"),
                customer_id=CustomerId("cus_A"),
                depot_id=WHS,
                carrier_id=CarrierId("car_geo"),
                carrier_name="Geodis",
                service_level="standard",
                tracking_number="TRK-A1",
                weight_kg=100.0,
                volume_m3=0.2,
                expected_cost=D("5.00"),
                currency="EUR",
                tendered_at=AT,
            )
        )
        u.commit()
    delivered(uow, "cus_A", "shp_a1", "ord_a1", 100, 50)
    picked(uow, "cus_B", "ord_b1", 4)
    delivered(uow, "cus_B", "shp_b1", "ord_b1", 50, 20)
    with uow() as u:
        cost_repo.insert_route_cost(
            u,
            RouteCost(
                "rtc_1",
                "rte_1",
                "veh_1",
                WHS,
                AT.date(),
                D(12),
                3600,
                CostParts(D(0), D(0), D(8)),
                "EUR",
                AT,
            ),
            [CostShare("rtc_1", "shp_b1", "ord_b1", "cus_B", D(50), D(8))],
        )
        tariff_id = billing.list_tariffs(u)[0].id
        u.conn.execute(
            insert(charges).values(
                id="chg_storage_b",
                tenant_id=u.tenant_id,
                customer_id="cus_B",
                kind="storage",
                basis="unit_day",
                source_type="storage",
                source_id="storage:2026-11-10",
                quantity=D(1000),
                status="rated",
                unit_price=D("0.015"),
                amount=D("15.00"),
                currency="EUR",
                tariff_id=tariff_id,
                occurred_at=datetime(2026, 11, 10, tzinfo=UTC),
                created_at=AT,
            )
        )
        u.commit()


def table(rows) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal | None]]:
    return [(r.key, r.revenue, r.cost, r.margin, r.margin_pct) for r in rows]


def test_revenue_against_cost_per_customer_order_service_and_warehouse(uow) -> None:
    month(uow)
    report = cost_report(uow(), NOVEMBER)
    assert report.currency == "EUR"
    assert (report.total.revenue, report.total.cost, report.total.margin) == (
        D("35.50"),
        D("32.20"),
        D("3.30"),
    )
    assert report.total.margin_pct == D("9.3")
    assert table(report.by_customer) == [
        ("cus_A", D("14.00"), D("12.60"), D("1.40"), D("10.0")),
        ("cus_B", D("21.50"), D("19.60"), D("1.90"), D("8.8")),
    ]
    assert [(s.category, s.amount, s.share_pct) for s in report.shares] == [
        (CostCategory.TRANSPORT, D("13.00"), D("40.37")),
        (CostCategory.STORAGE, D("10.00"), D("31.06")),
        (CostCategory.HANDLING, D("9.20"), D("28.57")),
    ]
    assert table(report.by_order) == [
        ("ord_a1", D("14.00"), D("12.60"), D("1.40"), D("10.0")),
        ("ord_b1", D("6.50"), D("9.60"), D("-3.10"), D("-47.7")),
        ("-", D("15.00"), D("10.00"), D("5.00"), D("33.3")),
    ]
    assert table(report.by_service) == [
        ("handling", D("6.30"), D("9.20"), D("-2.90"), D("-46.0")),
        ("storage", D("15.00"), D("10.00"), D("5.00"), D("33.3")),
        ("transport", D("14.20"), D("13.00"), D("1.20"), D("8.5")),
    ]
    assert table(report.by_warehouse) == [
        ("whs_1", D("20.50"), D("22.20"), D("-1.70"), D("-8.3")),
        ("-", D("15.00"), D("10.00"), D("5.00"), D("33.3")),
    ]
    assert report.unrated_charges == 0
    october = cost_report(uow(), ReportPeriod.month("2026-10"))
    assert (october.total.revenue, october.total.cost) == (D(0), D(0))
    assert october.by_customer == []


def test_the_period_report_files_exist_and_parse(uow, tmp_path: Path) -> None:
    month(uow)
    paths = write_period_report(cost_report(uow(), NOVEMBER), tmp_path / "2026-11")
    names = sorted(p.name for p in paths)
    assert names == sorted(
        [
            "summary.csv",
            "cost_shares.csv",
            "by_customer.csv",
            "by_order.csv",
            "by_service.csv",
            "by_warehouse.csv",
            "cost_shares.png",
            "cost_shares.svg",
            "customers.png",
            "customers.svg",
        ]
    )
    with (tmp_path / "2026-11" / "by_customer.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["key"], r["margin"], r["margin_pct"]) for r in rows] == [
        ("cus_A", "1.40", "10.0"),
        ("cus_B", "1.90", "8.8"),
    ]
    for chart in ("cost_shares", "customers"):
        png = (tmp_path / "2026-11" / f"{chart}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 2000
        root = ET.parse(tmp_path / "2026-11" / f"{chart}.svg").getroot()
        assert root.tag.endswith("svg")


def test_an_empty_month_still_makes_a_report(uow, tmp_path: Path) -> None:
    paths = write_period_report(cost_report(uow(), NOVEMBER), tmp_path)
    assert all(p.stat().st_size > 0 for p in paths)


@pytest.mark.parametrize("text", ["2026-13", "2026/11", "nov", "2026-1"])
def test_a_period_is_a_month(text: str) -> None:
    with pytest.raises(InvalidInput):
        ReportPeriod.month(text)
    assert ReportPeriod.month("2026-12").end == date(2027, 1, 1)
