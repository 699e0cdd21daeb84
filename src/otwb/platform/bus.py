"""The message bus: delivers committed events from the outbox to their handlers, at least once.

* After a unit of work commits, its events are delivered in-process, in order, each to every
  handler subscribed to its type. A handler runs in its own unit of work (its own transaction)
  that first records ``(consumer, event id)`` as processed, so a redelivery is applied once.
* Handlers' own events join the same queue (no recursion): one ``place_order`` call drives the
  whole chain of reactions before it returns.
* A handler that raises is not swallowed: the error is logged and stored on the outbox row
  (``attempts``, ``last_error``, ``next_attempt_at`` with exponential backoff), the other handlers
  still run, and ``dispatch_pending`` (the relay in ``otwb serve``, or ``otwb outbox dispatch``)
  delivers it again later. Handlers that already succeeded skip it then.
* An event is marked dispatched once every handler has applied it.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import and_, or_, select, update

from otwb.platform.events import Envelope, Event
from otwb.platform.ids import EventId, TenantId
from otwb.platform.tables import outbox
from otwb.platform.uow import AlreadyProcessed, UnitOfWork

if TYPE_CHECKING:
    from otwb.platform.runtime import Runtime

log = logging.getLogger("otwb.bus")

E = TypeVar("E", bound=Event)
Handler = Callable[[UnitOfWork, E], None]

MAX_ATTEMPTS = 20
MAX_BACKOFF = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """Delay before the next delivery after ``attempts`` failures: 1 s, 2 s, 4 s ... 10 min."""
    return min(timedelta(seconds=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True)
class Subscription:
    consumer: str
    handler: Callable[[UnitOfWork, Event], None]


@dataclass
class DispatchReport:
    delivered: int = 0
    failed: int = 0


class MessageBus:
    def __init__(self) -> None:
        self._subscriptions: dict[str, list[Subscription]] = {}
        self._local = threading.local()

    # -- wiring ----------------------------------------------------------------------------
    def subscribe(self, event_type: type[E], consumer: str, handler: Handler[E]) -> None:
        """Deliver every ``event_type`` to ``handler`` (``consumer`` names it when processed)."""
        subs = self._subscriptions.setdefault(event_type.event_type(), [])
        if any(s.consumer == consumer for s in subs):
            raise ValueError(f"{consumer} is already subscribed to {event_type.event_type()}")
        subs.append(Subscription(consumer, handler))  # type: ignore[arg-type]

    def has_subscribers(self, event_type: str) -> bool:
        return bool(self._subscriptions.get(event_type))

    # -- delivery --------------------------------------------------------------------------
    def after_commit(self, runtime: Runtime, envelopes: Iterable[Envelope]) -> None:
        """Called by a unit of work once its transaction has committed."""
        queue: deque[Envelope] | None = getattr(self._local, "queue", None)
        if queue is not None:  # already draining on this thread: join the queue
            queue.extend(envelopes)
            return
        self._local.queue = queue = deque(envelopes)
        try:
            self._drain(runtime, queue, DispatchReport())
        finally:
            self._local.queue = None

    def dispatch_pending(
        self, runtime: Runtime, *, limit: int = 500, min_age: timedelta = timedelta(0)
    ) -> DispatchReport:
        """Deliver stored events not yet dispatched whose retry time has come (the relay).

        ``min_age`` leaves alone events younger than that, which the process that committed
        them is probably delivering in-process right now.
        """
        now = runtime.clock.now()
        with runtime.db.read_engine.connect() as conn:
            rows = conn.execute(
                select(outbox)
                .where(
                    outbox.c.dispatched_at.is_(None),
                    outbox.c.attempts < MAX_ATTEMPTS,
                    outbox.c.occurred_at <= now - min_age,
                    or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
                )
                .order_by(outbox.c.occurred_at, outbox.c.id)
                .limit(limit)
            ).all()
        envelopes = [
            Envelope(
                EventId(r.id),
                TenantId(r.tenant_id),
                r.occurred_at,
                Event.load(r.event_type, r.payload),
            )
            for r in rows
        ]
        report = DispatchReport()
        self._local.queue = queue = deque(envelopes)
        try:
            self._drain(runtime, queue, report)
        finally:
            self._local.queue = None
        return report

    def _drain(self, runtime: Runtime, queue: deque[Envelope], report: DispatchReport) -> None:
        done: list[EventId] = []
        while queue:
            envelope = queue.popleft()
            if self._deliver(runtime, envelope):
                done.append(envelope.id)
                report.delivered += 1
            else:
                report.failed += 1
            if len(done) >= 256:
                self._mark_dispatched(runtime, done)
                done = []
        self._mark_dispatched(runtime, done)

    def _deliver(self, runtime: Runtime, envelope: Envelope) -> bool:
        ok = True
        for sub in self._subscriptions.get(envelope.event_type, []):
            uow = runtime.uow(envelope.tenant_id, consumes=(sub.consumer, envelope.id))
            try:
                sub.handler(uow, envelope.event)
                uow.mark_consumed_only()
            except AlreadyProcessed:
                continue
            except Exception as exc:
                ok = False
                log.exception(
                    "handler %s failed on %s %s", sub.consumer, envelope.event_type, envelope.id
                )
                self._record_failure(runtime, envelope.id, f"{sub.consumer}: {exc!r}")
        return ok

    def _mark_dispatched(self, runtime: Runtime, ids: list[EventId]) -> None:
        if not ids:
            return
        with runtime.db.engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(and_(outbox.c.id.in_(ids), outbox.c.dispatched_at.is_(None)))
                .values(dispatched_at=runtime.clock.now())
            )

    def _record_failure(self, runtime: Runtime, event_id: EventId, error: str) -> None:
        now: datetime = runtime.clock.now()
        with runtime.db.engine.begin() as conn:
            attempts = conn.execute(
                update(outbox)
                .where(outbox.c.id == event_id)
                .values(attempts=outbox.c.attempts + 1, last_error=error[:2000])
                .returning(outbox.c.attempts)
            ).scalar_one()
            conn.execute(
                update(outbox)
                .where(outbox.c.id == event_id)
                .values(next_attempt_at=now + backoff(attempts))
            )
