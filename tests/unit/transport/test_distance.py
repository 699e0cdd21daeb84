"""The default distance provider: haversine x road factor, vectorised; times from speed."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from otwb.platform.geo import GeoPoint, haversine_km
from otwb.transport.distance import HaversineProvider, haversine_km_matrix, road_distance_km

LYON = GeoPoint(45.7640, 4.8357)
PARIS = GeoPoint(48.8566, 2.3522)
MARSEILLE = GeoPoint(43.2965, 5.3698)
LILLE = GeoPoint(50.6292, 3.0573)


def test_lyon_paris_is_about_392_km_as_the_crow_flies():
    km = haversine_km_matrix(np.array([LYON.lat, PARIS.lat]), np.array([LYON.lon, PARIS.lon]))
    assert km[0, 1] == pytest.approx(392.0, abs=1.5)


def test_matrix_agrees_with_the_scalar_haversine():
    points = [LYON, PARIS, MARSEILLE, LILLE]
    km = haversine_km_matrix(np.array([p.lat for p in points]), np.array([p.lon for p in points]))
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            assert km[i, j] == pytest.approx(haversine_km(a, b), rel=1e-12, abs=1e-9)


def test_distances_are_symmetric_with_a_zero_diagonal_in_metres():
    rng = np.random.default_rng(5)
    points = [GeoPoint(float(a), float(b)) for a, b in rng.uniform([43, -1], [50, 7], (40, 2))]
    d = HaversineProvider(Decimal("1.3")).distance_m(points)
    assert d.shape == (40, 40)
    assert d.dtype == np.int64
    assert (d == d.T).all()
    assert (np.diag(d) == 0).all()
    assert (d[~np.eye(40, dtype=bool)] > 0).all()


def test_road_factor_scales_the_great_circle():
    d = HaversineProvider(Decimal("1.3")).distance_m([LYON, PARIS])
    assert d[0, 1] == round(haversine_km(LYON, PARIS) * 1.3 * 1000)
    assert road_distance_km(HaversineProvider(Decimal("1.3")), LYON, PARIS) == pytest.approx(
        509.6, abs=2.0
    )
    assert HaversineProvider(1.0).distance_m([LYON, PARIS])[0, 1] == pytest.approx(
        392_000, abs=1_500
    )


def test_durations_follow_speed_and_round_up():
    provider = HaversineProvider(Decimal("1.3"))
    d = provider.distance_m([LYON, PARIS])[0, 1]
    t60 = provider.duration_s([LYON, PARIS], 60.0)
    t90 = provider.duration_s([LYON, PARIS], 90.0)
    assert t60.dtype == np.int64
    assert t60[0, 1] == pytest.approx(d / 1000 / 60 * 3600, abs=1)  # about 8.5 h
    assert t60[0, 1] >= d / 1000 / 60 * 3600 - 0.5
    assert t90[0, 1] < t60[0, 1]
    assert (np.diag(t60) == 0).all()


@pytest.mark.parametrize("factor", ["0.9", "7"])
def test_an_implausible_road_factor_is_refused(factor):
    with pytest.raises(ValueError):
        HaversineProvider(Decimal(factor))
