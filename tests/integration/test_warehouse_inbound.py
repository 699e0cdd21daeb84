"""W's building and inbound on SQLite and PostgreSQL: racking from a spec, ASNs received with
over/short/damaged, putaway tasks by the slotting rules, lots and expiry on receipt."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from otwb.platform.errors import Conflict, InvalidInput, InvalidTransition
from otwb.platform.tables import outbox
from otwb.platform.values import TemperatureClass
from otwb.warehouse import inbound, moves, service, sites
from otwb.warehouse.inbound import NewAsnLine, Receipt
from otwb.warehouse.layout import LayoutSpec
from otwb.warehouse.model import TemperatureMismatch, ZoneRole
from otwb.warehouse.slotting import NoStorageCapacity
from otwb.warehouse.tables import locations, stock
from tests import factories as f


def count(runtime, table, *where) -> int:
    with runtime.db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


@pytest.fixture
def site(uow):
    racked = f.racked(uow)
    service.create_skus(
        uow(),
        [
            service.NewSku("TEA", "Tea", 2.0, 0.05),
            service.NewSku("MILK", "Milk", 1.0, 0.01, TemperatureClass.CHILLED, shelf_life_days=12),
            service.NewSku(
                "VACCINE",
                "Vaccine",
                0.1,
                0.001,
                TemperatureClass.CHILLED,
                lot_tracked=True,
                serial_tracked=True,
            ),
        ],
    )
    return racked


def test_a_layout_spec_builds_bins_with_coordinates_and_capacity(runtime, uow, site):
    assert len(site.ambient) == 3 * 6 * 2
    a = site.bin("A-01-1")
    assert (a.aisle, a.bay, a.level, a.capacity_m3) == ("A", 1, 1, 0.5)
    assert (a.aisle_front_m, a.aisle_back_m) == (3.0, 3.0 + 3 * 1.2)
    assert site.bin("B-01-1").x_m - a.x_m == pytest.approx(3.2)
    assert site.bin("R-01-1").role is ZoneRole.RESERVE
    listed = service.list_locations(uow(), site.warehouse.id)
    assert len(listed) == len(site.ambient) + len(site.reserve) + len(site.chilled)
    # Aisles and bins are unique per warehouse; a clash writes nothing.
    before = count(runtime, locations)
    with pytest.raises(Conflict):
        sites.build_layout(uow(), site.warehouse.id, "AMB", LayoutSpec(("C", "D"), 2, 1))
    assert count(runtime, locations) == before


def test_received_goods_must_fit_the_bin(uow, site):
    with pytest.raises(TemperatureMismatch):
        service.receive_stock(uow(), site.bin("A-01-1").id, "MILK", 5)
    with pytest.raises(NoStorageCapacity):
        service.receive_stock(uow(), site.bin("A-01-1").id, "TEA", 11)  # 0.5 m³ / 0.05 m³
    row = service.receive_stock(uow(), site.bin("A-01-1").id, "TEA", 10)
    assert (row.on_hand, row.lot_id) == (10, None)
    with pytest.raises(NoStorageCapacity):
        service.receive_stock(uow(), site.bin("A-01-1").id, "TEA", 1)


def test_goods_that_expire_get_a_lot_and_a_date(uow, site, clock):
    row = service.receive_stock(uow(), site.bin("K-01-1").id, "MILK", 8)
    assert row.expires_on == date(2026, 12, 7)  # today + 12 days of shelf life
    [line] = service.stock_levels(uow(), "MILK")
    assert (line.lot, line.lot_status) == ("BB20261207", "released")
    dated = service.receive_stock(
        uow(), site.bin("K-01-2").id, "MILK", 4, lot="L7", expires_on=date(2026, 12, 1)
    )
    assert dated.expires_on == date(2026, 12, 1)
    with pytest.raises(InvalidInput, match="expires on"):
        service.receive_stock(
            uow(), site.bin("K-02-1").id, "MILK", 1, lot="L7", expires_on=date(2026, 12, 9)
        )
    with pytest.raises(InvalidInput, match="serial"):
        service.receive_stock(uow(), site.bin("K-02-1").id, "VACCINE", 2, lot="V1")
    service.receive_stock(
        uow(), site.bin("K-02-1").id, "VACCINE", 2, lot="V1", serials=["SN1", "SN2"]
    )
    with pytest.raises(Conflict, match="SN2"):
        service.receive_stock(uow(), site.bin("K-02-2").id, "VACCINE", 1, lot="V1", serials=["SN2"])


def test_an_asn_is_received_with_over_short_and_damaged_and_put_away(runtime, uow, site):
    asn = inbound.create_asn(
        uow(),
        site.warehouse.id,
        "PO-4411",
        "Thé & Co",
        [
            NewAsnLine("TEA", 30),
            NewAsnLine("MILK", 20, lot="M1", expires_on=date(2026, 12, 15)),
        ],
    )
    with pytest.raises(Conflict):
        inbound.create_asn(uow(), site.warehouse.id, "PO-4411", "Thé & Co", [NewAsnLine("TEA", 1)])
    first = inbound.receive_asn(uow(), asn.id, [Receipt(1, received=28, damaged=2)])
    second = inbound.receive_asn(uow(), asn.id, [Receipt(2, received=23)])
    # The goods wait at the dock, with putaway tasks to storage bins that fit them.
    dock = {x.location: x.row.on_hand for x in service.stock_levels(uow(), None, site.warehouse.id)}
    assert dock == {"DOCK-AMBIENT": 28, "DOCK-CHILLED": 23}
    assert sum(t.quantity for t in first.putaway) == 28
    assert all(t.kind == "putaway" and t.status == "open" for t in first.putaway)
    # 10 teas fill a 0.5 m³ bin: three bins.
    assert sorted(t.quantity for t in first.putaway) == [8, 10, 10]
    assert {sites_bin(site, t.to_location_id).zone_id for t in second.putaway} == {
        site.chilled[0].zone_id
    }
    for task in first.putaway + second.putaway:
        done = moves.confirm_move(uow(), task.id)
        assert moves.confirm_move(uow(), task.id) == done  # a resend changes nothing
    levels = service.stock_levels(uow(), None, site.warehouse.id)
    assert {x.location for x in levels if x.row.on_hand} <= {
        b.code for b in site.ambient + site.chilled + site.reserve
    }
    assert sum(x.row.on_hand for x in levels if x.sku == "TEA") == 28
    assert {x.lot for x in levels if x.sku == "MILK"} == {"M1"}
    closed = inbound.close_asn(uow(), asn.id)
    assert [(x.expected, x.received, x.damaged, x.over, x.short) for x in closed.lines] == [
        (30, 28, 2, 0, 0),
        (20, 23, 0, 3, 0),
    ]
    with pytest.raises(InvalidTransition):
        inbound.receive_asn(uow(), asn.id, [Receipt(1, received=1)])
    assert count(runtime, outbox, outbox.c.event_type == "AsnClosed") == 1
    assert service.ledger_discrepancies(uow()) == []


def sites_bin(site, location_id):
    return next(b for b in site.ambient + site.reserve + site.chilled if b.id == location_id)


def test_a_bad_receipt_writes_nothing(runtime, uow, site):
    asn = inbound.create_asn(uow(), site.warehouse.id, "PO-1", "S", [NewAsnLine("TEA", 5)])
    before = count(runtime, stock)
    for bad in ([Receipt(9, received=1)], [Receipt(1, received=0)], []):
        with pytest.raises(InvalidInput):
            inbound.receive_asn(uow(), asn.id, bad)
    assert count(runtime, stock) == before
    with pytest.raises(InvalidInput):
        inbound.create_asn(uow(), site.warehouse.id, "PO-2", "S", [NewAsnLine("TEA", 1, lot="X")])


def test_putaway_consolidates_and_a_confirm_elsewhere_must_fit(uow, site):
    service.receive_stock(uow(), site.bin("C-06-2").id, "TEA", 4)
    asn = inbound.create_asn(uow(), site.warehouse.id, "PO-9", "S", [NewAsnLine("TEA", 3)])
    [task] = inbound.receive_asn(uow(), asn.id, [Receipt(1, received=3)]).putaway
    assert task.to_location_id == site.bin("C-06-2").id  # where TEA already is
    with pytest.raises(TemperatureMismatch):
        moves.confirm_move(uow(), task.id, site.bin("K-01-1").id)
    done = moves.confirm_move(uow(), task.id, site.bin("A-02-1").id)
    assert (done.status, done.to_location_id) == ("done", site.bin("A-02-1").id)
    with pytest.raises(Conflict):
        moves.confirm_move(uow(), task.id, site.bin("A-03-1").id)


def test_an_opening_stock_import_is_all_or_nothing_and_counts_its_own_goods(runtime, uow, site):
    a, b = site.bin("A-01-1").id, site.bin("A-01-2").id
    before = count(runtime, stock)
    with pytest.raises(NoStorageCapacity):  # 6 + 6 teas of 0.05 m³ in one 0.5 m³ bin
        service.receive_stocks(
            uow(), [service.DirectReceipt(a, "TEA", 6), service.DirectReceipt(a, "TEA", 6)]
        )
    with pytest.raises(TemperatureMismatch):
        service.receive_stocks(
            uow(), [service.DirectReceipt(b, "TEA", 1), service.DirectReceipt(a, "MILK", 1)]
        )
    assert count(runtime, stock) == before
    made = service.receive_stocks(
        uow(),
        [
            service.DirectReceipt(a, "TEA", 6),
            service.DirectReceipt(a, "TEA", 4),
            service.DirectReceipt(site.bin("K-01-1").id, "MILK", 3, lot="M9"),
        ],
        "opening stock",
    )
    assert made[0] == made[1]  # the same bin-lot row
    assert {x.sku: x.row.on_hand for x in service.stock_levels(uow())} == {"MILK": 3, "TEA": 10}
