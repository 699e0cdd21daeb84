"""``otwb order import`` and ``otwb order postcodes load``: files into O, with progress and a
per-row error report."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from otwb.orders import importer, service
from otwb.platform.errors import InvalidInput
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

SHOWN = 20  # rejections printed in the table (all of them go to --errors)

postcodes_app = typer.Typer(help="The postcode table used to geocode addresses.")


@domain_errors
def import_orders(
    file: Annotated[Path, typer.Argument(help="CSV, JSON array or JSON lines: a row per line")],
    tenant: TenantOption,
    channel: Annotated[str, typer.Option(help="Channel of rows without one")] = "csv",
    batch: Annotated[int, typer.Option(min=1, max=20_000, help="Orders per transaction")] = (
        importer.BATCH
    ),
    errors: Annotated[
        Path | None, typer.Option("--errors", help="Write every rejection to this CSV")
    ] = None,
    defer: Annotated[
        bool,
        typer.Option(
            "--defer",
            help="Store the orders' events for the outbox relay (otwb serve, otwb outbox "
            "dispatch) instead of allocating each batch in-process: a faster bulk load",
        ),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import orders (one row per order line, grouped by channel order reference).

    Good orders are kept; an order with any bad row is rejected whole and reported."""
    if not file.is_file():
        raise InvalidInput(f"no file {file}")
    rt = runtime(db)
    uow = tenant_uow(importer.deferred(rt) if defer else rt, tenant)
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[placed]} placed, {task.fields[rejected]} rejected"),
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
        transient=as_json,
    ) as bar:
        task = bar.add_task("import", total=file.stat().st_size, placed=0, rejected=0)
        rows = importer.read_rows(file, lambda n: bar.advance(task, n))
        try:
            report = importer.import_rows(
                uow,
                rows,
                channel=channel,
                batch=batch,
                on_batch=lambda r: bar.update(task, placed=r.placed, rejected=r.rejected),
            )
        except importer.RowError as exc:
            raise InvalidInput(exc.reason) from None
    seconds = time.perf_counter() - started
    if errors is not None:
        _write_errors(errors, report)
    summary = {
        "file": str(file),
        "rows": report.rows,
        "orders": report.orders,
        "placed": report.placed,
        "on_hold": report.on_hold,
        "rejected": report.rejected,
        "seconds": round(seconds, 3),
        "deferred": defer,
        "orders_per_second": round(report.orders / seconds, 1) if seconds else None,
        "rejections": [vars(r) for r in report.rejections[:1000]],
    }
    if as_json:
        print_json(summary)
        return
    console.print(
        f"{report.rows} row(s), {report.orders} order(s): {report.placed} placed "
        f"({report.on_hold} on hold), {report.rejected} rejected in {seconds:.1f} s"
    )
    if defer:
        console.print("the warehouse allocates them when the outbox relay delivers the events")
    if report.rejections:
        table = Table("row", "reference", "code", "reason", title="rejected orders")
        for r in report.rejections[:SHOWN]:
            table.add_row(str(r.row), escape(r.reference), r.code, escape(r.reason))
        console.print(table)
        if len(report.rejections) > SHOWN:
            more = len(report.rejections) - SHOWN
            console.print(f"... and {more} more" + ("" if errors else " (see --errors FILE)"))


def _write_errors(path: Path, report: importer.ImportReport) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["row", "reference", "code", "reason"])
        for r in report.rejections:
            writer.writerow([r.row, r.reference, r.code, r.reason])


@postcodes_app.command("load")
@domain_errors
def load_postcodes(
    file: Annotated[Path, typer.Argument(help="CSV: country,postcode,city,lat,lon")],
    tenant: TenantOption,
    db: DbOption = None,
) -> None:
    """Load (or replace) postcodes; e.g. src/otwb/orders/data/lyon_postcodes.csv."""
    items = importer.read_postcodes(file)
    total = service.load_postcodes(tenant_uow(runtime(db), tenant), items)
    console.print(f"{len(items)} postcode(s) loaded; the table holds {total}")
