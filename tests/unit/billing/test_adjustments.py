"""Period adjustments: volume-tier discounts and minimum charges per order, shipment, period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from otwb.billing.adjustments import PeriodTotals, adjustments, period_source
from otwb.billing.model import Basis, MinimumScope, Rule, SourceType, Tariff
from otwb.billing.rating import CompiledTariff
from otwb.platform.ids import CustomerId, TariffId

D = Decimal
START = datetime(2026, 11, 1, tzinfo=UTC)
AT = datetime(2026, 11, 12, 10, tzinfo=UTC)
PID = period_source(date(2026, 11, 1), date(2026, 12, 1))


def compiled(*rules: Rule) -> CompiledTariff:
    return CompiledTariff(
        Tariff(TariffId("trf_1"), CustomerId("c"), date(2026, 1, 1), "EUR", D("0.2"), rules)
    )


TIERS = (
    Rule("t0", Basis.TIER, percent=D(0), applies_to=Basis.LINE, min_quantity=D(0)),
    Rule("t1", Basis.TIER, percent=D(5), applies_to=Basis.LINE, min_quantity=D(10_000)),
    Rule("t2", Basis.TIER, percent=D("7.5"), applies_to=Basis.LINE, min_quantity=D(50_000)),
)


def test_the_highest_tier_reached_discounts_the_periods_amount_of_its_basis() -> None:
    totals = PeriodTotals({Basis.LINE: (D(12_000), D("5400.00")), Basis.DROP: (D(90), D(315))}, {})
    [discount] = adjustments(compiled(*TIERS), totals, PID, START)
    assert (discount.basis, discount.source_type, discount.source_id) == (
        Basis.TIER,
        SourceType.PERIOD,
        "2026-11-01/2026-12-01",
    )
    assert (discount.quantity, discount.unit_price, discount.amount) == (
        D("5400.00"),
        D("-0.05"),
        D("-270.00"),
    )
    assert (discount.rule_id, discount.service) == ("t1", "line")
    big = PeriodTotals({Basis.LINE: (D(50_000), D("20000.01"))}, {})
    assert adjustments(compiled(*TIERS), big, PID, START)[0].amount == D("-1500.00")  # 1500.00075
    small = PeriodTotals({Basis.LINE: (D(9_999), D("4000"))}, {})
    assert adjustments(compiled(*TIERS), small, PID, START) == []  # the 0 % tier: no line


def test_orders_and_shipments_below_their_minimum_are_topped_up_on_their_own_source() -> None:
    t = compiled(
        Rule("m_o", Basis.MINIMUM, price=D("5"), scope=MinimumScope.ORDER),
        Rule("m_s", Basis.MINIMUM, price=D("12"), scope=MinimumScope.SHIPMENT),
    )
    totals = PeriodTotals(
        {Basis.LINE: (D(3), D("6.35"))},
        {
            (SourceType.ORDER, "ord_1"): (D("1.35"), AT),
            (SourceType.ORDER, "ord_2"): (D("5.00"), AT),
            (SourceType.SHIPMENT, "shp_1"): (D("11.99"), AT),
        },
    )
    lines = {(a.source_type, a.source_id): a for a in adjustments(t, totals, PID, START)}
    assert set(lines) == {(SourceType.ORDER, "ord_1"), (SourceType.SHIPMENT, "shp_1")}
    top = lines[SourceType.ORDER, "ord_1"]
    assert (top.basis, top.quantity, top.unit_price, top.amount) == (
        Basis.MINIMUM,
        D(1),
        D("3.65"),
        D("3.65"),
    )
    assert top.occurred_at == AT  # with the order's lines, in the same period
    assert lines[SourceType.SHIPMENT, "shp_1"].amount == D("0.01")


def test_the_period_minimum_counts_discounts_and_the_other_top_ups() -> None:
    t = compiled(
        *TIERS[:2],
        Rule("m_o", Basis.MINIMUM, price=D("100"), scope=MinimumScope.ORDER),
        Rule("m_p", Basis.MINIMUM, price=D("250000"), scope=MinimumScope.PERIOD),
    )
    totals = PeriodTotals(
        {Basis.LINE: (D(20_000), D("200000"))}, {(SourceType.ORDER, "o"): (D("40"), AT)}
    )
    lines = adjustments(t, totals, PID, START)
    by_rule = {a.rule_id: a.amount for a in lines}
    # 200000 - 5 % (10000) + 60 (the order's top-up) = 190060 -> topped up by 59940
    assert by_rule == {"t1": D("-10000.00"), "m_o": D("60.00"), "m_p": D("59940.00")}
    period_line = next(a for a in lines if a.rule_id == "m_p")
    assert (period_line.source_type, period_line.occurred_at) == (SourceType.PERIOD, START)
