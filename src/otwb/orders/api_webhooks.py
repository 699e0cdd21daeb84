"""Webhook subscriptions over HTTP (admin), and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from otwb.orders import webhooks
from otwb.platform.http import Admin, Reader

router = APIRouter(tags=["webhooks"])


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    url: str = Field(min_length=8, max_length=500)
    event_types: list[str] = Field(default=["*"], min_length=1, max_length=50)
    secret: str | None = Field(default=None, min_length=16, max_length=200)


class SubscriptionOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime
    secret: str | None = Field(default=None, description="Shown when created only")

    @classmethod
    def of(cls, s: webhooks.Subscription, *, with_secret: bool = False) -> SubscriptionOut:
        return cls(
            id=s.id,
            url=s.url,
            event_types=list(s.event_types),
            active=s.active,
            created_at=s.created_at,
            secret=s.secret if with_secret else None,
        )


class DeliveryOut(BaseModel):
    id: str
    subscription_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None


@router.post("/webhooks", status_code=201, response_model=SubscriptionOut)
def subscribe(body: SubscriptionIn, caller: Admin) -> SubscriptionOut:
    """Order events to this URL, signed ``X-OTWB-Signature: sha256=<HMAC of the body>``."""
    sub = webhooks.subscribe(caller.uow(), body.url, body.event_types, body.secret)
    return SubscriptionOut.of(sub, with_secret=True)


@router.get("/webhooks", response_model=list[SubscriptionOut])
def list_subscriptions(caller: Reader) -> list[SubscriptionOut]:
    return [SubscriptionOut.of(s) for s in webhooks.list_subscriptions(caller.reader())]


@router.delete("/webhooks/{subscription_id}", status_code=204)
def unsubscribe(subscription_id: str, caller: Admin) -> None:
    webhooks.unsubscribe(caller.uow(), subscription_id)


@router.get("/webhook-deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    caller: Reader,
    status: Literal["pending", "delivered", "dead"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryOut]:
    return [
        DeliveryOut(**vars(d)) for d in webhooks.list_deliveries(caller.reader(), status, limit)
    ]
