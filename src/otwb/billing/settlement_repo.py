"""Reading and writing carrier settlement records, always within the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from otwb.billing.model import plain
from otwb.billing.settlement import (
    CarrierPayable,
    DueReason,
    ExpectedPayable,
    PayableStatus,
    SettlementRule,
    stored_money,
)
from otwb.billing.settlement_tables import (
    carrier_invoices,
    carrier_payables,
    expected_payables,
    settlement_rules,
)
from otwb.platform.db import upsert
from otwb.platform.errors import NotFound
from otwb.platform.ids import CarrierId, CustomerId, OrderId, ShipmentId, WarehouseId
from otwb.platform.uow import UnitOfWork

CHUNK = 500  # values per IN (...) list


def insert_dialect(uow: UnitOfWork) -> Any:
    return postgresql.insert if uow.conn.dialect.name == "postgresql" else sqlite.insert


# -- rules ---------------------------------------------------------------------------------
def get_rule(uow: UnitOfWork, carrier_id: CarrierId) -> SettlementRule:
    """The carrier's rule; the defaults (no pay on delivery) when none was set."""
    row = uow.conn.execute(
        select(settlement_rules).where(
            settlement_rules.c.tenant_id == uow.tenant_id,
            settlement_rules.c.carrier_id == carrier_id,
        )
    ).one_or_none()
    if row is None:
        return SettlementRule(carrier_id)
    return SettlementRule(
        carrier_id, bool(row.pay_on_delivery), plain(row.tolerance_abs), plain(row.tolerance_pct)
    )


def save_rule(uow: UnitOfWork, rule: SettlementRule) -> None:
    values = {
        "tenant_id": uow.tenant_id,
        "carrier_id": rule.carrier_id,
        "pay_on_delivery": rule.pay_on_delivery,
        "tolerance_abs": rule.tolerance_abs,
        "tolerance_pct": rule.tolerance_pct,
        "updated_at": uow.clock.now(),
    }
    upsert(
        uow.conn,
        settlement_rules,
        values,
        [settlement_rules.c.tenant_id, settlement_rules.c.carrier_id],
        lambda new: {
            k: getattr(new, k)
            for k in ("pay_on_delivery", "tolerance_abs", "tolerance_pct", "updated_at")
        },
    )


# -- expected payables ---------------------------------------------------------------------
def insert_expected(uow: UnitOfWork, p: ExpectedPayable) -> bool:
    """Record the expected payable unless the shipment already has one; True when new."""
    statement = (
        insert_dialect(uow)(expected_payables)
        .values(
            id=p.id,
            tenant_id=uow.tenant_id,
            shipment_id=p.shipment_id,
            order_id=p.order_id,
            customer_id=p.customer_id,
            depot_id=p.depot_id,
            carrier_id=p.carrier_id,
            tracking_number=p.tracking_number,
            service_level=p.service_level,
            weight_kg=p.weight_kg,
            expected_amount=p.expected_amount,
            currency=p.currency,
            tendered_at=p.tendered_at,
            status=p.status.value,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "shipment_id"])
    )
    return bool(uow.conn.execute(statement.returning(expected_payables.c.id)).all())


def _expected(r: Any) -> ExpectedPayable:
    return ExpectedPayable(
        id=r.id,
        shipment_id=ShipmentId(r.shipment_id),
        order_id=OrderId(r.order_id),
        customer_id=CustomerId(r.customer_id),
        depot_id=WarehouseId(r.depot_id),
        carrier_id=CarrierId(r.carrier_id),
        tracking_number=r.tracking_number,
        service_level=r.service_level,
        weight_kg=r.weight_kg,
        expected_amount=stored_money(r.expected_amount, r.currency),
        currency=r.currency,
        tendered_at=r.tendered_at,
        status=PayableStatus(r.status),
        due_amount=stored_money(r.due_amount, r.currency),
        due_at=r.due_at,
        due_reason=DueReason(r.due_reason) if r.due_reason else None,
        payable_id=r.payable_id,
        paid_amount=stored_money(r.paid_amount, r.currency),
    )


def _expected_query(uow: UnitOfWork) -> Select[Any]:
    return select(expected_payables).where(expected_payables.c.tenant_id == uow.tenant_id)


def find_expected(uow: UnitOfWork, reference: str) -> ExpectedPayable | None:
    """The expected payable of the shipment with this tracking number or id."""
    row = uow.conn.execute(
        _expected_query(uow).where(
            or_(
                expected_payables.c.tracking_number == reference,
                expected_payables.c.shipment_id == reference,
            )
        )
    ).first()
    return None if row is None else _expected(row)


def expected_by_reference(uow: UnitOfWork, references: Sequence[str]) -> dict[str, ExpectedPayable]:
    """The expected payables whose tracking number or shipment id is among ``references``,
    keyed by both (one query per 500 references)."""
    found: dict[str, ExpectedPayable] = {}
    unique = sorted(set(references))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        rows = uow.conn.execute(
            _expected_query(uow).where(
                or_(
                    expected_payables.c.tracking_number.in_(chunk),
                    expected_payables.c.shipment_id.in_(chunk),
                )
            )
        )
        for r in rows:
            p = _expected(r)
            found[p.tracking_number] = found[p.shipment_id] = p
    return found


def list_expected(
    uow: UnitOfWork,
    carrier_id: CarrierId | None = None,
    status: PayableStatus | None = None,
    between: tuple[datetime, datetime] | None = None,
    payable_id: str | None = None,
    due_reason: DueReason | None = None,
) -> list[ExpectedPayable]:
    query = _expected_query(uow)
    if due_reason is not None:
        query = query.where(expected_payables.c.due_reason == due_reason.value)
    if payable_id is not None:
        query = query.where(expected_payables.c.payable_id == payable_id)
    if carrier_id is not None:
        query = query.where(expected_payables.c.carrier_id == carrier_id)
    if status is not None:
        query = query.where(expected_payables.c.status == status.value)
    if between is not None:
        query = query.where(
            expected_payables.c.tendered_at >= between[0],
            expected_payables.c.tendered_at < between[1],
        )
    rows = uow.conn.execute(query.order_by(expected_payables.c.tendered_at, expected_payables.c.id))
    return [_expected(r) for r in rows]


def make_due(uow: UnitOfWork, shipment_id: ShipmentId, amount: Decimal, reason: DueReason) -> bool:
    """Make a line still ``expected`` due at ``amount``; True when it was."""
    result = uow.conn.execute(
        update(expected_payables)
        .where(
            expected_payables.c.tenant_id == uow.tenant_id,
            expected_payables.c.shipment_id == shipment_id,
            expected_payables.c.status == PayableStatus.EXPECTED.value,
        )
        .values(
            status=PayableStatus.DUE.value,
            due_amount=amount,
            due_at=uow.clock.now(),
            due_reason=reason.value,
        )
        .returning(expected_payables.c.id)
    )
    return bool(result.all())


_SHIPMENT = expected_payables.c.shipment_id == bindparam("b_shipment")
_APPROVED_DUE = (
    update(expected_payables)
    .where(
        expected_payables.c.tenant_id == bindparam("b_tenant"),
        _SHIPMENT,
        expected_payables.c.payable_id.is_(None),
    )
    .values(
        status=PayableStatus.DUE.value,
        due_amount=bindparam("b_amount", type_=expected_payables.c.due_amount.type),
        due_at=bindparam("b_at", type_=expected_payables.c.due_at.type),
        due_reason=DueReason.AUDIT_APPROVED.value,
    )
)
_PAID = (
    update(expected_payables)
    .where(
        expected_payables.c.tenant_id == bindparam("b_tenant"),
        _SHIPMENT,
        expected_payables.c.payable_id.is_(None),
    )
    .values(
        status=PayableStatus.PAID.value,
        payable_id=bindparam("b_payable"),
        paid_amount=bindparam("b_amount", type_=expected_payables.c.paid_amount.type),
    )
)


def _count(uow: UnitOfWork, *where: Any) -> int:
    query = select(func.count()).select_from(expected_payables)
    return int(
        uow.conn.execute(
            query.where(expected_payables.c.tenant_id == uow.tenant_id, *where)
        ).scalar_one()
    )


def make_due_approved(uow: UnitOfWork, amounts: dict[ShipmentId, Decimal]) -> bool:
    """Make the lines due at their approved amounts; False (and the caller rolls back) when
    one of them is paid already. Rows are updated in shipment order (no deadlock)."""
    if not amounts:
        return True
    now = uow.clock.now()
    uow.conn.execute(
        _APPROVED_DUE,
        [
            {"b_tenant": uow.tenant_id, "b_shipment": k, "b_amount": v, "b_at": now}
            for k, v in sorted(amounts.items())
        ],
    )
    unpaid = 0
    ids = sorted(amounts)
    for start in range(0, len(ids), CHUNK):
        unpaid += _count(
            uow,
            expected_payables.c.shipment_id.in_(ids[start : start + CHUNK]),
            expected_payables.c.payable_id.is_(None),
        )
    return unpaid == len(ids)


def mark_paid(uow: UnitOfWork, payable_id: str, amounts: dict[ShipmentId, Decimal]) -> int:
    """Put the lines on the payable document, each only if no document has it yet; how many
    it took. Rows are updated in shipment order (no deadlock)."""
    uow.conn.execute(
        _PAID,
        [
            {"b_tenant": uow.tenant_id, "b_shipment": k, "b_payable": payable_id, "b_amount": v}
            for k, v in sorted(amounts.items())
        ],
    )
    return _count(uow, expected_payables.c.payable_id == payable_id)


# -- payable documents ---------------------------------------------------------------------
def insert_payable(uow: UnitOfWork, p: CarrierPayable) -> None:
    uow.conn.execute(
        insert(carrier_payables).values(
            id=p.id,
            tenant_id=uow.tenant_id,
            carrier_id=p.carrier_id,
            invoice_id=p.invoice_id,
            currency=p.currency,
            total=p.total,
            lines=p.lines,
            created_at=p.created_at,
        )
    )
    if p.invoice_id is not None:
        result = uow.conn.execute(
            update(carrier_invoices)
            .where(
                carrier_invoices.c.tenant_id == uow.tenant_id,
                carrier_invoices.c.id == p.invoice_id,
                carrier_invoices.c.payable_id.is_(None),
            )
            .values(payable_id=p.id)
            .returning(carrier_invoices.c.id)
        )
        if not result.all():
            raise NotFound(f"carrier invoice {p.invoice_id} has a payable already or is unknown")


def _payable(r: Any) -> CarrierPayable:
    return CarrierPayable(
        id=r.id,
        carrier_id=CarrierId(r.carrier_id),
        invoice_id=r.invoice_id,
        currency=r.currency,
        total=stored_money(r.total, r.currency),
        lines=r.lines,
        created_at=r.created_at,
    )


def get_payable(uow: UnitOfWork, payable_id: str) -> CarrierPayable:
    row = uow.conn.execute(
        select(carrier_payables).where(
            carrier_payables.c.tenant_id == uow.tenant_id, carrier_payables.c.id == payable_id
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no carrier payable {payable_id}")
    return _payable(row)


def list_payables(uow: UnitOfWork, carrier_id: CarrierId | None = None) -> list[CarrierPayable]:
    query = select(carrier_payables).where(carrier_payables.c.tenant_id == uow.tenant_id)
    if carrier_id is not None:
        query = query.where(carrier_payables.c.carrier_id == carrier_id)
    return [_payable(r) for r in uow.conn.execute(query.order_by(carrier_payables.c.created_at))]
