"""``otwb demo``: a fresh database (or the one named), the distributor, the day, the summary."""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, TaskID

from otwb.bootstrap import bootstrap
from otwb.demo import scenario as scenario_module
from otwb.demo.simulation import at, run_day
from otwb.demo.summary import summarise
from otwb.platform import auth, migrate
from otwb.platform.auth import Role
from otwb.platform.clock import SimulatedClock
from otwb.platform.db import connect, normalise_url
from otwb.platform.settings import Settings
from otwb.platform.uow import UnitOfWork

DEMO_DAY = date(2026, 11, 26)
DEFAULT_FILE = Path("otwb-demo.db")


def database_url(db: str | None) -> str:
    """``--db``, else ``OTWB_DATABASE_URL``, else a fresh ``otwb-demo.db`` in this folder."""
    if db:
        return db
    if os.environ.get("OTWB_DATABASE_URL"):
        return os.environ["OTWB_DATABASE_URL"]
    for leftover in (DEFAULT_FILE, Path(f"{DEFAULT_FILE}-wal"), Path(f"{DEFAULT_FILE}-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{DEFAULT_FILE}"


def run_demo(
    *,
    orders: int,
    seed: int,
    db: str | None,
    as_json: bool,
    serve_after: bool,
    host: str,
    port: int,
    route_seconds: float,
) -> None:
    started = time.perf_counter()
    err = Console(stderr=True)
    out = Console()
    url = database_url(db)
    migrate.upgrade(url)
    clock = SimulatedClock(at(DEMO_DAY, 5, 0))
    # The seed drives the scenario and the day; ids stay random so that runs never collide.
    rt = bootstrap(Settings(database_url=url), database=connect(url), clock=clock)
    taken = {t.name for t in auth.list_tenants(rt.uow(read_only=True))}
    name = "Lyon Fresh Distribution"
    name = (
        next(f"{name} #{n}" for n in range(2, 10_000) if f"{name} #{n}" not in taken)
        if name in taken
        else name
    )
    tenant = auth.create_tenant(rt.uow(), name)

    def uow() -> UnitOfWork:
        return rt.uow(tenant.id)

    rng = random.Random(seed)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("building the distributor", total=None)
        world = scenario_module.build(uow, DEMO_DAY, orders, rng)
        tasks: dict[str, TaskID] = {}

        def step(what: str, done: int) -> None:
            if what not in tasks:
                progress.update(task, visible=False)
                tasks[what] = progress.add_task(what, total=None)
            progress.update(tasks[what], completed=done, description=f"{what}: {done}")

        result = run_day(uow, clock, world, DEMO_DAY, orders, rng, route_seconds, step)
    summary = summarise(
        uow(),
        rt.uow(tenant.id, read_only=True),
        DEMO_DAY,
        result,
        world.vehicles,
        {
            "tenant": tenant.name,
            "tenant_id": tenant.id,
            "seed": seed,
            "orders": orders,
            "database": normalise_url(url).render_as_string(hide_password=True),
        },
    )
    summary.figures["wall_seconds"] = round(time.perf_counter() - started, 2)
    if as_json:
        sys.stdout.write(json.dumps(summary.figures) + "\n")
        sys.stdout.flush()
    else:
        summary.print(out)
    if serve_after:
        from otwb.server import serve

        key = auth.create_api_key(rt.uow(tenant.id), Role.ADMIN, "demo")
        err.print(f"\nServing the API on http://{host}:{port} (docs at /docs); Ctrl-C stops.")
        err.print(f"Admin key of {tenant.name} (shown once):")
        # Plain writes: Rich would wrap the key, and a wrapped key cannot be copied.
        sys.stderr.write(
            f"  {key.token}\n  curl -H 'Authorization: Bearer {key.token}' "
            f"'http://{host}:{port}/api/v1/orders?limit=5'\n"
        )
        sys.stderr.flush()
        live = bootstrap(Settings(database_url=url), database=rt.db)
        serve(live, host, port)
