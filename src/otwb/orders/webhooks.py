"""Webhooks out: order events delivered to the tenant's subscriber URLs.

A subscription is a URL, a secret (16+ characters; generated when not given) and the event
names it wants (``*`` for all). Every order event -- O's own and the reports of W and T that
move an order along -- becomes one delivery row per matching active subscription, written by an
outbox handler in its own transaction (so an event is queued once, and never lost). The
dispatcher (``webhook_dispatch``) then POSTs them, signed, with retries.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update

from otwb.orders.errors import InvalidWebhook
from otwb.orders.events import OrderAmended, OrderCancelled, OrderHeld, OrderPlaced, OrderReleased
from otwb.orders.webhook_tables import webhook_deliveries, webhook_subscriptions
from otwb.platform.errors import NotFound
from otwb.platform.events import Event
from otwb.platform.uow import UnitOfWork
from otwb.transport.events import DeliveryFailed, ShipmentDelivered, ShipmentDispatched
from otwb.warehouse.events import (
    AllocationFailed,
    LinesBackordered,
    OrderPacked,
    OrderPicked,
    StockAllocated,
)

EVENTS: dict[type[Event], str] = {
    OrderPlaced: "order.placed",
    OrderHeld: "order.held",
    OrderReleased: "order.released",
    OrderAmended: "order.amended",
    OrderCancelled: "order.cancelled",
    StockAllocated: "order.allocated",
    AllocationFailed: "order.allocation_failed",
    LinesBackordered: "order.backordered",
    OrderPicked: "order.picked",
    OrderPacked: "order.packed",
    ShipmentDispatched: "order.shipped",
    ShipmentDelivered: "order.delivered",
    DeliveryFailed: "order.delivery_failed",
}
NAMES = frozenset(EVENTS.values())


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    secret: str
    event_types: tuple[str, ...]
    active: bool
    created_at: datetime

    def wants(self, name: str) -> bool:
        return self.active and ("*" in self.event_types or name in self.event_types)


def subscribe(
    uow: UnitOfWork, url: str, event_types: Sequence[str], secret: str | None = None
) -> Subscription:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise InvalidWebhook("the URL must be http(s)://host/... (500 characters at most)")
    types = tuple(sorted({t.strip() for t in event_types if t.strip()}))
    unknown = [t for t in types if t != "*" and t not in NAMES]
    if not types or unknown:
        raise InvalidWebhook(
            f"event types are '*' or some of {', '.join(sorted(NAMES))}"
            + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
            field="event_types",
        )
    secret = secret.strip() if secret else secrets.token_hex(24)
    if not 16 <= len(secret) <= 200:
        raise InvalidWebhook("a secret is 16 to 200 characters", field="secret")
    sub = Subscription(uow.ids.new("whk"), url, secret, types, True, uow.clock.now())
    with uow:
        uow.conn.execute(
            insert(webhook_subscriptions).values(
                id=sub.id,
                tenant_id=uow.tenant_id,
                url=sub.url,
                secret=sub.secret,
                event_types=" ".join(sub.event_types),
                active=True,
                created_at=sub.created_at,
            )
        )
        uow.commit()
    return sub


def _subscription(row: Any) -> Subscription:
    return Subscription(
        row.id,
        row.url,
        row.secret,
        tuple(row.event_types.split()),
        bool(row.active),
        row.created_at,
    )


def _subscriptions(uow: UnitOfWork, *, active_only: bool) -> list[Subscription]:
    query = select(webhook_subscriptions).where(webhook_subscriptions.c.tenant_id == uow.tenant_id)
    if active_only:
        query = query.where(webhook_subscriptions.c.active.is_(True))
    rows = uow.conn.execute(query.order_by(webhook_subscriptions.c.created_at)).all()
    return [_subscription(r) for r in rows]


def list_subscriptions(uow: UnitOfWork) -> list[Subscription]:
    with uow:
        return _subscriptions(uow, active_only=False)


def unsubscribe(uow: UnitOfWork, subscription_id: str) -> None:
    """Stop a subscription (its pending deliveries are still attempted)."""
    with uow:
        result = uow.conn.execute(
            update(webhook_subscriptions)
            .where(
                webhook_subscriptions.c.tenant_id == uow.tenant_id,
                webhook_subscriptions.c.id == subscription_id,
            )
            .values(active=False)
        )
        if result.rowcount != 1:
            raise NotFound(f"no webhook subscription {subscription_id}")
        uow.commit()


def enqueue(uow: UnitOfWork, name: str, events: Sequence[Event]) -> int:
    """One delivery row per event per subscription that wants ``name``; how many rows. (It
    commits even when no subscription wants the events: a consumer's processed-event marks go
    with that commit rather than in a second transaction.)"""
    with uow:
        subs = [s for s in _subscriptions(uow, active_only=True) if s.wants(name)]
        if not subs:
            uow.commit()
            return 0
        now = uow.clock.now()
        rows = []
        for event in events:
            data = event.model_dump(mode="json")
            for sub in subs:
                delivery_id = uow.ids.new("whd")
                body = {
                    "id": delivery_id,
                    "type": name,
                    "created_at": now.isoformat(),
                    "data": data,
                }
                rows.append(
                    {
                        "id": delivery_id,
                        "tenant_id": uow.tenant_id,
                        "subscription_id": sub.id,
                        "event_type": name,
                        "body": json.dumps(body, separators=(",", ":"), sort_keys=True),
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
        uow.conn.execute(insert(webhook_deliveries), rows)
        uow.commit()
    return len(rows)


@dataclass(frozen=True)
class Delivery:
    id: str
    subscription_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None


def list_deliveries(uow: UnitOfWork, status: str | None = None, limit: int = 100) -> list[Delivery]:
    with uow:
        query = select(webhook_deliveries).where(webhook_deliveries.c.tenant_id == uow.tenant_id)
        if status is not None:
            query = query.where(webhook_deliveries.c.status == status)
        rows = uow.conn.execute(
            query.order_by(
                webhook_deliveries.c.created_at.desc(), webhook_deliveries.c.id.desc()
            ).limit(limit)
        ).all()
    return [
        Delivery(
            r.id,
            r.subscription_id,
            r.event_type,
            r.status,
            r.attempts,
            r.next_attempt_at,
            r.last_status,
            r.last_error,
            r.delivered_at,
        )
        for r in rows
    ]
