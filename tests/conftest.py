"""Fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL tests run against a throw-away database created for this test run on the server
named by ``OTWB_TEST_POSTGRES_URL`` (default: postgres@127.0.0.1:5432, trust auth). Without a
reachable server they are skipped with the reason -- except with ``CI=true``, where they must run
and an unreachable server fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from otwb import schema
from otwb.bootstrap import bootstrap
from otwb.platform import auth
from otwb.platform.auth import Tenant
from otwb.platform.clock import SimulatedClock
from otwb.platform.db import Database, connect, normalise_url
from otwb.platform.runtime import Runtime
from otwb.platform.settings import Settings
from otwb.platform.uow import UnitOfWork

PG_ADMIN_URL = os.environ.get(
    "OTWB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin_url = normalise_url(PG_ADMIN_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"otwb_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {admin_url.render_as_string()}: {exc.orig}"
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(f"{reason} (set OTWB_TEST_POSTGRES_URL to run these tests)")
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_db(postgres_url: str) -> Iterator[Database]:
    db = connect(postgres_url)
    schema.create_all(db)
    yield db
    db.dispose()


def _empty(db: Database) -> None:
    """Empty every table the last test wrote to. TRUNCATE of all ~100 tables costs seconds (new
    files for each table and index); only the written ones are truncated -- found by a cheap
    ``EXISTS`` per table, in one statement."""
    tables = schema.metadata.sorted_tables
    probe = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
    )
    with db.engine.begin() as conn:
        used = [row[0] for row in conn.execute(text(probe))]
        if used:
            names = ", ".join(f'"{name}"' for name in used)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema built once; each test gets a copy of the file (instead of ~100 CREATEs)."""
    path = tmp_path_factory.mktemp("template") / "otwb.db"
    db = connect(f"sqlite:///{path}")
    schema.create_all(db)
    db.dispose()  # the last connection closed: the WAL is checkpointed into the file
    return path


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "otwb.db"
    shutil.copyfile(sqlite_template, path)
    db = connect(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def pg_db(postgres_db: Database) -> Database:
    _empty(postgres_db)
    return postgres_db


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """The test runs once on SQLite and once on PostgreSQL."""
    name = "sqlite_db" if request.param == "sqlite" else "pg_db"
    db: Database = request.getfixturevalue(name)
    return db


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


def make_runtime(db: Database, clock: SimulatedClock, seed: int = 1) -> Runtime:
    return bootstrap(Settings(database_url=str(db.engine.url)), database=db, clock=clock, seed=seed)


@pytest.fixture
def runtime(database: Database, clock: SimulatedClock) -> Runtime:
    return make_runtime(database, clock)


@pytest.fixture
def sqlite_runtime(sqlite_db: Database, clock: SimulatedClock) -> Runtime:
    return make_runtime(sqlite_db, clock)


@pytest.fixture
def tenant(runtime: Runtime) -> Tenant:
    return auth.create_tenant(runtime.uow(), "Acme Distribution")


@pytest.fixture
def uow(runtime: Runtime, tenant: Tenant) -> Callable[[], UnitOfWork]:
    """A fresh unit of work of the test tenant, per call."""
    return lambda: runtime.uow(tenant.id)


def pg_url_of(db: Database) -> str:
    return make_url(db.engine.url).render_as_string(hide_password=False)
