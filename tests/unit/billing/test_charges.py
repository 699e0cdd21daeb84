"""Charges: every tariff kind, exact quantities from transport's floats, half-up at the line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from otwb.billing.model import (
    Basis,
    ChargeKind,
    ChargeStatus,
    Measure,
    SourceType,
    Tariff,
    charge_amount,
    handling_measures,
    measured,
    new_charge,
    rate,
    storage_measures,
    storage_source,
    transport_measures,
)
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import ChargeId, CustomerId, TariffId

ACME = CustomerId("cus_acme")
AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def tariff(currency: str = "EUR", **rates: str) -> Tariff:
    values = {
        "handling_per_line": "0.45",
        "transport_per_kg_km": "0.0012",
        "transport_per_drop": "3.50",
        "storage_per_unit_day": "0.015",
        "tax_rate": "0.20",
        **rates,
    }
    return Tariff(
        TariffId("trf_1"),
        ACME,
        date(2026, 1, 1),
        currency,
        **{k: Decimal(v) for k, v in values.items()},
    )


def test_handling_is_charged_per_order_line_picked() -> None:
    [measure] = handling_measures(7)
    assert measure == Measure(Basis.LINE, Decimal(7))
    assert measure.kind is ChargeKind.HANDLING
    rating = rate(measure, tariff())
    assert (rating.unit_price, rating.amount, rating.currency) == (
        Decimal("0.45"),
        Decimal("3.15"),
        "EUR",
    )
    assert handling_measures(0) == []


def test_transport_is_two_lines_kg_km_and_one_drop() -> None:
    kg_km, drop = transport_measures(Decimal("12.300"), Decimal("45.670"))
    assert kg_km == Measure(Basis.KG_KM, Decimal("561.741"))
    assert drop == Measure(Basis.DROP, Decimal(1))
    assert {kg_km.kind, drop.kind} == {ChargeKind.TRANSPORT}
    t = tariff()
    # 561.741 x 0.0012 = 0.6740892 -> 0.67; one drop at 3.50
    assert rate(kg_km, t).amount == Decimal("0.67")
    assert rate(drop, t).amount == Decimal("3.50")


def test_storage_is_charged_per_unit_day() -> None:
    [measure] = storage_measures(1250)
    assert measure == Measure(Basis.UNIT_DAY, Decimal(1250))
    assert measure.kind is ChargeKind.STORAGE
    # 1250 x 0.015 = 18.75
    assert rate(measure, tariff()).amount == Decimal("18.75")
    assert storage_measures(40, days=3) == [Measure(Basis.UNIT_DAY, Decimal(120))]
    assert storage_measures(0) == []


@pytest.mark.parametrize(
    ("quantity", "price", "amount"),
    [
        ("1", "0.005", "0.01"),  # half-up, not half-even (which gives 0.00)
        ("1", "0.015", "0.02"),
        ("1", "0.025", "0.03"),  # half-even would give 0.02
        ("3", "0.8916666", "2.67"),  # 2.6749998 rounds down
        ("1", "2.675", "2.68"),  # exact decimal: no binary-float surprise (2.67 with floats)
        ("561.741", "0.0012", "0.67"),
        ("0", "9.99", "0.00"),
    ],
)
def test_the_amount_is_rounded_half_up_to_cents_at_the_charge_line(
    quantity: str, price: str, amount: str
) -> None:
    assert charge_amount(Decimal(quantity), Decimal(price), "EUR") == Decimal(amount)
    assert str(charge_amount(Decimal(quantity), Decimal(price), "EUR")) == amount


def test_rounding_follows_the_currency_minor_unit() -> None:
    assert charge_amount(Decimal(3), Decimal("0.5"), "JPY") == Decimal(2)  # 1.5 -> 2
    assert str(charge_amount(Decimal(1), Decimal("0.0005"), "KWD")) == "0.001"


def test_transport_floats_are_taken_at_their_shortest_form_to_the_gram_and_metre() -> None:
    assert measured(12.3, "weight_kg") == Decimal("12.300")
    assert measured(0.1 + 0.2, "weight_kg") == Decimal("0.300")  # 0.30000000000000004
    assert measured(1.0005, "distance_km") == Decimal("1.001")  # half-up
    assert measured(2, "distance_km") == Decimal("2.000")
    for bad in (-0.5, float("nan"), float("inf")):
        with pytest.raises(InvalidInput):
            measured(bad, "weight_kg")


def test_negative_activity_is_refused() -> None:
    with pytest.raises(InvalidInput):
        handling_measures(-1)
    with pytest.raises(InvalidInput):
        transport_measures(Decimal(-1), Decimal(10))
    with pytest.raises(InvalidInput):
        storage_measures(-3)


def test_a_charge_without_a_tariff_is_kept_unrated() -> None:
    [measure] = handling_measures(2)
    unrated = new_charge(ChargeId("chg_1"), ACME, measure, SourceType.ORDER, "ord_1", AT, None)
    assert unrated.status is ChargeStatus.UNRATED
    assert unrated.amount is None
    assert unrated.currency is None
    assert unrated.quantity == Decimal(2)  # measured all the same, to be rated later
    rated = new_charge(ChargeId("chg_2"), ACME, measure, SourceType.ORDER, "ord_1", AT, tariff())
    assert rated.status is ChargeStatus.RATED
    assert rated.amount == Decimal("0.90")
    assert rated.rating is not None
    assert rated.rating.tariff_id == "trf_1"


def test_a_storage_charge_names_its_day() -> None:
    assert storage_source(date(2026, 11, 25)) == "storage:2026-11-25"
