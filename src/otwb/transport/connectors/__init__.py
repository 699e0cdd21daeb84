"""Carrier connectors: per carrier, a pure build-request / parse-response pair, behind a thin
HTTP transport, discovered through a registry (the Karrio idiom).

``base.py`` holds the shapes every connector speaks, ``registry.py`` finds a connector by name,
``generic.py`` is the generic JSON connector, ``http.py`` the transport that sends the requests.
"""

from otwb.transport.connectors import generic as _generic  # noqa: F401  (registers itself)
