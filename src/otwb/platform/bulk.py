"""Many rows in one statement, at the driver's speed: the write path of the hot batch handlers.

SQLAlchemy's ``conn.execute(insert(t), [dict, ...])`` builds and type-converts every row's
parameters in Python, one by one -- in a batch of orders that was a fifth of the time. A
``RowWriter`` compiles its statement once per dialect, converts each value with its column's
own bind processor (the same ``UtcDateTime``, ``Amount`` and ``Boolean`` rules, so a naive
datetime or a float amount is refused exactly as before; a value met again in the batch is
converted once), and sends the rows inside the caller's transaction:

* **SQLite**: the driver's ``executemany`` (a C loop over one prepared statement);
* **PostgreSQL**: *one* statement whatever the number of rows -- each column travels as an
  array and ``unnest`` turns the arrays back into rows on the server::

      INSERT INTO order_lines (id, ...) SELECT v.id, ... FROM unnest(%(a0)s::VARCHAR(40)[], ...)
          AS v(id, ...)
      UPDATE stock SET allocated = stock.allocated + v.b_qty
          FROM unnest(%(a0)s::VARCHAR(40)[], %(a1)s::INTEGER[]) AS v(b_id, b_qty)
          WHERE stock.id = v.b_id

  psycopg's ``executemany`` sends one Bind/Execute per row: ~0.1 ms a row, most of a batch's
  time on PostgreSQL. The arrays go in psycopg's binary format: its text format quotes and
  escapes every element with a regular expression, twenty times slower on JSON payloads.

  An UPDATE through ``FROM`` changes each target row once, however many rows of the batch
  match it, so an UPDATE writer names its ``key``: the rows of one call must not repeat it
  (the caller sums per key first) -- a repeat is a ``ValueError``, not a lost update.

    ORDER_LINES = RowWriter.insert(order_lines, ["id", "tenant_id", "order_id", ...])
    ORDER_LINES.execute(uow.conn, [(line.id, tenant, order.id, ...), ...])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, Table, Update, bindparam, func, select
from sqlalchemy import insert as sql_insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import Float, TypeEngine

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: list[int] | None
    """Positional paramstyle: the row's index of each placeholder (empty: the row's own
    order); None: named (dicts)."""
    convert: list[tuple[int, Processor]]
    """The row's values that need their column's bind processor."""
    arrays: bool
    """The statement takes each column as one array (``unnest``): one execution per call."""


class RowWriter:
    """``statement`` executed for each row of ``columns`` values (see the module): its
    ``bindparam``s are named by ``columns``. ``RowWriter.insert`` makes the plain INSERT; an
    UPDATE names its ``key``, the column whose value picks the row to change."""

    def __init__(
        self, statement: Insert | Update, columns: Sequence[str], *, key: str | None = None
    ) -> None:
        if isinstance(statement, Update) and key not in columns:
            raise ValueError("an UPDATE writer names its key column (one of its columns)")
        self.columns = list(columns)
        self._key = None if key is None else self.columns.index(key)
        self._statement = statement
        self._compiled: dict[str, _Compiled] = {}

    @classmethod
    def insert(cls, table: Table, columns: Sequence[str]) -> RowWriter:
        """INSERT INTO ``table`` (``columns``) -- a row's values in that order."""
        return cls(sql_insert(table).values({c: bindparam(c) for c in columns}), columns)

    def _compile(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = self._compile_for(dialect)
        return found

    def _compile_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._statement.compile(dialect=dialect)
        index = {c: i for i, c in enumerate(self.columns)}
        if set(compiled.binds) != set(index):
            raise ValueError(
                f"the statement binds {sorted(compiled.binds)}, the rows carry {self.columns}"
            )
        convert: list[tuple[int, Processor]] = []
        for name, bind in compiled.binds.items():
            # the dialect's own type: on SQLite a datetime becomes the very text SQLAlchemy
            # writes elsewhere ("... 06:00:00.000000"), so stored values compare equal
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                convert.append((index[name], processor))
        if dialect.name == "postgresql":
            types = {name: bind.type for name, bind in compiled.binds.items()}
            # a float column may be handed ints too; an array's elements must be of one type
            convert.extend(
                (index[name], _as_float)
                for name, type_ in types.items()
                if isinstance(type_.dialect_impl(dialect), Float)
            )
            sql = str(_unnested(self._statement, self.columns, types).compile(dialect=dialect))
            for i in range(len(self.columns)):  # binary arrays: no quoting, no escaping
                sql = sql.replace(f"%(a{i})s", f"%(a{i})b")
            return _Compiled(sql, None, convert, arrays=True)
        names = compiled.positiontup
        order = None if names is None else [index[n] for n in names]
        if order == list(range(len(self.columns))):
            order = []  # the placeholders follow the columns: the rows go as they are
        return _Compiled(compiled.string, order, convert, arrays=False)

    def execute(self, conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Run the statement for each row (values in ``columns`` order), in ``conn``'s
        transaction. Nothing happens for no rows."""
        if not rows:
            return
        c = self._compile(conn.dialect)
        if self._key is not None and len({r[self._key] for r in rows}) < len(rows):
            raise ValueError(f"rows repeat the key {self.columns[self._key]!r}")
        if c.arrays or c.convert:
            columns = [list(values) for values in zip(*rows, strict=True)]
            for i, processor in c.convert:
                columns[i] = _converted(columns[i], processor)
            if c.arrays:
                conn.exec_driver_sql(c.sql, {f"a{i}": v for i, v in enumerate(columns)})
                return
            table: list[tuple[Any, ...]] = list(zip(*columns, strict=True))
        else:
            table = [tuple(r) for r in rows]  # (a tuple is its own copy: no cost)
        params: list[Any]
        if c.order is None:
            params = [dict(zip(self.columns, r, strict=True)) for r in table]
        elif not c.order:
            params = table
        else:
            order = c.order
            params = [tuple([r[i] for i in order]) for r in table]
        conn.exec_driver_sql(c.sql, params)


def _unnested(
    statement: Insert | Update, columns: list[str], types: dict[str, TypeEngine[Any]]
) -> Insert | Update:
    """``statement`` with each bound column read from ``unnest`` of one array parameter per
    column (``a0``, ``a1``...), cast to the column's type."""
    arrays = [bindparam(f"a{i}", type_=ARRAY(types[c])) for i, c in enumerate(columns)]
    rows = func.unnest(*arrays).table_valued(*columns).render_derived(name="v")
    if isinstance(statement, Insert):
        target = statement.table
        assert isinstance(target, Table)
        return sql_insert(target).from_select(columns, select(*[rows.c[c] for c in columns]))

    def from_rows(element: Any, **_: Any) -> Any:
        if isinstance(element, BindParameter) and element.key in types:
            return rows.c[element.key]
        return None

    replaced = visitors.replacement_traverse(statement, {}, from_rows)
    assert isinstance(replaced, Update)
    return replaced


def _as_float(value: Any) -> float:
    return float(value)


def _converted(values: list[Any], processor: Processor) -> list[Any]:
    """Each value through its column's processor; a value met again is converted once."""
    seen: dict[Any, Any] = {}
    out: list[Any] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        key = (value.__class__, value)  # 1.5 == Decimal("1.5"), but only one is valid
        try:
            out.append(seen[key])
        except KeyError:
            out.append(seen.setdefault(key, processor(value)))
        except TypeError:  # unhashable: converted as it is
            out.append(processor(value))
    return out
