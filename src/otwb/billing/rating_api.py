"""B's HTTP routes for tariffs, the fuel index, charge lines, value-added services, storage
accrual, rating, re-rating (with its audit) and period adjustments.

Rates come in as decimal strings or JSON numbers; the domain refuses what it could not keep
exactly (more than 6 decimal places, negative, a currency other than the tenant's, a rule
missing what its basis needs) with 422 problem+json.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from otwb.billing import rerating, service
from otwb.billing.charge_repo import ChargeFilter
from otwb.billing.charges import ChargeKind, ChargeStatus, SourceType
from otwb.billing.rating_schemas import (
    AccrualOut,
    ChargeOut,
    FuelIn,
    FuelOut,
    RerateIn,
    RerateRunOut,
    ServicesIn,
    TariffIn,
    TariffOut,
)
from otwb.platform.clock import as_utc
from otwb.platform.http import Admin, Caller, Operator, Reader
from otwb.platform.ids import CustomerId, TariffId

router = APIRouter(tags=["billing"])

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


def _actor(caller: Caller) -> str:
    return f"key:{caller.principal.key_id}"


# -- tariffs -------------------------------------------------------------------------------
@router.put("/tariffs", status_code=201, response_model=TariffOut)
def set_tariff(body: TariffIn, caller: Admin) -> TariffOut:
    """Add a tariff version with its rules (versions are never changed; a later valid_from
    supersedes). Without ``rules``: a flat rate card from the four flat prices."""
    return TariffOut.of(service.set_tariff(caller.uow(), body.new()))


@router.get("/tariffs", response_model=list[TariffOut])
def list_tariffs(caller: Reader, customer_id: str | None = None) -> list[TariffOut]:
    customer = CustomerId(customer_id) if customer_id else None
    return [TariffOut.of(t) for t in service.list_tariffs(caller.reader(), customer)]


@router.get("/tariffs/{tariff_id}", response_model=TariffOut)
def get_tariff(tariff_id: str, caller: Reader) -> TariffOut:
    return TariffOut.of(service.get_tariff(caller.reader(), TariffId(tariff_id)))


@router.put("/billing/fuel-index", response_model=FuelOut)
def set_fuel_index(body: FuelIn, caller: Admin) -> FuelOut:
    """The fuel surcharge % from a day on (that day's entry replaced)."""
    percent = service.set_fuel_index(caller.uow(), body.valid_from, body.percent)
    return FuelOut(valid_from=body.valid_from, percent=percent)


@router.get("/billing/fuel-index", response_model=list[FuelOut])
def fuel_index(caller: Reader) -> list[FuelOut]:
    return [FuelOut(valid_from=d, percent=p) for d, p in service.fuel_index(caller.reader())]


# -- charges -------------------------------------------------------------------------------
@router.get("/charges", response_model=list[ChargeOut])
def list_charges(
    caller: Reader,
    customer_id: str | None = None,
    status: ChargeStatus | None = None,
    invoiced: bool | None = None,
    kind: ChargeKind | None = None,
    source_type: SourceType | None = None,
    source_id: str | None = None,
    occurred_from: datetime | None = None,
    occurred_before: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[ChargeOut]:
    where = ChargeFilter(
        customer_id=CustomerId(customer_id) if customer_id else None,
        status=status,
        invoiced=invoiced,
        source=(source_type, source_id) if source_type and source_id else None,
        kind=kind,
        source_type=source_type,
        occurred_from=as_utc(occurred_from) if occurred_from else None,
        occurred_before=as_utc(occurred_before) if occurred_before else None,
    )
    items = service.list_charges(caller.reader(), limit=limit, offset=offset, where=where)
    return [ChargeOut.of(c) for c in items]


@router.post("/billing/services", response_model=AccrualOut)
def charge_services(body: ServicesIn, caller: Operator) -> AccrualOut:
    """Value-added services of one source (installation, labelling, cod with its amount)."""
    accrual = service.charge_services(
        caller.uow(),
        CustomerId(body.customer_id),
        body.source_type,
        body.source_id,
        [(s.service, s.quantity, s.amount_basis) for s in body.services],
        as_utc(body.at) if body.at else None,
    )
    return AccrualOut(created=accrual.created, charges=[ChargeOut.of(c) for c in accrual.charges])


# -- re-rating -----------------------------------------------------------------------------
@router.post("/billing/rerating-runs", response_model=RerateRunOut)
def rerate(body: RerateIn, caller: Admin) -> RerateRunOut:
    """Re-rate a period with today's tariffs; invoiced charges are listed, not changed."""
    result = rerating.rerate(
        caller.uow(),
        body.period_start,
        body.period_end,
        CustomerId(body.customer_id) if body.customer_id else None,
        body.reason,
        _actor(caller),
    )
    return RerateRunOut.of(result.run, result.changes)


@router.post("/billing/adjustment-runs", response_model=RerateRunOut)
def apply_adjustments(body: RerateIn, caller: Admin) -> RerateRunOut:
    """Minimum charges and volume-tier discounts of a period, before invoicing it."""
    result = rerating.apply_adjustments(
        caller.uow(),
        body.period_start,
        body.period_end,
        CustomerId(body.customer_id) if body.customer_id else None,
        body.reason,
        _actor(caller),
    )
    return RerateRunOut.of(result.run, result.changes)


@router.get("/billing/rerating-runs", response_model=list[RerateRunOut])
def list_runs(caller: Reader, limit: Limit = 100) -> list[RerateRunOut]:
    return [RerateRunOut.of(r) for r in rerating.list_runs(caller.reader(), limit)]


@router.get("/billing/rerating-runs/{run_id}", response_model=RerateRunOut)
def get_run(run_id: str, caller: Reader) -> RerateRunOut:
    """A run with its audit: every charge's old and new unit price, amount and rule."""
    run, changes = rerating.run_changes(caller.reader(), run_id)
    return RerateRunOut.of(run, changes)
