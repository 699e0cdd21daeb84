from datetime import UTC, datetime, timedelta, timezone

import pytest

from otwb.platform.clock import SimulatedClock, as_utc
from otwb.platform.geo import GeoPoint, haversine_km, road_km

LYON = GeoPoint(45.7640, 4.8357)
PARIS = GeoPoint(48.8566, 2.3522)


def test_haversine_distance_lyon_paris():
    assert haversine_km(LYON, PARIS) == pytest.approx(391.5, abs=1.0)
    assert haversine_km(LYON, LYON) == 0
    assert road_km(LYON, PARIS, 1.3) == pytest.approx(1.3 * haversine_km(LYON, PARIS))


def test_coordinates_are_validated():
    with pytest.raises(ValueError, match="latitude"):
        GeoPoint(91, 0)
    with pytest.raises(ValueError, match="longitude"):
        GeoPoint(0, 181)


def test_simulated_clock_moves_only_when_told():
    clock = SimulatedClock(datetime(2026, 11, 25, 8, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.advance(timedelta(minutes=5)) == datetime(2026, 11, 25, 8, 5, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 11, 25, 9))  # noqa: DTZ001 - naive on purpose


def test_as_utc_converts_and_refuses_naive():
    paris = timezone(timedelta(hours=1))
    assert as_utc(datetime(2026, 11, 25, 9, tzinfo=paris)) == datetime(2026, 11, 25, 8, tzinfo=UTC)
    with pytest.raises(ValueError):
        as_utc(datetime(2026, 11, 25, 9))  # noqa: DTZ001 - naive on purpose
