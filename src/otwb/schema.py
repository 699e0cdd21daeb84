"""The whole schema: every context's tables on the shared metadata (for Alembic and tests)."""

from __future__ import annotations

from otwb.billing import invoice_tables as _invoicing  # noqa: F401
from otwb.billing import returns as _billing_returns  # noqa: F401
from otwb.billing import settlement_tables as _settlement  # noqa: F401
from otwb.billing import tables as _billing  # noqa: F401
from otwb.orders import promise_tables as _promises  # noqa: F401
from otwb.orders import returns_tables as _orders_returns  # noqa: F401
from otwb.orders import sourcing_tables as _sourcing  # noqa: F401
from otwb.orders import tables as _orders  # noqa: F401
from otwb.orders import webhook_tables as _webhooks  # noqa: F401
from otwb.platform.db import Database
from otwb.platform.tables import metadata
from otwb.transport import tables as _transport  # noqa: F401
from otwb.warehouse import tables as _warehouse  # noqa: F401

__all__ = ["create_all", "drop_all", "metadata"]


def create_all(db: Database) -> None:
    """Create every table straight from the metadata (tests; deployments run migrations)."""
    metadata.create_all(db.engine)


def drop_all(db: Database) -> None:
    metadata.drop_all(db.engine)
