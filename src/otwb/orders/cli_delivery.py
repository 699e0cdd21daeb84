"""``otwb promise slots|pickup|checkout``: delivery options from the command line (same service
functions as the API)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from otwb.orders import checkout, delivery_service, promise_service
from otwb.orders.api_delivery import CheckoutIn, PickupPointIn, SlotOut, place_choice
from otwb.orders.api_promise import clock_time
from otwb.orders.api_schemas import to_command
from otwb.orders.delivery_options import PickupKind
from otwb.platform.errors import InvalidInput
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import WarehouseId
from otwb.platform.terminal import (
    DbOption,
    JsonOption,
    TenantOption,
    console,
    domain_errors,
    iso_day,
    print_json,
    runtime,
    tenant_uow,
)

slots_app = typer.Typer(help="Home-delivery time slots (capacity per slot).", no_args_is_help=True)
pickup_app = typer.Typer(help="Pickup points: stores and front warehouses.", no_args_is_help=True)


@slots_app.command("open")
@domain_errors
def open_slots(
    warehouse: Annotated[str, typer.Argument(help="Warehouse code")],
    first_day: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
    last_day: Annotated[str, typer.Option("--to", help="YYYY-MM-DD")],
    span: Annotated[list[str], typer.Option(help="Local span like 08:00-10:00 (repeat)")],
    capacity: Annotated[int, typer.Option(min=1)],
    tenant: TenantOption,
    db: DbOption = None,
) -> None:
    """Open slots on each working day of the warehouse, in its time zone."""
    try:
        spans = [(clock_time(s.split("-")[0]), clock_time(s.split("-")[1])) for s in span]
    except (ValueError, IndexError):
        raise InvalidInput("slot spans look like 08:00-10:00") from None
    rt = runtime(db)
    site = promise_service.warehouse_by_code(tenant_uow(rt, tenant, read_only=True), warehouse)
    plan = delivery_service.SlotPlan(
        WarehouseId(site.id), iso_day(first_day), iso_day(last_day), spans, capacity
    )
    new = delivery_service.open_slots(tenant_uow(rt, tenant), plan)
    console.print(f"{len(new)} slot(s) opened at {site.code}")


@slots_app.command("list")
@domain_errors
def list_slots(
    tenant: TenantOption,
    since: Annotated[datetime, typer.Option(help="From (ISO, UTC if no offset)")],
    until: Annotated[datetime, typer.Option(help="Until, excluded")],
    free: Annotated[bool, typer.Option(help="Only slots with a free place")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    start = since if since.tzinfo else since.replace(tzinfo=UTC)
    end = until if until.tzinfo else until.replace(tzinfo=UTC)
    slots = delivery_service.list_slots(
        tenant_uow(runtime(db), tenant, read_only=True), start, end, free_only=free
    )
    rows = [SlotOut.of(s) for s in slots]
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table("id", "warehouse", "starts (UTC)", "ends", "booked", "free")
    for r in rows:
        table.add_row(
            r.id, r.warehouse_id, r.starts_at.isoformat(timespec="minutes"),
            r.ends_at.isoformat(timespec="minutes"), f"{r.booked}/{r.capacity}", str(r.free),
        )  # fmt: skip
    console.print(table)


@pickup_app.command("add")
@domain_errors
def add_point(
    code: str,
    name: str,
    tenant: TenantOption,
    street: Annotated[str, typer.Option()],
    city: Annotated[str, typer.Option()],
    postcode: Annotated[str, typer.Option()],
    lat: Annotated[float, typer.Option(min=-90, max=90)],
    lon: Annotated[float, typer.Option(min=-180, max=180)],
    kind: PickupKind = PickupKind.STORE,
    country: str = "FR",
    db: DbOption = None,
) -> None:
    try:
        body = PickupPointIn(
            code=code, name=name, kind=kind, street=street, city=city, postcode=postcode,
            country=country, lat=lat, lon=lon,
        )  # fmt: skip
    except ValidationError as exc:
        raise InvalidInput(str(exc)) from None
    point = delivery_service.add_pickup_point(
        tenant_uow(runtime(db), tenant),
        delivery_service.NewPickupPoint(
            body.code, body.name, body.kind, body.street, body.city, body.postcode,
            body.country, GeoPoint(body.lat, body.lon),
        ),
    )  # fmt: skip
    console.print(f"pickup point {point.code} ({point.kind.value})")


@pickup_app.command("list")
@domain_errors
def list_points(
    tenant: TenantOption, all_: Annotated[bool, typer.Option("--all")] = False, db: DbOption = None
) -> None:
    points = delivery_service.list_pickup_points(
        tenant_uow(runtime(db), tenant, read_only=True), active_only=not all_
    )
    table = Table("code", "kind", "name", "address", "open")
    for p in points:
        address = f"{p.street}, {p.postcode} {p.city}"
        table.add_row(p.code, p.kind.value, p.name, address, "yes" if p.active else "no")
    console.print(table)


@pickup_app.command("close")
@domain_errors
def close_point(code: str, tenant: TenantOption, db: DbOption = None) -> None:
    delivery_service.set_pickup_point_active(tenant_uow(runtime(db), tenant), code, False)
    console.print(f"pickup point {code} closed to new orders")


@pickup_app.command("open")
@domain_errors
def open_point(code: str, tenant: TenantOption, db: DbOption = None) -> None:
    delivery_service.set_pickup_point_active(tenant_uow(runtime(db), tenant), code, True)
    console.print(f"pickup point {code} open")


def register(app: typer.Typer) -> None:
    @app.command("checkout")
    @domain_errors
    def place(
        file: Annotated[Path, typer.Argument(help="JSON body, as POST /api/v1/checkout takes it")],
        tenant: TenantOption,
        db: DbOption = None,
    ) -> None:
        """Place an order with its delivery options and promise."""
        try:
            body = CheckoutIn.model_validate_json(file.read_bytes())
        except ValidationError as exc:
            raise InvalidInput(str(exc)) from None
        placed = checkout.place_with_options(
            tenant_uow(runtime(db), tenant),
            checkout.Checkout(
                to_command(body.order), body.promise_level, place_choice(body),
                WarehouseId(body.warehouse_id) if body.warehouse_id else None,
            ),
        )  # fmt: skip
        o, p = placed.options, placed.promise
        console.print(f"order {placed.order.id}: promised by {p.promised_by.isoformat()}")
        console.print(f"  tracking token {o.tracking_token}")
        if o.pickup_code:
            console.print(f"  pickup code {o.pickup_code}")
