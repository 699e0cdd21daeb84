"""``otwb route ...``: vehicles, shipments, route planning, dispatch and delivery (same service
functions as the API)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from otwb.platform.errors import InvalidInput
from otwb.platform.ids import RouteId, ShipmentId, WarehouseId
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
from otwb.transport import cli_tms, dispatch, service, shipments
from otwb.transport.api import VehicleOut
from otwb.transport.api_schemas import RouteOut, ShipmentOut
from otwb.transport.model import Route, ShipmentStatus

app = typer.Typer(
    help="T: vehicles, shipments, route planning, dispatch, delivery.", no_args_is_help=True
)


def _amount(value: str, what: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise InvalidInput(f"{what}: {value!r} is not an amount") from None


def _time(value: str, what: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what}: {value!r} is not a time of day (HH:MM)") from None


@app.command("add-vehicle")
@domain_errors
def add_vehicle(
    code: str,
    tenant: TenantOption,
    depot: Annotated[str, typer.Option(help="Depot (warehouse) id")],
    capacity_kg: Annotated[float, typer.Option("--kg")],
    capacity_m3: Annotated[float, typer.Option("--m3")],
    cost_per_km: Annotated[str, typer.Option("--per-km", help="Cost per km")],
    cost_per_hour: Annotated[str, typer.Option("--per-hour", help="Cost per hour")],
    fixed_cost: Annotated[str, typer.Option("--fixed", help="Fixed cost per route")] = "0",
    speed_kmh: Annotated[float, typer.Option("--speed", help="Average speed, km/h")] = 50.0,
    shift_start: Annotated[str, typer.Option(help="UTC, HH:MM")] = "07:00",
    shift_end: Annotated[str, typer.Option(help="UTC, HH:MM")] = "17:00",
    refrigerated: Annotated[bool, typer.Option("--refrigerated/--ambient")] = False,
    label: str = "van",
    db: DbOption = None,
) -> None:
    """Add a vehicle to a depot's fleet (costs in the tenant's currency)."""
    new = service.NewVehicle(
        code=code,
        depot_id=WarehouseId(depot),
        capacity_kg=capacity_kg,
        capacity_m3=capacity_m3,
        cost_per_km=_amount(cost_per_km, "--per-km"),
        cost_per_hour=_amount(cost_per_hour, "--per-hour"),
        fixed_cost=_amount(fixed_cost, "--fixed"),
        speed_kmh=speed_kmh,
        shift_start=_time(shift_start, "--shift-start"),
        shift_end=_time(shift_end, "--shift-end"),
        refrigerated=refrigerated,
        label=label,
    )
    v = service.add_vehicle(tenant_uow(runtime(db), tenant), new)
    console.print(f"vehicle {v.id} ({v.code}, {v.capacity_kg:g} kg, {v.capacity_m3:g} m³)")


@app.command("vehicles")
@domain_errors
def vehicles(
    tenant: TenantOption,
    depot: str | None = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    items = service.list_vehicles(
        tenant_uow(runtime(db), tenant, read_only=True), WarehouseId(depot) if depot else None
    )
    if as_json:
        print_json([VehicleOut.of(v).model_dump(mode="json") for v in items])
        return
    table = Table("id", "code", "depot", "kg", "m³", "cold", "per km", "per h", "shift")
    for v in items:
        table.add_row(
            v.id,
            v.code,
            v.depot_id,
            f"{v.capacity_kg:g}",
            f"{v.capacity_m3:g}",
            "yes" if v.refrigerated else "",
            str(v.cost_per_km),
            str(v.cost_per_hour),
            f"{v.shift_start:%H:%M}-{v.shift_end:%H:%M}",
        )
    console.print(table)


@app.command("shipments")
@domain_errors
def list_shipments(
    tenant: TenantOption,
    status: Annotated[ShipmentStatus | None, typer.Option()] = None,
    depot: str | None = None,
    limit: int = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    items = shipments.list_shipments(
        tenant_uow(runtime(db), tenant, read_only=True),
        status,
        WarehouseId(depot) if depot else None,
        limit,
    )
    if as_json:
        print_json([ShipmentOut.of(s).model_dump(mode="json") for s in items])
        return
    table = Table("id", "tracking", "status", "order", "kg", "m³", "temp", "ship to")
    for s in items:
        table.add_row(
            s.id,
            s.tracking_number,
            s.status.value,
            s.order_id,
            f"{s.weight_kg:.1f}",
            f"{s.volume_m3:.3f}",
            s.temperature_class.value,
            s.ship_to_name,
        )
    console.print(table)


@app.command("plan")
@domain_errors
def plan(
    tenant: TenantOption,
    depot: Annotated[str, typer.Option(help="Depot (warehouse) id")],
    service_date: Annotated[str, typer.Option("--date", help="Service date, YYYY-MM-DD")],
    time_limit: Annotated[float, typer.Option(help="Seconds the router may search")] = 5.0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan routes for the shipments waiting at a depot, with its free vehicles."""
    result = service.plan_routes(
        tenant_uow(runtime(db), tenant), WarehouseId(depot), iso_day(service_date), time_limit
    )
    if as_json:
        print_json(
            {
                "routes": [RouteOut.of(r).model_dump(mode="json") for r in result.routes],
                "unplanned": result.unplanned,
            }
        )
        return
    _routes_table(result.routes)
    for u in result.unplanned:
        console.print(f"[yellow]unplanned[/yellow] {u.shipment_id}: {u.reason}")


def _routes_table(routes: list[Route]) -> None:
    table = Table("id", "date", "vehicle", "status", "stops", "km", "start", "end", "cost")
    for r in routes:
        table.add_row(
            r.id,
            r.service_date.isoformat(),
            r.vehicle_id,
            r.status.value,
            str(len(r.stops)),
            f"{r.distance_km:.1f}",
            f"{r.planned_start:%H:%M}",
            f"{r.planned_end:%H:%M}",
            str(r.actual_cost or r.planned_cost),
        )
    console.print(table)


@app.command("list")
@domain_errors
def list_(
    tenant: TenantOption,
    service_date: Annotated[str | None, typer.Option("--date")] = None,
    depot: str | None = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    items = service.list_routes(
        tenant_uow(runtime(db), tenant, read_only=True),
        iso_day(service_date) if service_date else None,
        WarehouseId(depot) if depot else None,
    )
    if as_json:
        print_json([RouteOut.of(r).model_dump(mode="json") for r in items])
        return
    _routes_table(items)


@app.command("show")
@domain_errors
def show(
    route_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """A route with its stops."""
    r = service.get_route(tenant_uow(runtime(db), tenant, read_only=True), RouteId(route_id))
    if as_json:
        print_json(RouteOut.of(r).model_dump(mode="json"))
        return
    console.print(
        f"[bold]{r.id}[/bold] {r.status.value} {r.service_date} vehicle {r.vehicle_id}: "
        f"{r.distance_km:.1f} km, {r.duration_s // 60} min, {r.actual_cost or r.planned_cost}"
    )
    table = Table("seq", "shipment", "status", "planned", "eta", "done")
    for s in r.stops:
        table.add_row(
            str(s.seq),
            s.shipment_id,
            s.status.value,
            f"{s.planned_arrival:%H:%M}",
            f"{s.eta:%H:%M}",
            f"{s.resolved_at:%H:%M}" if s.resolved_at else "",
        )
    console.print(table)


@app.command("dispatch")
@domain_errors
def dispatch_(route_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """The vehicle leaves: its shipments are in transit."""
    r = dispatch.dispatch_route(tenant_uow(runtime(db), tenant), RouteId(route_id))
    console.print(f"route {r.id}: {r.status.value}")


@app.command("cancel")
@domain_errors
def cancel(route_id: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Call off a planned route; its shipments wait for the next plan."""
    r = service.cancel_route(tenant_uow(runtime(db), tenant), RouteId(route_id))
    console.print(f"route {r.id}: {r.status.value}")


@app.command("deliver")
@domain_errors
def deliver(
    shipment_id: str,
    recipient: str,
    tenant: TenantOption,
    at: Annotated[str | None, typer.Option(help="When, ISO 8601 with offset")] = None,
    db: DbOption = None,
) -> None:
    """Record a delivery with its proof: who received it, and when (default now)."""
    when = None
    if at is not None:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            raise InvalidInput(f"{at!r} is not an ISO 8601 date and time") from None
    s = dispatch.record_delivery(
        tenant_uow(runtime(db), tenant), ShipmentId(shipment_id), recipient, when
    )
    console.print(f"shipment {s.id}: {s.status.value} to {s.recipient}")


@app.command("fail")
@domain_errors
def fail(shipment_id: str, reason: str, tenant: TenantOption, db: DbOption = None) -> None:
    """Record a failed delivery, with the reason; the shipment waits for a later route."""
    s = dispatch.record_delivery_failure(
        tenant_uow(runtime(db), tenant), ShipmentId(shipment_id), reason
    )
    console.print(f"shipment {s.id}: {s.status.value} ({s.failure_reason})")


@app.command("summary")
@domain_errors
def summary(
    tenant: TenantOption,
    service_date: Annotated[str, typer.Option("--date")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Vehicles used, kilometres and cost of a day's routes."""
    f = service.fleet_summary(
        tenant_uow(runtime(db), tenant, read_only=True), iso_day(service_date)
    )
    if as_json:
        print_json(f)
        return
    console.print(
        f"{f.service_date}: {f.routes} route(s), {f.vehicles_used} vehicle(s), {f.stops} stop(s) "
        f"({f.delivered} delivered, {f.failed} failed), {f.distance_km:.1f} km, {f.cost}"
    )


cli_tms.register(app)
