"""Road distances and travel times from an OSRM server (``OTWB_OSRM_URL``), for those who run one.

One ``/table`` request gives both matrices for a set of points; they are cached per point set, so
planning asks once for distance and once per vehicle speed without more requests. A vehicle
slower than OSRM's car profile drives at its own average speed: the travel time is the larger
of OSRM's and distance / speed.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from otwb.platform.geo import GeoPoint
from otwb.transport.distance import IntMatrix

MAX_POINTS = 2_000


class DistanceUnavailable(RuntimeError):
    """The distance server could not answer (down, refused, or a point it cannot route)."""


class OsrmProvider:
    def __init__(self, base_url: str, profile: str = "driving", timeout_s: float = 30.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"an OSRM URL starts with http:// or https://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.timeout_s = timeout_s
        self._cache: tuple[tuple[GeoPoint, ...], NDArray[np.float64], NDArray[np.float64]] | None
        self._cache = None

    def table_url(self, points: Sequence[GeoPoint]) -> str:
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        return f"{self.base_url}/table/v1/{self.profile}/{coords}?annotations=distance,duration"

    def _table(self, points: Sequence[GeoPoint]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        key = tuple(points)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], self._cache[2]
        if not 0 < len(points) <= MAX_POINTS:
            raise DistanceUnavailable(f"OSRM tables take 1 to {MAX_POINTS} points")
        try:
            with urllib.request.urlopen(self.table_url(points), timeout=self.timeout_s) as answer:
                body = json.loads(answer.read().decode())
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise DistanceUnavailable(f"OSRM at {self.base_url} did not answer: {exc}") from None
        if body.get("code") != "Ok":
            raise DistanceUnavailable(f"OSRM refused the table: {body.get('message', body)}")
        distances, durations = body.get("distances"), body.get("durations")
        n = len(points)
        for matrix in (distances, durations):
            if not isinstance(matrix, list) or len(matrix) != n:
                raise DistanceUnavailable("OSRM answered a table of the wrong size")
            if any(v is None for row in matrix for v in row):
                raise DistanceUnavailable("OSRM cannot route between some of the points")
        d = np.array(distances, dtype=np.float64).reshape(n, n)
        t = np.array(durations, dtype=np.float64).reshape(n, n)
        self._cache = (key, d, t)
        return d, t

    def distance_m(self, points: Sequence[GeoPoint]) -> IntMatrix:
        return np.rint(self._table(points)[0]).astype(np.int64)

    def duration_s(self, points: Sequence[GeoPoint], speed_kmh: float) -> IntMatrix:
        if not speed_kmh > 0 or not math.isfinite(speed_kmh):
            raise ValueError("speed must be positive")
        d, t = self._table(points)
        at_own_speed = d / 1000.0 / float(speed_kmh) * 3600.0
        return np.ceil(np.maximum(t, at_own_speed) - 1e-9).astype(np.int64)
