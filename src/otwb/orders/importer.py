"""Bulk import of orders from a CSV or JSON file: one row per order line.

Rows are grouped into orders by (channel, reference) -- the rows of an order come one after
the other. Columns (CSV header, or JSON keys):

``reference`` (required), ``channel`` (default: the import's channel, ``csv``),
``customer`` (customer code, or id ``cus_...``), ``name``, ``street``, ``postcode``, ``city``,
``country`` (ISO alpha-2), ``lat`` and ``lon`` (optional: geocoded from the postcode table when
empty), ``service_level`` (standard, next_day, same_day; default standard), ``window_start`` and
``window_end`` (optional, ISO 8601 with offset), ``sku``, ``quantity``. The order's fields are
taken from its first row.

The file is streamed and imported in batches (one transaction each). A bad row (a missing
field, a quantity that is not a positive whole number) rejects its whole order; an order the
domain refuses (unknown customer or SKU, duplicate reference, address not geocoded) is rejected
whole too; every other order is kept. Each rejection is reported: row number, reference, code,
reason.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from otwb.orders import capture, repo
from otwb.orders.capture_repo import Postcode
from otwb.orders.model import Address, OrderStatus, PostalAddress, ServiceLevel
from otwb.platform.bus import MessageBus
from otwb.platform.errors import DomainError, InvalidInput
from otwb.platform.events import Envelope
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId
from otwb.platform.runtime import Runtime
from otwb.platform.uow import UnitOfWork
from otwb.platform.values import DeliveryWindow

COLUMNS = (
    "reference",
    "channel",
    "customer",
    "name",
    "street",
    "postcode",
    "city",
    "country",
    "lat",
    "lon",
    "service_level",
    "window_start",
    "window_end",
    "sku",
    "quantity",
)
REQUIRED = ("reference", "customer", "name", "street", "postcode", "city", "country", "sku")
BATCH = 2000
LYON_POSTCODES = Path(__file__).resolve().parent / "data" / "lyon_postcodes.csv"
"""A small Lyon-area postcode table (the demo loads it; ``otwb order postcodes load``)."""


class RowError(Exception):
    def __init__(self, code: str, reason: str, row: int | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.row = row


@dataclass(frozen=True)
class Rejection:
    row: int
    reference: str
    code: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    orders: int = 0
    placed: int = 0
    on_hold: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)


@dataclass
class _Pending:
    """The rows of one order being read."""

    first_row: int
    channel: str
    reference: str
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def read_rows(path: Path, on_bytes: Callable[[int], None]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, fields) of a CSV (header: row 1, data from row 2), a JSON array or JSON
    lines (``.jsonl``/``.ndjson``; items numbered from 1); ``on_bytes`` is told the progress."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as text:
            reader = csv.reader(_counted(text, on_bytes))
            header = [h.strip() for h in next(reader, [])]
            for number, values in enumerate(reader, start=2):
                yield number, dict(zip(header, values, strict=False))
    elif suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8-sig") as text:
            for number, line in enumerate(_counted(text, on_bytes), start=1):
                if line.strip():
                    yield number, _json_row(line)
    elif suffix == ".json":
        data = path.read_bytes()
        on_bytes(len(data))
        items = json.loads(data)
        if not isinstance(items, list):
            raise RowError("invalid_file", "a JSON import is an array of row objects")
        for number, item in enumerate(items, start=1):
            yield number, _plain_row(item)
    else:
        raise RowError("invalid_file", f"import .csv, .json or .jsonl files, not {suffix!r}")


def _counted(lines: Iterable[str], on_bytes: Callable[[int], None]) -> Iterator[str]:
    """The lines, telling ``on_bytes`` about every 64 KB read (characters, close enough)."""
    seen = 0
    for line in lines:
        seen += len(line)
        if seen >= 65_536:
            on_bytes(seen)
            seen = 0
        yield line
    on_bytes(seen)


def _json_row(line: str) -> dict[str, str]:
    try:
        return _plain_row(json.loads(line))
    except json.JSONDecodeError:
        return {"__error__": "the line is not valid JSON"}


def _plain_row(item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        return {"__error__": "a row is a JSON object"}
    return {str(k): "" if v is None else str(v) for k, v in item.items()}


class RelayOnlyBus(MessageBus):
    """Every context's subscriptions, but nothing delivered in-process: the events wait in the
    outbox for the relay (``otwb serve``, ``otwb outbox dispatch``)."""

    def after_commit(self, runtime: Runtime, envelopes: Iterable[Envelope]) -> None:
        return None


def deferred(runtime: Runtime) -> Runtime:
    """The runtime for an import that leaves the warehouse's work to the outbox relay."""
    from otwb.bootstrap import build_bus

    return replace(runtime, bus=build_bus(RelayOnlyBus()))


def import_rows(
    uow: UnitOfWork,
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    channel: str = "csv",
    batch: int = BATCH,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import the rows in batches of ``batch`` orders; the report of what was kept and not."""
    report = ImportReport()
    with uow:
        customers = {c.code: c.id for c in repo.list_customers(uow)}
    orders: list[_Pending] = []
    current: _Pending | None = None
    for number, row in rows:
        report.rows += 1
        key = ((row.get("channel") or channel).strip().lower(), row.get("reference", "").strip())
        if current is None or (current.channel, current.reference) != key:
            current = _Pending(number, key[0], key[1])
            orders.append(current)
            if len(orders) > batch:
                _flush(uow, orders[:-1], customers, report)
                del orders[:-1]
                if on_batch:
                    on_batch(report)
        current.rows.append((number, row))
    _flush(uow, orders, customers, report)
    if on_batch:
        on_batch(report)
    return report


def _flush(
    uow: UnitOfWork, pending: list[_Pending], customers: dict[str, CustomerId], report: ImportReport
) -> None:
    """Place one batch; its rejections are reported in row order."""
    commands: list[capture.PlaceOrder] = []
    sources: list[_Pending] = []
    refused: list[Rejection] = []
    for p in pending:
        report.orders += 1
        try:
            commands.append(_command(p, customers))
            sources.append(p)
        except RowError as exc:
            row = p.first_row if exc.row is None else exc.row
            refused.append(Rejection(row, p.reference, exc.code, exc.reason))
    outcomes = capture.place_orders(uow, commands) if commands else []
    for p, outcome in zip(sources, outcomes, strict=True):
        if isinstance(outcome, DomainError):
            refused.append(Rejection(p.first_row, p.reference, outcome.code, outcome.detail))
        else:
            report.placed += 1
            report.on_hold += outcome.status is OrderStatus.ON_HOLD
    report.rejected += len(refused)
    report.rejections.extend(sorted(refused, key=lambda r: r.row))


def _command(p: _Pending, customers: dict[str, CustomerId]) -> capture.PlaceOrder:
    lines: list[capture.NewLine] = []
    for number, row in p.rows:
        try:
            if "__error__" in row:
                raise RowError("invalid_row", row["__error__"])
            missing = [c for c in REQUIRED if not row.get(c, "").strip()]
            if missing:
                raise RowError("missing_field", f"missing {', '.join(missing)}")
            lines.append(capture.NewLine(row["sku"].strip(), _quantity(row.get("quantity", ""))))
        except RowError as exc:
            raise RowError(exc.code, exc.reason, number) from None
    number, first = p.rows[0]
    try:
        return capture.PlaceOrder(
            customer_id=_customer(first["customer"].strip(), customers),
            ship_to=_ship_to(first),
            lines=lines,
            service_level=_service_level(first.get("service_level", "")),
            window=_window(first.get("window_start", ""), first.get("window_end", "")),
            reference=p.reference,
            channel=p.channel,
        )
    except RowError as exc:
        raise RowError(exc.code, exc.reason, number) from None
    except DomainError as exc:
        raise RowError(exc.code, exc.detail, number) from None


def _quantity(text: str) -> int:
    try:
        quantity = int(text.strip())
    except ValueError:
        raise RowError("invalid_quantity", f"quantity {text!r} is not a whole number") from None
    if quantity <= 0:
        raise RowError("invalid_quantity", f"quantity must be positive, not {quantity}")
    return quantity


def _customer(value: str, customers: dict[str, CustomerId]) -> CustomerId:
    if value.startswith("cus_"):
        return CustomerId(value)  # checked by capture
    found = customers.get(value)
    if found is None:
        raise RowError("unknown_customer", f"no customer with code {value!r}")
    return found


def _ship_to(row: dict[str, str]) -> PostalAddress | Address:
    postal = PostalAddress(
        row["name"].strip(),
        row["street"].strip(),
        row["city"].strip(),
        row["postcode"].strip(),
        row["country"].strip().upper(),
    )
    lat, lon = row.get("lat", "").strip(), row.get("lon", "").strip()
    if not lat and not lon:
        return postal
    try:
        point = GeoPoint(float(lat), float(lon))
    except ValueError:
        raise RowError("invalid_coordinates", f"coordinates {lat!r}, {lon!r}") from None
    if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
        raise RowError("invalid_coordinates", f"coordinates {lat}, {lon} are out of range")
    return postal.at(point)


def _service_level(text: str) -> ServiceLevel:
    try:
        return ServiceLevel(text.strip() or ServiceLevel.STANDARD.value)
    except ValueError:
        choices = ", ".join(s.value for s in ServiceLevel)
        raise RowError("invalid_service_level", f"{text!r} is not one of {choices}") from None


def _window(start: str, end: str) -> DeliveryWindow | None:
    if not start.strip() and not end.strip():
        return None
    try:
        begins, ends = datetime.fromisoformat(start.strip()), datetime.fromisoformat(end.strip())
    except ValueError:
        raise RowError("invalid_window", f"window {start!r} to {end!r} is not ISO 8601") from None
    if begins.tzinfo is None or ends.tzinfo is None:
        raise RowError("invalid_window", "window times need a UTC offset (2026-11-26T08:00+01:00)")
    if ends <= begins:
        raise RowError("invalid_window", "the delivery window must end after it starts")
    return DeliveryWindow(begins, ends)


def read_postcodes(file: Path) -> list[Postcode]:
    items: list[Postcode] = []
    with file.open(newline="", encoding="utf-8-sig") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            try:
                point = GeoPoint(float(row["lat"]), float(row["lon"]))
                items.append(Postcode(row["country"], row["postcode"], row["city"], point))
            except (KeyError, TypeError, ValueError):
                raise InvalidInput(
                    f"{file}, row {number}: needs country, postcode, city, lat, lon"
                ) from None
    return items
