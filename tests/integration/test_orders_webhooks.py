"""Webhooks out against a real local HTTP server: signed bodies, a retry after a 500, dead
after the last attempt; one delivery row per event per subscription (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from otwb.orders import changes, webhook_dispatch, webhooks
from otwb.orders.errors import InvalidWebhook
from otwb.platform.geo import GeoPoint
from otwb.warehouse import service
from otwb.warehouse.model import WarehouseKind
from tests import factories as f

SECRET = "s3cret-for-tests-0123456789"


class Receiver:
    """A real HTTP endpoint: answers the statuses queued (then 200), keeps what it got."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append((self.path, headers, body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/otwb"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def shop(uow):
    site = f.site(uow, "CEN", GeoPoint(45.70, 4.95), WarehouseKind.CENTRAL)
    f.skus(uow, "TEA")
    service.receive_stock(uow(), site.locations[0].id, "TEA", 10)
    return f.customer(uow)


def test_order_events_are_posted_signed_and_retried_after_a_500(
    uow, runtime, clock, shop, receiver
):
    webhooks.subscribe(uow(), receiver.url, ["order.placed", "order.held"], SECRET)
    webhooks.subscribe(uow(), receiver.url + "/all", ["*"], SECRET + "-2")
    order = f.place(uow, shop.id, [("TEA", 2)])
    changes.hold_order(uow(), order.id, "address check")
    pending = webhooks.list_deliveries(uow(), "pending")
    # placed + held for the first; placed, released, allocated, held for the second.
    first = ["order.placed", "order.held"]
    second = ["order.placed", "order.released", "order.allocated", "order.held"]
    assert sorted(d.event_type for d in pending) == sorted([*first, *second])
    receiver.answers = [500]
    report = webhook_dispatch.deliver_due(runtime)
    assert (report.delivered, report.failed, report.dead) == (5, 1, 0)
    assert len(receiver.received) == 6
    for path, headers, body in receiver.received:
        secret = SECRET + "-2" if path.endswith("/all") else SECRET
        mac = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["x-otwb-signature"] == f"sha256={mac}"
        payload = json.loads(body)
        assert payload["type"] == headers["x-otwb-event"]
        assert payload["id"] == headers["x-otwb-delivery"]
        assert payload["data"]["order_id"] == order.id
        assert int(headers["x-otwb-timestamp"]) == int(clock.now().timestamp())
    [failed] = webhooks.list_deliveries(uow(), "pending")
    assert failed.attempts == 1
    assert failed.last_status == 500
    assert failed.last_error == "HTTP 500"
    # Not due yet: nothing is sent; after the backoff it goes through.
    assert webhook_dispatch.deliver_due(runtime).delivered == 0
    clock.advance(webhook_dispatch.retry_delay(1))
    assert webhook_dispatch.deliver_due(runtime).delivered == 1
    _, retried_headers, _ = receiver.received[-1]
    assert retried_headers["x-otwb-delivery"] == failed.id
    assert webhooks.list_deliveries(uow(), "pending") == []
    assert len(webhooks.list_deliveries(uow(), "delivered")) == 6


def test_a_delivery_nobody_accepts_is_dead_after_the_last_attempt(uow, runtime, clock, shop):
    webhooks.subscribe(uow(), "http://127.0.0.1:9/nothing-listens", ["order.placed"], SECRET)
    f.place(uow, shop.id, [("TEA", 1)])
    for attempt in range(1, webhook_dispatch.MAX_ATTEMPTS + 1):
        report = webhook_dispatch.deliver_due(runtime)
        assert report.failed + report.dead == 1
        clock.advance(webhook_dispatch.retry_delay(attempt))
    [dead] = webhooks.list_deliveries(uow(), "dead")
    assert dead.attempts == webhook_dispatch.MAX_ATTEMPTS
    assert "Error" in (dead.last_error or "")
    assert webhook_dispatch.deliver_due(runtime).failed == 0


def test_subscriptions_are_validated_and_can_be_stopped(uow, shop):
    with pytest.raises(InvalidWebhook):
        webhooks.subscribe(uow(), "ftp://example.com/x", ["*"], SECRET)
    with pytest.raises(InvalidWebhook):
        webhooks.subscribe(uow(), "https://example.com/x", ["order.teleported"], SECRET)
    with pytest.raises(InvalidWebhook):
        webhooks.subscribe(uow(), "https://example.com/x", ["*"], "short")
    sub = webhooks.subscribe(uow(), "https://example.com/x", ["order.placed"])
    assert len(sub.secret) >= 16
    webhooks.unsubscribe(uow(), sub.id)
    f.place(uow, shop.id, [("TEA", 1)])
    assert webhooks.list_deliveries(uow()) == []


def test_retry_delays_grow_and_are_capped():
    delays = [webhook_dispatch.retry_delay(n) for n in range(1, 12)]
    assert delays[:3] == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40)]
    assert delays[-1] == timedelta(hours=1)
    assert webhook_dispatch.signature("k", b"{}") == (
        "sha256=" + hmac.new(b"k", b"{}", hashlib.sha256).hexdigest()
    )
