"""W's use cases for packing: the box catalogue, the SSCC series, and the parcels of an order.

An order is packed into boxes of the tenant's catalogue by ``cartonisation.cartonise`` (volume
and weight, never beyond a box's limits, temperature classes apart); without a catalogue, into
standard parcels (25 kg, 0.12 m³). Every parcel gets an SSCC: the tenant's GS1 company prefix
(GS1's example prefix until one is set), an extension digit, the next serial reference of the
series -- taken atomically, so two packers never share one -- and the GS1 check digit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from otwb.platform.errors import InvalidInput
from otwb.platform.uow import UnitOfWork
from otwb.warehouse import repo, work_repo
from otwb.warehouse import sscc as gs1
from otwb.warehouse.cartonisation import Box, Unit, cartonise, default_parcels
from otwb.warehouse.model import Fulfilment, Parcel


def set_box(uow: UnitOfWork, box: Box) -> Box:
    """Add a box to the catalogue, or change the box of that code."""
    with uow:
        work_repo.upsert_box(uow, uow.ids.new("box"), box)
        uow.commit()
    return box


def list_boxes(uow: UnitOfWork) -> list[Box]:
    with uow:
        return work_repo.list_boxes(uow)


@dataclass(frozen=True)
class SsccSeries:
    company_prefix: str
    extension_digit: int


def set_sscc_series(uow: UnitOfWork, company_prefix: str, extension_digit: int = 0) -> SsccSeries:
    """The tenant's GS1 company prefix and extension digit for the parcels it labels."""
    gs1.check_prefix(company_prefix)
    if not 0 <= extension_digit <= 9:
        raise InvalidInput("the extension digit is 0 to 9", field="extension_digit")
    with uow:
        work_repo.set_sscc_series(uow, company_prefix, extension_digit)
        uow.commit()
    return SsccSeries(company_prefix, extension_digit)


def label(uow: UnitOfWork, parcels: Sequence[Parcel]) -> list[Parcel]:
    """Give each parcel the next SSCC of the tenant's series (inside the caller's unit)."""
    if not parcels:
        return []
    prefix, extension, first = work_repo.take_sscc_serials(uow, len(parcels))
    return [replace(p, sscc=gs1.make(extension, prefix, first + i)) for i, p in enumerate(parcels)]


def parcels_for(uow: UnitOfWork, fulfilment: Fulfilment) -> list[Parcel]:
    """The parcels of a picked order: catalogue boxes if the tenant has any, standard parcels
    otherwise (inside the caller's unit)."""
    picked = [p for p in fulfilment.picks if p.status == "picked" and p.picked]
    if not picked:
        raise InvalidInput("nothing was picked: nothing to pack")
    skus = repo.skus_by_id(uow, {p.sku_id for p in picked})
    boxes = work_repo.list_boxes(uow)
    if not boxes:
        weight = sum(skus[p.sku_id].weight_kg * p.picked for p in picked)
        volume = sum(skus[p.sku_id].volume_m3 * p.picked for p in picked)
        return default_parcels(weight, volume)
    units = [
        Unit(sku.code, sku.weight_kg, sku.volume_m3, sku.temperature_class)
        for p in picked
        for sku in [skus[p.sku_id]]
        for _ in range(p.picked)
    ]
    return [c.parcel() for c in cartonise(units, boxes)]
