"""B on SQLite and PostgreSQL: rate cards of rules priced end to end, value-added services, the
fuel index, the bulk path, period adjustments, and audited, idempotent re-rating."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from otwb.billing import bulk, invoicing, rerating, service
from otwb.billing.charge_repo import ChargeFilter
from otwb.billing.model import Basis, ChargeKind, ChargeStatus, SourceType
from otwb.billing.rating import picked, stored
from otwb.platform.errors import Conflict, InvalidInput
from otwb.platform.ids import CustomerId, OrderId, ShipmentId
from otwb.platform.values import TemperatureClass
from otwb.warehouse import service as warehouse
from otwb.warehouse.events import GoodsReceived, OrderPacked, PackedParcel, ReceiptLine
from tests import factories
from tests.factories import UowFactory

D = Decimal
R = service.NewRule
NOVEMBER = (date(2026, 11, 1), date(2026, 12, 1))
AT = datetime(2026, 11, 20, 10, tzinfo=UTC)


def rate_card(
    uow: UowFactory,
    customer: str | None,
    rules: list[service.NewRule],
    valid_from: date = date(2026, 1, 1),
) -> str:
    new = service.NewTariff(
        CustomerId(customer) if customer else None, valid_from, "EUR", "0.20", rules
    )
    return service.set_tariff(uow(), new).id


def lines(uow: UowFactory, customer: str, **where: object) -> dict[str, tuple[D, D | None]]:
    items = service.list_charges(uow(), where=ChargeFilter(customer_id=CustomerId(customer)))
    return {
        f"{c.source_id}:{c.basis.value}{':' + c.service if c.service else ''}": (
            c.quantity,
            c.amount,
        )
        for c in items
    }


def test_a_rate_card_prices_transport_with_zones_fuel_and_cold_chain(uow) -> None:
    customer = factories.customer(uow).id
    rate_card(
        uow,
        customer,
        [
            R("zone_weight", price="9.00", zone="Z1", max_km=50, max_kg=30),
            R("zone_weight", price="14.00", zone="Z1", max_km=50, max_kg=300),
            R("zone_weight", price="19.00", zone="Z2", max_km=150, max_kg=300),
            R("fuel"),
            R("cold_chain", percent="20"),
        ],
    )
    service.set_fuel_index(uow(), date(2026, 11, 1), "12.5")
    accrual = service.charge_transport(
        uow(), ShipmentId("shp_1"), CustomerId(customer), D("120"), D("80.5"), AT,
        temperature_class=TemperatureClass.CHILLED,
    )  # fmt: skip
    assert accrual.created == 3
    assert lines(uow, customer) == {
        "shp_1:zone_weight": (D(1), D("19.00")),
        "shp_1:fuel": (D("19.00"), D("2.38")),  # 2.375 half-up
        "shp_1:cold_chain": (D("19.00"), D("3.80")),
    }
    [zone] = [c for c in accrual.charges if c.basis is Basis.ZONE_WEIGHT]
    assert (zone.weight_kg, zone.distance_km, zone.rule_id is not None) == (D(120), D("80.5"), True)
    # the same delivery reported again charges nothing more
    again = service.charge_transport(
        uow(), ShipmentId("shp_1"), CustomerId(customer), D("120"), D("80.5"), AT
    )
    assert again.created == 0


def test_value_added_services_and_storage_by_temperature_class(uow, clock) -> None:
    customer = factories.customer(uow).id
    rate_card(
        uow,
        customer,
        [
            R("service", price="45", service="installation"),
            R("cod", price="2.50", percent="1.5"),
            R("pallet_day", price="0.60"),
            R("pallet_day", price="1.10", temperature_class="frozen"),
        ],
    )
    services = service.charge_services(
        uow(), CustomerId(customer), SourceType.ORDER, "ord_9",
        [("installation", 1, None), ("cod", 1, "249.90"), ("gift-wrap", 2, None)],
    )  # fmt: skip
    assert services.created == 4
    priced = {(c.basis.value, c.service): (c.amount, c.status) for c in services.charges}
    assert priced == {
        ("service", "installation"): (D("45.00"), ChargeStatus.RATED),
        ("service", "cod"): (D("2.50"), ChargeStatus.RATED),
        ("cod", "cod"): (D("3.75"), ChargeStatus.RATED),
        ("service", "gift-wrap"): (None, ChargeStatus.UNRATED),  # no rule: visible, unrated
    }
    site = factories.site(uow, bins=1)
    [freezer] = warehouse.create_locations(
        uow(), site.warehouse.id, ["F-01"], TemperatureClass.FROZEN
    )
    warehouse.create_skus(
        uow(),
        [
            warehouse.NewSku("ICE", "Ice", 1.0, 0.0144, TemperatureClass.FROZEN, owner_id=customer),
            warehouse.NewSku("TEA", "Tea", 1.0, 0.0072, owner_id=customer),
        ],
    )
    warehouse.receive_stock(uow(), freezer.id, "ICE", 500)  # 7.2 m³ = 5 pallets
    warehouse.receive_stock(uow(), site.locations[0].id, "TEA", 400)  # 2.88 m³ = 2 pallets
    stored = service.accrue_storage(uow(), clock.now().date())
    by_class = {c.temperature_class: (c.quantity, c.amount) for c in stored.charges}
    assert by_class == {"frozen": (D(5), D("5.50")), "ambient": (D(2), D("1.20"))}


def test_a_rule_missing_what_its_basis_needs_is_refused_and_nothing_is_written(uow) -> None:
    customer = factories.customer(uow).id
    with pytest.raises(InvalidInput, match="max_km and max_kg"):
        rate_card(uow, customer, [R("zone_weight", price="9", max_km=50)])
    with pytest.raises(InvalidInput, match="unknown basis"):
        rate_card(uow, customer, [R("per_smile", price="1")])
    assert service.list_tariffs(uow(), CustomerId(customer)) == []
    rate_card(uow, customer, [R("line", price="0.45")], valid_from=date(2026, 11, 1))
    with pytest.raises(Conflict):
        rate_card(uow, customer, [R("line", price="0.40")], valid_from=date(2026, 11, 1))


def test_the_bulk_path_prices_like_the_event_path_and_skips_what_is_charged(uow) -> None:
    a, b = factories.customer(uow, "A", "A").id, factories.customer(uow, "B", "B").id
    rate_card(uow, a, [R("line", price="0.45"), R("tier", percent="5", applies_to="line",
                                                    min_quantity=10)])  # fmt: skip
    activities = [
        picked(CustomerId(c), f"ord_{c}_{i}", i % 5 + 1, AT) for i in range(40) for c in (a, b)
    ]
    result = bulk.rate_activities(uow(), activities)
    assert (result.activities, result.lines, result.unrated) == (80, 80, 40)  # B: no tariff
    service.charge_handling(uow(), OrderId("ord_x"), CustomerId(a), 3, AT)
    charged = lines(uow, a)
    assert charged[f"ord_{a}_7:line"] == (D(3), D("1.35"))
    assert charged["ord_x:line"] == (D(3), D("1.35"))
    assert bulk.rate_activities(uow(), activities[:10]).lines == 10  # offered again...
    assert len(lines(uow, a)) == 41  # ...and skipped: charged once


def test_the_bulk_path_stores_instants_as_the_queries_compare_them(uow, runtime) -> None:
    """A storage day is charged at midnight. Rated in bulk on the first day of the period, it
    is billed with that period: SQLite keeps instants as text, and the bulk path writes the
    same text as the event path and every query (once it wrote '2026-11-01 00:00:00', which
    sorts before the period's start '2026-11-01 00:00:00.000000')."""
    customer = CustomerId(factories.customer(uow).id)
    rate_card(uow, customer, [R("unit_day", price="0.02"), R("line", price="0.45")])
    midnight = datetime(2026, 11, 1, tzinfo=UTC)
    day = stored(customer, midnight.date(), midnight, "whs_1", "ambient", 100, D("1.5"))
    assert bulk.rate_activities(uow(), [day]).lines == 1
    service.charge_handling(uow(), OrderId("ord_1"), customer, 2, midnight)
    with runtime.db.engine.connect() as conn:
        written = conn.execute(text("SELECT DISTINCT occurred_at, created_at FROM charges")).all()
    assert len(written) == 1  # the same instants, stored alike by both paths
    [invoice] = invoicing.issue_invoices(uow(), *NOVEMBER)
    assert invoice.subtotal == D("2.90")  # 100 unit-days x 0.02 + 2 lines x 0.45


def test_period_adjustments_add_minimums_and_volume_discounts_once(uow) -> None:
    customer = factories.customer(uow).id
    rate_card(
        uow,
        customer,
        [
            R("line", price="0.50"),
            R("minimum", price="2.00", scope="order"),
            R("tier", percent="10", applies_to="line", min_quantity=20),
        ],
    )
    for i, n in enumerate([1, 10, 12]):  # 0.50, 5.00, 6.00: the first is topped up to 2.00
        service.charge_handling(uow(), OrderId(f"ord_{i}"), CustomerId(customer), n, AT)
    first = rerating.apply_adjustments(uow(), *NOVEMBER)
    assert first.run.changed == 2
    adjustments = {
        (c.basis.value, c.source_id): c.amount
        for c in service.list_charges(uow())
        if c.kind in (ChargeKind.MINIMUM, ChargeKind.DISCOUNT)
    }
    assert adjustments == {
        ("minimum", "ord_0"): D("1.50"),
        ("tier", "2026-11-01/2026-12-01"): D("-1.15"),  # 10 % of 11.50 (23 lines >= 20)
    }
    again = rerating.apply_adjustments(uow(), *NOVEMBER)
    assert (again.run.changed, again.changes) == (0, [])
    period = service.list_charges(uow(), customer_id=CustomerId(customer))
    assert sum((c.amount or D(0)) for c in period) == D("11.85")  # 11.50 + 1.50 - 1.15
    # the discount is a negative line of the month's invoice, which adds up
    [invoice] = invoicing.issue_invoices(uow(), *NOVEMBER)
    by_basis = {line.basis.value: line.amount for line in invoice.lines}
    assert by_basis == {"line": D("11.50"), "minimum": D("1.50"), "tier": D("-1.15")}
    assert invoice.subtotal == D("11.85")
    assert invoice.total == invoice.subtotal + invoice.tax == D("14.22")  # tax 20 %: 2.37


def test_rerating_corrects_uninvoiced_charges_audits_and_lists_invoiced_ones(uow, clock) -> None:
    customer = factories.customer(uow).id
    rate_card(uow, customer, [R("line", price="0.45"), R("drop", price="3.50")])
    service.charge_handling(
        uow(), OrderId("ord_1"), CustomerId(customer), 4, datetime(2026, 11, 3, tzinfo=UTC)
    )
    invoicing.issue_invoices(uow(), date(2026, 11, 1), date(2026, 11, 10))  # ord_1 invoiced
    service.charge_handling(uow(), OrderId("ord_2"), CustomerId(customer), 10, AT)
    service.charge_transport(uow(), ShipmentId("shp_1"), CustomerId(customer), D(5), D(5), AT)
    # finance finds the November prices wrong: a corrected version from November 1
    fixed = rate_card(uow, customer, [R("line", price="0.40"), R("drop", price="3.50")],
                      valid_from=date(2026, 11, 1))  # fmt: skip

    result = rerating.rerate(uow(), *NOVEMBER, reason="price typo", actor="finance@acme")
    assert (result.run.examined, result.run.changed, result.run.credit_notes_needed) == (3, 2, 1)
    changes = {c.charge_id: c for c in result.changes}
    ord_2 = next(c for c in service.list_charges(uow()) if c.source_id == "ord_2")
    assert ord_2.amount == D("4.00")
    assert ord_2.tariff_id == fixed
    change = changes[ord_2.id]
    assert change.applied
    assert change.old is not None
    assert change.new is not None
    assert (change.old.amount, change.new.amount) == (D("4.50"), D("4.00"))
    [credit] = result.credit_notes  # ord_1: invoiced, not changed
    ord_1 = next(c for c in service.list_charges(uow()) if c.source_id == "ord_1")
    assert credit.charge_id == ord_1.id
    assert ord_1.amount == D("1.80")
    assert credit.new is not None
    assert credit.new.amount == D("1.60")
    # the drop's price is the same, but it is now priced by the corrected version's rule
    drop = next(c for c in service.list_charges(uow()) if c.basis is Basis.DROP)
    assert drop.tariff_id == fixed
    assert changes[drop.id].applied

    run, audit = rerating.run_changes(uow(), result.run.id)
    assert (run.reason, run.actor) == ("price typo", "finance@acme")
    assert len(audit) == 3
    again = rerating.rerate(uow(), *NOVEMBER, reason="again", actor="finance@acme")
    assert again.run.changed == 0
    assert [c.charge_id for c in again.changes] == [ord_1.id]  # still needs its credit note


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    picks=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8),
    old_price=st.decimals(min_value=0, max_value=5, places=3),
    new_price=st.decimals(min_value=0, max_value=5, places=3),
    tier=st.integers(min_value=0, max_value=60),
)
def test_rerating_twice_is_idempotent(
    uow, picks: list[int], old_price: D, new_price: D, tier: int
) -> None:
    customer = factories.customer(uow, f"C{len(service.list_tariffs(uow()))}", "C").id
    rules = [R("minimum", price="1", scope="order"), R("tier", percent="5", applies_to="line",
                                                       min_quantity=tier)]  # fmt: skip
    rate_card(uow, customer, [R("line", price=old_price), *rules])
    for i, n in enumerate(picks):
        service.charge_handling(uow(), OrderId(f"o_{customer}_{i}"), CustomerId(customer), n, AT)
    rerating.apply_adjustments(uow(), *NOVEMBER, CustomerId(customer))
    rate_card(uow, customer, [R("line", price=new_price), *rules], valid_from=date(2026, 11, 1))
    rerating.rerate(uow(), *NOVEMBER, CustomerId(customer))
    after_first = sorted(
        (c.id, c.quantity, c.amount, c.rule_id)
        for c in service.list_charges(uow(), customer_id=CustomerId(customer))
    )
    second = rerating.rerate(uow(), *NOVEMBER, CustomerId(customer))
    assert (second.run.changed, second.changes) == (0, [])
    after_second = sorted(
        (c.id, c.quantity, c.amount, c.rule_id)
        for c in service.list_charges(uow(), customer_id=CustomerId(customer))
    )
    assert after_second == after_first
    total = sum(n for n in picks)
    handling = [c for c in service.list_charges(uow(), customer_id=CustomerId(customer))
                if c.basis is Basis.LINE]  # fmt: skip
    assert sum((c.amount or D(0)) for c in handling) == sum(
        (D(n) * new_price).quantize(D("0.01"), "ROUND_HALF_UP") for n in picks if n
    )
    assert total >= 0


def test_packing_and_receiving_events_become_handling_charges(uow) -> None:
    customer = factories.customer(uow).id
    rate_card(uow, customer, [R("parcel", price="0.80"), R("inbound_line", price="0.65")])
    site = factories.site(uow, bins=1)
    warehouse.create_skus(uow(), [warehouse.NewSku("CONS", "C", 1.0, 0.01, owner_id=customer)])
    warehouse.receive_stock(uow(), site.locations[0].id, "CONS", 50)  # StockReceived
    order = factories.place(uow, customer, [("CONS", 2)])
    with uow() as u:
        u.record(
            OrderPacked(
                order_id=order.id,
                warehouse_id=site.warehouse.id,
                parcels=(
                    PackedParcel(seq=1, weight_kg=1.0, volume_m3=0.01),
                    PackedParcel(seq=2, weight_kg=1.0, volume_m3=0.01),
                ),
            )
        )
        u.record(
            GoodsReceived(
                asn_id="asn_1",
                warehouse_id=site.warehouse.id,
                lines=(
                    ReceiptLine(line_no=1, sku="CONS", lot=None, expected=5, received=5, damaged=0),
                    ReceiptLine(line_no=2, sku="CONS", lot=None, expected=5, received=0, damaged=0),
                ),
                putaway_tasks=1,
            )
        )
        u.commit()
    charged = {
        (c.basis, c.source_type): (c.quantity, c.amount)
        for c in service.list_charges(uow(), customer_id=CustomerId(customer))
    }
    assert charged == {
        (Basis.PARCEL, SourceType.ORDER): (D(2), D("1.60")),
        (Basis.INBOUND_LINE, SourceType.RECEIPT): (D(1), D("0.65")),  # each receipt line alike
    }
    receipts = [
        c.source_id
        for c in service.list_charges(uow(), customer_id=CustomerId(customer))
        if c.basis is Basis.INBOUND_LINE
    ]
    assert len(receipts) == 2
    assert "asn_1:1" in receipts  # line 2 received nothing: not charged
