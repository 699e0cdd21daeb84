"""The generic JSON connector: for carriers with a plain REST API (or a small adapter in front of
one). ``POST {endpoint}/shipments`` tenders; ``GET {endpoint}/shipments/{reference}/events``
tracks. Golden request/response files in ``tests/unit/transport/golden/`` pin both directions.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from otwb.transport.connectors.base import (
    CarrierEvent,
    CarrierRefused,
    HttpRequest,
    HttpResponse,
    TenderConfirmation,
    TenderRequest,
)
from otwb.transport.connectors.registry import register

STATUSES = {"picked_up", "delivered", "failed"}
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def _json(response: HttpResponse) -> Any:
    if not 200 <= response.status < 300:
        raise CarrierRefused(f"the carrier answered {response.status}: {response.body[:200]!r}")
    try:
        return json.loads(response.body.decode())
    except (UnicodeDecodeError, ValueError):
        raise CarrierRefused("the carrier's answer is not JSON") from None


class GenericJsonConnector:
    name = "generic"

    def build_tender(self, endpoint: str, request: TenderRequest) -> HttpRequest:
        body = {
            "reference": request.reference,
            "service_level": request.service_level,
            "from": {
                "name": request.ship_from.name,
                "street": request.ship_from.street,
                "lat": request.ship_from.lat,
                "lon": request.ship_from.lon,
            },
            "to": {
                "name": request.ship_to.name,
                "street": request.ship_to.street,
                "lat": request.ship_to.lat,
                "lon": request.ship_to.lon,
            },
            "weight_kg": request.weight_kg,
            "volume_m3": request.volume_m3,
            "parcels": request.parcels,
            "temperature": request.temperature_class,
            "deliver_by": request.deliver_by.isoformat() if request.deliver_by else None,
            "agreed_price": {"amount": str(request.expected_cost), "currency": request.currency},
        }
        return HttpRequest(
            "POST",
            f"{endpoint.rstrip('/')}/shipments",
            dict(HEADERS),
            json.dumps(body, sort_keys=True).encode(),
        )

    def parse_tender(self, response: HttpResponse) -> TenderConfirmation:
        doc = _json(response)
        if not isinstance(doc, dict) or "status" not in doc:
            raise CarrierRefused("the carrier's tender answer has no status")
        accepted = doc["status"] == "accepted"
        reference = str(doc.get("tracking_number") or "")
        if accepted and not reference:
            raise CarrierRefused("the carrier accepted without a tracking number")
        return TenderConfirmation(reference, accepted, str(doc.get("message", "")))

    def build_tracking(self, endpoint: str, carrier_reference: str) -> HttpRequest:
        url = f"{endpoint.rstrip('/')}/shipments/{quote(carrier_reference, safe='')}/events"
        return HttpRequest("GET", url, {"Accept": "application/json"})

    def parse_tracking(self, response: HttpResponse) -> list[CarrierEvent]:
        doc = _json(response)
        events = doc.get("events") if isinstance(doc, dict) else None
        if not isinstance(events, list):
            raise CarrierRefused("the carrier's tracking answer has no events")
        out = []
        for e in events:
            if e.get("status") not in STATUSES:
                continue  # statuses we do not act on (in depot, out for delivery ...)
            proof = e.get("proof") or {}
            out.append(
                CarrierEvent(
                    reference=str(doc.get("reference", "")),
                    status=str(e["status"]),
                    at=datetime.fromisoformat(str(e["at"])),
                    signature_name=proof.get("signature_name"),
                    photo_ref=proof.get("photo_url"),
                    reason=e.get("reason"),
                )
            )
        return out


GENERIC = register(GenericJsonConnector())
