"""Tariffs: what a version and its rules accept, and which version prices an activity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from otwb.billing.model import Basis, MinimumScope, Rule, Tariff, applicable_tariff, parse_decimal
from otwb.billing.tariff import flat_rules
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, TariffId

ACME = CustomerId("cus_acme")
OTHER = CustomerId("cus_other")


def tariff(
    tariff_id: str,
    customer_id: CustomerId | None,
    valid_from: date,
    handling: str = "0.50",
    tax: str = "0.20",
    valid_to: date | None = None,
) -> Tariff:
    rules = flat_rules(
        (f"{tariff_id}_r{i}" for i in range(4)), Decimal(handling), "0.0012", "3.50", "0.02"
    )
    return Tariff(
        TariffId(tariff_id), customer_id, valid_from, "EUR", Decimal(tax), rules, valid_to
    )


def test_a_flat_tariff_is_four_unit_price_rules() -> None:
    t = tariff("trf_1", ACME, date(2026, 1, 1), handling="0.45")
    prices = {r.basis: r.price for r in t.rules}
    assert prices == {
        Basis.LINE: Decimal("0.45"),
        Basis.KG_KM: Decimal("0.0012"),
        Basis.DROP: Decimal("3.5"),
        Basis.UNIT_DAY: Decimal("0.02"),
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("handling_per_line", "-0.01", "must not be negative"),
        ("transport_per_kg_km", "0.0000001", "more than 6 decimal places"),
        ("transport_per_drop", "1000000.01", "at most"),
        ("storage_per_unit_day", "NaN", "not a finite number"),
    ],
)
def test_a_flat_tariff_refuses_rates_it_cannot_keep_exactly(
    field: str, value: str, message: str
) -> None:
    values = {
        "handling_per_line": "0.5",
        "transport_per_kg_km": "0.001",
        "transport_per_drop": "3",
        "storage_per_unit_day": "0.02",
        field: value,
    }
    with pytest.raises(InvalidInput, match=message) as caught:
        flat_rules(iter(["a", "b", "c", "d"]), **values)
    assert caught.value.extra["field"] == field


@pytest.mark.parametrize(
    ("tax", "message"), [("1.5", "at most 1"), ("0.12345", "more than 4 decimal places")]
)
def test_a_tariff_refuses_a_tax_rate_it_cannot_keep(tax: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Tariff(TariffId("t"), None, date(2026, 1, 1), "EUR", Decimal(tax))


def test_a_tariff_refuses_floats_unknown_currencies_and_backward_validity() -> None:
    with pytest.raises(InvalidInput, match=r"not 0\.1"):
        parse_decimal(0.1, "handling_per_line")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="ISO 4217"):
        Tariff(TariffId("t"), None, date(2026, 1, 1), "euro", Decimal("0.2"))
    with pytest.raises(InvalidInput, match="valid_to"):
        Tariff(TariffId("t"), None, date(2026, 2, 1), "EUR", Decimal("0.2"), (), date(2026, 1, 1))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"basis": Basis.KG}, "needs price"),
        ({"basis": Basis.KG, "price": Decimal(1), "percent": Decimal(5)}, "takes no percent"),
        ({"basis": Basis.COD, "price": Decimal(2)}, "needs percent"),
        ({"basis": Basis.SERVICE, "price": Decimal(2)}, "names its service"),
        ({"basis": Basis.SERVICE, "price": Decimal(2), "service": "cod"}, "cod rule"),
        (
            {"basis": Basis.ZONE_WEIGHT, "price": Decimal(9), "max_km": Decimal(50)},
            "max_km and max_kg",
        ),
        (
            {
                "basis": Basis.ZONE_WEIGHT,
                "price": Decimal(9),
                "max_km": Decimal(0),
                "max_kg": Decimal(5),
            },
            "must be positive",
        ),
        ({"basis": Basis.KG, "price": Decimal(1), "temperature_class": "frozen"}, "only storage"),
        ({"basis": Basis.UNIT_DAY, "price": Decimal(1), "temperature_class": "tepid"}, "unknown"),
        ({"basis": Basis.MINIMUM, "price": Decimal(10)}, "has a scope"),
        ({"basis": Basis.TIER, "percent": Decimal(5), "applies_to": Basis.LINE}, "min_quantity"),
        (
            {
                "basis": Basis.TIER,
                "percent": Decimal(5),
                "applies_to": Basis.FUEL,
                "min_quantity": 1,
            },
            "priced basis",
        ),
        (
            {
                "basis": Basis.TIER,
                "percent": Decimal(150),
                "applies_to": Basis.LINE,
                "min_quantity": 1,
            },
            "at most 100",
        ),
        ({"basis": Basis.COLD_CHAIN, "percent": Decimal("12.34567")}, "4 decimal places"),
    ],
)
def test_a_rule_has_exactly_what_its_basis_needs(rule: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Rule(id="r", **rule)  # type: ignore[arg-type]


def test_two_rules_selecting_the_same_activities_are_refused() -> None:
    rules = (
        Rule("a", Basis.UNIT_DAY, price=Decimal("0.01"), temperature_class="frozen"),
        Rule("b", Basis.UNIT_DAY, price=Decimal("0.02"), temperature_class="frozen"),
    )
    with pytest.raises(InvalidInput, match="same activities"):
        Tariff(TariffId("t"), None, date(2026, 1, 1), "EUR", Decimal("0.2"), rules)
    ok = (rules[0], Rule("c", Basis.UNIT_DAY, price=Decimal("0.02")))
    assert len(Tariff(TariffId("t"), None, date(2026, 1, 1), "EUR", Decimal(0), ok).rules) == 2
    minimum = Rule("m", Basis.MINIMUM, price=Decimal(25), scope=MinimumScope.ORDER)
    assert minimum.kind.value == "minimum"


def test_the_customers_latest_version_valid_on_the_day_applies() -> None:
    versions = [
        tariff("trf_jan", ACME, date(2026, 1, 1)),
        tariff("trf_jun", ACME, date(2026, 6, 1)),
        tariff("trf_dec", ACME, date(2026, 12, 1)),
        tariff("trf_default", None, date(2026, 11, 1)),
    ]
    assert applicable_tariff(versions, ACME, date(2026, 5, 31)).id == "trf_jan"  # type: ignore[union-attr]
    assert applicable_tariff(versions, ACME, date(2026, 6, 1)).id == "trf_jun"  # type: ignore[union-attr]
    assert applicable_tariff(versions, ACME, date(2026, 11, 30)).id == "trf_jun"  # type: ignore[union-attr]
    assert applicable_tariff(versions, ACME, date(2026, 12, 1)).id == "trf_dec"  # type: ignore[union-attr]


def test_a_version_with_an_end_stops_applying_after_its_last_day() -> None:
    versions = [
        tariff("trf_promo", ACME, date(2026, 11, 1), valid_to=date(2026, 11, 15)),
        tariff("trf_default", None, date(2026, 1, 1)),
    ]
    assert applicable_tariff(versions, ACME, date(2026, 11, 15)).id == "trf_promo"  # type: ignore[union-attr]
    assert applicable_tariff(versions, ACME, date(2026, 11, 16)).id == "trf_default"  # type: ignore[union-attr]


def test_the_default_applies_when_the_customer_has_no_version_yet() -> None:
    versions = [
        tariff("trf_default_old", None, date(2025, 1, 1)),
        tariff("trf_default_new", None, date(2026, 1, 1)),
        tariff("trf_acme", ACME, date(2026, 7, 1)),
        tariff("trf_other", OTHER, date(2020, 1, 1)),
    ]
    assert applicable_tariff(versions, ACME, date(2025, 6, 1)).id == "trf_default_old"  # type: ignore[union-attr]
    assert applicable_tariff(versions, ACME, date(2026, 3, 1)).id == "trf_default_new"  # type: ignore[union-attr]
    assert applicable_tariff(versions, ACME, date(2026, 7, 1)).id == "trf_acme"  # type: ignore[union-attr]
    assert applicable_tariff(versions, CustomerId("cus_new"), date(2026, 3, 1)).id == (  # type: ignore[union-attr]
        "trf_default_new"
    )


def test_no_tariff_applies_before_any_version_is_valid() -> None:
    versions = [tariff("trf_acme", ACME, date(2026, 7, 1)), tariff("trf_d", None, date(2026, 8, 1))]
    assert applicable_tariff(versions, ACME, date(2026, 6, 30)) is None
    assert applicable_tariff([], ACME, date(2026, 6, 30)) is None
