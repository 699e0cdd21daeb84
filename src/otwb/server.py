"""``otwb serve``: the API under uvicorn, with the outbox relay retrying due events."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import uvicorn

from otwb.api import create_app
from otwb.platform.runtime import Runtime

log = logging.getLogger("otwb.server")


def _relay(runtime: Runtime, stop: threading.Event) -> None:
    interval = runtime.settings.outbox_relay_seconds
    while not stop.wait(interval):
        try:
            # Leave fresh events to the request that committed them (it is delivering them).
            runtime.bus.dispatch_pending(runtime, min_age=timedelta(seconds=5))
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
