"""Rating: every rule kind prices its activities; surcharges; unrated; half-up at the line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from otwb.billing.model import Basis, Rule, SourceType, Tariff, measured
from otwb.billing.rating import (
    CompiledTariff,
    Line,
    delivered,
    fuel_percent_on,
    packed,
    picked,
    received,
    service_used,
    stored,
)
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import CustomerId, TariffId

ACME = CustomerId("cus_acme")
AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
D = Decimal


def compiled(*rules: Rule, currency: str = "EUR") -> CompiledTariff:
    return CompiledTariff(
        Tariff(TariffId("trf_1"), ACME, date(2026, 1, 1), currency, D("0.2"), rules)
    )


def priced(lines: list[Line]) -> dict[str, tuple[Decimal, Decimal | None, Decimal | None]]:
    return {
        f"{x.basis.value}{':' + x.service if x.service else ''}": (
            x.quantity,
            x.unit_price,
            x.amount,
        )
        for x in lines
    }


def test_handling_per_pick_per_parcel_and_per_inbound_line() -> None:
    t = compiled(
        Rule("r_pick", Basis.LINE, price=D("0.45")),
        Rule("r_parcel", Basis.PARCEL, price=D("1.20")),
        Rule("r_in", Basis.INBOUND_LINE, price=D("0.80")),
    )
    assert priced(t.rate(picked(ACME, "ord_1", 7, AT), None)) == {
        "line": (D(7), D("0.45"), D("3.15"))
    }
    assert priced(t.rate(packed(ACME, "ord_1", 3, AT), None)) == {
        "parcel": (D(3), D("1.20"), D("3.60"))
    }
    [line] = t.rate(received(ACME, "asn_1:1", 1, AT), None)
    assert (line.basis, line.amount, line.rule_id) == (Basis.INBOUND_LINE, D("0.80"), "r_in")


def test_transport_per_kg_per_kg_km_per_drop_and_per_pallet() -> None:
    t = compiled(
        Rule("r_kg", Basis.KG, price=D("0.05")),
        Rule("r_kgkm", Basis.KG_KM, price=D("0.0012")),
        Rule("r_drop", Basis.DROP, price=D("3.50")),
        Rule("r_pal", Basis.PALLET, price=D("18")),
    )
    a = delivered(ACME, "shp_1", measured(12.3, "kg"), measured(41.7, "km"), AT, pallets=2)
    assert priced(t.rate(a, None)) == {
        "kg": (D("12.300"), D("0.05"), D("0.62")),  # 0.615 -> 0.62 half-up
        "kg_km": (D("512.91"), D("0.0012"), D("0.62")),  # 12.3 x 41.7 x 0.0012 = 0.615492
        "drop": (D(1), D("3.5"), D("3.50")),
        "pallet": (D(2), D(18), D("36.00")),
    }


def test_a_zone_x_weight_table_prices_the_shipment_from_the_nearest_zone_and_break() -> None:
    cells = [
        Rule(f"z{km}_{kg}", Basis.ZONE_WEIGHT, price=D(p), zone=z, max_km=D(km), max_kg=D(kg))
        for z, km, kg, p in [
            ("Z1", 50, 30, "9.00"),
            ("Z1", 50, 100, "14.00"),
            ("Z2", 150, 30, "12.50"),
            ("Z2", 150, 100, "19.00"),
        ]
    ]
    t = compiled(*cells)

    def cell(kg: str, km: str) -> str | None:
        lines = t.rate(delivered(ACME, "s", D(kg), D(km), AT), None)
        return lines[0].rule_id if lines[0].amount is not None else None

    assert cell("30", "50") == "z50_30"  # both bounds inclusive
    assert cell("30.001", "12") == "z50_100"
    assert cell("5", "50.001") == "z150_30"
    assert cell("100", "149") == "z150_100"
    assert cell("100.5", "20") is None  # heavier than the nearest zone's breaks: unrated
    assert cell("5", "151") is None  # beyond the last zone
    unrated = t.rate(delivered(ACME, "s", D(5), D(151), AT), None)
    assert {x.basis for x in unrated} == {Basis.KG_KM, Basis.DROP}
    assert all(x.unit_price is None for x in unrated)


def test_storage_per_pallet_day_m3_day_unit_day_by_temperature_class() -> None:
    t = compiled(
        Rule("r_frozen", Basis.PALLET_DAY, price=D("1.10"), temperature_class="frozen"),
        Rule("r_pal", Basis.PALLET_DAY, price=D("0.60")),
        Rule("r_m3", Basis.M3_DAY, price=D("0.25"), temperature_class="chilled"),
    )
    frozen = stored(ACME, date(2026, 11, 25), AT, "whs_1", "frozen", 400, D("2.880"))
    assert priced(t.rate(frozen, None)) == {"pallet_day": (D("2.000"), D("1.1"), D("2.20"))}
    ambient = stored(ACME, date(2026, 11, 25), AT, "whs_1", "ambient", 400, D("2.880"))
    assert [x.rule_id for x in t.rate(ambient, None)] == ["r_pal"]
    chilled = stored(ACME, date(2026, 11, 25), AT, "whs_1", "chilled", 10, D("1.000"))
    # chilled goods: the generic pallet·day rule and the chilled m³·day rule both apply
    assert {x.rule_id for x in t.rate(chilled, None)} == {"r_pal", "r_m3"}
    assert frozen.source_id == "storage:2026-11-25:whs_1:frozen"
    per_unit = compiled(Rule("r_u", Basis.UNIT_DAY, price=D("0.015")))
    assert priced(per_unit.rate(ambient, None)) == {"unit_day": (D(400), D("0.015"), D("6.00"))}


def test_value_added_services_installation_labelling_and_cod() -> None:
    t = compiled(
        Rule("r_inst", Basis.SERVICE, price=D("45"), service="Installation"),
        Rule("r_lab", Basis.SERVICE, price=D("0.12"), service="labelling"),
        Rule("r_cod", Basis.COD, price=D("2.50"), percent=D("1.5")),
    )

    def use(name: str, q: str, basis: str | None = None) -> list[Line]:
        a = service_used(
            ACME, SourceType.ORDER, "ord_1", name, D(q), D(basis) if basis else None, AT
        )
        return t.rate(a, None)

    assert priced(use("installation", "1")) == {"service:installation": (D(1), D(45), D("45.00"))}
    assert priced(use(" Labelling ", "250")) == {
        "service:labelling": (D(250), D("0.12"), D("30.00"))
    }
    # COD: the fixed part per collection and the % of the amount collected, two lines
    assert priced(use("cod", "1", "249.90")) == {
        "service:cod": (D(1), D("2.5"), D("2.50")),
        "cod:cod": (D("249.90"), D("0.015"), D("3.75")),  # 3.7485 -> 3.75
    }
    unknown = use("gift-wrap", "2")
    assert [(x.basis, x.unit_price) for x in unknown] == [(Basis.SERVICE, None)]
    with pytest.raises(InvalidInput, match="amount collected"):
        use("cod", "1")


def test_fuel_and_cold_chain_surcharges_are_a_percentage_of_the_transport_amount() -> None:
    t = compiled(
        Rule("r_kgkm", Basis.KG_KM, price=D("0.001")),
        Rule("r_drop", Basis.DROP, price=D("4")),
        Rule("r_fuel", Basis.FUEL),
        Rule("r_cold", Basis.COLD_CHAIN, percent=D("20")),
        Rule("r_frozen", Basis.COLD_CHAIN, percent=D("35"), temperature_class="frozen"),
    )
    chilled = delivered(ACME, "s", D(500), D(100), AT, temperature_class="chilled")
    lines = priced(t.rate(chilled, D("12.35")))
    assert lines["fuel"] == (D("54.00"), D("0.1235"), D("6.67"))  # 6.669 -> 6.67
    assert lines["cold_chain"] == (D("54.00"), D("0.2"), D("10.80"))
    frozen = delivered(ACME, "s", D(500), D(100), AT, temperature_class="frozen")
    assert priced(t.rate(frozen, D(0)))["cold_chain"] == (D("54.00"), D("0.35"), D("18.90"))
    ambient = priced(
        t.rate(delivered(ACME, "s", D(500), D(100), AT, temperature_class="ambient"), D(10))
    )
    assert "cold_chain" not in ambient
    # a fuel rule but no index for the day: the surcharge waits unrated
    assert priced(t.rate(chilled, None))["fuel"] == (D("54.00"), None, None)


def test_the_fuel_index_valid_on_a_day_is_the_latest_entry_not_after_it() -> None:
    index = [(date(2026, 10, 1), D("11.2")), (date(2026, 11, 1), D("12.35"))]
    assert fuel_percent_on(index, date(2026, 9, 30)) is None
    assert fuel_percent_on(index, date(2026, 10, 31)) == D("11.2")
    assert fuel_percent_on(index, date(2026, 11, 1)) == D("12.35")


def test_an_activity_no_rule_prices_is_kept_unrated() -> None:
    t = compiled(Rule("r_drop", Basis.DROP, price=D("3")))
    lines = t.rate(picked(ACME, "ord_1", 4, AT), None)
    assert lines == [Line(Basis.LINE, D(4))]


@pytest.mark.parametrize(
    ("quantity", "price", "currency", "amount"),
    [
        ("1", "0.005", "EUR", "0.01"),  # half-up, not banker's rounding
        ("1", "0.015", "EUR", "0.02"),
        ("3", "0.333333", "EUR", "1.00"),
        ("1", "0.5", "JPY", "1"),
        ("1", "0.0005", "KWD", "0.001"),
    ],
)
def test_amounts_round_half_up_to_the_currencys_minor_unit_at_the_line(
    quantity: str, price: str, currency: str, amount: str
) -> None:
    t = compiled(Rule("r", Basis.LINE, price=D(price)), currency=currency)
    [line] = t.rate(picked(ACME, "o", int(quantity), AT), None)
    assert str(line.amount) == amount


def test_measures_refuse_negative_counts() -> None:
    with pytest.raises(InvalidInput):
        picked(ACME, "o", -1, AT)
    with pytest.raises(InvalidInput):
        delivered(ACME, "s", D(-1), D(1), AT)
    with pytest.raises(InvalidInput):
        service_used(ACME, SourceType.ORDER, "o", "", D(1), None, AT)
