"""Domain events: immutable facts in the past tense, serialisable to the outbox.

Every subclass registers itself by class name, which is its ``event_type`` in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from otwb.platform.ids import EventId, TenantId


class Payload(BaseModel):
    """A value carried inside an event (a line, an address): immutable, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    registry: ClassVar[dict[str, type[Event]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__
        if name in Event.registry and Event.registry[name] is not cls:
            raise TypeError(f"two events are named {name}")
        Event.registry[name] = cls

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    @staticmethod
    def load(event_type: str, payload: str) -> Event:
        try:
            cls = Event.registry[event_type]
        except KeyError:
            raise LookupError(f"unknown event type {event_type!r}") from None
        return cls.model_validate_json(payload)


@dataclass(frozen=True, slots=True)
class Envelope:
    """An event as stored in the outbox: its id, tenant and time."""

    id: EventId
    tenant_id: TenantId
    occurred_at: datetime
    event: Event

    @property
    def event_type(self) -> str:
        return self.event.event_type()
