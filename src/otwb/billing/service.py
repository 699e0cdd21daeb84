"""B's use cases for charge lines. Tariffs are in ``tariffs.py`` (importable from here too),
re-rating in ``rerating.py``, the bulk rating path in ``bulk.py``, invoicing in ``invoicing.py``.

Charges accrue as the work happens (see ``handlers.py``): W's ``OrderPicked`` is handling per
line picked, ``OrderPacked`` per parcel, ``GoodsReceived`` / ``StockReceived`` per inbound line;
T's ``ShipmentDelivered`` is transport (with its surcharges); ``accrue_storage`` prices W's
daily stock snapshot; ``charge_services`` value-added services. Each is idempotent: the same
activity line is charged once however often it is reported (``UNIQUE`` on the charge's source).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from otwb.billing import charge_repo, tariff_repo
from otwb.billing.charges import (
    KIND_OF,
    TRANSPORT_BASES,
    Charge,
    ChargeStatus,
    Rating,
    SourceType,
)
from otwb.billing.numbers import parse_decimal, start_of
from otwb.billing.rating import (
    SURCHARGES,
    Activity,
    CompiledTariff,
    Line,
    delivered,
    fuel_percent_on,
    packed,
    picked,
    received,
    service_used,
    stored,
    unrated_lines,
)
from otwb.billing.tariff import Tariff, applicable_tariff
from otwb.billing.tariffs import (
    FlatTariff,
    NewRule,
    NewTariff,
    Number,
    fuel_index,
    get_tariff,
    list_tariffs,
    set_fuel_index,
    set_tariff,
)
from otwb.platform.clock import as_utc
from otwb.platform.errors import InvalidInput
from otwb.platform.ids import ChargeId, CustomerId, OrderId, ShipmentId
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import service as warehouse

log = logging.getLogger("otwb.billing")

__all__ = [
    "FlatTariff",
    "NewRule",
    "NewTariff",
    "fuel_index",
    "get_tariff",
    "list_tariffs",
    "set_fuel_index",
    "set_tariff",
]


# -- charges -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Accrual:
    """The charges of one activity (or of one storage day) and how many of them are new."""

    charges: list[Charge]
    created: int


def charge_lines(
    uow: UnitOfWork, a: Activity, tariff: CompiledTariff | None, lines: Sequence[Line]
) -> list[Charge]:
    """The charge lines of activity ``a`` as ``Charge`` records (new ids)."""
    out = []
    for line in lines:
        rating = None
        if tariff is not None and line.unit_price is not None and line.amount is not None:
            rating = Rating(tariff.id, line.unit_price, line.amount, tariff.currency, line.rule_id)
        transport = line.basis in TRANSPORT_BASES or line.basis in SURCHARGES
        out.append(
            Charge(
                id=ChargeId(uow.ids.new("chg")),
                customer_id=a.customer_id,
                kind=KIND_OF[line.basis],
                basis=line.basis,
                source_type=a.source_type,
                source_id=a.source_id,
                quantity=line.quantity,
                status=ChargeStatus.RATED if rating else ChargeStatus.UNRATED,
                occurred_at=a.occurred_at,
                rating=rating,
                service=line.service,
                temperature_class=a.temperature_class,
                weight_kg=a.weight_kg if transport else None,
                distance_km=a.distance_km if transport else None,
            )
        )
    return out


def price(
    tariffs: Sequence[Tariff], fuel: Sequence[tuple[date, Decimal]], a: Activity
) -> tuple[CompiledTariff | None, list[Line]]:
    """The tariff that applies to ``a`` and the lines it gives (unrated without one)."""
    day = a.occurred_at.date()
    tariff = applicable_tariff(tariffs, a.customer_id, day)
    if tariff is None:
        return None, unrated_lines(a)
    compiled = CompiledTariff(tariff)
    return compiled, compiled.rate(a, fuel_percent_on(fuel, day))


def charge_activities(uow: UnitOfWork, activities: Sequence[Activity]) -> Accrual:
    """Price and record the charge lines of a few activities, in one transaction."""
    with uow:
        customers = sorted({a.customer_id for a in activities})
        tariffs = tariff_repo.list_tariffs(uow, customers)
        fuel = tariff_repo.fuel_entries(uow)
        items: list[Charge] = []
        for a in activities:
            compiled, lines = price(tariffs, fuel, a)
            items.extend(charge_lines(uow, a, compiled, lines))
        created = charge_repo.insert_charges(uow, items)
        charges = [
            c
            for a in activities
            for c in charge_repo.list_charges(
                uow, customer_id=a.customer_id, source=(a.source_type, a.source_id)
            )
        ]
        uow.commit()
    unrated = [c for c in items if c.status is ChargeStatus.UNRATED]
    if unrated and created:
        log.warning("%d charge line(s) kept unrated: no tariff or rule applies", len(unrated))
    return Accrual(list({c.id: c for c in charges}.values()), created)


def charge_handling(
    uow: UnitOfWork, order_id: OrderId, customer_id: CustomerId, lines: int, at: datetime
) -> Accrual:
    """Handling of a picked order: per order line picked."""
    return charge_activities(uow, [picked(customer_id, order_id, lines, as_utc(at))])


def charge_parcels(
    uow: UnitOfWork, order_id: OrderId, customer_id: CustomerId, parcels: int, at: datetime
) -> Accrual:
    """Handling of a packed order: per parcel."""
    return charge_activities(uow, [packed(customer_id, order_id, parcels, as_utc(at))])


def charge_receipt(
    uow: UnitOfWork, customer_id: CustomerId, receipt_id: str, lines: int, at: datetime
) -> Accrual:
    """Handling of goods received for a consignment owner: per inbound line."""
    return charge_activities(uow, [received(customer_id, receipt_id, lines, as_utc(at))])


def charge_transport(
    uow: UnitOfWork,
    shipment_id: ShipmentId,
    customer_id: CustomerId,
    weight_kg: Decimal,
    distance_km: Decimal,
    at: datetime,
    pallets: int = 0,
    temperature_class: str | None = None,
) -> Accrual:
    """A delivery: per kg, kg·km, drop, pallet or zone x weight, then fuel and cold chain."""
    activity = delivered(
        customer_id, shipment_id, weight_kg, distance_km, as_utc(at), pallets, temperature_class
    )
    return charge_activities(uow, [activity])


def charge_services(
    uow: UnitOfWork,
    customer_id: CustomerId,
    source_type: SourceType,
    source_id: str,
    services: Sequence[tuple[str, Number, Number | None]],
    at: datetime | None = None,
) -> Accrual:
    """Value-added services of one source (an order, a shipment): ``(service, quantity,
    amount_basis)`` each -- ``("installation", 1, None)``, ``("cod", 1, "249.90")``."""
    when = as_utc(at) if at is not None else uow.clock.now()
    activities = [
        service_used(
            customer_id,
            source_type,
            source_id,
            name,
            parse_decimal(quantity, "quantity"),
            None if basis is None else parse_decimal(basis, "amount_basis"),
            when,
        )
        for name, quantity, basis in services
    ]
    return charge_activities(uow, activities)


def accrue_storage(uow: UnitOfWork, day: date) -> Accrual:
    """Price W's stock snapshot for ``day``: each owner's goods per warehouse and temperature
    class (units, m³, pallets). Run it at the end of the day; again, it charges nothing more."""
    if day > uow.clock.now().date():
        raise InvalidInput(
            f"storage for {day.isoformat()} cannot be accrued yet: the day has not begun",
            field="day",
        )
    at = start_of(day)
    with uow:
        snapshot = warehouse.storage_snapshot(uow)
        activities = [
            stored(
                s.owner_id,
                day,
                at,
                s.warehouse_id,
                s.temperature_class.value,
                s.units,
                Decimal(repr(s.volume_m3)).quantize(Decimal("0.001")),
            )
            for s in snapshot
            if s.owner_id is not None and s.units > 0
        ]
    return charge_activities(uow, activities)


def rate_unrated_charges(uow: UnitOfWork) -> int:
    """Price the unrated charges that a tariff now covers (after finance added one)."""
    with uow:
        pending = charge_repo.list_charges(uow, status=ChargeStatus.UNRATED)
        if not pending:
            return 0
        tariffs = tariff_repo.list_tariffs(uow)
        fuel = tariff_repo.fuel_entries(uow)
        rated = 0
        for c in pending:
            rating = rerated(tariffs, fuel, c, [])
            if rating is not None:
                rated += int(charge_repo.rate_charge(uow, c.id, rating))
        uow.commit()
    return rated


def rerated(
    tariffs: Sequence[Tariff],
    fuel: Sequence[tuple[date, Decimal]],
    c: Charge,
    transport: Sequence[Charge],
) -> Rating | None:
    """The price today's tariffs give charge line ``c`` (``transport``: the re-rated
    transport lines of its shipment, which a surcharge is a percentage of)."""
    day = c.occurred_at.date()
    tariff = applicable_tariff(tariffs, c.customer_id, day)
    if tariff is None:
        return None
    compiled = CompiledTariff(tariff)
    if c.basis in SURCHARGES:
        base = sum((t.amount or Decimal(0) for t in transport), Decimal(0)) if transport else None
        base = c.quantity if base is None else base
        a = Activity(
            c.customer_id, c.source_type, c.source_id, c.occurred_at, (), (), c.temperature_class
        )
        lines = compiled.surcharges(a, base, fuel_percent_on(fuel, day)) if base > 0 else []
    else:
        a = Activity(
            c.customer_id,
            c.source_type,
            c.source_id,
            c.occurred_at,
            ((c.basis, c.quantity),),
            (),
            c.temperature_class,
            c.service,
            c.weight_kg,
            c.distance_km,
        )
        lines = compiled.rate(a, None)
    for line in lines:
        if line.basis is c.basis and line.unit_price is not None and line.amount is not None:
            return Rating(tariff.id, line.unit_price, line.amount, tariff.currency, line.rule_id)
    return None


def list_charges(
    uow: UnitOfWork,
    customer_id: CustomerId | None = None,
    status: ChargeStatus | None = None,
    invoiced: bool | None = None,
    limit: int | None = None,
    offset: int = 0,
    where: charge_repo.ChargeFilter | None = None,
) -> list[Charge]:
    """Charge lines by when they occurred; ``where`` for more filters (kind, source, period)."""
    with uow:
        return charge_repo.list_charges(
            uow,
            customer_id=customer_id,
            status=status,
            invoiced=invoiced,
            limit=limit,
            offset=offset,
            where=where,
        )
