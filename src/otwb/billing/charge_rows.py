"""Charge rows for the bulk path: their column order, their values as the database stores them,
and the one ``INSERT ... ON CONFLICT DO NOTHING`` that writes them with the driver's
``executemany`` (no per-row work from SQLAlchemy).

A row is a tuple of ``COLUMNS`` values, grouped so it is assembled by concatenation::

    (id,) + activity (ACTIVITY_COLUMNS) + line (LINE_COLUMNS) + measures (MEASURE_COLUMNS)

The values of ``Amount`` and ``UtcDateTime`` columns go through ``BulkInsert.to_db[column]``:
the column type's own bind processor for the dialect, or -- on SQLite, for the common case --
a shortcut that returns exactly the same text at a third of the cost (an ``Amount`` rounded to
its scale; an instant in UTC as SQLAlchemy writes and every query compares it,
'2026-11-01 00:00:00.000000'); ``tests/unit/billing/test_charge_rows.py`` holds them equal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect

from otwb.billing.tables import ACTIVITY_KEY, charges
from otwb.platform.sqltypes import Amount, UtcDateTime
from otwb.platform.uow import UnitOfWork

CHUNK = 10_000
"""Rows per ``executemany``: memory stays flat however long the stream."""
ACTIVITY_COLUMNS = (
    "tenant_id",
    "customer_id",
    "source_type",
    "source_id",
    "occurred_at",
    "created_at",
    "temperature_class",
)
"""What every line of one activity shares."""
LINE_COLUMNS = (
    "kind",
    "basis",
    "quantity",
    "status",
    "unit_price",
    "amount",
    "currency",
    "tariff_id",
    "rule_id",
    "service",
)
"""What the tariff made of one measure of the activity."""
MEASURE_COLUMNS = ("weight_kg", "distance_km")
"""The shipment's measures, kept on transport and surcharge lines (for re-rating)."""
COLUMNS = ("id", *ACTIVITY_COLUMNS, *LINE_COLUMNS, *MEASURE_COLUMNS)
CONVERTED = ("quantity", "unit_price", "amount", "occurred_at", "created_at", *MEASURE_COLUMNS)
"""The columns whose values need their type's conversion; the others are plain text."""
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}

Convert = Callable[[Any], Any]


def _sqlite_amount(column: Amount, processor: Convert) -> Convert:
    exponent = Decimal(1).scaleb(-column.scale)

    def amount(value: Any) -> Any:
        if type(value) is Decimal:
            return format(value.quantize(exponent), "f")
        return processor(value)  # None, or refused as the type refuses it

    return amount


def _sqlite_instant(processor: Convert) -> Convert:
    def instant(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is UTC:
            return value.isoformat(" ", "microseconds")[:26]  # less its '+00:00'
        return processor(value)

    return instant


def to_db(column: str, dialect: Dialect) -> Convert:
    """How a value of ``charges.<column>`` is stored by ``dialect`` (see the module)."""
    kind = charges.c[column].type
    processor = kind.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return lambda value: value
    if dialect.name == "sqlite" and isinstance(kind, Amount):
        return _sqlite_amount(kind, processor)
    if dialect.name == "sqlite" and isinstance(kind, UtcDateTime):
        return _sqlite_instant(processor)
    return processor


class BulkInsert:
    """``INSERT INTO charges (COLUMNS) ... ON CONFLICT (the activity key) DO NOTHING`` for rows
    whose ``CONVERTED`` values went through ``to_db`` (a line already charged is skipped)."""

    def __init__(self, uow: UnitOfWork) -> None:
        dialect = uow.conn.dialect
        unconverted = [
            c
            for c in COLUMNS
            if c not in CONVERTED
            and charges.c[c].type.dialect_impl(dialect).bind_processor(dialect) is not None
        ]
        if unconverted:
            raise RuntimeError(f"bulk columns {unconverted} need their type's conversion")
        mark = PLACEHOLDERS[dialect.paramstyle]
        self.sql = (
            f"INSERT INTO {charges.name} ({', '.join(COLUMNS)})"
            f" VALUES ({', '.join(mark for _ in COLUMNS)})"
            f" ON CONFLICT ({', '.join(ACTIVITY_KEY)}) DO NOTHING"
        )
        self.to_db = {c: to_db(c, dialect) for c in CONVERTED}
        self.uow = uow

    def __call__(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.uow.conn.exec_driver_sql(self.sql, rows)
