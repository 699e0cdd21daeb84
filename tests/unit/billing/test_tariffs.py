"""Tariffs: what a version accepts, and which version prices an activity on a given day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from otwb.billing.model import Basis, Tariff, applicable_tariff, parse_decimal
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
) -> Tariff:
    return Tariff(
        id=TariffId(tariff_id),
        customer_id=customer_id,
        valid_from=valid_from,
        currency="EUR",
        handling_per_line=Decimal(handling),
        transport_per_kg_km=Decimal("0.0012"),
        transport_per_drop=Decimal("3.50"),
        storage_per_unit_day=Decimal("0.02"),
        tax_rate=Decimal(tax),
    )


def test_a_tariff_prices_each_basis_with_its_own_rate() -> None:
    t = tariff("trf_1", ACME, date(2026, 1, 1), handling="0.45")
    assert t.unit_price(Basis.LINE) == Decimal("0.45")
    assert t.unit_price(Basis.KG_KM) == Decimal("0.0012")
    assert t.unit_price(Basis.DROP) == Decimal("3.50")
    assert t.unit_price(Basis.UNIT_DAY) == Decimal("0.02")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("handling_per_line", Decimal("-0.01"), "must not be negative"),
        ("transport_per_kg_km", Decimal("0.0000001"), "more than 6 decimal places"),
        ("transport_per_drop", Decimal("1000000.01"), "at most"),
        ("tax_rate", Decimal("1.5"), "at most 1"),
        ("tax_rate", Decimal("0.12345"), "more than 4 decimal places"),
        ("storage_per_unit_day", Decimal("NaN"), "not a finite number"),
    ],
)
def test_a_tariff_refuses_rates_it_cannot_keep_exactly(
    field: str, value: Decimal, message: str
) -> None:
    values = {
        "handling_per_line": Decimal("0.5"),
        "transport_per_kg_km": Decimal("0.001"),
        "transport_per_drop": Decimal("3"),
        "storage_per_unit_day": Decimal("0.02"),
        "tax_rate": Decimal("0.2"),
        field: value,
    }
    with pytest.raises(InvalidInput, match=message) as caught:
        Tariff(TariffId("trf_x"), None, date(2026, 1, 1), "EUR", **values)
    assert caught.value.extra["field"] == field


def test_a_tariff_refuses_floats_and_unknown_currency_codes() -> None:
    with pytest.raises(InvalidInput, match=r"not 0\.1"):
        parse_decimal(0.1, "handling_per_line")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="ISO 4217"):
        Tariff(
            TariffId("trf_x"),
            None,
            date(2026, 1, 1),
            "euro",
            Decimal(1),
            Decimal(1),
            Decimal(1),
            Decimal(1),
            Decimal("0.2"),
        )


def test_decimal_strings_are_parsed_exactly_and_minus_zero_is_zero() -> None:
    assert parse_decimal("0.000001", "x") == Decimal("0.000001")
    assert parse_decimal(" 12.50 ", "x") == Decimal("12.50")
    assert str(parse_decimal(Decimal("-0"), "x")) == "0"
    with pytest.raises(InvalidInput, match="not a decimal number"):
        parse_decimal("twelve", "x")


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


def test_the_default_applies_when_the_customer_has_no_version_yet() -> None:
    versions = [
        tariff("trf_default_old", None, date(2025, 1, 1)),
        tariff("trf_default_new", None, date(2026, 1, 1)),
        tariff("trf_acme", ACME, date(2026, 7, 1)),
        tariff("trf_other", OTHER, date(2020, 1, 1)),
    ]
    # ACME's own version starts in July: before that, the default of the day
    assert applicable_tariff(versions, ACME, date(2025, 6, 1)).id == "trf_default_old"  # type: ignore[union-attr]
    assert applicable_tariff(versions, ACME, date(2026, 3, 1)).id == "trf_default_new"  # type: ignore[union-attr]
    assert applicable_tariff(versions, ACME, date(2026, 7, 1)).id == "trf_acme"  # type: ignore[union-attr]
    # another customer's tariff never applies to ACME
    assert applicable_tariff(versions, CustomerId("cus_new"), date(2026, 3, 1)).id == (  # type: ignore[union-attr]
        "trf_default_new"
    )


def test_no_tariff_applies_before_any_version_is_valid() -> None:
    versions = [tariff("trf_acme", ACME, date(2026, 7, 1)), tariff("trf_d", None, date(2026, 8, 1))]
    assert applicable_tariff(versions, ACME, date(2026, 6, 30)) is None
    assert applicable_tariff([], ACME, date(2026, 6, 30)) is None
