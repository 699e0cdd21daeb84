"""What capture reads and writes besides the order itself: channel references already taken,
customers' credit holds, and the tenant's postcode table (for geocoding)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update

from otwb.orders.model import postcode_key
from otwb.orders.tables import customers, orders, postcodes
from otwb.platform.geo import GeoPoint
from otwb.platform.ids import CustomerId, OrderId
from otwb.platform.sqllist import any_of
from otwb.platform.uow import UnitOfWork

T = TypeVar("T")

_CHUNK = 400  # keeps every IN / OR list well under the databases' bound-parameter limits

_ON_HOLD = select(customers.c.id).where(
    customers.c.tenant_id == bindparam("b_tenant"),
    customers.c.credit_hold.is_(True),
    any_of(customers.c.id, "b_ids"),
)


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


_REFERENCES = select(orders.c.id, orders.c.reference).where(
    orders.c.tenant_id == bindparam("b_tenant"),
    orders.c.channel == bindparam("b_channel"),
    any_of(orders.c.reference, "b_refs"),
)
_POSTCODES = select(postcodes).where(
    postcodes.c.tenant_id == bindparam("b_tenant"),
    postcodes.c.country == bindparam("b_country"),
    any_of(postcodes.c.postcode, "b_codes"),
)


def existing_references(
    uow: UnitOfWork, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], OrderId]:
    """Of these (channel, reference) pairs, those already used by an order: the order's id."""
    found: dict[tuple[str, str], OrderId] = {}
    by_channel: dict[str, list[str]] = {}
    for channel, reference in set(keys):
        by_channel.setdefault(channel, []).append(reference)
    for channel, refs in by_channel.items():
        for chunk in _chunks(sorted(refs)):
            rows = uow.conn.execute(
                _REFERENCES,
                {"b_tenant": uow.tenant_id, "b_channel": channel, "b_refs": list(chunk)},
            )
            found.update({(channel, r.reference): OrderId(r.id) for r in rows})
    return found


def customers_on_credit_hold(uow: UnitOfWork, ids: Iterable[CustomerId]) -> set[CustomerId]:
    wanted = sorted(set(ids))
    held: set[CustomerId] = set()
    for chunk in _chunks(wanted):
        rows = uow.conn.execute(_ON_HOLD, {"b_tenant": uow.tenant_id, "b_ids": list(chunk)})
        held.update(CustomerId(r.id) for r in rows)
    return held


def set_credit_hold(uow: UnitOfWork, customer_id: CustomerId, on: bool) -> bool:
    result = uow.conn.execute(
        update(customers)
        .where(customers.c.tenant_id == uow.tenant_id, customers.c.id == customer_id)
        .values(credit_hold=on)
    )
    return result.rowcount == 1


@dataclass(frozen=True, slots=True)
class Postcode:
    country: str
    postcode: str
    city: str
    point: GeoPoint


def geocode(uow: UnitOfWork, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], GeoPoint]:
    """The coordinates of these (country, postcode) keys found in the tenant's table."""
    by_country: dict[str, set[str]] = {}
    for country, code in (postcode_key(c, p) for c, p in keys):
        by_country.setdefault(country, set()).add(code)
    found: dict[tuple[str, str], GeoPoint] = {}
    for country, codes in sorted(by_country.items()):
        for chunk in _chunks(sorted(codes)):
            rows = uow.conn.execute(
                _POSTCODES,
                {"b_tenant": uow.tenant_id, "b_country": country, "b_codes": list(chunk)},
            )
            found.update({(r.country, r.postcode): GeoPoint(r.lat, r.lon) for r in rows})
    return found


def replace_postcodes(uow: UnitOfWork, items: Sequence[Postcode]) -> None:
    """Load postcodes, replacing those of the same (country, postcode)."""
    for chunk in _chunks(items):
        uow.conn.execute(
            delete(postcodes).where(
                postcodes.c.tenant_id == uow.tenant_id,
                or_(
                    *(
                        and_(postcodes.c.country == p.country, postcodes.c.postcode == p.postcode)
                        for p in chunk
                    )
                ),
            )
        )
        uow.conn.execute(
            insert(postcodes),
            [
                {
                    "tenant_id": uow.tenant_id,
                    "country": p.country,
                    "postcode": p.postcode,
                    "city": p.city,
                    "lat": p.point.lat,
                    "lon": p.point.lon,
                }
                for p in chunk
            ],
        )


def count_postcodes(uow: UnitOfWork) -> int:
    return int(
        uow.conn.execute(
            select(func.count())
            .select_from(postcodes)
            .where(postcodes.c.tenant_id == uow.tenant_id)
        ).scalar_one()
    )
