"""The billing benchmark checks its own result, outside the timed work, from the database:

* every charge line the bulk rating counted is stored, the unrated ones as unrated;
* every rated line is on exactly one issued invoice, and no unrated line is on any;
* each invoice adds up: its lines' amounts make its subtotal and their taxes its tax, total =
  subtotal + tax; its lines count the charges it covers and their charge amounts sum to those
  charges' amounts (summed here in SQL, exactly, independently of the billing code);
* the invoices are numbered INV-<year>-000001 onwards without a gap.

A run that fails any of these is not a result: ``problems`` lists what is wrong.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric, cast, func, select, type_coerce

from otwb.billing.bulk import BulkRating
from otwb.billing.invoice import Invoice, InvoiceStatus
from otwb.billing.tables import charges
from otwb.platform.db import Database

CENTS = 4  # decimal places of a charge's amount


def _exact_sum(db: Database, column: Any) -> Any:
    if db.dialect == "postgresql":
        return func.sum(type_coerce(column, Numeric(38, CENTS)))
    scaled = func.round(type_coerce(column, Numeric) * 10**CENTS)
    return func.sum(cast(scaled, BigInteger))


def _decimal(db: Database, value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return Decimal(value) if db.dialect == "postgresql" else Decimal(int(value)).scaleb(-CENTS)


def problems(
    db: Database, tenant_id: str, rated: BulkRating, issued: list[Invoice], invoiced: bool
) -> list[str]:
    """What is wrong with the run (nothing: an empty list)."""
    found: list[str] = []
    ours = charges.c.tenant_id == tenant_id
    with db.engine.connect() as conn:
        by_status: dict[str, int] = {
            r.status: int(r.n)
            for r in conn.execute(
                select(charges.c.status, func.count().label("n"))
                .where(ours)
                .group_by(charges.c.status)
            )
        }
        covered = {
            r.invoice_id: (int(r.n), _decimal(db, r.amount))
            for r in conn.execute(
                select(
                    charges.c.invoice_id,
                    func.count().label("n"),
                    _exact_sum(db, charges.c.amount).label("amount"),
                )
                .where(ours, charges.c.invoice_id.is_not(None))
                .group_by(charges.c.invoice_id)
            )
        }
        waiting = conn.execute(
            select(func.count()).where(
                ours, charges.c.status == "rated", charges.c.invoice_id.is_(None)
            )
        ).scalar_one()
        unrated_billed = conn.execute(
            select(func.count()).where(
                ours, charges.c.status == "unrated", charges.c.invoice_id.is_not(None)
            )
        ).scalar_one()
    if sum(by_status.values()) != rated.lines or by_status.get("unrated", 0) != rated.unrated:
        found.append(f"stored lines {by_status} differ from the rating's {rated}")
    if unrated_billed:
        found.append(f"{unrated_billed} unrated lines are on invoices")
    if not invoiced:
        return found
    if waiting:
        found.append(f"{waiting} rated lines of the month are on no invoice")
    if set(covered) != {i.id for i in issued}:
        found.append("the invoiced charges and the issued invoices do not match")
    for i in issued:
        n, amount = covered.get(i.id, (0, Decimal(0)))
        lines = i.lines
        if i.status is not InvoiceStatus.ISSUED or i.number is None:
            found.append(f"{i.id} is not issued")
        if sum(x.amount for x in lines) != i.subtotal or sum(x.tax for x in lines) != i.tax:
            found.append(f"{i.number}: its lines do not make its subtotal and tax")
        if i.total != i.subtotal + i.tax:
            found.append(f"{i.number}: total {i.total} != subtotal + tax")
        if sum(x.charges for x in lines) != n or sum(x.charge_amount for x in lines) != amount:
            found.append(f"{i.number}: its lines do not add up to its {n} charges ({amount})")
    numbers = sorted(str(i.number) for i in issued)
    expected = [f"INV-2026-{k:06d}" for k in range(1, len(issued) + 1)]
    if numbers != expected:
        found.append("invoice numbers are not INV-2026-000001 onwards without a gap")
    return found
