"""``otwb route ...`` commands of the TMS: benchmark files, fleet, carriers and rate shopping,
tracking, re-routing, backhaul, load planning, CO2 (same service functions as the API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CarrierId, ShipmentId, VehicleId, WarehouseId
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
from otwb.transport import (
    backhaul,
    benchfiles,
    carriers,
    emissions_report,
    loadplan,
    rerouting,
    tracking,
)


def register(app: typer.Typer) -> None:
    @app.command("solve-file")
    @domain_errors
    def solve_file(
        path: Path,
        time_limit: Annotated[float, typer.Option(help="Seconds the router may search")] = 10.0,
        seed: int = 0,
        as_json: JsonOption = False,
    ) -> None:
        """Solve a Solomon or VRPLIB (CVRP / VRPTW) file; cost by the BKS's convention."""
        r = benchfiles.solve_file(path, time_limit, seed)
        if as_json:
            print_json(r.as_json())
            return
        gap = f", gap {r.gap_pct:+.2f} % to BKS {r.best_known:g}" if r.gap_pct is not None else ""
        console.print(
            f"{r.instance.name}: cost {r.cost:g}, {r.vehicles} vehicles, "
            f"{'feasible' if r.feasible else 'INFEASIBLE'}{gap} ({r.runtime_s:.1f} s)"
        )

    @app.command("add-carrier")
    @domain_errors
    def add_carrier(
        code: str,
        name: str,
        tenant: TenantOption,
        connector: str = "generic",
        endpoint: str | None = None,
        db: DbOption = None,
    ) -> None:
        """Add an external carrier (its connector and API endpoint, if any)."""
        c = carriers.add_carrier(tenant_uow(runtime(db), tenant), code, name, connector, endpoint)
        console.print(f"carrier {c.id} ({c.code}, {c.name})")

    @app.command("rate-card")
    @domain_errors
    def rate_card(
        carrier_id: str,
        service_level: str,
        card_file: Path,
        tenant: TenantOption,
        valid_from: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
        db: DbOption = None,
    ) -> None:
        """Set a carrier service's rate card from a JSON file (zones, breaks, surcharges ...)."""
        document = json.loads(card_file.read_text())
        carriers.set_rate_card(
            tenant_uow(runtime(db), tenant),
            CarrierId(carrier_id),
            service_level,
            iso_day(valid_from),
            document,
        )
        console.print(f"rate card set: {carrier_id} {service_level} from {valid_from}")

    @app.command("shop")
    @domain_errors
    def shop(
        shipment_id: str, tenant: TenantOption, db: DbOption = None, as_json: JsonOption = False
    ) -> None:
        """Rate-shop a shipment: own fleet or the cheapest carrier meeting the promise."""
        d = carriers.shop(tenant_uow(runtime(db), tenant), ShipmentId(shipment_id))
        if as_json:
            print_json(d)
            return
        table = Table("option", "service", "cost", "delivered by", "meets", "")
        for o in d.options:
            chosen = "chosen" if o == d.chosen else ""
            table.add_row(
                o.name,
                o.service_level,
                str(o.cost or "-"),
                str(o.delivered_by or "-"),
                "yes" if o.meets_deadline else "no",
                chosen,
            )
        console.print(table)

    @app.command("position")
    @domain_errors
    def position(
        vehicle_id: str, lat: float, lon: float, tenant: TenantOption, db: DbOption = None
    ) -> None:
        """Record a vehicle's GPS position; its remaining stops' ETAs follow."""
        etas = tracking.record_position(
            tenant_uow(runtime(db), tenant), VehicleId(vehicle_id), GeoPoint(lat, lon)
        )
        for e in etas:
            console.print(f"{e.seq:>3} {e.shipment_id} eta {e.eta:%H:%M}")

    @app.command("incident")
    @domain_errors
    def incident(
        tenant: TenantOption,
        lat: float,
        lon: float,
        radius_m: float,
        hours: Annotated[float, typer.Option(help="How long it lasts from now")] = 2.0,
        factor: Annotated[float | None, typer.Option(help="Slowdown; omit for a closure")] = None,
        to_lat: float | None = None,
        to_lon: float | None = None,
        note: str = "",
        db: DbOption = None,
    ) -> None:
        """Report congestion or a closure (area, or segment with --to-lat/--to-lon); routes on
        the road that cross it are re-planned."""
        from datetime import timedelta

        from otwb.transport.traffic import Incident

        uow = tenant_uow(runtime(db), tenant)
        now = uow.clock.now()
        to = GeoPoint(to_lat, to_lon) if to_lat is not None and to_lon is not None else None
        found = Incident(
            "",
            "segment" if to else "area",
            GeoPoint(lat, lon),
            to,
            radius_m,
            factor,
            now,
            now + timedelta(hours=hours),
            note,
        )
        for r in rerouting.report_incident(uow, found):
            console.print(
                f"route {r.route_id} re-planned: {len(r.order)} stops, {len(r.late)} late"
            )

    @app.command("breakdown")
    @domain_errors
    def breakdown(vehicle_id: str, tenant: TenantOption, db: DbOption = None) -> None:
        """A vehicle broke down: rescue vehicles take its remaining stops over."""
        b = rerouting.report_breakdown(tenant_uow(runtime(db), tenant), VehicleId(vehicle_id))
        console.print(f"rescue routes: {b.rescues or 'none'}; failed: {len(b.failed)}")

    @app.command("backhaul")
    @domain_errors
    def backhaul_(
        tenant: TenantOption,
        depot: Annotated[str, typer.Option(help="Depot (warehouse) id")],
        service_date: Annotated[str, typer.Option("--date")],
        max_detour_km: float = 10.0,
        db: DbOption = None,
    ) -> None:
        """Put pickups near planned routes' empty way home onto those routes."""
        for m in backhaul.match_backhaul(
            tenant_uow(runtime(db), tenant),
            WarehouseId(depot),
            iso_day(service_date),
            max_detour_km,
        ):
            console.print(
                f"{m.shipment_id} on {m.route_id}: +{m.detour_km:.1f} km, "
                f"saves {m.empty_km_saved:.1f} empty km"
            )

    @app.command("load-plan")
    @domain_errors
    def load_plan(
        tenant: TenantOption,
        depot: Annotated[str, typer.Option(help="Depot (warehouse) id")],
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """How the waiting shipments consolidate onto the depot's vehicles (utilisation)."""
        plan = loadplan.load_plan(
            tenant_uow(runtime(db), tenant, read_only=True), WarehouseId(depot)
        )
        rows = [
            {"vehicle": lo.vehicle.code, "shipments": len(lo.shipments), **lo.utilisation()}
            for lo in plan.loads
        ]
        if as_json:
            print_json({"loads": rows, "left": [s.id for s in plan.left]})
            return
        for row in rows:
            console.print(row)
        console.print(f"left over: {len(plan.left)}")

    @app.command("co2")
    @domain_errors
    def co2(
        tenant: TenantOption,
        start: Annotated[str, typer.Option("--from")],
        end: Annotated[str, typer.Option("--to")],
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """CO2e (kg, well-to-wheel) of delivered shipments per customer, GLEC-style."""
        per = emissions_report.co2_by_customer(
            tenant_uow(runtime(db), tenant, read_only=True),
            iso_day(start),
            iso_day(end),
        )
        if as_json:
            print_json(per)
            return
        for customer, kg in per.items():
            console.print(f"{customer}: {kg} kg CO2e")
