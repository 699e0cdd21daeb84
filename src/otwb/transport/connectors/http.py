"""The thin transport: sends a connector's ``HttpRequest`` and hands back the ``HttpResponse``."""

from __future__ import annotations

import urllib.error
import urllib.request

from otwb.transport.connectors.base import CarrierRefused, HttpRequest, HttpResponse

TIMEOUT_S = 20.0


def send(request: HttpRequest, timeout_s: float = TIMEOUT_S) -> HttpResponse:
    outgoing = urllib.request.Request(
        request.url, data=request.body or None, headers=request.headers, method=request.method
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=timeout_s) as answer:
            return HttpResponse(answer.status, answer.read(), dict(answer.headers.items()))
    except urllib.error.HTTPError as exc:  # a 4xx / 5xx answer is still an answer
        return HttpResponse(exc.code, exc.read(), dict(exc.headers.items()))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise CarrierRefused(f"carrier at {request.url} unreachable: {exc}") from None
