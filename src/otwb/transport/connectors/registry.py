"""Connectors by name: a carrier's ``connector`` column names the one that speaks its API."""

from __future__ import annotations

from otwb.platform.errors import InvalidInput
from otwb.transport.connectors.base import Connector

_CONNECTORS: dict[str, Connector] = {}


def register(connector: Connector) -> Connector:
    if connector.name in _CONNECTORS:
        raise ValueError(f"a connector named {connector.name!r} is already registered")
    _CONNECTORS[connector.name] = connector
    return connector


def connector(name: str) -> Connector:
    import otwb.transport.connectors  # noqa: F401  (the built-in connectors register on import)

    try:
        return _CONNECTORS[name]
    except KeyError:
        known = ", ".join(sorted(_CONNECTORS)) or "none"
        raise InvalidInput(f"no carrier connector {name!r} (known: {known})") from None


def names() -> list[str]:
    import otwb.transport.connectors  # noqa: F401

    return sorted(_CONNECTORS)
