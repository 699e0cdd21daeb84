"""What the benchmarks share: throw-away databases, timing, the results table and JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from otwb import schema
from otwb.platform.db import Database, connect, normalise_url

RESULTS = Path(__file__).resolve().parent / "results"
PG_ADMIN_URL = os.environ.get(
    "OTWB_BENCH_POSTGRES_URL",
    os.environ.get(
        "OTWB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    ),
)
console = Console(stderr=True)


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a small run, under 30 s")
    parser.add_argument(
        "--json", action="store_true", help="print the figures as one JSON object on the last line"
    )
    return parser


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as folder:
        db = connect(f"sqlite:///{folder}/bench.db")
        schema.create_all(db)
        try:
            yield db
        finally:
            db.dispose()


@contextmanager
def postgres_database() -> Iterator[Database | None]:
    """A throw-away PostgreSQL database, or None (with the reason printed) when unreachable."""
    admin_url = normalise_url(PG_ADMIN_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"otwb_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        console.print(f"[yellow]PostgreSQL not reachable ({exc.orig}); skipped[/yellow]")
        admin.dispose()
        yield None
        return
    db = connect(admin_url.set(database=name))
    try:
        schema.create_all(db)
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.start


def report(
    name: str, rows: list[tuple[str, str, str, str]], figures: dict[str, Any], as_json: bool
) -> None:
    """Print the table (figure, value, target, verdict), save the JSON, and print it last."""
    table = Table("figure", "measured", "target", "", title=name)
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    figures = {
        **figures,
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "python": platform.python_version(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    if as_json:
        sys.stdout.write(json.dumps(figures) + "\n")


def verdict(ok: bool) -> str:
    return "[green]met[/green]" if ok else "[red]missed[/red]"
