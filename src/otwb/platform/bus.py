"""The message bus: delivers committed events from the outbox to their handlers, at least once.

* After a unit of work commits, its events are delivered in-process, in order, each to every
  handler subscribed to its type. A handler runs in its own unit of work (its own transaction)
  that first records ``(consumer, event id)`` as processed, so a redelivery is applied once.
* Handlers' own events join the same queue (no recursion): one ``place_order`` call drives the
  whole chain of reactions before it returns.
* A run of consecutive events of one type (a bulk import, a relay catching up) goes to a *batch*
  handler in one transaction: set-based work, one commit for many events. If the batch fails, or
  some of its events were already processed, its events are delivered one by one instead, so a
  bad event is isolated and the rest still go through.
* A handler that raises is not swallowed: the error is logged and stored on the outbox row
  (``attempts``, ``last_error``, ``next_attempt_at`` with exponential backoff), the other handlers
  still run, and ``dispatch_pending`` (the relay in ``otwb serve``, or ``otwb outbox dispatch``)
  delivers it again later. Handlers that already succeeded skip it then.
* An event is marked dispatched once every handler has applied it -- in the transaction of its
  last handler, so a delivery costs no transaction of its own.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
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
BatchHandler = Callable[[UnitOfWork, Sequence[E]], None]

MAX_ATTEMPTS = 20
MAX_BACKOFF = timedelta(minutes=10)
MAX_BATCH = 200


def backoff(attempts: int) -> timedelta:
    """Delay before the next delivery after ``attempts`` failures: 1 s, 2 s, 4 s ... 10 min."""
    return min(timedelta(seconds=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True)
class Subscription:
    consumer: str
    handle: Callable[[UnitOfWork, Sequence[Event]], None]
    batch: bool


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
        """Deliver every ``event_type`` to ``handler``, one event per transaction."""

        def one(uow: UnitOfWork, events: Sequence[E]) -> None:
            (event,) = events
            handler(uow, event)

        self._add(event_type, Subscription(consumer, one, batch=False))  # type: ignore[arg-type]

    def subscribe_batch(self, event_type: type[E], consumer: str, handler: BatchHandler[E]) -> None:
        """Deliver runs of ``event_type`` to ``handler`` together, in one transaction."""
        self._add(event_type, Subscription(consumer, handler, batch=True))  # type: ignore[arg-type]

    def _add(self, event_type: type[Event], sub: Subscription) -> None:
        subs = self._subscriptions.setdefault(event_type.event_type(), [])
        if any(s.consumer == sub.consumer for s in subs):
            raise ValueError(f"{sub.consumer} is already subscribed to {event_type.event_type()}")
        subs.append(sub)

    def has_subscribers(self, event_type: str) -> bool:
        return bool(self._subscriptions.get(event_type))

    # -- delivery --------------------------------------------------------------------------
    def after_commit(self, runtime: Runtime, envelopes: Iterable[Envelope]) -> None:
        """Called by a unit of work once its transaction has committed."""
        queue: deque[Envelope] | None = getattr(self._local, "queue", None)
        if queue is not None:  # already draining on this thread: join the queue
            queue.extend(envelopes)
            return
        self._drain(runtime, deque(envelopes), DispatchReport())

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
        self._drain(runtime, deque(envelopes), report)
        return report

    def _drain(self, runtime: Runtime, queue: deque[Envelope], report: DispatchReport) -> None:
        self._local.queue = queue
        try:
            while queue:
                run = [queue.popleft()]
                while (
                    queue
                    and len(run) < MAX_BATCH
                    and queue[0].event_type == run[0].event_type
                    and queue[0].tenant_id == run[0].tenant_id
                ):
                    run.append(queue.popleft())
                unfinished = self._deliver(runtime, run, report)
                self._mark_dispatched(runtime, unfinished)
        finally:
            self._local.queue = None

    def _deliver(
        self, runtime: Runtime, run: list[Envelope], report: DispatchReport
    ) -> list[EventId]:
        """Deliver a run of same-type events to every subscriber; return the ids that were
        applied everywhere but are not yet marked dispatched."""
        failed: set[EventId] = set()
        finished: set[EventId] = set()
        subs = self._subscriptions.get(run[0].event_type, [])
        for i, sub in enumerate(subs):
            last = i == len(subs) - 1
            if sub.batch and len(run) > 1:
                done = self._try_batch(runtime, sub, run, failed, last)
                if done is not None:
                    finished.update(done)
                    continue
            for envelope in run:
                ok, marked = self._try_one(
                    runtime, sub, envelope, last and envelope.id not in failed
                )
                if not ok:
                    failed.add(envelope.id)
                elif marked:
                    finished.add(envelope.id)
        report.failed += len(failed)
        report.delivered += len(run) - len(failed)
        return [e.id for e in run if e.id not in failed and e.id not in finished]

    def _try_batch(
        self,
        runtime: Runtime,
        sub: Subscription,
        run: list[Envelope],
        failed: set[EventId],
        last: bool,
    ) -> list[EventId] | None:
        """Deliver the run in one transaction; the ids it marked dispatched, or None if the
        run must go one by one."""
        ids = [e.id for e in run]
        finishes = [i for i in ids if i not in failed] if last else []
        uow = runtime.uow(run[0].tenant_id, consumes=(sub.consumer, ids), finishes=finishes)
        try:
            sub.handle(uow, [e.event for e in run])
            uow.mark_consumed_only()
        except AlreadyProcessed:
            return None  # some were applied before: sort it out one by one
        except Exception:
            log.warning(
                "batch of %d %s failed in %s; delivering one by one",
                len(run),
                run[0].event_type,
                sub.consumer,
                exc_info=True,
            )
            return None
        return finishes if uow.finished else []

    def _try_one(
        self, runtime: Runtime, sub: Subscription, envelope: Envelope, finishes: bool
    ) -> tuple[bool, bool]:
        """Deliver one event: (applied, marked dispatched on the way)."""
        uow = runtime.uow(
            envelope.tenant_id,
            consumes=(sub.consumer, [envelope.id]),
            finishes=[envelope.id] if finishes else (),
        )
        try:
            sub.handle(uow, [envelope.event])
            uow.mark_consumed_only()
        except AlreadyProcessed:
            return True, False
        except Exception as exc:
            log.exception(
                "handler %s failed on %s %s", sub.consumer, envelope.event_type, envelope.id
            )
            self._record_failure(runtime, envelope.id, f"{sub.consumer}: {exc!r}")
            return False, False
        return True, uow.finished

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
        now = runtime.clock.now()
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
