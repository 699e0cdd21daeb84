"""Traffic incidents and how they change travel: a slowdown factor on an area or along a road
segment, or a closure. Pure.

A leg between two points is affected when its straight line passes within the incident's
radius of the area's centre or of the segment (distances on a local flat projection, fine at
city scale). An affected leg takes ``factor`` times as long; a closed one (factor None) takes a
detour so long that no plan uses it while another way exists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from otwb.platform.errors import InvalidInput
from otwb.platform.geo import EARTH_RADIUS_KM, GeoPoint

CLOSED_DETOUR_S = 6 * 3600
"""Added to a closed leg's travel time: prohibitive, but finite (the router still has a plan)."""
MAX_FACTOR = 20.0


@dataclass(frozen=True)
class Incident:
    id: str
    kind: str
    """``area`` (around ``at``) or ``segment`` (from ``at`` to ``to``)."""
    at: GeoPoint
    to: GeoPoint | None
    radius_m: float
    factor: float | None
    """Travel time multiplier (>= 1); None: closed."""
    starts_at: datetime
    ends_at: datetime
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("area", "segment"):
            raise InvalidInput("an incident is an area or a segment", field="kind")
        if (self.kind == "segment") != (self.to is not None):
            raise InvalidInput("a segment has two ends; an area has a centre", field="to")
        if not (math.isfinite(self.radius_m) and 0 < self.radius_m <= 100_000):
            raise InvalidInput("radius_m is above 0 and at most 100 km", field="radius_m")
        if self.factor is not None and not 1.0 <= self.factor <= MAX_FACTOR:
            raise InvalidInput(f"a slowdown factor is 1 to {MAX_FACTOR:g}", field="factor")
        if self.ends_at <= self.starts_at:
            raise InvalidInput("an incident ends after it starts", field="ends_at")

    @property
    def closed(self) -> bool:
        return self.factor is None

    def active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


def _xy(points: Sequence[GeoPoint], origin: GeoPoint) -> NDArray[np.float64]:
    lat0 = math.radians(origin.lat)
    k = EARTH_RADIUS_KM * 1000 * math.pi / 180
    return np.array(
        [[(p.lon - origin.lon) * k * math.cos(lat0), (p.lat - origin.lat) * k] for p in points],
        dtype=np.float64,
    ).reshape(len(points), 2)


def _point_to_segments(
    c: NDArray[np.float64], p: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Distance from point ``c`` to every segment p[i] -> q[i] (arrays of shape (..., 2))."""
    d = q - p
    length2 = (d**2).sum(axis=-1)
    t = np.where(length2 > 0, ((c - p) * d).sum(axis=-1) / np.where(length2 > 0, length2, 1), 0.0)
    t = np.clip(t, 0.0, 1.0)
    closest = p + t[..., None] * d
    result: NDArray[np.float64] = np.sqrt(((c - closest) ** 2).sum(axis=-1))
    return result


def _cross(
    o: NDArray[np.float64], a: NDArray[np.float64], b: NDArray[np.float64]
) -> NDArray[np.float64]:
    result: NDArray[np.float64] = (a[..., 0] - o[..., 0]) * (b[..., 1] - o[..., 1]) - (
        a[..., 1] - o[..., 1]
    ) * (b[..., 0] - o[..., 0])
    return result


def affected(points: Sequence[GeoPoint], incident: Incident) -> NDArray[np.bool_]:
    """n x n: whether the leg from point i to point j is affected by the incident."""
    xy = _xy([*points, incident.at, *([incident.to] if incident.to else [])], incident.at)
    n = len(points)
    p = np.broadcast_to(xy[:n, None, :], (n, n, 2))
    q = np.broadcast_to(xy[None, :n, :], (n, n, 2))
    a = xy[n]
    if incident.to is None:
        near = _point_to_segments(a, p, q) <= incident.radius_m
    else:
        b = xy[n + 1]
        ab_a, ab_b = np.broadcast_to(a, (n, n, 2)), np.broadcast_to(b, (n, n, 2))
        crossing = (np.sign(_cross(p, q, ab_a)) * np.sign(_cross(p, q, ab_b)) < 0) & (
            np.sign(_cross(ab_a, ab_b, p)) * np.sign(_cross(ab_a, ab_b, q)) < 0
        )
        ends = np.minimum.reduce(
            [
                _point_to_segments(a, p, q),
                _point_to_segments(b, p, q),
                _point_to_segments(p, ab_a, ab_b),
                _point_to_segments(q, ab_a, ab_b),
            ]
        )
        near = crossing | (ends <= incident.radius_m)
    np.fill_diagonal(near, False)
    return near


def slowed(
    durations: NDArray[np.int64], points: Sequence[GeoPoint], incidents: Sequence[Incident]
) -> NDArray[np.int64]:
    """Travel times with the incidents applied (the strongest one where several overlap)."""
    result = durations.astype(np.float64)
    for incident in incidents:
        hit = affected(points, incident)
        if incident.closed:
            result = np.where(hit, durations + CLOSED_DETOUR_S, result)
        else:
            assert incident.factor is not None
            result = np.where(hit, np.maximum(result, durations * incident.factor), result)
    out: NDArray[np.int64] = np.ceil(result).astype(np.int64)
    return out
