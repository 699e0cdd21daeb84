"""Points on the earth and the great-circle distance between them."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0) or not math.isfinite(self.lat):
            raise ValueError(f"latitude must be within [-90, 90], got {self.lat}")
        if not (-180.0 <= self.lon <= 180.0) or not math.isfinite(self.lon):
            raise ValueError(f"longitude must be within [-180, 180], got {self.lon}")


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def road_km(a: GeoPoint, b: GeoPoint, road_factor: float) -> float:
    """Estimated road distance: great-circle distance times a road (circuity) factor."""
    return haversine_km(a, b) * road_factor
