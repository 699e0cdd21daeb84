"""Tracking numbers: short codes customers read over the phone, with a check character."""

from __future__ import annotations

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def tracking_number(shipment_id: str) -> str:
    """A short code to read over the phone, from the random part of the shipment id.

    ``shp_<10 time chars><16 random chars>`` gives ``OT-XXXX-XXXX-XXXX-C``: 12 random Crockford
    base32 characters and a check character (sum of the values mod 32), so a mistyped number
    is refused rather than finding someone else's parcel.
    """
    chars = shipment_id.rsplit("_", 1)[-1][-12:].upper()
    if len(chars) != 12 or any(c not in _CROCKFORD for c in chars):
        raise ValueError(f"not a shipment id: {shipment_id!r}")
    check = _CROCKFORD[sum(_CROCKFORD.index(c) * (i + 1) for i, c in enumerate(chars)) % 32]
    return f"OT-{chars[:4]}-{chars[4:8]}-{chars[8:]}-{check}"


def is_valid_tracking_number(value: str) -> bool:
    parts = value.strip().upper().split("-")
    if len(parts) != 5 or parts[0] != "OT" or [len(p) for p in parts[1:]] != [4, 4, 4, 1]:
        return False
    chars = "".join(parts[1:4])
    if any(c not in _CROCKFORD for c in chars) or parts[4] not in _CROCKFORD:
        return False
    check = _CROCKFORD[sum(_CROCKFORD.index(c) * (i + 1) for i, c in enumerate(chars)) % 32]
    return parts[4] == check
