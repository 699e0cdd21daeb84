"""Column types that keep their meaning on both databases.

* ``Amount``: a ``Decimal`` stored exactly. PostgreSQL: ``NUMERIC``. SQLite has no exact decimal
  type (its NUMERIC affinity silently turns 0.1 into a binary float), so there it is TEXT holding
  the decimal's canonical string.
* ``UtcDateTime``: an aware UTC ``datetime`` in and out. PostgreSQL: ``timestamptz``. SQLite keeps
  ISO text without an offset; this type restores UTC on the way out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine


class Amount(TypeDecorator[Decimal]):
    impl = String(40)
    cache_ok = True

    def __init__(self, precision: int = 19, scale: int = 4) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale

    def __repr__(self) -> str:  # how Alembic writes it into a migration
        return f"Amount(precision={self.precision}, scale={self.scale})"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))
        return dialect.type_descriptor(String(40))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"Amount columns take Decimal, got {type(value).__name__}")
        if dialect.name == "postgresql":
            return value
        return format(value.quantize(Decimal(1).scaleb(-self.scale)), "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(value)


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant: datetime = value
        if instant.tzinfo is None:
            return instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC)
