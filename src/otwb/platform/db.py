"""Engines for the two supported databases.

SQLite (the embedded default) runs in WAL mode with foreign keys on; pysqlite's own implicit
transactions are switched off and OTWB emits ``BEGIN IMMEDIATE`` for write transactions (so two
writers queue on the lock instead of failing when a read transaction tries to upgrade) and a
plain ``BEGIN`` for read-only ones. PostgreSQL goes through psycopg 3 (``postgresql+psycopg``),
each statement planned for its own parameters (no server-side prepared statements).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Engine, Table, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL

_READ_ONLY = "otwb_read_only"


def normalise_url(url: str | URL) -> URL:
    """Use psycopg 3 for every PostgreSQL URL (``postgresql://`` would mean psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@dataclass(frozen=True)
class Database:
    """An engine plus the read-only view of it; ``dialect`` is ``sqlite`` or ``postgresql``."""

    engine: Engine
    read_engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def connect(url: str | URL, *, echo: bool = False) -> Database:
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed, echo)
    elif parsed.get_backend_name() == "postgresql":
        engine = create_engine(
            parsed,
            echo=echo,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=True,
            # No server-side prepared statements: after five executions psycopg prepares a
            # statement and PostgreSQL may settle on a generic plan -- one chosen for the
            # one-order arrays of the REST path then serves the 300-SKU arrays of a batch
            # (measured: a batch of orders a quarter slower after 300 orders one by one).
            # Planned with its parameters each time, a statement costs ~5 % more one by one.
            connect_args={"prepare_threshold": None},
        )
    else:
        raise ValueError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    return Database(engine=engine, read_engine=engine.execution_options(**{_READ_ONLY: True}))


def _sqlite_engine(url: URL, echo: bool) -> Engine:
    if url.database in (None, "", ":memory:"):
        raise ValueError("OTWB needs a SQLite *file* (WAL mode and several connections)")
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def upsert(
    conn: Connection,
    table: Table,
    values: dict[str, Any],
    keys: list[Column[Any]],
    update: Callable[[Any], dict[str, Any]],
    returning: Column[Any] | None = None,
) -> Any:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE`` on either database, atomically.

    ``update`` gets the ``excluded`` pseudo-row (the values that were refused) and returns the
    columns to set. With ``returning`` the value of that column in the final row is returned.
    """
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_=update(statement.excluded)
    )
    if returning is None:
        conn.execute(statement)
        return None
    return conn.execute(statement.returning(returning)).scalar_one()
