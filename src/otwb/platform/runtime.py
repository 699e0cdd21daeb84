"""What a running OTWB holds: the database, the bus, the clock, the id factory, the settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from otwb.platform.bus import MessageBus
from otwb.platform.clock import Clock
from otwb.platform.db import Database
from otwb.platform.ids import EventId, IdFactory, TenantId
from otwb.platform.settings import Settings
from otwb.platform.uow import UnitOfWork


@dataclass
class Runtime:
    db: Database
    bus: MessageBus
    clock: Clock
    ids: IdFactory
    settings: Settings

    def uow(
        self,
        tenant_id: TenantId | None = None,
        *,
        read_only: bool = False,
        consumes: tuple[str, Sequence[EventId]] | None = None,
        finishes: Sequence[EventId] = (),
    ) -> UnitOfWork:
        return UnitOfWork(
            self, tenant_id, read_only=read_only, consumes=consumes, finishes=finishes
        )
