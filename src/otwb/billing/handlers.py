"""Handlers this context registers for other contexts' events."""

from __future__ import annotations

from otwb.platform.bus import MessageBus


def register(bus: MessageBus) -> None:
    """Filled in with the context's reactions (see the context's service)."""
