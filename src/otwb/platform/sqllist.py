"""``any_of``: a column equal to one of a list given as *one* parameter, in statements built once.

An expanding ``IN (?, ?, ...)`` is a new statement for every length of the list: SQLAlchemy
renders it again, the driver parses it again and the database plans it again -- on SQLite it
also pushes other statements out of the connection's cache of prepared statements. Here the
list travels as one value and the statement's text never changes:

* **SQLite**: ``column IN (SELECT value FROM json_each(?))``, the list as a JSON array (the
  planner still probes the column's index once per value);
* **PostgreSQL**: ``column = ANY(%(name)s::type[])``, the list as an array.

    SKU_IDS = select(skus.c.code, skus.c.id).where(any_of(skus.c.code, "b_codes"))
    conn.execute(SKU_IDS, {"b_codes": ["TEA", "RICE"]})
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Dialect,
    Select,
    String,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import literal_column
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator


class AnyOf(ColumnElement[bool]):
    """``column`` equals one of the list bound as ``name`` (see the module)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no "= 1" after it on SQLite
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


def any_of(column: ColumnElement[Any], name: str) -> AnyOf:
    """``column IN`` the list (of strings or integers) given as parameter ``name``."""
    return AnyOf(column, name)


class JsonList(TypeDecorator[Iterable[Any]]):
    """A list bound as the text of a JSON array (what SQLite's ``json_each`` reads)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Iterable[Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(list(value))


@compiles(AnyOf)
def _json_each(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    values: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(element.name, type_=JsonList()))
    )
    return compiler.process(element.column.in_(values), **kw)


@compiles(AnyOf, "postgresql")
def _any_array(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    array = bindparam(element.name, type_=postgresql.ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)
