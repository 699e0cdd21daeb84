"""Distance and travel-time matrices between points, behind a small provider interface.

The default provider estimates road distance as the great-circle (haversine) distance times a
road factor (``settings.road_factor``, 1.3 by default) and travel time from a vehicle's average
speed. An OSRM or Valhalla adapter, where such a server exists, implements the same two methods
with real road distances and per-profile travel times.

Matrices are integers, as the router wants them: metres and seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from otwb.platform.geo import EARTH_RADIUS_KM, GeoPoint

IntMatrix = NDArray[np.int64]


class DistanceProvider(Protocol):
    def distance_m(self, points: Sequence[GeoPoint]) -> IntMatrix:
        """Road distance in metres from every point (row) to every point (column)."""
        ...

    def duration_s(self, points: Sequence[GeoPoint], speed_kmh: float) -> IntMatrix:
        """Driving time in seconds between the points for a vehicle of this average speed."""
        ...


def haversine_km_matrix(
    lats: NDArray[np.float64], lons: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Great-circle distances in km between all pairs, vectorised (n x n from n points)."""
    lat = np.radians(np.asarray(lats, dtype=np.float64))
    lon = np.radians(np.asarray(lons, dtype=np.float64))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return result


class HaversineProvider:
    """Road distance = haversine x road factor; time = distance / speed."""

    def __init__(self, road_factor: Decimal | float = Decimal("1.3")) -> None:
        factor = float(road_factor)
        if not (1.0 <= factor <= 5.0):
            raise ValueError(f"a road factor is between 1 and 5, got {road_factor}")
        self.road_factor = factor

    def _road_km(self, points: Sequence[GeoPoint]) -> NDArray[np.float64]:
        lats = np.fromiter((p.lat for p in points), dtype=np.float64, count=len(points))
        lons = np.fromiter((p.lon for p in points), dtype=np.float64, count=len(points))
        return haversine_km_matrix(lats, lons) * self.road_factor

    def distance_m(self, points: Sequence[GeoPoint]) -> IntMatrix:
        return np.rint(self._road_km(points) * 1000.0).astype(np.int64)

    def duration_s(self, points: Sequence[GeoPoint], speed_kmh: float) -> IntMatrix:
        if not speed_kmh > 0:
            raise ValueError("speed must be positive")
        hours = self._road_km(points) / float(speed_kmh)
        # Rounded up: an ETA that errs is better late by a second than early.
        return np.ceil(hours * 3600.0 - 1e-9).astype(np.int64)


def road_distance_km(provider: DistanceProvider, a: GeoPoint, b: GeoPoint) -> float:
    """The road distance between two points, in km (metre precision)."""
    return int(provider.distance_m([a, b])[0, 1]) / 1000.0


class EuclideanProvider:
    """Straight-line distances between planar points (benchmark files), as integers under an
    explicit convention: ``scale`` units per coordinate unit, either rounded to the nearest
    integer (CVRPLIB: scale 1) or truncated (DIMACS VRPTW: one decimal kept, scale 10)."""

    def __init__(self, scale: int = 1, truncate: bool = False) -> None:
        if scale < 1:
            raise ValueError("the scale is a positive integer")
        self.scale = scale
        self.truncate = truncate

    def matrix(self, xy: NDArray[np.float64]) -> IntMatrix:
        xy = np.asarray(xy, dtype=np.float64)
        diff = xy[:, None, :] - xy[None, :, :]
        exact = np.sqrt((diff**2).sum(axis=2)) * self.scale
        # A hair of tolerance so that 2.0000000001 truncates to 2.0, not 1.9.
        scaled = np.floor(exact + 1e-9) if self.truncate else np.rint(exact)
        result: IntMatrix = scaled.astype(np.int64)
        return result
