from decimal import Decimal

import pytest

from otwb.platform.money import CurrencyMismatch, Money, total


def test_rounds_half_up_to_the_currency_minor_unit():
    assert Money.of("2.345", "EUR").rounded() == Money.of("2.35", "EUR")
    assert Money.of("2.344", "EUR").rounded() == Money.of("2.34", "EUR")
    assert Money.of("-2.345", "EUR").rounded() == Money.of("-2.35", "EUR")
    assert Money.of("1234.5", "JPY").rounded() == Money.of("1235", "JPY")
    assert Money.of("1.2345", "KWD").rounded().amount == Decimal("1.235")


def test_arithmetic_is_exact_decimal():
    assert Money.of("0.1", "EUR") + Money.of("0.2", "EUR") == Money.of("0.3", "EUR")
    assert Money.of("19.99", "EUR") * 3 == Money.of("59.97", "EUR")
    assert Money.of("10", "EUR") - Money.of("2.5", "EUR") == Money.of("7.5", "EUR")
    assert total([Money.of("1.10", "EUR")] * 3, "EUR") == Money.of("3.30", "EUR")


def test_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "EUR") + Money.of("1", "USD")
    with pytest.raises(ValueError, match="ISO 4217"):
        Money.of("1", "euro")
    with pytest.raises(ValueError, match="finite"):
        Money.of("NaN", "EUR")
