"""``otwb serve``: the API under uvicorn, with the outbox relay retrying due events (and
delivering due webhooks)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import uvicorn

from otwb.api import create_app
from otwb.orders import webhook_dispatch
from otwb.platform.runtime import Runtime

log = logging.getLogger("otwb.server")


def _relay(runtime: Runtime, stop: threading.Event) -> None:
    interval = runtime.settings.outbox_relay_seconds
    while not stop.wait(interval):
        try:
            # Leave fresh events to the request that committed them (it is delivering them).
            runtime.bus.dispatch_pending(runtime, min_age=timedelta(seconds=5))
            webhook_dispatch.deliver_due(runtime)
        except Exception:
            log.exception("outbox relay pass failed; retrying")


def serve(runtime: Runtime, host: str, port: int) -> None:
    stop = threading.Event()
    relay = threading.Thread(target=_relay, args=(runtime, stop), name="outbox-relay", daemon=True)
    relay.start()
    try:
        uvicorn.run(create_app(runtime), host=host, port=port, log_level="info")
    finally:
        stop.set()
        relay.join(timeout=5)
