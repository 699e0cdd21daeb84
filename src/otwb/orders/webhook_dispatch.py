"""Delivering webhooks: POST each due delivery, signed; retry with backoff; give up (dead).

Each request is ``POST <url>`` with the JSON body and headers ``X-OTWB-Signature:
sha256=<hex HMAC-SHA256 of the body with the subscription's secret>``, ``X-OTWB-Timestamp``
(Unix seconds), ``X-OTWB-Event`` and ``X-OTWB-Delivery`` (the delivery id: receivers dedupe on
it). A 2xx answer delivers it; anything else (another status, a timeout, a refused connection)
counts an attempt, stores the error and schedules the next try after 10 s, 20 s, 40 s ... (at
most an hour); after ``MAX_ATTEMPTS`` the delivery is ``dead``.

A dispatcher first *leases* a delivery (moves its next attempt a few minutes ahead with a
conditional UPDATE), so two dispatchers never send the same one at once. It runs across
tenants: ``otwb order webhooks deliver [--loop]``, and the relay thread of ``otwb serve``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from otwb.orders.webhook_tables import webhook_deliveries, webhook_subscriptions
from otwb.platform.runtime import Runtime

log = logging.getLogger("otwb.webhooks")

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=10)
MAX_RETRY = timedelta(hours=1)
LEASE = timedelta(minutes=2)
TIMEOUT_SECONDS = 10.0

Post = Callable[[str, bytes, dict[str, str]], int]
"""Send a POST; the HTTP status (raises OSError when nothing answered)."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(attempts: int) -> timedelta:
    """After ``attempts`` failed attempts: 10 s, 20 s, 40 s ... at most an hour."""
    return min(FIRST_RETRY * (1 << min(max(attempts - 1, 0), 20)), MAX_RETRY)


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    dead: int = 0


def deliver_due(runtime: Runtime, *, limit: int = 100, post: Post = http_post) -> DeliveryReport:
    """Attempt every delivery that is due (all tenants), oldest first."""
    report = DeliveryReport()
    now = runtime.clock.now()
    with runtime.db.read_engine.connect() as conn:
        due = conn.execute(
            select(
                webhook_deliveries.c.id,
                webhook_deliveries.c.event_type,
                webhook_deliveries.c.body,
                webhook_deliveries.c.attempts,
                webhook_deliveries.c.next_attempt_at,
                webhook_subscriptions.c.url,
                webhook_subscriptions.c.secret,
            )
            .join(
                webhook_subscriptions,
                webhook_subscriptions.c.id == webhook_deliveries.c.subscription_id,
            )
            .where(
                webhook_deliveries.c.status == "pending",
                webhook_deliveries.c.next_attempt_at <= now,
            )
            .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
            .limit(limit)
        ).all()
    for d in due:
        if not _lease(runtime, d.id, d.next_attempt_at, now):
            continue  # another dispatcher has it
        body = d.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "otwb-webhooks",
            "X-OTWB-Event": d.event_type,
            "X-OTWB-Delivery": d.id,
            "X-OTWB-Timestamp": str(int(runtime.clock.now().timestamp())),
            "X-OTWB-Signature": signature(d.secret, body),
        }
        status: int | None = None
        try:
            status = post(d.url, body, headers)
            error = None if 200 <= status < 300 else f"HTTP {status}"
        except OSError as exc:  # refused, timed out, DNS...
            error = f"{type(exc).__name__}: {exc}"
        _record(runtime, d.id, d.attempts + 1, status, error, report)
    return report


def _lease(runtime: Runtime, delivery_id: str, seen: datetime, now: datetime) -> bool:
    with runtime.db.engine.begin() as conn:
        result = conn.execute(
            update(webhook_deliveries)
            .where(
                webhook_deliveries.c.id == delivery_id,
                webhook_deliveries.c.status == "pending",
                webhook_deliveries.c.next_attempt_at == seen,
            )
            .values(next_attempt_at=now + LEASE)
        )
        return result.rowcount == 1


def _record(
    runtime: Runtime,
    delivery_id: str,
    attempts: int,
    status: int | None,
    error: str | None,
    report: DeliveryReport,
) -> None:
    now = runtime.clock.now()
    if error is None:
        values: dict[str, object] = {"status": "delivered", "delivered_at": now}
        report.delivered += 1
    elif attempts >= MAX_ATTEMPTS:
        values = {"status": "dead", "last_error": error[:2000]}
        report.dead += 1
        log.warning("webhook delivery %s dead after %d attempts: %s", delivery_id, attempts, error)
    else:
        values = {"last_error": error[:2000], "next_attempt_at": now + retry_delay(attempts)}
        report.failed += 1
    with runtime.db.engine.begin() as conn:
        conn.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.id == delivery_id)
            .values(attempts=attempts, last_status=status, **values)
        )
