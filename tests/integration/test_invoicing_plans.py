"""SQLite keeps no statistics, so the billing run's statements are written for the plan they
need: the tenant's uninvoiced charges read through ``ix_charges_uninvoiced`` (storage order),
never by walking another index and fetching rows all over the table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from otwb.billing import invoicing
from otwb.platform import auth
from otwb.platform.runtime import Runtime
from otwb.platform.uow import UnitOfWork
from tests.integration.test_invoicing import NOVEMBER, november_activity

THROUGH_THE_INDEX = "SEARCH charges USING INDEX ix_charges_uninvoiced (tenant_id=? AND status=?)"


def test_a_run_reads_the_uninvoiced_charges_through_their_index(sqlite_runtime: Runtime) -> None:
    runtime = sqlite_runtime
    tenant = auth.create_tenant(runtime.uow(), "Acme Distribution")

    def uow() -> UnitOfWork:
        return runtime.uow(tenant.id)

    november_activity(uow)
    plans: dict[str, list[str]] = {}

    def explain(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        """The plan of each statement of the run that reads charges, where it runs (the
        claims table is the run's own)."""
        if "GROUP BY" in statement or statement.startswith("UPDATE charges SET invoice_id"):
            probe = conn.connection.cursor()
            rows = probe.execute(f"EXPLAIN QUERY PLAN {statement}", params).fetchall()
            probe.close()
            kind = "sum" if "GROUP BY" in statement else "claim"
            plans[kind] = [row[3] for row in rows if row[3].split(" ")[:2][-1] == "charges"]

    engine = runtime.db.engine
    event.listen(engine, "before_cursor_execute", explain)
    try:
        assert len(invoicing.run_billing(uow(), *NOVEMBER)) == 2
    finally:
        event.remove(engine, "before_cursor_execute", explain)
    assert plans == {"sum": [THROUGH_THE_INDEX], "claim": [THROUGH_THE_INDEX]}
