"""The outbox and the bus, on SQLite and PostgreSQL: at least once, applied once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from otwb.orders import service as orders
from otwb.platform.events import Envelope, Event
from otwb.platform.ids import EventId, OrderId
from otwb.platform.tables import outbox, processed_events
from tests import factories as f


class ParcelScanned(Event):
    """A test-only event."""

    order_id: OrderId
    scan: str


def publish(uow, event: Event) -> None:
    with uow:
        uow.record(event)
        uow.commit()


def outbox_rows(runtime, event_type: str):
    with runtime.db.engine.connect() as conn:
        return conn.execute(select(outbox).where(outbox.c.event_type == event_type)).all()


@pytest.fixture
def order(uow):
    f.site(uow)
    f.skus(uow, "TEA")
    customer = f.customer(uow)
    return f.place(uow, customer.id, [("TEA", 1)])  # no stock: it stays placed


def test_events_are_stored_with_the_change_and_marked_dispatched(runtime, order):
    rows = outbox_rows(runtime, "OrderPlaced")
    assert len(rows) == 1
    assert rows[0].dispatched_at is not None
    assert rows[0].attempts == 0
    assert Event.load(rows[0].event_type, rows[0].payload).order_id == order.id  # type: ignore[attr-defined]


def test_a_use_case_that_fails_leaves_no_event_and_no_change(runtime, uow, order):
    def crashing_use_case(unit) -> None:
        with unit:
            orders.note_on_timeline(unit, order.id, "note", "written inside a failing unit")
            unit.record(ParcelScanned(order_id=order.id, scan="lost"))
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        crashing_use_case(uow())
    assert outbox_rows(runtime, "ParcelScanned") == []
    assert [t.kind for t in orders.get_order(uow(), order.id).timeline] == [
        "placed",
        "allocation_failed",
    ]


def test_a_failing_handler_is_retried_and_applied_once(runtime, uow, clock, order):
    calls: list[str] = []

    def flaky(unit, event: ParcelScanned) -> None:
        calls.append(event.scan)
        if len(calls) == 1:
            raise ConnectionError("printer offline")
        orders.note_on_timeline(unit, event.order_id, "scanned", event.scan)

    runtime.bus.subscribe(ParcelScanned, "test.flaky", flaky)
    publish(uow(), ParcelScanned(order_id=order.id, scan="dock-3"))

    [row] = outbox_rows(runtime, "ParcelScanned")
    assert (row.attempts, row.dispatched_at) == (1, None)
    assert "printer offline" in row.last_error
    assert row.next_attempt_at == clock.now() + timedelta(seconds=1)

    assert runtime.bus.dispatch_pending(runtime).delivered == 0  # not due yet
    clock.advance(timedelta(seconds=2))
    report = runtime.bus.dispatch_pending(runtime)
    assert (report.delivered, report.failed) == (1, 0)
    [row] = outbox_rows(runtime, "ParcelScanned")
    assert row.dispatched_at is not None

    assert runtime.bus.dispatch_pending(runtime).delivered == 0  # nothing left
    kinds = [t.kind for t in orders.get_order(uow(), order.id).timeline]
    assert kinds.count("scanned") == 1
    assert calls == ["dock-3", "dock-3"]


def test_a_redelivered_event_is_applied_once(runtime, uow, clock, order):
    runtime.bus.subscribe(
        ParcelScanned,
        "test.note",
        lambda unit, e: orders.note_on_timeline(unit, e.order_id, "scanned", e.scan),
    )
    publish(uow(), ParcelScanned(order_id=order.id, scan="gate"))
    [row] = outbox_rows(runtime, "ParcelScanned")
    envelope = Envelope(
        EventId(row.id), row.tenant_id, row.occurred_at, Event.load(row.event_type, row.payload)
    )
    # The relay delivers it again (e.g. after a crash before it was marked dispatched) ...
    with runtime.db.engine.begin() as conn:
        conn.execute(update(outbox).where(outbox.c.id == row.id).values(dispatched_at=None))
    assert runtime.bus.dispatch_pending(runtime).delivered == 1
    # ... and the in-process path delivers it once more.
    runtime.bus.after_commit(runtime, [envelope])
    kinds = [t.kind for t in orders.get_order(uow(), order.id).timeline]
    assert kinds.count("scanned") == 1
    with runtime.db.engine.connect() as conn:
        marks = conn.execute(
            select(processed_events).where(processed_events.c.event_id == row.id)
        ).all()
    assert [m.consumer for m in marks] == ["test.note"]


def test_events_nobody_listens_to_are_dispatched_on_commit(runtime, uow, order):
    publish(uow(), ParcelScanned(order_id=order.id, scan="x"))
    [row] = outbox_rows(runtime, "ParcelScanned")
    assert row.dispatched_at is not None


def test_the_relay_leaves_young_events_to_their_committer(runtime, uow, clock, order):
    with runtime.db.engine.begin() as conn:
        conn.execute(update(outbox).values(dispatched_at=None))
    assert runtime.bus.dispatch_pending(runtime, min_age=timedelta(seconds=5)).delivered == 0
    clock.advance(timedelta(seconds=6))
    report = runtime.bus.dispatch_pending(runtime, min_age=timedelta(seconds=5))
    with runtime.db.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.dispatched_at)).all()
    assert report.delivered == len(rows)
    assert all(r.dispatched_at is not None for r in rows)
    # OrderPlaced went to W again: already processed, so the order was not allocated twice.
    kinds = [t.kind for t in orders.get_order(uow(), order.id).timeline]
    assert kinds.count("allocation_failed") == 1


def publish_many(uow, events: list[Event]) -> None:
    with uow:
        for event in events:
            uow.record(event)
        uow.commit()


def test_a_run_of_events_reaches_a_batch_handler_in_one_transaction(runtime, uow, order):
    batches: list[list[str]] = []

    def scanned(unit, events) -> None:
        batches.append([e.scan for e in events])
        with unit:
            for e in events:
                orders.note_on_timeline(unit, e.order_id, "scanned", e.scan)
            unit.commit()

    runtime.bus.subscribe_batch(ParcelScanned, "test.batch", scanned)
    publish_many(uow(), [ParcelScanned(order_id=order.id, scan=f"s{i}") for i in range(5)])

    assert batches == [["s0", "s1", "s2", "s3", "s4"]]
    rows = outbox_rows(runtime, "ParcelScanned")
    assert all(r.dispatched_at is not None for r in rows)
    kinds = [t.kind for t in orders.get_order(uow(), order.id).timeline]
    assert kinds.count("scanned") == 5


def test_a_poison_event_in_a_batch_is_isolated_and_the_rest_applied(runtime, uow, order):
    def scanned(unit, events) -> None:
        with unit:
            for e in events:
                if e.scan == "bad":
                    raise ValueError("unreadable label")
                orders.note_on_timeline(unit, e.order_id, "scanned", e.scan)
            unit.commit()

    runtime.bus.subscribe_batch(ParcelScanned, "test.batch", scanned)
    scans = ["a", "b", "bad", "c"]
    publish_many(uow(), [ParcelScanned(order_id=order.id, scan=s) for s in scans])

    rows = {
        Event.load(r.event_type, r.payload).scan: r  # type: ignore[attr-defined]
        for r in outbox_rows(runtime, "ParcelScanned")
    }
    assert rows["bad"].dispatched_at is None
    assert rows["bad"].attempts == 1
    assert "unreadable label" in rows["bad"].last_error
    assert all(rows[s].dispatched_at is not None for s in ("a", "b", "c"))
    details = [t.detail for t in orders.get_order(uow(), order.id).timeline if t.kind == "scanned"]
    assert details == ["a", "b", "c"]


def test_a_batch_redelivered_after_partial_processing_applies_each_event_once(runtime, uow, order):
    seen: list[str] = []

    def scanned(unit, events) -> None:
        seen.extend(e.scan for e in events)
        with unit:
            for e in events:
                orders.note_on_timeline(unit, e.order_id, "scanned", e.scan)
            unit.commit()

    runtime.bus.subscribe_batch(ParcelScanned, "test.batch", scanned)
    publish_many(uow(), [ParcelScanned(order_id=order.id, scan=s) for s in ("x", "y")])
    # Replay everything, plus one new event, as the relay would after a crash.
    with runtime.db.engine.begin() as conn:
        conn.execute(update(outbox).values(dispatched_at=None))
    publish_many(uow(), [ParcelScanned(order_id=order.id, scan="z")])
    runtime.bus.dispatch_pending(runtime)

    details = [t.detail for t in orders.get_order(uow(), order.id).timeline if t.kind == "scanned"]
    assert details == ["x", "y", "z"]
