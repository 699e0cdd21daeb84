"""What every context's CLI shares: the runtime from ``--db``, the tenant, output, errors."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import wraps
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from otwb.platform.errors import DomainError, InvalidInput, NotFound
from otwb.platform.ids import TenantId
from otwb.platform.runtime import Runtime
from otwb.platform.settings import Settings
from otwb.platform.uow import UnitOfWork

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $OTWB_DATABASE_URL or otwb.db)")
]
TenantOption = Annotated[
    str, typer.Option("--tenant", "-t", envvar="OTWB_TENANT", help="Tenant id or name")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]

P = ParamSpec("P")
R = TypeVar("R")


def runtime(db: str | None) -> Runtime:
    from otwb.bootstrap import bootstrap

    settings = Settings() if db is None else Settings(database_url=db)
    return bootstrap(settings)


def tenant_uow(rt: Runtime, tenant: str, *, read_only: bool = False) -> UnitOfWork:
    """A unit of work for the tenant named by id (``ten_...``) or by name."""
    from otwb.platform import auth

    if tenant.startswith("ten_"):
        tenant_id = TenantId(tenant)
        auth.get_tenant(rt.uow(read_only=True), tenant_id)
    else:
        match = [t for t in auth.list_tenants(rt.uow(read_only=True)) if t.name == tenant]
        if not match:
            raise NotFound(f"no tenant named {tenant!r} (see 'otwb tenant list')")
        tenant_id = match[0].id
    return rt.uow(tenant_id, read_only=read_only)


def iso_day(value: str, label: str = "day") -> date:
    """A day given on the command line (YYYY-MM-DD), or a clear error."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{label}: {value!r} is not a day like 2026-11-25") from None


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(_plain(value), indent=2, sort_keys=True) + "\n")


def domain_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a domain error into one clear line on stderr and exit status 2."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            err_console.print(f"[red]error[/red] {escape(f'[{exc.code}] {exc.detail}')}")
            raise typer.Exit(2) from None

    return wrapper
