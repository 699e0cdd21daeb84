"""CHECKs of the high-volume tables as chains of ``=`` tests (SQLite).

``platform.tables.one_of`` now writes ``(status = 'placed' OR status = 'allocated' ...)``
instead of ``status IN ('placed', 'allocated', ...)``: SQLite builds a lookup table for an ``IN``
list of more than two constants each time it checks a row (2.5 us a row and a CHECK). This
revision rewrites, on SQLite, the CHECKs of the tables written once or more per order, order
line, shipment or stock movement; they allow exactly the same values. Other tables keep their
``IN`` lists, which also allow the same values -- they are not written often enough to matter.

PostgreSQL turns an ``IN`` list into ``= ANY (ARRAY[...])``, checked without a lookup table:
nothing changes there.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 02:00:00
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Condition = Callable[[str, Sequence[str]], str]

CHECKS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    # table -> CHECK name (after "ck_<table>_") -> (column, allowed values)
    "orders": {
        "service_level": ("service_level", ("standard", "next_day", "same_day")),
        "status": (
            "status",
            (
                "on_hold", "placed", "allocated", "picked", "packed", "shipped", "delivered",
                "delivery_failed", "cancelled",
            ),
        ),
    },
    "sourcing_plans": {
        "stage": (
            "stage",
            ("sourced", "allocated", "picked", "packed", "handed_over", "shipped", "delivered"),
        ),
        "outcome": ("outcome", ("single", "split", "unsourced")),
    },
    "order_promises": {
        "level": ("level", ("same_day", "211", "next_day", "standard")),
        "zone": ("zone", ("local", "regional", "national")),
    },
    "fulfilments": {
        "status": ("status", ("allocated", "picked", "packed", "handed_over", "released")),
    },
    "allocations": {"status": ("status", ("open", "picked", "released"))},
    "shipments": {
        "status": (
            "status",
            ("ready", "planned", "tendered", "in_transit", "delivered", "failed", "cancelled"),
        ),
        "temperature_class": ("temperature_class", ("ambient", "chilled", "frozen")),
    },
    "route_stops": {
        "status": ("status", ("planned", "dispatched", "delivered", "failed", "cancelled")),
    },
    "expected_payables": {"status": ("status", ("expected", "due", "paid"))},
    "webhook_deliveries": {"status": ("status", ("pending", "delivered", "dead"))},
    "stock_movements": {
        "kind": (
            "kind",
            (
                "receipt", "pick", "return", "adjustment", "count", "move", "transfer_out",
                "transfer_in",
            ),
        ),
    },
}  # fmt: skip

# Rebuilding a SQLite table drops its triggers: the stock ledger's are made again (as in 0003).
_MESSAGE = "the stock movement ledger is append-only"
LEDGER_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS stock_movements_no_{verb} BEFORE {verb.upper()} "
    f"ON stock_movements BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
    for verb in ("update", "delete")
]


def _equalities(column: str, values: Sequence[str]) -> str:
    return "(" + " OR ".join(f"{column} = '{value}'" for value in values) + ")"


def _in_list(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _rewrite(condition: Condition) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None, recreate="always") as batch_op:
            for name in checks:
                batch_op.drop_constraint(batch_op.f(f"ck_{table}_{name}"), type_="check")
            for name, (column, values) in checks.items():
                batch_op.create_check_constraint(name, sa.text(condition(column, values)))
    for statement in LEDGER_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    _rewrite(_equalities)


def downgrade() -> None:
    _rewrite(_in_list)
