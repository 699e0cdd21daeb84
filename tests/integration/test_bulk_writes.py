"""``RowWriter`` and ``any_of`` on SQLite and PostgreSQL: the rows written are the rows given,
every column type converts as through SQLAlchemy, bad values are refused before anything is
written, and an UPDATE writer changes each keyed row once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    select,
    update,
)

from otwb.platform.bulk import RowWriter
from otwb.platform.db import Database
from otwb.platform.sqllist import any_of
from otwb.platform.sqltypes import Amount, UtcDateTime

meta = MetaData()
parcels = Table(
    "test_bulk_parcels",
    meta,
    Column("id", String(40), primary_key=True),
    Column("label", Text),
    Column("pieces", Integer, nullable=False),
    Column("weight_kg", Float),
    Column("value", Amount(14, 2)),
    Column("scanned_at", UtcDateTime),
    Column("fragile", Boolean),
    Column("ship_day", Date),
)
COLUMNS = ["id", "label", "pieces", "weight_kg", "value", "scanned_at", "fragile", "ship_day"]
INSERT = RowWriter.insert(parcels, COLUMNS)
ADD_PIECES = RowWriter(
    update(parcels)
    .where(parcels.c.id == bindparam("b_id"))
    .values(pieces=parcels.c.pieces + bindparam("b_more")),
    ["b_id", "b_more"],
    key="b_id",
)
AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    meta.drop_all(database.engine)
    meta.create_all(database.engine)
    yield database
    meta.drop_all(database.engine)


def stored(db: Database) -> list[tuple[Any, ...]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(parcels).order_by(parcels.c.id))]


def test_rows_come_back_as_written_whatever_their_values(db: Database) -> None:
    rows = [
        # a JSON-like label with quotes, braces and commas: arrays must not mangle it
        ("P1", '{"note": "a, b", "x": [1]}', 2, 1.5, Decimal("10.25"), AT, True, date(2026, 12, 8)),
        ("P2", None, 1, 3, Decimal("0.10"), None, None, None),  # an int in a float column
        ("P3", "", 7, None, None, AT + timedelta(hours=1), False, date(2026, 12, 9)),
    ]
    with db.engine.begin() as conn:
        INSERT.execute(conn, rows)
    back = stored(db)
    assert [r[:4] for r in back] == [r[:4] for r in rows]
    assert [r[4] for r in back] == [Decimal("10.25"), Decimal("0.10"), None]
    assert [r[5] for r in back] == [AT, None, AT + timedelta(hours=1)]
    assert [r[6] for r in back] == [True, None, False]
    assert [r[7] for r in back] == [date(2026, 12, 8), None, date(2026, 12, 9)]


def test_a_value_written_in_bulk_equals_the_same_value_bound_elsewhere(db: Database) -> None:
    """On SQLite a datetime is text: the writer must store the text SQLAlchemy binds, or
    "... 09:30:00" and "... 09:30:00.000000" -- one instant -- would not compare equal."""
    with db.engine.begin() as conn:
        INSERT.execute(conn, [("P1", None, 1, None, Decimal("2.50"), AT, True, date(2026, 12, 8))])
    query = select(parcels.c.id).where(
        parcels.c.scanned_at == AT,
        parcels.c.ship_day == date(2026, 12, 8),
        parcels.c.value == Decimal("2.5"),
        parcels.c.fragile.is_(True),
    )
    with db.engine.connect() as conn:
        assert list(conn.execute(query).scalars()) == ["P1"]
        later = conn.execute(select(parcels.c.id).where(parcels.c.scanned_at > AT)).all()
    assert later == []


def test_a_thousand_rows_in_one_call(db: Database) -> None:
    rows = [
        (f"P{i:04d}", f"label {i}", i, i / 10, Decimal(i), AT, i % 2 == 0, None)
        for i in range(1000)
    ]
    with db.engine.begin() as conn:
        INSERT.execute(conn, rows)
    back = stored(db)
    assert len(back) == 1000
    assert sum(r[2] for r in back) == sum(range(1000))
    assert back[999][4] == Decimal(999)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (("P9", None, 1, None, 1.5, None, None, None), TypeError),  # a float amount
        (("P9", None, 1, None, None, AT.replace(tzinfo=None), None, None), ValueError),  # naive
    ],
)
def test_a_bad_value_is_refused_and_nothing_is_written(
    db: Database, bad: tuple[object, ...], error: type[Exception]
) -> None:
    good = ("P1", None, 1, None, Decimal("1.00"), AT, None, None)
    with pytest.raises(error), db.engine.begin() as conn:
        INSERT.execute(conn, [good, bad])
    assert stored(db) == []


def test_an_amount_equal_to_a_float_already_seen_is_still_refused(db: Database) -> None:
    rows = [
        ("P1", None, 1, None, Decimal("1.5"), None, None, None),
        ("P2", None, 1, None, 1.5, None, None, None),  # == Decimal("1.5"), same hash
    ]
    with pytest.raises(TypeError), db.engine.begin() as conn:
        INSERT.execute(conn, rows)
    assert stored(db) == []


def test_an_update_writer_changes_each_keyed_row_once(db: Database) -> None:
    with db.engine.begin() as conn:
        INSERT.execute(conn, [(f"P{i}", None, 10, None, None, None, None, None) for i in range(3)])
        ADD_PIECES.execute(conn, [("P0", 5), ("P2", -3)])
    assert [r[2] for r in stored(db)] == [15, 10, 7]


def test_an_update_writer_refuses_a_repeated_key(db: Database) -> None:
    with db.engine.begin() as conn:
        INSERT.execute(conn, [("P0", None, 10, None, None, None, None, None)])
    # UPDATE ... FROM would apply one of the two: the caller must sum them first
    with pytest.raises(ValueError, match="repeat the key"), db.engine.begin() as conn:
        ADD_PIECES.execute(conn, [("P0", 5), ("P0", 1)])
    assert [r[2] for r in stored(db)] == [10]


def test_no_rows_is_no_statement(db: Database) -> None:
    with db.engine.begin() as conn:
        INSERT.execute(conn, [])
        ADD_PIECES.execute(conn, [])
    assert stored(db) == []


def test_a_writer_must_bind_exactly_its_columns(db: Database) -> None:
    unnamed = RowWriter(
        update(parcels).where(parcels.c.id == bindparam("b_id")).values(pieces=bindparam("b_n")),
        ["b_id"],
        key="b_id",
    )
    with pytest.raises(ValueError, match="binds"), db.engine.begin() as conn:
        unnamed.execute(conn, [("P1",)])
    with pytest.raises(ValueError, match="key"):
        RowWriter(update(parcels).values(pieces=bindparam("b_n")), ["b_n"])


@pytest.mark.parametrize("wanted", [[], ["P1"], ["P0", "P2", "nope"]])
def test_any_of_selects_the_listed_keys(db: Database, wanted: list[str]) -> None:
    with db.engine.begin() as conn:
        INSERT.execute(conn, [(f"P{i}", None, i, None, None, None, None, None) for i in range(3)])
    query = select(parcels.c.id).where(any_of(parcels.c.id, "b_ids")).order_by(parcels.c.id)
    with db.engine.connect() as conn:
        found = list(conn.execute(query, {"b_ids": wanted}).scalars())
        not_found = list(
            conn.execute(
                select(parcels.c.id).where(~any_of(parcels.c.id, "b_ids")), {"b_ids": ["P1"]}
            ).scalars()
        )
    assert found == sorted(set(wanted) - {"nope"})
    assert sorted(not_found) == ["P0", "P2"]
