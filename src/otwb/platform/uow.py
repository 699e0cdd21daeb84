"""The unit of work: one database transaction per use case, with its events in the outbox.

A use case looks like::

    def do_thing(uow: UnitOfWork, ...) -> Result:
        with uow:
            ...                     # load, call the model, write
            uow.record(ThingDone(...))
            uow.commit()
        return result

Events recorded are inserted into the ``outbox`` table in the same transaction as the change;
after the transaction commits and the connection is released the bus delivers them.

When the bus runs a handler it gives it a unit of work that *consumes* one event (or a batch of
them): the first statement of its transaction inserts ``(consumer, event_id)`` into
``processed_events``. A second delivery of the same event therefore fails that insert (primary
key) before doing anything, and raises ``AlreadyProcessed`` -- a redelivered event is applied
once. The last handler of an event also marks it dispatched in its own transaction.

Entering a unit of work that is already open joins its transaction: a use case may call another
context's service function (``warehouse.unknown_skus(uow, ...)``) and both run, and commit, as
one transaction -- the inner ``commit()`` defers to the outermost one.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Connection, RootTransaction, bindparam, update
from sqlalchemy.exc import IntegrityError

from otwb.platform.bulk import RowWriter
from otwb.platform.events import Envelope, Event
from otwb.platform.ids import EventId, TenantId
from otwb.platform.tables import outbox, processed_events

if TYPE_CHECKING:
    from otwb.platform.runtime import Runtime


# Built once: a statement object reused keeps its compiled form and cache key.
_MARK_PROCESSED = RowWriter.insert(processed_events, ["consumer", "event_id", "processed_at"])
_STORE_EVENTS = RowWriter.insert(
    outbox,
    ["id", "tenant_id", "event_type", "payload", "occurred_at", "dispatched_at", "attempts"],
)
_MARK_DISPATCHED = RowWriter(
    update(outbox)
    .where(outbox.c.id == bindparam("b_id"), outbox.c.dispatched_at.is_(None))
    .values(dispatched_at=bindparam("b_at", type_=outbox.c.dispatched_at.type)),
    ["b_id", "b_at"],
    key="b_id",
)


class AlreadyProcessed(Exception):
    """This consumer has already applied this event (a redelivery); nothing was done."""


class UnitOfWork:
    def __init__(
        self,
        runtime: Runtime,
        tenant_id: TenantId | None,
        *,
        read_only: bool = False,
        consumes: tuple[str, Sequence[EventId]] | None = None,
        finishes: Sequence[EventId] = (),
    ) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.ids = runtime.ids
        self._tenant_id = tenant_id
        self._read_only = read_only
        self._consumes = consumes
        self._consumed = False
        self._finishes = tuple(finishes)
        self.finished = False
        """True once a commit also marked the ``finishes`` events dispatched."""
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._events: list[Event] = []
        self._committed: list[Envelope] = []
        self._depth = 0
        self._rollback_only = False

    # -- the transaction ---------------------------------------------------------------------
    def __enter__(self) -> UnitOfWork:
        self._depth += 1
        if self._depth > 1:  # joins the open transaction
            return self
        self._rollback_only = False
        db = self.runtime.db
        self._conn = (db.read_engine if self._read_only else db.engine).connect()
        self._tx = self._conn.begin()
        self._events = []
        if self._consumes is not None and not self._consumed:
            self._mark_consumed()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        assert self._tx is not None
        self._depth -= 1
        if self._depth > 0:
            if exc_type is not None:
                self._rollback_only = True  # an inner step failed: the whole must not commit
            return
        try:
            if self._tx.is_active:
                self._tx.rollback()
        finally:
            self._conn.close()
            self._conn = self._tx = None
        committed, self._committed = self._committed, []
        if committed and exc_type is None:
            self.runtime.bus.after_commit(self.runtime, committed)

    def commit(self) -> None:
        if self._tx is None or not self._tx.is_active:
            raise RuntimeError("commit() outside an open unit of work")
        if self._depth > 1:
            return  # the outermost use case commits
        if self._rollback_only:
            raise RuntimeError("an inner step of this unit of work failed; it cannot commit")
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit changes")
        envelopes = self._write_outbox()
        if self._finishes and not self.finished:
            now = self.clock.now()
            _MARK_DISPATCHED.execute(self.conn, [(i, now) for i in self._finishes])
        self._tx.commit()
        self._consumed = self._consumes is not None
        self.finished = bool(self._finishes)
        self._committed.extend(envelopes)
        self._events = []

    def mark_consumed_only(self) -> None:
        """Remember the events as processed when the handler decided there was nothing to do."""
        if self._consumes is None or self._consumed:
            return
        with self:
            self.commit()

    # -- what the use case sees -----------------------------------------------------------
    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("use the unit of work inside 'with uow:'")
        return self._conn

    @property
    def tenant_id(self) -> TenantId:
        if self._tenant_id is None:
            raise RuntimeError("this unit of work is not scoped to a tenant")
        return self._tenant_id

    @property
    def dialect(self) -> str:
        return self.runtime.db.dialect

    def record(self, event: Event) -> None:
        """Publish ``event`` if, and only if, this transaction commits."""
        self._events.append(event)

    # -- internals -------------------------------------------------------------------------
    def _mark_consumed(self) -> None:
        assert self._consumes is not None
        consumer, event_ids = self._consumes
        now = self.clock.now()
        try:
            _MARK_PROCESSED.execute(self.conn, [(consumer, i, now) for i in event_ids])
        except IntegrityError:
            self.__exit__(None, None, None)  # __enter__ failed, so 'with' will not call it
            raise AlreadyProcessed(f"{consumer} has already processed {event_ids}") from None

    def _write_outbox(self) -> list[Envelope]:
        if not self._events:
            return []
        now = self.clock.now()
        bus = self.runtime.bus
        ids = self.ids.new_many("evt", len(self._events))
        envelopes = [
            Envelope(EventId(i), self.tenant_id, now, event)
            for i, event in zip(ids, self._events, strict=True)
        ]
        # An event nobody listens to is delivered the moment it is stored.
        _STORE_EVENTS.execute(
            self.conn,
            [
                (
                    env.id,
                    env.tenant_id,
                    env.event_type,
                    env.event.model_dump_json(),
                    now,
                    None if bus.has_subscribers(env.event_type) else now,
                    0,
                )
                for env in envelopes
            ],
        )
        return [env for env in envelopes if bus.has_subscribers(env.event_type)]
