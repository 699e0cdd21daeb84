"""``otwb promise ...``: delivery promises from the command line -- warehouse promise profiles,
holiday calendars, quotes, each order's promise, the on-time report and the customer's tracking
page (same service functions as the API). Slots, pickup points and checkout: ``cli_delivery``."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from otwb.orders import promise_service
from otwb.orders.api_promise import OnTimeOut, ProfileIn, ProfileOut, QuoteOut
from otwb.orders.calendar import Holiday, HolidayScope
from otwb.orders.cli_delivery import pickup_app, slots_app
from otwb.orders.cli_delivery import register as register_checkout
from otwb.orders.promise import PromiseLevel
from otwb.orders.tracking_page import tracking_page
from otwb.platform.errors import InvalidInput
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import OrderId
from otwb.platform.terminal import (
    DbOption,
    JsonOption,
    TenantOption,
    console,
    domain_errors,
    print_json,
    runtime,
    tenant_uow,
)

app = typer.Typer(
    help="O: delivery promises, holidays, slots, pickup points, checkout, tracking page.",
    no_args_is_help=True,
)
holidays_app = typer.Typer(help="Holiday calendars (a country's, a warehouse's).")
app.add_typer(holidays_app, name="holidays")
app.add_typer(slots_app, name="slots")
app.add_typer(pickup_app, name="pickup")
register_checkout(app)

Since = Annotated[datetime | None, typer.Option(help="From (ISO, UTC if no offset)")]
Until = Annotated[datetime | None, typer.Option(help="Until, excluded")]


def aware(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


@app.command("profile")
@domain_errors
def profile(
    warehouse: Annotated[str, typer.Argument(help="Warehouse code")],
    tenant: TenantOption,
    time_zone: Annotated[str, typer.Option("--tz", help="IANA time zone")] = "Europe/Paris",
    country: str = "FR",
    working_days: str = "12345",
    same_day_cutoff: str = "11:00",
    late_cutoff: str = "23:00",
    cutoff: str = "15:00",
    processing_days: int = 0,
    transit_days: int = 2,
    morning_end: str = "12:00",
    delivery_end: str = "20:00",
    local_km: float = 50.0,
    regional_km: float = 250.0,
    db: DbOption = None,
) -> None:
    """Set how a warehouse promises deliveries (cut-offs, processing, transit, zones)."""
    try:
        body = ProfileIn(
            time_zone=time_zone, country=country, working_days=working_days,
            same_day_cutoff=same_day_cutoff, late_cutoff=late_cutoff, cutoff=cutoff,
            processing_days=processing_days, standard_transit_days=transit_days,
            morning_end=morning_end, delivery_end=delivery_end, local_km=local_km,
            regional_km=regional_km,
        )  # fmt: skip
    except ValidationError as exc:
        raise InvalidInput(str(exc)) from None
    rt = runtime(db)
    site = promise_service.warehouse_by_code(tenant_uow(rt, tenant, read_only=True), warehouse)
    promise_service.set_profile(tenant_uow(rt, tenant), site.id, body.profile())
    console.print(f"{site.code}: promises from {body.time_zone}, cut-off {body.cutoff}")


@app.command("profiles")
@domain_errors
def profiles(tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False) -> None:
    items = promise_service.list_profiles(tenant_uow(runtime(db), tenant, read_only=True))
    rows = [ProfileOut.of(w.id, w.code, p) for w, p in items]
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("warehouse", "tz", "days", "same-day/211", "cut-off", "proc.", "transit", "zones")
    for r in rows:
        table.add_row(
            r.warehouse_code, r.time_zone, r.working_days, f"{r.same_day_cutoff}/{r.late_cutoff}",
            r.cutoff, str(r.processing_days), str(r.standard_transit_days),
            f"{r.local_km:g}/{r.regional_km:g} km",
        )  # fmt: skip
    console.print(table)


@holidays_app.command("load")
@domain_errors
def load_holidays(
    file: Annotated[Path, typer.Argument(help="CSV with columns scope,code,day,name")],
    tenant: TenantOption,
    db: DbOption = None,
) -> None:
    """Load holidays: scope 'country' (code FR) or 'warehouse' (its code); day YYYY-MM-DD."""
    days: list[Holiday] = []
    with file.open(newline="", encoding="utf-8") as handle:
        for n, row in enumerate(csv.DictReader(handle), start=2):
            try:
                scope = HolidayScope(row["scope"].strip())
                code = row["code"].strip()
                days.append(
                    Holiday(
                        scope,
                        code.upper() if scope is HolidayScope.COUNTRY else code,
                        date.fromisoformat(row["day"].strip()),
                        row["name"].strip(),
                    )
                )
            except (KeyError, ValueError, AttributeError) as exc:
                raise InvalidInput(f"{file.name} row {n}: {exc}") from None
            except InvalidInput as exc:
                raise InvalidInput(f"{file.name} row {n}: {exc.detail}") from None
    added, renamed = promise_service.load_holidays(tenant_uow(runtime(db), tenant), days)
    console.print(f"{added} holiday(s) added, {renamed} renamed, {len(days)} read")


@holidays_app.command("list")
@domain_errors
def list_holidays(
    tenant: TenantOption,
    since: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="YYYY-MM-DD, excluded")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    try:
        start = date.fromisoformat(since) if since else None
        end = date.fromisoformat(until) if until else None
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    items = promise_service.list_holidays(
        tenant_uow(runtime(db), tenant, read_only=True), start, end
    )
    if as_json:
        print_json(items)
        return
    table = Table("day", "scope", "code", "name")
    for h in items:
        table.add_row(h.day.isoformat(), h.scope.value, h.code, h.name)
    console.print(table)


@app.command("quote")
@domain_errors
def quote(
    lat: Annotated[float, typer.Option(min=-90, max=90)],
    lon: Annotated[float, typer.Option(min=-180, max=180)],
    tenant: TenantOption,
    level: Annotated[PromiseLevel | None, typer.Option(help="All offered if absent")] = None,
    warehouse: Annotated[str | None, typer.Option(help="Warehouse code")] = None,
    at: Annotated[datetime | None, typer.Option(help="Order time (default: now)")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The delivery promised to a ship-to if ordered now (or at --at)."""
    rt = runtime(db)
    site = (
        promise_service.warehouse_by_code(tenant_uow(rt, tenant, read_only=True), warehouse)
        if warehouse
        else None
    )
    quotes = promise_service.quote(
        tenant_uow(rt, tenant, read_only=True), GeoPoint(lat, lon), level,
        site.id if site else None, aware(at),
    )  # fmt: skip
    rows = [QuoteOut.of(q) for q in quotes]
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("level", "warehouse", "km", "zone", "ships", "delivered", "promised by (UTC)")
    for r in rows:
        table.add_row(
            r.service_level.value, r.warehouse_code, f"{r.distance_km:.1f}", r.zone,
            r.ship_day.isoformat(), r.delivery_day.isoformat(),
            r.promised_by.isoformat(timespec="minutes"),
        )  # fmt: skip
    console.print(table)


@app.command("show")
@domain_errors
def show(order_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """An order's promise and, once delivered, whether it was kept."""
    p = promise_service.get_promise(
        tenant_uow(runtime(db), tenant, read_only=True), OrderId(order_id)
    )
    outcome = "pending" if p.on_time is None else ("on time" if p.on_time else "late")
    console.print(
        f"{p.order_id}: {p.level.value} ({p.zone.value}) by {p.promised_by.isoformat()}"
        f" -- {outcome}" + (f" at {p.delivered_at.isoformat()}" if p.delivered_at else "")
    )


@app.command("on-time")
@domain_errors
def on_time(
    tenant: TenantOption,
    since: Since = None,
    until: Until = None,
    warehouse: Annotated[str | None, typer.Option(help="Warehouse code")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """On-time delivery rate per service level over a period."""
    rt = runtime(db)
    site = (
        promise_service.warehouse_by_code(tenant_uow(rt, tenant, read_only=True), warehouse)
        if warehouse
        else None
    )
    rates = promise_service.on_time_report(
        tenant_uow(rt, tenant, read_only=True),
        aware(since),
        aware(until),
        site.id if site else None,
    )
    if as_json:
        print_json([OnTimeOut.of(r).model_dump(mode="json") for r in rates])
        return
    table = Table("level", "delivered", "on time", "late", "rate", "mean lateness (h)")
    for r in rates:
        table.add_row(
            r.level.value, str(r.delivered), str(r.on_time), str(r.late), f"{r.rate:.1%}",
            f"{r.mean_late_hours:.1f}",
        )  # fmt: skip
    console.print(table)


@app.command("track")
@domain_errors
def track(
    number: Annotated[str, typer.Argument(help="Order or tracking number")],
    verifier: Annotated[str, typer.Argument(help="Ship-to postcode or confirmation token")],
    tenant: TenantOption,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What the customer sees on the tracking page."""
    page = tracking_page(tenant_uow(runtime(db), tenant, read_only=True), number, verifier)
    if as_json:
        print_json(page)
        return
    console.print(f"[bold]{page.order_number}[/bold] {page.status}")
    if page.promised_by:
        console.print(f"  promised by {page.promised_by.isoformat()} ({page.service_level})")
    if page.eta:
        console.print(f"  expected at {page.eta.isoformat()}")
    if page.delivered_at:
        console.print(f"  delivered {page.delivered_at.isoformat()} to {page.received_by}")
    for step in page.steps:
        console.print(f"  {step.at.isoformat(timespec='minutes')}  {step.label}")
