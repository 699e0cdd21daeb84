from datetime import UTC, datetime

from otwb.platform.clock import SimulatedClock
from otwb.platform.ids import IdFactory


def test_ids_carry_their_prefix_and_sort_by_creation():
    clock = SimulatedClock(datetime(2026, 11, 25, 8, tzinfo=UTC))
    ids = IdFactory(clock, seed=3)
    made = [ids.new("ord") for _ in range(1000)]  # the clock does not move: same millisecond
    assert all(x.startswith("ord_") and len(x) == 30 for x in made)
    assert made == sorted(made)
    assert len(set(made)) == 1000
    clock.set(datetime(2026, 11, 25, 9, tzinfo=UTC))
    assert ids.new("ord") > made[-1]


def test_a_seed_makes_ids_reproducible():
    def run() -> list[str]:
        clock = SimulatedClock(datetime(2026, 1, 1, tzinfo=UTC))
        ids = IdFactory(clock, seed=42)
        return [ids.new("x") for _ in range(5)]

    assert run() == run()
