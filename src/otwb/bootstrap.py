"""Assemble a running OTWB: settings, database, bus with every context's handlers, clock, ids."""

from __future__ import annotations

from otwb.billing import handlers as billing_handlers
from otwb.orders import handlers as orders_handlers
from otwb.orders import sourcing_handlers
from otwb.platform.bus import MessageBus
from otwb.platform.clock import Clock, SystemClock
from otwb.platform.db import Database, connect
from otwb.platform.ids import IdFactory
from otwb.platform.runtime import Runtime
from otwb.platform.settings import Settings, load_settings
from otwb.transport import handlers as transport_handlers
from otwb.warehouse import handlers as warehouse_handlers


def build_bus(bus: MessageBus | None = None) -> MessageBus:
    bus = bus or MessageBus()
    for context in (
        orders_handlers,
        sourcing_handlers,
        warehouse_handlers,
        transport_handlers,
        billing_handlers,
    ):
        context.register(bus)
    return bus


def bootstrap(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    seed: int | None = None,
) -> Runtime:
    settings = settings or load_settings()
    clock = clock or SystemClock()
    return Runtime(
        db=database or connect(settings.database_url),
        bus=build_bus(),
        clock=clock,
        ids=IdFactory(clock, seed),
        settings=settings,
    )
