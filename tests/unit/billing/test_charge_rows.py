"""The bulk path stores each value exactly as SQLAlchemy would: its shortcuts for SQLite give
the column type's own text, and refuse what the type refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from otwb.billing import charge_rows
from otwb.billing.tables import charges

SQLITE = sqlite.dialect()
AMOUNTS = ("quantity", "unit_price", "amount", "weight_kg", "distance_km")
INSTANTS = ("occurred_at", "created_at")


def processor(column: str) -> Callable[[Any], Any]:
    """What SQLAlchemy does with a value of ``charges.<column>`` for SQLite."""
    convert = charges.c[column].type.dialect_impl(SQLITE).bind_processor(SQLITE)
    assert convert is not None
    return convert


@given(
    column=st.sampled_from(AMOUNTS),
    value=st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12),
)
def test_an_amount_is_the_text_its_type_writes(column: str, value: Decimal) -> None:
    assert charge_rows.to_db(column, SQLITE)(value) == processor(column)(value)


@given(
    column=st.sampled_from(INSTANTS),
    instant=st.datetimes(  # naive bounds (hypothesis's rule); a zone is given below
        min_value=datetime(1000, 1, 1),  # noqa: DTZ001
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    ),
    offset_minutes=st.sampled_from([0, 0, 60, -330, 765]),
)
def test_an_instant_is_the_text_its_type_writes(
    column: str, instant: datetime, offset_minutes: int
) -> None:
    zone = UTC if offset_minutes == 0 else timezone(timedelta(minutes=offset_minutes))
    aware = instant.replace(tzinfo=zone)
    assert charge_rows.to_db(column, SQLITE)(aware) == processor(column)(aware)


def test_none_passes_and_what_the_type_refuses_is_refused() -> None:
    for column in (*AMOUNTS, *INSTANTS):
        assert charge_rows.to_db(column, SQLITE)(None) is None
    with pytest.raises(TypeError, match="Decimal"):
        charge_rows.to_db("amount", SQLITE)(1.5)
    with pytest.raises(ValueError, match="naive"):
        charge_rows.to_db("occurred_at", SQLITE)(datetime(2026, 11, 1))  # noqa: DTZ001


def test_postgresql_takes_the_types_own_processors() -> None:
    dialect = postgresql.dialect()
    midnight = datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=1)))
    assert charge_rows.to_db("occurred_at", dialect)(midnight) == datetime(
        2026, 10, 31, 23, tzinfo=UTC
    )
    assert charge_rows.to_db("amount", dialect)(Decimal("1.005")) == Decimal("1.005")
